"""Out-and-back flights: fly a path, fly it back in reverse, and score how much the return views match the outbound
ones at the same poses (LPIPS-VGG16). A world that persists scores low; one re-invented on the way back scores high.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from infnat_core import camera
from infnat_core.session import FlightSession
from infnat_core.training.perceptual import lpips


@dataclass(frozen=True)
class OutAndBackConfig:
    """The outbound path: forward along the photo's view while the heading swings left and right."""

    frames: int = 100
    """Outbound frames (the return flies the same poses in reverse, so a flight has twice as many)."""
    step: float = 0.015
    """Forward distance per frame (the ``fly`` command's default 0.45 units/s at 30 fps)."""
    yaw_deg: float = 20.0
    """Peak heading swing to each side, so the path sees beyond the photo's frame."""
    climb: float = 0.1
    """Total rise over the path (world up is −y), as the autopilot's climb would."""


def out_and_back_poses(config: OutAndBackConfig = OutAndBackConfig()) -> list[np.ndarray]:
    """The outbound poses ``[(3, 4)]`` cam_from_world, starting at the photo's pose."""
    poses = []
    for i in range(config.frames):
        t = i / max(1, config.frames - 1)
        yaw = math.radians(config.yaw_deg) * math.sin(2.0 * math.pi * t)
        forward = np.array([math.sin(yaw), 0.0, math.cos(yaw)])
        position = np.array([0.0, -config.climb * t, config.step * i])
        poses.append(camera.pose_from_look(position, forward, np.array([0.0, 1.0, 0.0])))
    return poses


def fly_out_and_back(session: FlightSession, poses: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Fly ``poses`` and then the same poses in reverse on one session. Returns the outbound frames and the return
    frames, both in the order of ``poses``: each ``(H, W, 3)`` float32 in [0, 1]."""
    outbound = [session.step(pose).rgb for pose in poses]
    back = [session.step(pose).rgb for pose in reversed(poses)]
    return outbound, back[::-1]


def return_lpips(outbound: list[np.ndarray], back: list[np.ndarray], batch: int = 8) -> np.ndarray:
    """LPIPS-VGG16 ``(N,)`` between each outbound frame and the return frame at the same pose (lists of
    ``(H, W, 3)`` float32 in [0, 1])."""
    scores = []
    for i in range(0, len(outbound), batch):
        x = torch.from_numpy(np.stack(outbound[i : i + batch])).permute(0, 3, 1, 2)
        y = torch.from_numpy(np.stack(back[i : i + batch])).permute(0, 3, 1, 2)
        scores.append(lpips(x, y).numpy())
    return np.concatenate(scores)
