import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from infnat_core.errors import InfnatError
from infnat_core.refiner import load_weights, make_condition, save_weights
from infnat_core.refiner.weights import FORMAT_NAME

from .conftest import TINY


def _outputs(generator, encoder):
    torch.manual_seed(1)
    rgbd = torch.rand(1, 4, TINY.height, TINY.width)
    cond = make_condition(rgbd, (torch.rand(1, 1, TINY.height, TINY.width) > 0.5).float())
    with torch.inference_mode():
        mu, logvar = encoder(rgbd)
        return mu, logvar, generator(cond, mu)


def _metadata(path: Path) -> dict:
    with open(path, "rb") as handle:
        header_len = int.from_bytes(handle.read(8), "little")
        return json.loads(handle.read(header_len))["__metadata__"]


class TestRoundTrip:
    def test_loaded_networks_give_identical_outputs(self, tiny_networks, tiny_weights):
        generator, encoder, config = load_weights(tiny_weights)
        assert config == TINY
        assert not generator.training and not encoder.training
        for before, after in zip(_outputs(*tiny_networks), _outputs(generator, encoder)):
            torch.testing.assert_close(after, before, rtol=0, atol=0)

    def test_trained_spectral_norm_state_survives(self, tmp_path, tiny_networks):
        generator, encoder = tiny_networks
        generator.train()
        with torch.no_grad():  # train-mode forwards advance the spectral-norm power iteration
            for _ in range(3):
                generator(torch.rand(1, 5, TINY.height, TINY.width), torch.rand(1, TINY.style_dim))
        generator.eval()
        path = tmp_path / "trained.safetensors"
        save_weights(path, generator, encoder, TINY)
        loaded, loaded_encoder, _ = load_weights(path)
        torch.testing.assert_close(_outputs(loaded, loaded_encoder)[2], _outputs(generator, encoder)[2], rtol=0, atol=0)

    def test_config_is_stored_as_metadata(self, tiny_weights):
        metadata = _metadata(tiny_weights)
        assert metadata["format"] == FORMAT_NAME
        assert json.loads(metadata["config"])["trunk_channels"] == list(TINY.trunk_channels)


class TestBrokenFiles:
    def test_missing(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist"):
            load_weights(tmp_path / "absent.safetensors")

    def test_truncated(self, tmp_path, tiny_weights):
        data = tiny_weights.read_bytes()
        broken = tmp_path / "truncated.safetensors"
        broken.write_bytes(data[: len(data) // 2])
        with pytest.raises(InfnatError, match="truncated or corrupt"):
            load_weights(broken)

    @pytest.mark.parametrize("content", [b"", b"\x00" * 3, b"PK\x03\x04 not a safetensors file at all" * 10])
    def test_corrupt(self, tmp_path, content):
        broken = tmp_path / "corrupt.safetensors"
        broken.write_bytes(content)
        with pytest.raises(InfnatError, match="truncated or corrupt"):
            load_weights(broken)

    def test_foreign_safetensors_file(self, tmp_path):
        foreign = tmp_path / "foreign.safetensors"
        save_file({"weight": torch.zeros(3)}, str(foreign), metadata={"format": "pt"})
        with pytest.raises(InfnatError, match="not an infnat refiner"):
            load_weights(foreign)

    def test_wrong_shape(self, tmp_path, tiny_weights):
        tensors = load_file(str(tiny_weights))
        tensors["generator.to_rgbd.bias"] = torch.zeros(7)
        broken = tmp_path / "wrong_shape.safetensors"
        save_file(tensors, str(broken), metadata=_metadata(tiny_weights))
        with pytest.raises(InfnatError, match=r"generator\.to_rgbd\.bias has shape \(7,\)"):
            load_weights(broken)

    def test_missing_tensor(self, tmp_path, tiny_weights):
        tensors = load_file(str(tiny_weights))
        del tensors["encoder.fc_mu.weight"]
        broken = tmp_path / "missing_tensor.safetensors"
        save_file(tensors, str(broken), metadata=_metadata(tiny_weights))
        with pytest.raises(InfnatError, match=r"encoder\.fc_mu\.weight is missing"):
            load_weights(broken)

    def test_non_finite_values(self, tmp_path, tiny_weights):
        tensors = load_file(str(tiny_weights))
        tensors["generator.fc.bias"][0] = float("nan")
        broken = tmp_path / "nan.safetensors"
        save_file(tensors, str(broken), metadata=_metadata(tiny_weights))
        with pytest.raises(InfnatError, match="NaN"):
            load_weights(broken)

    def test_bad_config_metadata(self, tmp_path, tiny_weights):
        metadata = dict(_metadata(tiny_weights), config='{"height": 100}')
        broken = tmp_path / "bad_config.safetensors"
        save_file(load_file(str(tiny_weights)), str(broken), metadata=metadata)
        with pytest.raises(InfnatError, match="multiples of 32"):
            load_weights(broken)
