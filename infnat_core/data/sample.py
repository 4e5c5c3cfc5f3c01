"""What every training source returns: a dict of tensors in the refiner's layout, and the warp that makes its input."""

from __future__ import annotations

import numpy as np
import torch

from infnat_core import camera
from infnat_core.render import Keyframe, MeshRenderer, RenderOutput

SAMPLE_KEYS = ("rgbd_in", "mask", "rgbd_target", "rgbd_first")
"""Keys of a training sample (all float32 tensors in [0, 1]):

* ``rgbd_in`` ``(4, H, W)``: the warped render the refiner sees (rgb, disparity; holes are 0);
* ``mask`` ``(1, H, W)``: 1 where ``rgbd_in`` is valid, 0 in holes, torn edges and out-of-frame regions;
* ``rgbd_target`` ``(4, H, W)``: the ground truth the refiner should produce;
* ``rgbd_first`` ``(4, H, W)``: the first frame of the flight (the style encoder's input).
"""


def rgbd(rgb: np.ndarray, disparity: np.ndarray) -> torch.Tensor:
    """``(4, H, W)`` float32 tensor from rgb ``(H, W, 3)`` in [0, 1] and disparity ``(H, W)`` in [0, 1]."""
    stacked = np.concatenate([rgb, disparity[..., None]], axis=-1).astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(np.clip(stacked, 0.0, 1.0).transpose(2, 0, 1)))


def make_sample(rendered: RenderOutput, target: torch.Tensor, first: torch.Tensor) -> dict[str, torch.Tensor]:
    """A training sample (see ``SAMPLE_KEYS``) from a warped render and ``(4, H, W)`` target / first frames."""
    return {
        "rgbd_in": rgbd(rendered.rgb, rendered.disparity),
        "mask": torch.from_numpy(np.ascontiguousarray(rendered.mask, dtype=np.float32))[None],
        "rgbd_target": target,
        "rgbd_first": first,
    }


def warp(renderer: MeshRenderer, rgb: np.ndarray, disparity: np.ndarray, source_pose: np.ndarray,
         target_pose: np.ndarray, intrinsics: np.ndarray, edge_threshold: float = 0.3) -> RenderOutput:
    """Render a view (rgb ``(H, W, 3)``, disparity ``(H, W)`` seen from ``source_pose``) at ``target_pose``.

    The same mesh warp the engine applies between refinements: same size and intrinsics ``(4,)`` in and out.
    """
    h, w = disparity.shape
    keyframe = Keyframe(rgb, np.clip(disparity, camera.MIN_DISPARITY, 1.0).astype(np.float32), source_pose, intrinsics)
    renderer.set_keyframe(keyframe, edge_threshold)
    return renderer.render(target_pose, intrinsics, w, h)
