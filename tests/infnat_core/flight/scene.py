"""A synthetic world for flight tests: a ground plane, optionally a wall, and sky everywhere else."""

from __future__ import annotations

import numpy as np

from infnat_core.camera import camera_position, pixel_centres


def scene_disparity(
    pose: np.ndarray,
    intrinsics: np.ndarray,
    height: int,
    width: int,
    ground_y: float = 1.0,
    wall_x: float | None = None,
) -> np.ndarray:
    """Disparity ``(H, W)`` a camera at 3×4 ``pose`` sees of the world.

    The world is the ground plane y = ``ground_y`` (below the start camera, world y is down) and, if given, an endless
    vertical wall x = ``wall_x``. Disparity is 1 / camera depth of the nearest hit, clipped to 1; 0 for sky.
    """
    u, v = pixel_centres(height, width)
    fx, fy, cx, cy = intrinsics
    rays_cam = np.stack([(u - cx) / fx, (v - cy) / fy, np.ones_like(u)], axis=-1)  # z = 1: hit distance = depth
    rays = rays_cam @ pose[:, :3]  # world directions: R^T @ ray for each pixel
    origin = camera_position(pose)
    depth = np.full((height, width), np.inf)
    planes = [(1, ground_y)] + ([] if wall_x is None else [(0, wall_x)])
    for axis, offset in planes:
        with np.errstate(divide="ignore", invalid="ignore"):
            hit = (offset - origin[axis]) / rays[..., axis]
        depth = np.where((hit > 0) & (hit < depth), hit, depth)
    return np.clip(1.0 / depth, 0.0, 1.0)
