import dataclasses

import pytest
import torch

from infnat_core.refiner import SPADEGenerator, StyleEncoder, make_condition, preset, rgbd_from_output

from .conftest import TINY


@pytest.fixture(scope="module")
def reference_networks():
    torch.manual_seed(0)
    config = preset("infinite_nature")
    return SPADEGenerator(config).eval(), StyleEncoder(config).eval()


def _run(generator, encoder, config, batch=1):
    rgbd = torch.rand(batch, 4, config.height, config.width)
    mask = (torch.rand(batch, 1, config.height, config.width) > 0.3).float()
    with torch.inference_mode():
        mu, logvar = encoder(rgbd)
        return mu, logvar, generator(make_condition(rgbd, mask), mu)


class TestReferenceNetwork:
    def test_parameter_count_is_infinite_natures(self, reference_networks):
        count = sum(p.numel() for module in reference_networks for p in module.parameters())
        assert 35.0e6 <= count <= 36.0e6

    def test_output_shape_and_range(self, reference_networks):
        mu, logvar, out = _run(*reference_networks, preset("infinite_nature"))
        assert mu.shape == logvar.shape == (1, 256)
        assert out.shape == (1, 4, 160, 256)
        assert out.abs().max() <= 1.0


class TestSlimNetwork:
    def test_output_shape_and_range_at_a_small_size(self):
        config = dataclasses.replace(preset("slim"), height=64, width=96)
        mu, _, out = _run(SPADEGenerator(config).eval(), StyleEncoder(config).eval(), config, batch=2)
        assert mu.shape == (2, config.style_dim)
        assert out.shape == (2, 4, 64, 96)
        assert out.abs().max() <= 1.0
        assert out.std() > 1e-3  # not a constant image

    def test_much_smaller_than_the_reference(self):
        slim = sum(p.numel() for p in SPADEGenerator(TINY).parameters())
        assert slim < 1e6


class TestTensorConventions:
    def test_condition_maps_rgbd_to_minus_one_one_and_appends_mask(self):
        rgbd = torch.tensor([0.0, 0.5, 1.0, 0.25]).view(1, 4, 1, 1)
        cond = make_condition(rgbd, torch.ones(1, 1, 1, 1))
        torch.testing.assert_close(cond.flatten(), torch.tensor([-1.0, 0.0, 1.0, -0.5, 1.0]))
        torch.testing.assert_close(rgbd_from_output(2 * rgbd - 1), rgbd)

    def test_style_changes_the_output(self, tiny_networks):
        generator, _ = tiny_networks
        cond = make_condition(torch.rand(1, 4, 64, 96), torch.ones(1, 1, 64, 96))
        with torch.inference_mode():
            a = generator(cond, torch.zeros(1, TINY.style_dim))
            b = generator(cond, torch.ones(1, TINY.style_dim))
        assert (a - b).abs().mean() > 1e-4


class TestResidualGenerator:
    def test_untrained_it_returns_its_filled_input_and_training_can_change_that(self):
        config = dataclasses.replace(TINY, residual=True)
        torch.manual_seed(0)
        generator, encoder = SPADEGenerator(config).eval(), StyleEncoder(config).eval()
        rgbd = torch.rand(1, 4, config.height, config.width)
        condition = make_condition(rgbd, torch.ones(1, 1, config.height, config.width))
        with torch.no_grad():
            z = encoder(rgbd)[0]
            torch.testing.assert_close(rgbd_from_output(generator(condition, z)), rgbd)
            generator.to_rgbd.bias.fill_(0.2)
            torch.testing.assert_close(generator(condition, z), (2 * rgbd - 1 + 0.2).clamp(-1, 1))
