"""Depth estimation behind one interface: the built-in heuristic, a small network infnat trained on its own
synthetic renders, a user's depth-map file, or a pretrained network.

``make_depth_estimator(spec)`` picks the backend; ``estimator.estimate(rgb)`` gives a raw ``DepthEstimate``
(disparity + sky probability); ``apply_depth_config(estimate, DepthConfig(...))`` applies the user's sliders.
"""

from infnat_core.depth.config import DepthConfig, HeuristicDepthConfig, NetworkDepthConfig
from infnat_core.depth.factory import make_depth_estimator
from infnat_core.depth.from_file import DepthMapFile
from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.depth.interface import DepthEstimate, DepthEstimator
from infnat_core.depth.learned import DepthNetConfig, LearnedDepthConfig, LearnedDepthEstimator
from infnat_core.depth.network import NetworkDepthEstimator
from infnat_core.depth.postprocess import apply_depth_config

__all__ = [
    "DepthConfig",
    "DepthEstimate",
    "DepthEstimator",
    "DepthMapFile",
    "DepthNetConfig",
    "HeuristicDepthConfig",
    "HeuristicDepthEstimator",
    "LearnedDepthConfig",
    "LearnedDepthEstimator",
    "NetworkDepthConfig",
    "NetworkDepthEstimator",
    "apply_depth_config",
    "make_depth_estimator",
]
