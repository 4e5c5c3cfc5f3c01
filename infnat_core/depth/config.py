"""Typed settings of the depth stage: the live sliders, the built-in heuristic and the network backend."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from infnat_core.camera import MIN_DISPARITY
from infnat_core.errors import InfnatError

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _check_range(name: str, value: float, lo: float, hi: float, hint: str) -> None:
    if not (isinstance(value, numbers.Real) and math.isfinite(value) and lo <= value <= hi):
        raise InfnatError(f"{name} must be between {lo:g} and {hi:g} (got {value!r}); {hint}")


@dataclass(frozen=True)
class DepthConfig:
    """Post-processing of an estimate into the keyframe's disparity. Cheap to apply: the GUI shows these as sliders."""

    relief_scale: float = 1.0
    """Exaggerates (> 1) or flattens (< 1) relief: the log-disparity of every non-sky pixel is scaled about its
    median, so depth *ratios* are raised to this power and the typical distance stays put. 0 = a flat picture."""
    near_clamp: float = 1.0
    """Largest disparity allowed, in [0.01, 1]: how close the nearest point may come (depth ≥ 1 / near_clamp)."""
    sky_threshold: float = 0.5
    """Sky probability above which a pixel is sky and goes to infinity (disparity 0.01). 1 turns sky off."""
    edge_threshold: float = 0.3
    """Torn-edge mask threshold on exp(−10·|Sobel(disparity)|) (Infinite Nature: 0.3); carried here for the GUI."""

    def __post_init__(self) -> None:
        _check_range("relief_scale", self.relief_scale, 0.0, 10.0, "1 keeps the estimated relief, 0 flattens it")
        _check_range("near_clamp", self.near_clamp, MIN_DISPARITY, 1.0, "1 lets the nearest point come closest")
        _check_range("sky_threshold", self.sky_threshold, 0.0, 1.0, "0.5 is the usual value, 1 turns sky off")
        _check_range("edge_threshold", self.edge_threshold, 0.0, 1.0, "Infinite Nature uses 0.3")


@dataclass(frozen=True)
class HeuristicDepthConfig:
    """The built-in estimator (no weights): sky at infinity, ground receding to the horizon, standing objects."""

    working_width: int = 512
    """Width the photo is reduced to for sky detection and edge alignment (inputs narrower than this are used as
    they are). The estimate is resized back to the input size."""
    relief_width: int = 128
    """Width of the coarse grid on which ground and occlusion ordering are worked out (fine texture averages out)."""
    horizon: float = 0.5
    """Height of the horizon as a fraction of the image (0 top, 1 bottom) unless the sky reaches lower."""
    far_disparity: float = 0.15
    """Disparity of terrain at the horizon relative to the nearest ground (1); terrain above the horizon (mountains)
    recedes from this towards 0 at the top edge."""
    occlusion_ratio: float = 0.6
    """Across a strong boundary at the top of a standing object, what lies behind drops to this fraction of the
    ground disparity of that row."""
    boundary_contrast: float = 0.3
    """Colour step (summed RGB difference of the region above and below) that fully counts as an object boundary."""
    edge_radius: int = 8
    """Window radius, in working-image pixels, of the photo-guided filter that snaps depth edges to photo edges."""
    edge_eps: float = 2e-3
    """Colour variance below which the guided filter treats a window as flat (larger = smoother depth)."""

    def __post_init__(self) -> None:
        _check_range("working_width", self.working_width, 16, 8192, "512 is the default")
        _check_range("relief_width", self.relief_width, 16, 2048, "128 is the default")
        _check_range("horizon", self.horizon, 0.05, 0.95, "0.5 puts it mid-height")
        _check_range("far_disparity", self.far_disparity, 0.0, 0.9, "0.15 is the default")
        _check_range("occlusion_ratio", self.occlusion_ratio, 0.0, 1.0, "0.6 is the default")
        _check_range("boundary_contrast", self.boundary_contrast, 0.01, 3.0, "0.3 is the default")
        _check_range("edge_radius", self.edge_radius, 0, 256, "8 is the default")
        _check_range("edge_eps", self.edge_eps, 1e-8, 1.0, "2e-3 is the default")


@dataclass(frozen=True)
class NetworkDepthConfig:
    """How a photo is fed to a pretrained depth network (MiDaS-style: relative disparity out)."""

    input_size: tuple[int, int] | None = (384, 384)
    """``(H, W)`` the photo is resized to; None keeps the photo's aspect ratio (see ``long_side``).
    A model whose file fixes its input size is always fed that size."""
    long_side: int = 384
    """With ``input_size`` None: the longer side of the network input; both sides are rounded to ``multiple_of``."""
    multiple_of: int = 32
    """Side lengths are rounded to a multiple of this when the aspect ratio is kept."""
    mean: tuple[float, float, float] = IMAGENET_MEAN
    """Per-channel mean subtracted from RGB in [0, 1] (ImageNet by default; DPT models use 0.5)."""
    std: tuple[float, float, float] = IMAGENET_STD
    """Per-channel standard deviation RGB is divided by (ImageNet by default; DPT models use 0.5)."""
    use_gpu: bool = True
    """Run on CUDA when the runtime offers it (ONNX Runtime's CUDA provider, or torch CUDA); otherwise CPU."""

    def __post_init__(self) -> None:
        if self.input_size is not None:
            h, w = self.input_size
            _check_range("input height", h, 8, 4096, "384 is the usual MiDaS size")
            _check_range("input width", w, 8, 4096, "384 is the usual MiDaS size")
        _check_range("long_side", self.long_side, 8, 4096, "384 is the usual MiDaS size")
        _check_range("multiple_of", self.multiple_of, 1, 512, "32 suits most networks")
        for s in self.std:
            _check_range("std", s, 1e-6, 10.0, "ImageNet's is (0.229, 0.224, 0.225)")
