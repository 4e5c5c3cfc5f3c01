"""The SPADE refinement network (Infinite Nature's refiner), its weights files and its inference wrappers."""

from infnat_core.refiner.config import DEFAULT_PRESET, PRESETS, RefinerConfig, preset
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder, make_condition, rgbd_from_output
from infnat_core.refiner.inference import FillRefiner, NetworkRefiner, Refiner, load_refiner, resolve_device
from infnat_core.refiner.weights import load_weights, save_weights

__all__ = [
    "DEFAULT_PRESET",
    "PRESETS",
    "FillRefiner",
    "NetworkRefiner",
    "Refiner",
    "RefinerConfig",
    "SPADEGenerator",
    "StyleEncoder",
    "load_refiner",
    "load_weights",
    "make_condition",
    "preset",
    "resolve_device",
    "rgbd_from_output",
    "save_weights",
]
