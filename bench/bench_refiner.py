"""Refiner speed: SPADE generator variants and the classical fill, timed interleaved in one run.

Run by hand: ``.venv/bin/python bench/bench_refiner.py [--rounds 7] [--threads 2] [--clock cpu] [--compile]``.
Prints markdown tables: ms per 160×256 frame (float32, inference mode) with the ratio of the reference config's
time to each variant's, and the FillRefiner's ms at 160×256 and 1920×1080. Variants are timed in alternation
so a busy machine slows all of them alike; compare ratios, not absolute times, across runs. On a shared machine,
``--threads 1 --clock cpu`` times the calling thread's CPU time, which other processes barely disturb.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import torch

from infnat_core.refiner import FillRefiner, SPADEGenerator, StyleEncoder, make_condition, preset


def _generator_variants(compile_model: bool) -> dict[str, tuple[int, Callable[[], torch.Tensor]]]:
    """name → (parameter count, one forward pass) for each network variant."""
    reference, slim = preset("infinite_nature"), preset("slim")
    configs = {
        "infinite_nature (reference)": reference,
        "slim, SPADE hidden 16 (default)": slim,
        "slim, SPADE hidden 24": dataclasses.replace(slim, spade_hidden=24),
        "slim, SPADE hidden 32": dataclasses.replace(slim, spade_hidden=32),
        "slim, SPADE hidden 128": dataclasses.replace(slim, spade_hidden=128),
    }
    torch.manual_seed(0)
    rgbd = torch.rand(1, 4, 160, 256)
    mask = (torch.rand(1, 1, 160, 256) > 0.2).float()
    condition = make_condition(rgbd, mask)
    variants = {}
    for name, config in configs.items():
        generator, encoder = SPADEGenerator(config).eval(), StyleEncoder(config).eval()
        with torch.inference_mode():
            z, _ = encoder(rgbd)
        count = sum(p.numel() for m in (generator, encoder) for p in m.parameters())
        variants[name] = (count, _forward(generator, condition, z))
        if name.endswith("(default)"):
            last = SPADEGenerator(config).eval().to(memory_format=torch.channels_last)
            last_condition = condition.contiguous(memory_format=torch.channels_last)
            variants[name + " + channels_last"] = (count, _forward(last, last_condition, z))
            if compile_model:
                compiled = torch.compile(SPADEGenerator(config).eval().requires_grad_(False))
                variants[name + " + torch.compile"] = (count, _forward(compiled, condition, z))
    return variants


def _forward(generator: torch.nn.Module, condition: torch.Tensor, z: torch.Tensor) -> Callable[[], torch.Tensor]:
    def run() -> torch.Tensor:
        with torch.inference_mode():
            return generator(condition, z)

    return run


def _fill_variants() -> dict[str, Callable[[], object]]:
    """name → one FillRefiner.refine call on a render with blob holes and an out-of-frame border."""
    variants = {}
    for height, width in ((160, 256), (1080, 1920)):
        rng = np.random.default_rng(0)
        rgb = rng.uniform(0, 1, (height, width, 3)).astype(np.float32)
        disparity = rng.uniform(0.01, 1, (height, width)).astype(np.float32)
        yy, xx = np.mgrid[:height, :width] / width
        mask = np.ones((height, width), np.float32)
        for cy, cx, radius in rng.uniform(0, 1, (12, 3)) * (height / width, 1.0, 0.05):
            mask[(yy - cy) ** 2 + (xx - cx) ** 2 < radius**2] = 0.0
        mask[:, : width // 16] = 0.0
        variants[f"FillRefiner {width}×{height}"] = partial(FillRefiner().refine, rgb, disparity, mask)
    return variants


def _time_interleaved(
    runs: dict[str, Callable[[], object]], rounds: int, clock: Callable[[], float]
) -> dict[str, float]:
    """Median ms per call of each run on ``clock``, alternating between them every round (after one warm-up each)."""
    for run in runs.values():
        run()
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            start = clock()
            run()
            samples[name].append((clock() - start) * 1000.0)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed calls per variant")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall time, or the calling thread's CPU time (needs --threads 1)")
    parser.add_argument("--compile", action="store_true", help="also time torch.compile of the default network")
    args = parser.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu measures one thread; use it with --threads 1")
    clock = time.thread_time if args.clock == "cpu" else time.perf_counter
    torch.set_num_threads(args.threads)
    load = os.getloadavg()[0]
    print(f"{datetime.date.today()} · {platform.machine()}, {os.cpu_count()} cores, load {load:.1f} · torch "
          f"{torch.__version__} · {args.threads} threads · {args.clock} clock · median of {args.rounds}\n")

    networks = _generator_variants(args.compile)
    times = _time_interleaved({name: run for name, (_, run) in networks.items()}, args.rounds, clock)
    baseline = times["infinite_nature (reference)"]
    print("| network (160×256, float32) | params | ms/frame | speed-up vs reference |")
    print("|---|---|---|---|")
    for name, (count, _) in networks.items():
        print(f"| {name} | {count / 1e6:.1f} M | {times[name]:.0f} | {baseline / times[name]:.2f}× |")

    fills = _time_interleaved(_fill_variants(), args.rounds, clock)
    print("\n| classical fill | ms/frame |")
    print("|---|---|")
    for name, ms in fills.items():
        print(f"| {name} | {ms:.1f} |")


if __name__ == "__main__":
    main()
