"""Fixed pools of frames for training the depth network, from synthetic flights or from real photos.

Synthetic frames carry the photo, exact disparity and sky and the heuristic's answer; photo frames are crops of real
photos labelled by the heuristic.

    python -m infnat_core.training.depth_pool --out RUN/pool_0.npz --flights 0:250 [--per-flight 8] [--seed 0]
    python -m infnat_core.training.depth_pool --out RUN/photos.npz --photos PHOTO... [--crops 24]

Frames are rendered once (≈0.15 s each on a 2-core CPU) and reused for many passes; several processes can render
disjoint flight ranges into separate files. Training seeds are small; the evaluation uses seed 1000003.
The file holds ``rgb (N, H, W, 3)`` uint8, ``disparity (N, H, W)`` float16 (1 / depth in [0.01, 1], sky 0.01),
``sky (N, H, W)`` float16 (the share of each pixel that shows sky; terrain beyond depth 100 sits at the 0.01
floor but is not sky), ``heuristic (N, 2, H, W)`` float16 (the built-in estimator's disparity and sky probability)
and ``flight (N,)``.

A *photo* pool (``--photos``) holds random crops of real photos labelled with the heuristic's own answer (pseudo
labels: disparity mapped to [0.01, 1], sky probability as the sky share) and negative flight ids (−1 − photo index).
Mixed into training, it keeps the network close to the heuristic on real photos where synthetic terrain teaches
nothing (trees, buildings, boats standing out of the ground).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from infnat_core.camera import MIN_DISPARITY
from infnat_core.data.synthetic import SyntheticConfig, SyntheticFlights
from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.depth.resample import resize
from infnat_core.image_io import load_image


@dataclass(frozen=True)
class DepthPoolConfig:
    """Which synthetic frames go into a pool file."""

    first_flight: int = 0
    """First flight index (inclusive)."""
    last_flight: int = 250
    """Last flight index (exclusive)."""
    per_flight: int = 8
    """Frames per flight, evenly spaced along its path."""
    seed: int = 0
    """Seed of the synthetic flights (keep it away from the evaluation's 1000003)."""
    width: int = 256
    """Frame width."""
    height: int = 160
    """Frame height."""


@dataclass(frozen=True)
class DepthPool:
    """Arrays of a pool (see the module docstring for shapes)."""

    rgb: np.ndarray
    disparity: np.ndarray
    sky: np.ndarray
    heuristic: np.ndarray
    flight: np.ndarray

    def __len__(self) -> int:
        return len(self.rgb)


def render_pool(cfg: DepthPoolConfig, log_every: int = 20) -> DepthPool:
    """Render the frames of ``cfg`` and run the heuristic on each."""
    data = SyntheticFlights(SyntheticConfig(height=cfg.height, width=cfg.width), seed=cfg.seed)
    heuristic = HeuristicDepthEstimator()
    picks = np.linspace(0, data.config.trajectory.steps - 1, cfg.per_flight).round().astype(int)
    rgb, disparity, sky, heur, flights = [], [], [], [], []
    start = time.perf_counter()
    for n, flight in enumerate(range(cfg.first_flight, cfg.last_flight)):
        for step in picks:
            view = data.frame(flight, int(step))
            est = heuristic.estimate(view.rgb)
            rgb.append(np.round(np.clip(view.rgb, 0.0, 1.0) * 255.0).astype(np.uint8))
            disparity.append(view.disparity.astype(np.float16))
            sky.append(view.sky.astype(np.float16))
            heur.append(np.stack([est.disparity, est.sky]).astype(np.float16))
            flights.append(flight)
        if log_every and (n + 1) % log_every == 0:
            print(f"{n + 1} flights, {len(rgb)} frames, {time.perf_counter() - start:.0f} s", flush=True)
    return DepthPool(np.stack(rgb), np.stack(disparity), np.stack(sky), np.stack(heur), np.asarray(flights, np.int32))


def photo_pool(paths: list[str | Path], crops: int = 24, width: int = 256, height: int = 160, seed: int = 0,
               work_scale: int = 2) -> DepthPool:
    """``crops`` random crops of each photo (40–100 % of the largest ``width:height`` window), each estimated by the
    heuristic at ``work_scale`` × the pool's size and stored at ``width × height`` with the heuristic's answer as
    its truth."""
    heuristic = HeuristicDepthEstimator()
    rng = np.random.default_rng(seed)
    rgb, disparity, sky, heur, flights = [], [], [], [], []
    for index, path in enumerate(paths):
        photo = load_image(path).rgb.astype(np.float32) / 255.0
        H, W = photo.shape[:2]
        if W < width or H < height:
            raise ValueError(f"{path} is {W}×{H} pixels; photo pools need at least {width}×{height}")
        full_w = min(W, round(H * width / height))
        for _ in range(crops):
            cw = max(width, round(full_w * rng.uniform(0.4, 1.0)))
            ch = round(cw * height / width)
            y, x = int(rng.integers(0, H - ch + 1)), int(rng.integers(0, W - cw + 1))
            crop = resize(photo[y:y + ch, x:x + cw], height * work_scale, width * work_scale)
            est = heuristic.estimate(crop)
            small = np.clip(resize(crop, height, width), 0.0, 1.0)
            d = np.clip(resize(est.disparity, height, width), 0.0, 1.0)
            s = np.clip(resize(est.sky, height, width), 0.0, 1.0)
            rgb.append(np.round(small * 255.0).astype(np.uint8))
            disparity.append((MIN_DISPARITY + (1.0 - MIN_DISPARITY) * d).astype(np.float16))
            sky.append(s.astype(np.float16))
            heur.append(np.stack([d, s]).astype(np.float16))
            flights.append(-1 - index)
    return DepthPool(np.stack(rgb), np.stack(disparity), np.stack(sky), np.stack(heur), np.asarray(flights, np.int32))


def save_pool(path: str | Path, pool: DepthPool) -> None:
    """Write a pool as an uncompressed ``.npz``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial.npz")
    np.savez(partial, **{f.name: getattr(pool, f.name) for f in fields(DepthPool)})
    partial.replace(path)


def load_pools(paths: list[str | Path]) -> DepthPool:
    """The frames of several pool files, concatenated."""
    names = [f.name for f in fields(DepthPool)]
    parts = []
    for p in paths:
        with np.load(p) as z:
            missing = sorted(set(names) - set(z.files))
            if missing:
                raise ValueError(f"{p} is not a depth pool of this version (no {', '.join(missing)}); render it again")
            parts.append(DepthPool(*(z[n] for n in names)))
    return DepthPool(*(np.concatenate([getattr(p, n) for p in parts]) for n in names))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--flights", default="0:250", help="FIRST:LAST flight indices (last exclusive)")
    parser.add_argument("--per-flight", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--photos", nargs="+", help="make a photo pool of these photos instead")
    parser.add_argument("--crops", type=int, default=24, help="crops per photo (photo pools)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    start = time.perf_counter()
    if args.photos:
        pool = photo_pool(args.photos, args.crops, seed=args.seed)
    else:
        first, last = (int(v) for v in args.flights.split(":"))
        pool = render_pool(DepthPoolConfig(first, last, args.per_flight, args.seed))
    save_pool(args.out, pool)
    print(f"wrote {len(pool)} frames to {args.out} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
