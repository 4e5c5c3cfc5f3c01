import dataclasses

import numpy as np
import pytest
import torch

from infnat_core.errors import InfnatError
from infnat_core.fill import fill_holes
from infnat_core.refiner import (FillRefiner, NetworkRefiner, SPADEGenerator, StyleEncoder, load_refiner,
                                 save_weights)

from .conftest import TINY


def _render(height=50, width=70, seed=0):
    rng = np.random.default_rng(seed)
    rgb = rng.uniform(0, 1, (height, width, 3)).astype(np.float32)
    disparity = rng.uniform(0.05, 0.9, (height, width)).astype(np.float32)
    mask = np.ones((height, width), np.float32)
    mask[10:30, 20:45] = 0.0
    return rgb * mask[..., None], disparity * mask, mask


class TestLoadRefiner:
    def test_no_path_falls_back_with_message(self):
        refiner, message = load_refiner(None)
        assert isinstance(refiner, FillRefiner)
        assert "using classical fill" in message

    def test_missing_file_falls_back_naming_the_path(self, tmp_path):
        refiner, message = load_refiner(tmp_path / "absent.safetensors")
        assert isinstance(refiner, FillRefiner)
        assert message == f"no refiner weights at {tmp_path / 'absent.safetensors'}; using classical fill"

    def test_broken_file_falls_back_with_the_reason(self, tmp_path):
        broken = tmp_path / "broken.safetensors"
        broken.write_bytes(b"garbage")
        refiner, message = load_refiner(broken)
        assert isinstance(refiner, FillRefiner)
        assert "corrupt" in message and "using classical fill" in message
        assert "\n" not in message

    def test_good_file_gives_the_network(self, tiny_weights):
        refiner, message = load_refiner(tiny_weights, device="cpu")
        assert isinstance(refiner, NetworkRefiner)
        assert message is None
        assert refiner.name == f"SPADE ({tiny_weights}, cpu)"


