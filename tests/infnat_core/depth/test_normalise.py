import numpy as np
import pytest

from infnat_core.depth.normalise import check_kind, to_disparity
from infnat_core.errors import InfnatError


class TestToDisparity:
    def test_disparity_is_min_max_normalised(self):
        out = to_disparity(np.array([[10.0, 20.0], [30.0, 50.0]]), "disparity", True, "map")
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, [[0.0, 0.25], [0.5, 1.0]])

    def test_far_is_bright_disparity_is_mirrored(self):
        out = to_disparity(np.array([[0.0, 64.0, 255.0]]), "disparity", False, "map")
        np.testing.assert_allclose(out, [[1.0, 191 / 255, 0.0]], rtol=1e-6)

    def test_depth_becomes_inverse_depth(self):
        out = to_disparity(np.array([[1.0, 2.0, 4.0]]), "depth", False, "map")  # metric: near = small = dark
        np.testing.assert_allclose(out, [[1.0, (0.5 - 0.25) / 0.75, 0.0]], rtol=1e-6)

    def test_near_is_bright_depth_is_mirrored_and_zero_depth_is_nearest_not_infinite(self):
        out = to_disparity(np.array([[0.0, 100.0, 255.0]]), "depth", True, "map")
        assert np.all(np.isfinite(out)) and out[0, 2] == 1.0 and out[0, 0] == 0.0
        out = to_disparity(np.array([[0.0, 5.0, 10.0]]), "depth", False, "map")
        assert out[0, 0] == 1.0 and np.all(np.diff(out[0]) < 0)

    @pytest.mark.parametrize("values, kind, match", [
        ([[1.0, np.nan]], "disparity", "NaN"), ([[1.0, np.inf]], "depth", "infinite"),
        ([[3.0, 3.0]], "disparity", "constant"), ([[-1.0, 2.0]], "depth", "negative"),
    ])
    def test_unusable_maps_are_refused_with_the_source_named(self, values, kind, match):
        with pytest.raises(InfnatError, match=match) as err:
            to_disparity(np.array(values), kind, False, "depth map 'x.png'")
        assert "'x.png'" in str(err.value)

    def test_unknown_kind_is_refused(self):
        with pytest.raises(InfnatError, match="'disparity' or 'depth'"):
            check_kind("inverse")
