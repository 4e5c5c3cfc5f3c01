"""Choosing a depth backend from what the user gave: nothing, a model file, or a depth-map file."""

from __future__ import annotations

import functools
from pathlib import Path

from infnat_core.depth.config import HeuristicDepthConfig, NetworkDepthConfig
from infnat_core.depth.from_file import DepthMapFile
from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.depth.interface import DepthEstimator
from infnat_core.depth.learned import LEARNED_SUFFIXES, LearnedDepthEstimator
from infnat_core.depth.network import ONNX_SUFFIXES, TORCHSCRIPT_SUFFIXES, NetworkDepthEstimator
from infnat_core.depth.normalise import check_kind
from infnat_core.errors import InfnatError

SHIPPED_DEPTH_WEIGHTS = Path(__file__).resolve().parents[2] / "assets" / "depth.safetensors"
"""The depth network that is the default (model card: docs/model-card.md, section Depth)."""
HEURISTIC = "heuristic"
"""The ``spec`` that asks for the built-in heuristic by name."""


def load_default_depth(path: Path) -> tuple[DepthEstimator, str | None]:
    """The learned network in ``path``, or the heuristic plus a one-line reason when the file is missing or
    unusable."""
    if not path.is_file():
        return HeuristicDepthEstimator(), f"no depth weights at {path}; using the heuristic depth"
    try:
        return LearnedDepthEstimator(path), None
    except InfnatError as exc:
        return HeuristicDepthEstimator(), f"{exc} (using the heuristic depth)"


@functools.cache
def default_depth_estimator() -> tuple[DepthEstimator, str | None]:
    """The default depth backend and why it fell back (None when it did not); loaded once per process."""
    return load_default_depth(SHIPPED_DEPTH_WEIGHTS)


def make_depth_estimator(spec: str | Path | None, *, kind: str = "disparity", near_is_bright: bool = True,
                         heuristic: HeuristicDepthConfig = HeuristicDepthConfig(),
                         network: NetworkDepthConfig = NetworkDepthConfig()) -> DepthEstimator:
    """The depth backend for ``spec``.

    * None (or an empty string) → the default: the shipped depth network (``default_depth_estimator``), or the
      heuristic when its file is missing or broken.
    * ``"heuristic"`` → the built-in heuristic with the ``heuristic`` settings (they apply to this spec only; the
      default network and its fallback use the default settings).
    * A ``.onnx`` / ``.pt`` / ``.pth`` / ``.ts`` file → that pretrained network (``network`` settings).
    * A ``.safetensors`` file → an infnat-trained depth network (``infnat_core.depth.learned``).
    * Any other path → a depth-map file (greyscale image or ``.npy``).

    ``kind`` ("disparity" or "depth") and ``near_is_bright`` describe the file's values (or the network's output).
    Files are read and checked here: ``InfnatError`` for a missing, broken or unusable file or a bad ``kind``.
    """
    if spec is None or not str(spec).strip():
        return default_depth_estimator()[0]
    if str(spec).strip().lower() == HEURISTIC:
        return HeuristicDepthEstimator(heuristic)
    depth_kind = check_kind(kind)
    path = Path(spec).expanduser()
    if path.suffix.lower() in ONNX_SUFFIXES + TORCHSCRIPT_SUFFIXES:
        return NetworkDepthEstimator(path, network, depth_kind, near_is_bright)
    if path.suffix.lower() in LEARNED_SUFFIXES:
        return LearnedDepthEstimator(path)
    return DepthMapFile(path, depth_kind, near_is_bright)
