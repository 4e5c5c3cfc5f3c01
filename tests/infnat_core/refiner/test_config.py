import dataclasses

import pytest

from infnat_core.errors import InfnatError
from infnat_core.refiner import DEFAULT_PRESET, PRESETS, RefinerConfig, preset


class TestPresets:
    def test_reference_preset_matches_infinite_nature(self):
        config = preset("infinite_nature")
        assert (config.height, config.width) == (160, 256)
        assert config.trunk_channels == (512, 512, 512, 256, 128, 64, 32)
        assert config.spade_hidden == 128
        assert config.style_dim == 256
        assert config.encoder_channels == (16, 32, 64, 128, 128, 128)

    def test_default_is_the_slim_preset(self):
        assert PRESETS[DEFAULT_PRESET] == RefinerConfig()
        assert max(RefinerConfig().trunk_channels) < 512

    def test_unknown_preset_names_the_known_ones(self):
        with pytest.raises(InfnatError, match="infinite_nature"):
            preset("nope")


class TestValidation:
    @pytest.mark.parametrize(
        "change",
        [{"height": 100}, {"width": 0}, {"trunk_channels": (8, 8)}, {"spade_hidden": 0}, {"encoder_channels": ()}],
    )
    def test_invalid_shapes_raise(self, change):
        with pytest.raises(InfnatError):
            dataclasses.replace(RefinerConfig(), **change)


class TestJson:
    def test_round_trip(self):
        config = preset("infinite_nature")
        assert RefinerConfig.from_json(config.to_json()) == config

    @pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"colour": 3}', '{"height": "tall"}'])
    def test_bad_json_raises(self, text):
        with pytest.raises(InfnatError):
            RefinerConfig.from_json(text)
