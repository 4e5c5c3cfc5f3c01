"""Recorded camera paths: the ``infnat-flight`` JSON format, ACID/RealEstate10K import, and resampling.

See ``docs/flight-path.md`` for the file format. Poses are 3×4 ``cam_from_world`` in the project's conventions
(``infnat_core.camera``).
"""

from __future__ import annotations

import json
import math
import numbers
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infnat_core.camera import camera_position, compose, invert_pose
from infnat_core.errors import InfnatError

FORMAT = "infnat-flight"
"""Value of the ``format`` field of a flight path file."""
VERSION = 1
"""The ``version`` this module writes and reads."""
ROTATION_TOLERANCE = 1e-3
"""Largest |RᵀR − I| entry (and |det R − 1|) accepted for a pose's rotation."""


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _nearest_rotations(rotations: np.ndarray) -> np.ndarray:
    """The rotation matrices ``(N, 3, 3)`` nearest to ``rotations`` ``(N, 3, 3)`` (polar decomposition by SVD)."""
    u, _, vt = np.linalg.svd(rotations)
    return u @ vt


@dataclass(frozen=True, eq=False)
class FlightPath:
    """A camera path: one pose per frame, played at ``fps``.

    Construction validates the arrays and raises ``InfnatError`` naming the problem; rotations within
    ``ROTATION_TOLERANCE`` of orthonormal are snapped to the nearest rotation.
    """

    poses: np.ndarray
    """``(N, 3, 4)`` float64 ``cam_from_world`` per frame, N ≥ 1."""
    intrinsics: np.ndarray
    """``(4,)`` float64 (fx, fy, cx, cy) in texture units."""
    fps: float
    """Playback frames per second, > 0."""
    times: np.ndarray | None = None
    """``(N,)`` float64 non-decreasing seconds at which each frame was recorded, or None (frame i at i / fps)."""
    source_image: str | None = None
    """The photo the flight was made from, as the user gave it, or None."""

    def __post_init__(self) -> None:
        poses = np.array(self.poses, dtype=np.float64)
        if poses.ndim != 3 or poses.shape[1:] != (3, 4) or len(poses) == 0:
            raise InfnatError(f"flight path poses must be a non-empty list of 3x4 matrices, got shape {poses.shape}")
        bad = np.flatnonzero(~np.isfinite(poses).all(axis=(1, 2)))
        if len(bad):
            raise InfnatError(f"flight path frame {bad[0]} has a non-finite number in its pose")
        rotations = poses[:, :, :3]
        error = np.abs(rotations @ rotations.transpose(0, 2, 1) - np.eye(3)).max(axis=(1, 2))
        error = np.maximum(error, np.abs(np.linalg.det(rotations) - 1.0))
        bad = np.flatnonzero(error > ROTATION_TOLERANCE)
        if len(bad):
            raise InfnatError(
                f"flight path frame {bad[0]} has a rotation that is not orthonormal (error {error[bad[0]]:.2g});"
                " poses must be rigid cam_from_world matrices"
            )
        poses[:, :, :3] = _nearest_rotations(rotations)

        intrinsics = np.array(self.intrinsics, dtype=np.float64)
        if intrinsics.shape != (4,) or not np.isfinite(intrinsics).all() or (intrinsics[:2] <= 0).any():
            raise InfnatError("flight path intrinsics must be 4 finite numbers fx, fy, cx, cy with fx, fy > 0")
        if isinstance(self.fps, bool) or not isinstance(self.fps, numbers.Real) or not 0 < self.fps < math.inf:
            raise InfnatError(f"flight path fps must be a number > 0, got {self.fps!r}")
        times = None
        if self.times is not None:
            times = np.array(self.times, dtype=np.float64)
            if times.shape != (len(poses),):
                raise InfnatError(f"flight path has {len(poses)} frames but {times.size} times")
            if not np.isfinite(times).all() or (np.diff(times) < 0).any():
                raise InfnatError("flight path times must be finite and non-decreasing")
            times = _frozen(times)
        object.__setattr__(self, "poses", _frozen(poses))
        object.__setattr__(self, "intrinsics", _frozen(intrinsics))
        object.__setattr__(self, "fps", float(self.fps))
        object.__setattr__(self, "times", times)

    def __len__(self) -> int:
        return len(self.poses)


