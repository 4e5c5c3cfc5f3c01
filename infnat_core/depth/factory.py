"""Choosing a depth backend from what the user gave: nothing, a model file, or a depth-map file."""

from __future__ import annotations

from pathlib import Path

from infnat_core.depth.config import HeuristicDepthConfig, NetworkDepthConfig
from infnat_core.depth.from_file import DepthMapFile
from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.depth.interface import DepthEstimator
from infnat_core.depth.learned import LEARNED_SUFFIXES, LearnedDepthEstimator
from infnat_core.depth.network import ONNX_SUFFIXES, TORCHSCRIPT_SUFFIXES, NetworkDepthEstimator
from infnat_core.depth.normalise import check_kind


def make_depth_estimator(spec: str | Path | None, *, kind: str = "disparity", near_is_bright: bool = True,
                         heuristic: HeuristicDepthConfig = HeuristicDepthConfig(),
                         network: NetworkDepthConfig = NetworkDepthConfig()) -> DepthEstimator:
    """The depth backend for ``spec``.

    * None (or an empty string) → the built-in heuristic (``heuristic`` settings).
    * A ``.onnx`` / ``.pt`` / ``.pth`` / ``.ts`` file → that pretrained network (``network`` settings).
    * A ``.safetensors`` file → an infnat-trained depth network (``infnat_core.depth.learned``).
    * Any other path → a depth-map file (greyscale image or ``.npy``).

    ``kind`` ("disparity" or "depth") and ``near_is_bright`` describe the file's values (or the network's output).
    Files are read and checked here: ``InfnatError`` for a missing, broken or unusable file or a bad ``kind``.
    """
    if spec is None or not str(spec).strip():
        return HeuristicDepthEstimator(heuristic)
    depth_kind = check_kind(kind)
    path = Path(spec).expanduser()
    if path.suffix.lower() in ONNX_SUFFIXES + TORCHSCRIPT_SUFFIXES:
        return NetworkDepthEstimator(path, network, depth_kind, near_is_bright)
    if path.suffix.lower() in LEARNED_SUFFIXES:
        return LearnedDepthEstimator(path)
    return DepthMapFile(path, depth_kind, near_is_bright)
