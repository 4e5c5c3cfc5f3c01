"""Depth estimators scored on held-out synthetic frames with exact depth (abs-rel, δ<1.25, sky at infinity).

Run by hand:  nice -n 10 .venv/bin/python bench/eval_depth.py [--learned WEIGHTS.safetensors ...] [--frames 200]

What is computed (``infnat_core.evaluation.depth_metrics``):

* Frames: ``--flights`` synthetic flights of seed 1000003 (held out: training uses small seeds), ``--per-flight``
  frames from each, evenly spaced along the flight's path, rendered at ``--size`` (default 256×160) with exact
  disparity (1 / depth clipped to [0.01, 1]).
* Each estimator's raw disparity (``DepthEstimate.disparity``, before the user's sliders) is aligned to the truth
  per frame by least squares in disparity (``s·d + t``, MiDaS-style), clipped to [0.01, 1], turned into depth, and
  scored over the pixels whose true disparity is above 0.01:
  **abs-rel** = mean |z_pred − z_gt| / z_gt, **δ<1.25** = fraction with max(z_pred/z_gt, z_gt/z_pred) < 1.25.
  Both are averaged per frame, then over frames (frames with fewer than 1 % valid pixels are skipped and counted).
* **Sky is excluded** from abs-rel/δ (it has no finite depth: true disparity 0.01 means sky or terrain beyond
  depth 100) and scored explicitly as **∞-IoU**: the IoU of the estimator's "goes to infinity" mask (sky probability
  > 0.5, what ``DepthConfig``'s default ``sky_threshold`` sends to infinity) with the true sky (pixels at least half
  sky; far terrain is at the floor but must not go to infinity).
* s<0 counts frames whose fitted scale is negative (the estimate is the wrong way round: far = near); the engine
  uses the estimate without alignment, so this must be 0.
* A "row prior" (disparity = image row, no sky) is scored as a floor every method must beat.
* ms/frame is the median estimate time on this machine (torch 1 thread).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np
import torch

from infnat_core.depth import (DepthConfig, DepthEstimate, DepthEstimator, HeuristicDepthEstimator,
                               LearnedDepthEstimator)
from infnat_core.evaluation.depth_frames import held_out_frames
from infnat_core.evaluation.depth_metrics import at_infinity, depth_errors, infinity_iou
from infnat_core.evaluation.short_range import HELD_OUT_SEED

MIN_VALID_FRACTION = 0.01


@dataclass
class Scores:
    abs_rel: list[float]
    delta1: list[float]
    iou: list[float]
    ms: list[float]
    skipped: int = 0
    flipped: int = 0


class RowPrior:
    """Reference only: disparity = image row (0 at the top, 1 at the bottom), no sky. What a method must beat."""

    name = "row prior"

    def estimate(self, rgb: np.ndarray) -> DepthEstimate:
        h, w = rgb.shape[:2]
        rows = ((np.arange(h, dtype=np.float32) + 0.5) / h)[:, None].repeat(w, axis=1)
        return DepthEstimate(disparity=rows, sky=np.zeros_like(rows))


def score(estimator: DepthEstimator, frames: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> Scores:
    """Per-frame scores of one estimator (see the module docstring)."""
    sky_threshold = DepthConfig().sky_threshold
    out = Scores([], [], [], [])
    for rgb, gt, gt_sky in frames:
        t = time.perf_counter()
        est = estimator.estimate(rgb)
        out.ms.append((time.perf_counter() - t) * 1e3)
        out.iou.append(infinity_iou(est.sky > sky_threshold, gt_sky))
        if (~at_infinity(gt)).mean() < MIN_VALID_FRACTION:
            out.skipped += 1
            continue
        errors = depth_errors(est.disparity, gt)
        out.abs_rel.append(errors.abs_rel)
        out.delta1.append(errors.delta1)
        out.flipped += errors.scale < 0.0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learned", nargs="*", default=[], help="learned depth weights (.safetensors) to score too")
    parser.add_argument("--flights", type=int, default=25)
    parser.add_argument("--per-flight", type=int, default=8)
    parser.add_argument("--size", default="256x160", help="WxH of the frames")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    args = parser.parse_args()
    torch.set_num_threads(1)
    width, height = (int(v) for v in args.size.lower().split("x"))

    t0 = time.perf_counter()
    frames = held_out_frames(args.flights, args.per_flight, width, height, args.seed)
    render_s = time.perf_counter() - t0

    estimators: list[tuple[str, DepthEstimator]] = [("row prior (reference)", RowPrior()),
                                                    ("heuristic (built-in)", HeuristicDepthEstimator())]
    for path in args.learned:
        estimators.append((f"learned {path}", LearnedDepthEstimator(path)))

    print(f"{len(frames)} frames: seed {args.seed}, {args.flights} flights × {args.per_flight}, {width}×{height} "
          f"(rendered in {render_s:.0f} s); sky / beyond depth 100 excluded from abs-rel and δ; the true sky scored as ∞-IoU\n")
    print("| estimator | frames scored | abs-rel ↓ | median abs-rel | δ<1.25 ↑ | ∞-IoU ↑ | s<0 | ms/frame |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, estimator in estimators:
        s = score(estimator, frames)
        print(f"| {name} | {len(s.abs_rel)} (skipped {s.skipped}) | {np.mean(s.abs_rel):.3f} | "
              f"{np.median(s.abs_rel):.3f} | {np.mean(s.delta1):.3f} | {np.mean(s.iou):.3f} | "
              f"{s.flipped} | {statistics.median(s.ms):.0f} |")


if __name__ == "__main__":
    main()