def save_path(path: FlightPath, file: str | os.PathLike) -> None:
    """Write ``path`` to ``file`` as infnat-flight JSON, atomically (a crash leaves the old file or the new one)."""
    frames = []
    for i, pose in enumerate(path.poses):
        frame: dict[str, object] = {"cam_from_world": pose.tolist()}
        if path.times is not None:
            frame = {"t": float(path.times[i]), **frame}
        frames.append(frame)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "fps": path.fps,
        "intrinsics": path.intrinsics.tolist(),
        "source_image": path.source_image,
        "frames": frames,
    }
    target = Path(file)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            json.dump(document, handle, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _read_text(file: str | os.PathLike, what: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InfnatError(f"{what} {os.fspath(file)!r} does not exist; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InfnatError(f"cannot read {what} {os.fspath(file)!r}: {exc}") from None


def _parse_document(document: object) -> FlightPath:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InfnatError(f'not a flight path: the JSON needs "format": "{FORMAT}"')
    if document.get("version") != VERSION:
        raise InfnatError(
            f"unsupported flight path version {document.get('version')!r}; this infnat reads version {VERSION}"
        )
    for key in ("fps", "intrinsics", "frames"):
        if key not in document:
            raise InfnatError(f'flight path is missing the "{key}" field')
    frames = document["frames"]
    if not isinstance(frames, list) or not frames or not all(isinstance(f, dict) for f in frames):
        raise InfnatError('flight path "frames" must be a non-empty list of objects')
    if not all("cam_from_world" in f for f in frames):
        missing = next(i for i, f in enumerate(frames) if "cam_from_world" not in f)
        raise InfnatError(f'flight path frame {missing} is missing "cam_from_world"')
    timed = ["t" in f for f in frames]
    if any(timed) and not all(timed):
        raise InfnatError(f'flight path frame {timed.index(False)} has no "t"; give "t" on every frame or on none')
    source = document.get("source_image")
    if source is not None and not isinstance(source, str):
        raise InfnatError('flight path "source_image" must be a string or null')
    fps = document["fps"]
    if isinstance(fps, bool) or not isinstance(fps, (int, float)):
        raise InfnatError(f'flight path "fps" must be a number, got {fps!r}')
    try:
        poses = np.array([f["cam_from_world"] for f in frames], dtype=np.float64)
        intrinsics = np.array(document["intrinsics"], dtype=np.float64)
        times = np.array([f["t"] for f in frames], dtype=np.float64) if all(timed) else None
    except (TypeError, ValueError):
        raise InfnatError(
            'flight path numbers are malformed: "cam_from_world" must be 3 rows of 4 numbers,'
            ' "intrinsics" 4 numbers and "t" a number'
        ) from None
    return FlightPath(poses, intrinsics, fps, times, source)


def load_path(file: str | os.PathLike) -> FlightPath:
    """Read an infnat-flight JSON file; raises ``InfnatError`` naming the file and what is wrong with it."""
    text = _read_text(file, "flight path")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InfnatError(f"{os.fspath(file)}: not valid JSON ({exc}); was it saved by infnat?") from None
    try:
        return _parse_document(document)
    except InfnatError as exc:
        raise InfnatError(f"{os.fspath(file)}: {exc}") from None


def load_acid_txt(file: str | os.PathLike) -> FlightPath:
    """Read an ACID / RealEstate10K camera file (line 1 = video URL, then 19 numbers per frame).

    Each frame line is: timestamp (µs), fx fy cx cy (normalised), two zeros, then a row-major 3×4 world→camera
    matrix. Poses are re-expressed relative to the first frame (the project's world frame), so the first pose is the
    identity; translations keep the dataset's (arbitrary) SfM scale. Times are seconds from the first frame and fps
    is 1 / the median frame interval (30 for a single frame). The intrinsics must be the same on every frame.
    """
    name = os.fspath(file)
    lines = [line.split() for line in _read_text(file, "camera file").splitlines()[1:] if line.strip()]
    if not lines:
        raise InfnatError(f"{name}: no camera frames after the URL line; is it an ACID/RealEstate10K .txt?")
    bad = next((i for i, parts in enumerate(lines) if len(parts) != 19), None)
    if bad is not None:
        raise InfnatError(f"{name}: line {bad + 2} has {len(lines[bad])} numbers; ACID/RealEstate10K lines have 19")
    try:
        values = np.array(lines, dtype=np.float64)
    except ValueError:
        raise InfnatError(f"{name}: a frame line holds something that is not a number") from None
    intrinsics = values[:, 1:5]
    varying = np.flatnonzero(np.abs(intrinsics - intrinsics[0]).max(axis=1) > 1e-3 * np.abs(intrinsics[0]).max())
    if len(varying):
        raise InfnatError(f"{name}: the intrinsics change at line {varying[0] + 2}; zooming clips are not supported")
    try:
        raw = FlightPath(values[:, 7:19].reshape(-1, 3, 4), intrinsics[0], 30.0, (values[:, 0] - values[0, 0]) / 1e6)
    except InfnatError as exc:
        raise InfnatError(f"{name}: {exc}") from None
    world_from_first = invert_pose(raw.poses[0])
    poses = np.array([compose(pose, world_from_first) for pose in raw.poses])
    intervals = np.diff(raw.times)
    fps = 1.0 / float(np.median(intervals)) if len(intervals) and np.median(intervals) > 0 else 30.0
    return FlightPath(poses, raw.intrinsics, fps, raw.times)


def _quaternions(rotations: np.ndarray) -> np.ndarray:
    """Unit quaternions ``(N, 4)`` (w, x, y, z) of rotation matrices ``(N, 3, 3)``."""
    r = rotations
    # Each row of ``candidates`` is proportional to the quaternion; take the best-conditioned one per rotation.
    candidates = np.stack(
        [
            np.stack(
                [
                    1 + r[:, 0, 0] + r[:, 1, 1] + r[:, 2, 2],
                    r[:, 2, 1] - r[:, 1, 2],
                    r[:, 0, 2] - r[:, 2, 0],
                    r[:, 1, 0] - r[:, 0, 1],
                ],
                axis=-1,
            ),
            np.stack(
                [
                    r[:, 2, 1] - r[:, 1, 2],
                    1 + r[:, 0, 0] - r[:, 1, 1] - r[:, 2, 2],
                    r[:, 0, 1] + r[:, 1, 0],
                    r[:, 0, 2] + r[:, 2, 0],
                ],
                axis=-1,
            ),
            np.stack(
                [
                    r[:, 0, 2] - r[:, 2, 0],
                    r[:, 0, 1] + r[:, 1, 0],
                    1 - r[:, 0, 0] + r[:, 1, 1] - r[:, 2, 2],
                    r[:, 1, 2] + r[:, 2, 1],
                ],
                axis=-1,
            ),
            np.stack(
                [
                    r[:, 1, 0] - r[:, 0, 1],
                    r[:, 0, 2] + r[:, 2, 0],
                    r[:, 1, 2] + r[:, 2, 1],
                    1 - r[:, 0, 0] - r[:, 1, 1] + r[:, 2, 2],
                ],
                axis=-1,
            ),
        ],
        axis=1,
    )
    best = np.argmax(np.abs(candidates[:, [0, 1, 2, 3], [0, 1, 2, 3]]), axis=1)
    q = candidates[np.arange(len(r)), best]
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def _rotations(q: np.ndarray) -> np.ndarray:
    """Rotation matrices ``(N, 3, 3)`` of unit quaternions ``(N, 4)`` (w, x, y, z)."""
    w, x, y, z = q.T
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)], axis=-1),
            np.stack([2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)], axis=-1),
            np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=-1),
        ],
        axis=1,
    )


