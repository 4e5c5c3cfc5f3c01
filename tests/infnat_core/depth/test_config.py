import dataclasses

import numpy as np
import pytest

from infnat_core.depth import DepthConfig, HeuristicDepthConfig, NetworkDepthConfig
from infnat_core.errors import InfnatError


class TestDepthConfig:
    def test_defaults_keep_the_estimate(self):
        cfg = DepthConfig()
        assert (cfg.relief_scale, cfg.near_clamp, cfg.sky_threshold, cfg.edge_threshold) == (1.0, 1.0, 0.5, 0.3)

    def test_slider_values_from_numpy_are_accepted(self):
        cfg = dataclasses.replace(DepthConfig(), relief_scale=np.float32(1.5), near_clamp=np.float64(0.5))
        assert cfg.relief_scale == pytest.approx(1.5)

    @pytest.mark.parametrize("field, value", [
        ("relief_scale", -0.1), ("relief_scale", float("nan")), ("near_clamp", 0.0), ("near_clamp", 1.5),
        ("sky_threshold", -0.01), ("sky_threshold", 1.01), ("edge_threshold", 2.0), ("relief_scale", "2"),
    ])
    def test_out_of_range_values_are_refused_with_the_field_name(self, field, value):
        with pytest.raises(InfnatError, match=field):
            DepthConfig(**{field: value})


class TestBackendConfigs:
    @pytest.mark.parametrize("kwargs", [{"working_width": 4}, {"horizon": 1.0}, {"occlusion_ratio": 1.5}])
    def test_heuristic_config_is_checked(self, kwargs):
        with pytest.raises(InfnatError):
            HeuristicDepthConfig(**kwargs)

    @pytest.mark.parametrize("kwargs", [{"input_size": (0, 384)}, {"std": (0.2, 0.0, 0.2)}, {"multiple_of": 0}])
    def test_network_config_is_checked(self, kwargs):
        with pytest.raises(InfnatError):
            NetworkDepthConfig(**kwargs)
