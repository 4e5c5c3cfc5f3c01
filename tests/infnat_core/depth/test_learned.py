"""The learned depth estimator: tiny networks the tests build and write themselves (never only the shipped file)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from infnat_core.depth import HeuristicDepthEstimator, LearnedDepthEstimator, make_depth_estimator
from infnat_core.depth.learned import DepthNetConfig, DepthUNet, load_depth_net, network_input_size, save_depth_net
from infnat_core.errors import InfnatError

TINY = DepthNetConfig(widths=(4, 8, 8), groups=2, input_long_side=48)


def tiny_net(use_heuristic: bool = True, seed: int = 0, perturb: float = 0.0) -> DepthUNet:
    torch.manual_seed(seed)
    net = DepthUNet(DepthNetConfig(widths=TINY.widths, groups=TINY.groups, input_long_side=TINY.input_long_side,
                                   use_heuristic=use_heuristic))
    if perturb:
        with torch.no_grad():
            net.head.weight.normal_(0.0, perturb)
    return net.eval()


@pytest.fixture
def blend_file(tmp_path):
    path = tmp_path / "blend.safetensors"
    save_depth_net(path, tiny_net(perturb=0.1))
    return path


class TestDepthUNet:
    def test_shapes_and_the_blend_starts_as_the_heuristic(self):
        net = tiny_net()
        rgb, heur = torch.rand(2, 3, 32, 48), torch.rand(2, 2, 32, 48) * 0.9 + 0.05
        out = net(rgb, heur)
        assert out.shape == (2, 2, 32, 48)
        assert torch.allclose(out[:, 0], heur[:, 0]) and torch.allclose(torch.sigmoid(out[:, 1]), heur[:, 1], atol=1e-5)

    def test_blend_needs_the_heuristic_and_rgb_only_does_not(self):
        with pytest.raises(ValueError, match="heuristic"):
            tiny_net()(torch.rand(1, 3, 16, 16))
        assert tiny_net(use_heuristic=False)(torch.rand(1, 3, 16, 16)).shape == (1, 2, 16, 16)

    def test_bad_widths_are_refused(self):
        with pytest.raises(InfnatError, match="widths"):
            DepthNetConfig(widths=(6, 8), groups=4)


class TestWeightsFile:
    def test_round_trip_in_float16(self, tmp_path):
        net = tiny_net(perturb=0.1)
        save_depth_net(tmp_path / "n.safetensors", net)
        loaded = load_depth_net(tmp_path / "n.safetensors")
        assert loaded.config == net.config and not loaded.training
        x, h = torch.rand(1, 3, 16, 32), torch.rand(1, 2, 16, 32)
        assert torch.allclose(loaded(x, h), net(x, h), atol=2e-2)

    def test_missing_file(self, tmp_path):
        with pytest.raises(InfnatError, match="do not exist"):
            LearnedDepthEstimator(tmp_path / "nope.safetensors")

    def test_garbage_file(self, tmp_path):
        path = tmp_path / "broken.safetensors"
        path.write_bytes(b"\x00\x01 definitely not safetensors")
        with pytest.raises(InfnatError, match="truncated or corrupt"):
            LearnedDepthEstimator(path)

    def test_truncated_file(self, tmp_path, blend_file):
        path = tmp_path / "cut.safetensors"
        path.write_bytes(blend_file.read_bytes()[:-100])
        with pytest.raises(InfnatError, match="truncated or corrupt"):
            LearnedDepthEstimator(path)

    def test_foreign_file(self, tmp_path):
        path = tmp_path / "other.safetensors"
        save_file({"w": torch.zeros(3)}, str(path))
        with pytest.raises(InfnatError, match="not an infnat depth network"):
            LearnedDepthEstimator(path)

    def test_tensors_that_do_not_fit_the_config(self, tmp_path):
        path = tmp_path / "odd.safetensors"
        net = tiny_net()
        state = {k: v.clone() for k, v in net.state_dict().items()}
        state["head.weight"] = torch.zeros(2, 3, 1, 1)
        save_file(state, str(path), metadata={"format": "infnat-depth", "format_version": "1",
                                              "config": net.config.to_json()})
        with pytest.raises(InfnatError, match="do not fit"):
            LearnedDepthEstimator(path)

    def test_nan_weights(self, tmp_path):
        net = tiny_net()
        with torch.no_grad():
            net.head.bias.fill_(float("nan"))
        save_depth_net(tmp_path / "nan.safetensors", net)
        with pytest.raises(InfnatError, match="NaN"):
            LearnedDepthEstimator(tmp_path / "nan.safetensors")


class TestLearnedDepthEstimator:
    def test_estimate_has_the_input_size_and_range(self, scene, blend_file):
        est = LearnedDepthEstimator(blend_file).estimate(scene)
        assert est.disparity.shape == est.sky.shape == scene.shape[:2]
        for m in (est.disparity, est.sky):
            assert m.dtype == np.float32 and np.isfinite(m).all() and m.min() >= 0.0 and m.max() <= 1.0
        assert est.disparity.max() == 1.0 and est.disparity.min() == 0.0  # normalised over the terrain

    def test_untrained_blend_follows_the_heuristic(self, tmp_path, scene):
        save_depth_net(tmp_path / "zero.safetensors", tiny_net())
        learned = LearnedDepthEstimator(tmp_path / "zero.safetensors").estimate(scene)
        heuristic = HeuristicDepthEstimator().estimate(scene)
        sky = heuristic.sky > 0.5
        assert ((learned.sky > 0.5) == sky).mean() > 0.97
        assert np.corrcoef(learned.disparity[~sky], heuristic.disparity[~sky])[0, 1] > 0.9
        rows = learned.disparity[~sky.any(axis=1)].mean(axis=1)
        assert rows[-1] > rows[0]  # ground comes nearer towards the bottom

    def test_rgb_only_network_and_odd_sizes(self, tmp_path):
        save_depth_net(tmp_path / "rgb.safetensors", tiny_net(use_heuristic=False, perturb=0.1))
        est = LearnedDepthEstimator(tmp_path / "rgb.safetensors")
        img = np.random.default_rng(0).random((37, 91, 3)).astype(np.float32)
        out = est.estimate(img)
        assert out.disparity.shape == (37, 91) and np.isfinite(out.disparity).all()

    def test_factory_reads_safetensors_as_a_learned_network(self, blend_file):
        est = make_depth_estimator(blend_file)
        assert isinstance(est, LearnedDepthEstimator) and est.name == "learned blend.safetensors"


@pytest.mark.parametrize("h, w, expected", [(160, 256, (96, 160)), (1023, 1536, (112, 160)), (300, 100, (160, 48)),
                                            (4, 400, (16, 160))])
def test_network_input_size(h, w, expected):
    assert network_input_size(h, w, 160, 16) == expected
