from pathlib import Path

import pytest
import torch

from infnat_core.refiner import RefinerConfig, SPADEGenerator, StyleEncoder, save_weights

TINY = RefinerConfig(
    height=64,
    width=96,
    trunk_channels=(32, 32, 32, 16, 16, 8, 8),
    spade_hidden=8,
    style_dim=16,
    encoder_channels=(8, 8, 8, 8, 8, 8),
)
"""A small network that builds and runs in milliseconds."""


@pytest.fixture()
def tiny_networks() -> tuple[SPADEGenerator, StyleEncoder]:
    torch.manual_seed(0)
    return SPADEGenerator(TINY).eval(), StyleEncoder(TINY).eval()


@pytest.fixture()
def tiny_weights(tmp_path: Path, tiny_networks) -> Path:
    path = tmp_path / "tiny.safetensors"
    save_weights(path, *tiny_networks, TINY)
    return path
