"""A fixed pool of synthetic frames for training the depth network: photo, exact disparity, the heuristic's answer.

    python -m infnat_core.training.depth_pool --out RUN/pool_0.npz --flights 0:250 [--per-flight 8] [--seed 0]

Frames are rendered once (≈0.15 s each on a 2-core CPU) and reused for many passes; several processes can render
disjoint flight ranges into separate files. Training seeds are small; the evaluation uses seed 1000003.
The file holds ``rgb (N, H, W, 3)`` uint8, ``disparity (N, H, W)`` float16 (1 / depth in [0.01, 1], sky 0.01),
``sky (N, H, W)`` float16 (the share of each pixel that shows sky; terrain beyond depth 100 sits at the 0.01
floor but is not sky), ``heuristic (N, 2, H, W)`` float16 (the built-in estimator's disparity and sky probability)
and ``flight (N,)``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import torch

from infnat_core.data.synthetic import SyntheticConfig, SyntheticFlights
from infnat_core.depth.heuristic import HeuristicDepthEstimator


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
    args = parser.parse_args()
    torch.set_num_threads(1)
    first, last = (int(v) for v in args.flights.split(":"))
    start = time.perf_counter()
    pool = render_pool(DepthPoolConfig(first, last, args.per_flight, args.seed))
    save_pool(args.out, pool)
    print(f"wrote {len(pool)} frames to {args.out} in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
