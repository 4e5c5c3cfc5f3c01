import numpy as np
import pytest

from infnat_core.depth import (DepthMapFile, HeuristicDepthConfig, HeuristicDepthEstimator, LearnedDepthEstimator,
                               NetworkDepthEstimator, make_depth_estimator)
from infnat_core.depth.factory import SHIPPED_DEPTH_WEIGHTS, default_depth_estimator, load_default_depth
from infnat_core.errors import InfnatError
from tests.infnat_core.depth.test_network import Brightness, export_torchscript

pytestmark = pytest.mark.filterwarnings("ignore:.*torch.jit:DeprecationWarning")


class TestMakeDepthEstimator:
    def test_nothing_gives_the_shipped_depth_network(self):
        assert SHIPPED_DEPTH_WEIGHTS.is_file()
        default = make_depth_estimator(None)
        assert isinstance(default, LearnedDepthEstimator) and default.path == SHIPPED_DEPTH_WEIGHTS
        assert make_depth_estimator("") is default  # loaded once per process
        assert default_depth_estimator()[1] is None

    def test_the_heuristic_by_name(self):
        custom = make_depth_estimator("Heuristic", heuristic=HeuristicDepthConfig(horizon=0.3))
        assert isinstance(custom, HeuristicDepthEstimator)
        assert custom.name == "heuristic" and custom.config.horizon == 0.3

    def test_missing_or_broken_default_weights_fall_back_to_the_heuristic_with_a_reason(self, tmp_path):
        estimator, note = load_default_depth(tmp_path / "depth.safetensors")
        assert isinstance(estimator, HeuristicDepthEstimator)
        assert "no depth weights" in note and "heuristic" in note
        (tmp_path / "depth.safetensors").write_bytes(b"\x00" * 100)
        estimator, note = load_default_depth(tmp_path / "depth.safetensors")
        assert isinstance(estimator, HeuristicDepthEstimator)
        assert "depth.safetensors" in note and note.endswith("(using the heuristic depth)")

    def test_model_files_give_a_network(self, tmp_path):
        path = export_torchscript(Brightness(), tmp_path / "m.pt")
        est = make_depth_estimator(str(path))
        assert isinstance(est, NetworkDepthEstimator) and est.name == "network m.pt"

    def test_other_files_are_depth_maps_with_their_convention(self, tmp_path):
        np.save(tmp_path / "d.npy", np.tile([1.0, 2.0, 4.0], (3, 1)))
        est = make_depth_estimator(tmp_path / "d.npy", kind="depth", near_is_bright=False)
        assert isinstance(est, DepthMapFile)
        assert est.estimate(np.zeros((30, 30, 3), np.float32)).disparity[15, 0] == 1.0  # smallest depth = nearest

    def test_bad_kind_and_missing_files_fail_when_chosen(self, tmp_path):
        np.save(tmp_path / "d.npy", np.eye(3))
        with pytest.raises(InfnatError, match="kind"):
            make_depth_estimator(tmp_path / "d.npy", kind="metres")
        with pytest.raises(InfnatError, match="does not exist"):
            make_depth_estimator(tmp_path / "missing.onnx")
        with pytest.raises(InfnatError, match="does not exist"):
            make_depth_estimator(tmp_path / "missing.png")
