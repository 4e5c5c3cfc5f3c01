"""Blend on a (tiny, randomly initialised) network refiner; the fill refiner is unaffected."""

import numpy as np
import pytest
import torch

from app.refiner_settings import apply_blend, is_network
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder
from infnat_core.refiner.inference import FillRefiner, load_refiner
from infnat_core.refiner.weights import save_weights

TINY = RefinerConfig(height=32, width=64, trunk_channels=(16, 16, 16, 8, 8, 8, 8), spade_hidden=4, style_dim=8,
                     encoder_channels=(4, 4))


@pytest.fixture(scope="module")
def network(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("weights") / "tiny.safetensors"
    save_weights(path, SPADEGenerator(TINY).eval(), StyleEncoder(TINY).eval(), TINY)
    refiner, note = load_refiner(path, device="cpu")
    assert note is None and is_network(refiner)
    return refiner


def inputs():
    rng = np.random.default_rng(1)
    rgb = rng.random((40, 64, 3), dtype=np.float32)
    disparity = rng.uniform(0.1, 1.0, (40, 64)).astype(np.float32)
    mask = np.ones((40, 64), np.float32)
    mask[:, 40:] = 0.0
    return rgb, disparity, mask


def test_blend_lets_the_network_repaint_valid_pixels(network):
    rgb, disparity, mask = inputs()
    network.set_style(rgb, disparity)
    apply_blend(network, 0.0)
    assert np.allclose(network.refine(rgb, disparity, mask)[0][:, :40], rgb[:, :40])  # holes only
    apply_blend(network, 1.0)
    assert not np.allclose(network.refine(rgb, disparity, mask)[0][:, :40], rgb[:, :40])


def test_fill_refiner_is_not_a_network():
    fill = FillRefiner()
    rgb, disparity, mask = inputs()
    fill.set_style(rgb, disparity, 5)
    apply_blend(fill, 1.0)
    assert not is_network(fill)
    assert np.allclose(fill.refine(rgb, disparity, mask)[0][:, :40], rgb[:, :40])