def _slerp(q0: np.ndarray, q1: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Shortest-arc spherical interpolation of unit quaternions ``(N, 4)`` at weights ``w`` ``(N,)`` in [0, 1]."""
    dot = np.sum(q0 * q1, axis=1)
    q1 = np.where(dot[:, None] < 0, -q1, q1)
    dot = np.abs(dot)
    angle = np.arccos(np.clip(dot, -1.0, 1.0))
    sin = np.sin(angle)
    near = sin < 1e-6  # (almost) the same rotation: linear interpolation is exact enough
    safe = np.where(near, 1.0, sin)
    a = np.where(near, 1.0 - w, np.sin((1.0 - w) * angle) / safe)
    b = np.where(near, w, np.sin(w * angle) / safe)
    q = a[:, None] * q0 + b[:, None] * q1
    return q / np.linalg.norm(q, axis=1, keepdims=True)


def resample(path: FlightPath, n_frames: int) -> FlightPath:
    """The same flight with ``n_frames`` frames evenly spaced in time, for re-rendering at another frame count.

    Rotations are slerped and camera centres lerped between neighbouring frames. The duration is kept (from the
    recorded ``times`` when there are any, else ``(N − 1) / fps``), so ``fps`` becomes ``(n_frames − 1) / duration``;
    recorded times become evenly spaced over the same span.
    """
    if n_frames < 1:
        raise InfnatError(f"cannot resample a flight path to {n_frames} frames; ask for at least 1")
    n = len(path)
    times = None
    if path.times is not None:
        times = np.linspace(path.times[0], path.times[-1], n_frames)
    if path.times is not None and path.times[-1] > path.times[0]:
        index = np.interp(times, path.times, np.arange(n, dtype=np.float64))
        duration = float(path.times[-1] - path.times[0])
    else:
        index = np.linspace(0.0, n - 1.0, n_frames)
        duration = (n - 1) / path.fps
    fps = (n_frames - 1) / duration if n_frames > 1 and duration > 0 else path.fps

    lower = np.minimum(np.floor(index).astype(int), max(n - 2, 0))
    upper = np.minimum(lower + 1, n - 1)
    w = index - lower
    quats = _quaternions(path.poses[:, :, :3])
    rotations = _rotations(_slerp(quats[lower], quats[upper], w))
    centres = np.array([camera_position(pose) for pose in path.poses])
    centre = centres[lower] + w[:, None] * (centres[upper] - centres[lower])
    translations = -np.einsum("nij,nj->ni", rotations, centre)
    poses = np.concatenate([rotations, translations[:, :, None]], axis=2)
    return FlightPath(poses, path.intrinsics, fps, times, path.source_image)