class TestNetworkRefiner:
    def test_any_size_in_same_size_out(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu")
        rgb, disparity, mask = _render(50, 70)
        refiner.set_style(rgb, disparity)
        out_rgb, out_disp = refiner.refine(rgb, disparity, mask)
        assert out_rgb.shape == (50, 70, 3) and out_disp.shape == (50, 70)
        assert out_rgb.dtype == out_disp.dtype == np.float32
        assert 0.0 <= out_rgb.min() and out_rgb.max() <= 1.0
        assert 0.0 <= out_disp.min() and out_disp.max() <= 1.0

    def test_blend_zero_keeps_valid_pixels_and_paints_holes(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu", blend=0.0)
        rgb, disparity, mask = _render()
        refiner.set_style(rgb, disparity)
        out_rgb, out_disp = refiner.refine(rgb, disparity, mask)
        valid = mask == 1.0
        np.testing.assert_array_equal(out_rgb[valid], rgb[valid])
        np.testing.assert_array_equal(out_disp[valid], disparity[valid])
        assert out_rgb[~valid].mean() > 0.05  # holes (black in the render) got network content
        assert out_disp[~valid].min() > 0.0

    def test_blend_one_lets_the_network_repaint_valid_pixels(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu", blend=1.0)
        rgb, disparity, mask = _render()
        refiner.set_style(rgb, disparity)
        out_rgb, _ = refiner.refine(rgb, disparity, mask)
        assert np.abs(out_rgb - rgb)[mask == 1.0].mean() > 0.05

    def test_hole_disparity_is_grounded_to_the_render(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu")
        rgb, disparity, mask = _render()
        refiner.set_style(rgb, disparity)
        _, near = refiner.refine(rgb, np.clip(disparity * 2.0, 0, 1) * mask, mask)
        _, far = refiner.refine(rgb, disparity * 0.5, mask)
        hole = mask == 0.0
        # Scaling the rendered disparity scales the painted hole disparity by about the same factor.
        assert np.median(near[hole]) > 2.5 * np.median(far[hole])

    def test_refine_before_set_style_raises(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu")
        with pytest.raises(RuntimeError, match="set_style"):
            refiner.refine(*_render())

    @pytest.mark.parametrize("options", [{"blend": 1.5}, {"threads": 0}, {"device": "quantum"}])
    def test_bad_options_raise(self, tiny_weights, options):
        with pytest.raises(InfnatError):
            NetworkRefiner(tiny_weights, **options)


class TestFillRefiner:
    def test_fills_holes_and_keeps_valid_pixels(self):
        refiner = FillRefiner()
        rgb, disparity, mask = _render()
        refiner.set_style(rgb, disparity)
        out_rgb, out_disp = refiner.refine(rgb, disparity, mask)
        valid = mask == 1.0
        np.testing.assert_array_equal(out_rgb[valid], rgb[valid])
        assert out_rgb[~valid].mean() == pytest.approx(rgb[valid].mean(), abs=0.1)
        assert out_disp[~valid].min() > 0.0


class TestStyleSeed:
    def test_seed_zero_is_the_mean_and_other_seeds_vary_the_look_reproducibly(self, tiny_weights):
        refiner = NetworkRefiner(tiny_weights, device="cpu")
        rgb, disparity, mask = _render()
        looks = {}
        for seed in (0, 3, 3, 4):
            refiner.set_style(rgb, disparity, seed=seed)
            looks.setdefault(seed, []).append(refiner.refine(rgb, disparity, mask)[0][mask == 0])
        np.testing.assert_array_equal(looks[3][0], looks[3][1])
        assert np.abs(looks[3][0] - looks[0][0]).mean() > 1e-4
        assert np.abs(looks[4][0] - looks[3][0]).mean() > 1e-4


def _residual_refiner(folder, rgb_correction: float, edge_band: float = 0.0) -> NetworkRefiner:
    """A residual tiny network whose last layer adds ``rgb_correction`` (network units, [-1, 1]) to the colour."""
    config = dataclasses.replace(TINY, residual=True, edge_band=edge_band)
    torch.manual_seed(0)
    generator, encoder = SPADEGenerator(config).eval(), StyleEncoder(config).eval()
    with torch.no_grad():
        generator.to_rgbd.bias.copy_(torch.tensor([rgb_correction] * 3 + [0.0]))
    path = folder / f"residual{rgb_correction}.safetensors"
    save_weights(path, generator, encoder, config)
    return NetworkRefiner(path, device="cpu")


class TestResidualNetworkRefiner:
    def test_untrained_it_paints_exactly_the_fill(self, tmp_path):
        refiner = _residual_refiner(tmp_path, 0.0)
        rgb, disparity, mask = _render(50, 70)
        refiner.set_style(rgb, disparity)
        out_rgb, out_disp = refiner.refine(rgb, disparity, mask)
        fill_rgb, fill_disp = fill_holes(rgb, disparity, mask)
        np.testing.assert_allclose(out_rgb, fill_rgb, atol=1e-5)
        np.testing.assert_allclose(out_disp, fill_disp, atol=1e-5)

    def test_its_correction_is_added_to_the_full_size_fill_in_the_holes_only(self, tmp_path):
        refiner = _residual_refiner(tmp_path, 0.2)  # 0.1 brighter in [0, 1]
        rgb, disparity, mask = _render(50, 70)
        refiner.set_style(rgb, disparity)
        out_rgb, _ = refiner.refine(rgb, disparity, mask)
        fill_rgb, _ = fill_holes(rgb, disparity, mask)
        valid = mask == 1.0
        np.testing.assert_array_equal(out_rgb[valid], rgb[valid])
        np.testing.assert_allclose(out_rgb[~valid], np.clip(fill_rgb[~valid] + 0.1, 0, 1), atol=1e-5)

    def test_with_an_edge_band_it_also_repaints_the_pixels_along_depth_edges(self, tmp_path):
        refiner = _residual_refiner(tmp_path, 0.2, edge_band=0.1)
        rgb = np.full((48, 64, 3), 0.5, np.float32)
        disparity = np.full((48, 64), 0.1, np.float32)
        disparity[:, 32:] = 0.5  # a near surface on the right: a depth edge between columns 31 and 32
        mask = np.ones((48, 64), np.float32)
        refiner.set_style(rgb, disparity)
        out_rgb, _ = refiner.refine(rgb, disparity, mask)
        changed = np.abs(out_rgb - rgb).max(axis=-1) > 0.05
        assert changed[:, 30:34].all()  # the edge's two pixels and one more on each side
        assert not changed[:, :30].any() and not changed[:, 34:].any()
