"""Camera conventions and pure geometry (numpy).

Conventions (the same as Infinite Nature):

* Camera frame: x right, y down, z forward.
* World frame: the first keyframe's camera frame, so world "up" is -y.
* A pose is a 3×4 ``cam_from_world`` matrix ``[R | t]``: ``x_cam = R @ x_world + t``.
* Intrinsics are in texture units, ``(fx, fy, cx, cy)``: ``u = fx * x / z + cx`` with u in [0, 1] across the
  image width (0 = left edge) and ``v = fy * y / z + cy`` with v in [0, 1] down the height (0 = top edge).
  Square pixels need ``fy = fx * W / H``.
* Pixel ``(row i, col j)`` of an H×W image has its centre at ``u = (j + 0.5) / W``, ``v = (i + 0.5) / H``.
* Disparity is inverse depth; depth = 1 / clip(disparity, min_disparity, 1).
"""

from __future__ import annotations

import math

import numpy as np

MIN_DISPARITY = 0.01
"""Disparity floor: depth never exceeds 1 / MIN_DISPARITY = 100 (Infinite Nature's far plane)."""


def intrinsics_from_fov(fov_x_deg: float, width: int, height: int) -> np.ndarray:
    """Intrinsics ``(4,)`` = (fx, fy, cx, cy) in texture units for a horizontal field of view in degrees."""
    fx = 0.5 / math.tan(math.radians(fov_x_deg) / 2.0)
    return np.array([fx, fx * width / height, 0.5, 0.5], dtype=np.float64)


def fov_x_deg(intrinsics: np.ndarray) -> float:
    """Horizontal field of view in degrees of intrinsics ``(4,)``."""
    return math.degrees(2.0 * math.atan(0.5 / float(intrinsics[0])))


def pixel_centres(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Texture coordinates of pixel centres: ``u (H, W)``, ``v (H, W)``."""
    u = (np.arange(width, dtype=np.float64) + 0.5) / width
    v = (np.arange(height, dtype=np.float64) + 0.5) / height
    return np.broadcast_to(u[None, :], (height, width)), np.broadcast_to(v[:, None], (height, width))


def depth_from_disparity(disparity: np.ndarray) -> np.ndarray:
    """Depth ``(...)`` from disparity ``(...)``, clipped to [1, 1 / MIN_DISPARITY]."""
    return 1.0 / np.clip(disparity, MIN_DISPARITY, 1.0)


def unproject(disparity: np.ndarray, intrinsics: np.ndarray) -> np.ndarray:
    """Camera-frame points ``(H, W, 3)`` of every pixel centre of a disparity map ``(H, W)``."""
    h, w = disparity.shape
    u, v = pixel_centres(h, w)
    z = depth_from_disparity(disparity.astype(np.float64))
    fx, fy, cx, cy = intrinsics
    return np.stack([(u - cx) / fx * z, (v - cy) / fy * z, z], axis=-1)


def project(points_cam: np.ndarray, intrinsics: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project camera-frame points ``(N, 3)`` to texture coordinates ``(N, 2)`` and depth ``(N,)``."""
    fx, fy, cx, cy = intrinsics
    z = points_cam[:, 2]
    uv = np.stack([fx * points_cam[:, 0] / z + cx, fy * points_cam[:, 1] / z + cy], axis=-1)
    return uv, z


def identity_pose() -> np.ndarray:
    """The 3×4 identity ``cam_from_world``."""
    return np.eye(3, 4, dtype=np.float64)


def to_homogeneous(pose: np.ndarray) -> np.ndarray:
    """4×4 matrix of a 3×4 pose."""
    out = np.eye(4, dtype=np.float64)
    out[:3, :] = pose
    return out


def invert_pose(pose: np.ndarray) -> np.ndarray:
    """Inverse of a rigid 3×4 pose (``world_from_cam`` from ``cam_from_world`` and back)."""
    r, t = pose[:, :3], pose[:, 3]
    return np.concatenate([r.T, (-r.T @ t)[:, None]], axis=1)


def compose(a_from_b: np.ndarray, b_from_c: np.ndarray) -> np.ndarray:
    """``a_from_c`` = ``a_from_b`` ∘ ``b_from_c`` for 3×4 poses."""
    return (to_homogeneous(a_from_b) @ to_homogeneous(b_from_c))[:3, :]


def transform(pose: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 3×4 pose to points ``(..., 3)``."""
    return points @ pose[:, :3].T + pose[:, 3]


def camera_position(cam_from_world: np.ndarray) -> np.ndarray:
    """World position ``(3,)`` of the camera centre."""
    return -cam_from_world[:, :3].T @ cam_from_world[:, 3]


def camera_axes(cam_from_world: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """World directions of the camera's right, down and forward axes, each ``(3,)``."""
    r = cam_from_world[:, :3]
    return r[0].copy(), r[1].copy(), r[2].copy()


def pose_from_look(position: np.ndarray, forward: np.ndarray, down: np.ndarray) -> np.ndarray:
    """``cam_from_world`` for a camera at ``position`` looking along ``forward`` with ``down`` as its down hint.

    ``down`` is orthogonalised against ``forward``; it must not be parallel to it.
    """
    f = np.asarray(forward, dtype=np.float64)
    f = f / np.linalg.norm(f)
    d = np.asarray(down, dtype=np.float64)
    d = d - f * np.dot(d, f)
    norm = np.linalg.norm(d)
    if norm < 1e-9:
        raise ValueError("down hint is parallel to the forward direction")
    d = d / norm
    right = np.cross(d, f)
    r = np.stack([right, d, f], axis=0)
    return np.concatenate([r, (-r @ np.asarray(position, dtype=np.float64))[:, None]], axis=1)


def rotation_about(axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """3×3 rotation by ``angle_rad`` about a unit ``axis`` (Rodrigues)."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    return np.eye(3) + math.sin(angle_rad) * k + (1.0 - math.cos(angle_rad)) * (k @ k)


def gl_projection(intrinsics: np.ndarray, near: float, far: float) -> np.ndarray:
    """4×4 OpenGL clip-from-camera matrix for our camera frame (y down, z forward).

    Clip-space y points up and NDC row 0 is the *bottom*, so the rendered framebuffer read back with
    ``glReadPixels`` comes out top row first — the same row order as the image arrays.
    """
    fx, fy, cx, cy = intrinsics
    # u = fx x/z + cx in [0,1]  ->  ndc_x = 2u - 1 ; v likewise -> ndc_y = 2v - 1 (so v = 0, top, maps to ndc -1,
    # the first row read back).
    return np.array(
        [
            [2.0 * fx, 0.0, 2.0 * cx - 1.0, 0.0],
            [0.0, 2.0 * fy, 2.0 * cy - 1.0, 0.0],
            [0.0, 0.0, (far + near) / (far - near), -2.0 * far * near / (far - near)],
            [0.0, 0.0, 1.0, 0.0],
        ],
        dtype=np.float64,
    )
