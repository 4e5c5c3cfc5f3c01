"""Depth benchmarks: built-in estimate per working size, slider post-processing, guided-filter variants.

Run by hand:  .venv/bin/python bench/bench_depth.py [--repeat 5]
Times are the median and the best of ``--repeat`` runs (on a shared machine the best is the cleaner number); each
median is also given as a ratio to a fixed reference workload (sorting 512² float32 values) timed in the same run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np

from infnat_core.depth import (DepthConfig, DepthEstimate, HeuristicDepthConfig, HeuristicDepthEstimator,
                               apply_depth_config)
from infnat_core.depth.filters import guided_filter
from infnat_core.depth.resample import resize
from infnat_core.image_io import load_image
from infnat_core.scene import DEFAULT_IMAGE


def timings_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) wall time in ms over ``repeat`` calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, min(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    photo = load_image(DEFAULT_IMAGE).rgb.astype(np.float32) / 255.0
    values = np.random.default_rng(0).random(512 * 512, dtype=np.float32)
    baseline = timings_ms(lambda: np.sort(values), args.repeat)[0]
    rows: list[tuple[str, tuple[float, float]]] = []

    for width in (256, 384, 512):
        est = HeuristicDepthEstimator(HeuristicDepthConfig(working_width=width))
        image = resize(photo, round(photo.shape[0] * width / photo.shape[1]), width)
        ms = timings_ms(lambda: est.estimate(image), args.repeat)
        rows.append((f"heuristic estimate, {width}×{image.shape[0]} input", ms))
    big = HeuristicDepthEstimator()
    rows.append((f"heuristic estimate, {photo.shape[1]}×{photo.shape[0]} input (works at 512)",
                 timings_ms(lambda: big.estimate(photo), args.repeat)))

    square = np.clip(np.random.default_rng(1).random((512, 512)), 0, 1).astype(np.float32)
    sky = (np.arange(512)[:, None] < 150).repeat(512, axis=1).astype(np.float32)
    estimate = DepthEstimate(square, sky)
    rows.append(("apply_depth_config 512², defaults", timings_ms(lambda: apply_depth_config(estimate, DepthConfig()),
                                                                args.repeat)))
    exaggerated = DepthConfig(relief_scale=1.7, near_clamp=0.8, sky_threshold=0.4)
    rows.append(("apply_depth_config 512², relief 1.7", timings_ms(lambda: apply_depth_config(estimate, exaggerated),
                                                                  args.repeat)))

    guide = np.random.default_rng(2).random((341, 512, 3), dtype=np.float32)
    for s in (1, 2):
        rows.append((f"guided filter 512×341 r=8, subsample {s}",
                     timings_ms(lambda s=s: guided_filter(guide, square[:341], 8, 2e-3, s), args.repeat)))

    print(f"Machine: {platform.machine()} {platform.processor() or ''}, {platform.python_version()}, "
          f"date {time.strftime('%Y-%m-%d')}")
    print(f"Reference: np.sort of 512² float32 = {baseline:.1f} ms\n")
    print("| workload | ms median | ms best | median × reference |")
    print("|---|---:|---:|---:|")
    for name, (median, best) in rows:
        print(f"| {name} | {median:.1f} | {best:.1f} | {median / baseline:.0f} |")


if __name__ == "__main__":
    main()
