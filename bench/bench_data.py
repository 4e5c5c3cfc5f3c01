"""Training-data throughput: samples per second of each source, against the engine's own warp in the same run.

Run by hand: ``.venv/bin/python bench/bench_data.py [--rounds 3] [--samples 16]``.
Each round times every source in turn (so a busy machine slows all alike); the table reports the median over rounds
as samples/s and as the cost of one sample in units of the baseline (one 160×256 keyframe warp by ``MeshRenderer``).
Compare the ratios across runs, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from infnat_core import camera
from infnat_core.data import (AcidConfig, AcidFlights, PhotoRoundTrip, PhotoRoundTripConfig, SyntheticConfig,
                              SyntheticFlights, read_acid_clip, write_acid_clip)
from infnat_core.data.photos import Photo
from infnat_core.data.sample import warp
from infnat_core.data.terrain_render import TerrainRenderConfig
from infnat_core.scene import DEFAULT_IMAGE

H, W = 160, 256


def ramp_photo() -> Photo:
    """The bundled default photo with a ground-plane disparity ramp (no depth model needed)."""
    with Image.open(DEFAULT_IMAGE) as image:
        rgb = np.asarray(image.convert("RGB").resize((768, 512)))
    v = (np.arange(512, dtype=np.float32)[:, None] + 0.5) / 512
    disparity = np.clip((v - 0.4) / 0.6, 0.01, 1.0) * np.ones((1, 768), np.float32)
    return Photo(rgb, disparity, DEFAULT_IMAGE.name)


def acid_source(tmp: Path) -> AcidFlights:
    """A 24-frame clip rendered from a synthetic flight, written to disk in the ACID layout."""
    flights = SyntheticFlights(SyntheticConfig(flights=1), seed=99)
    flight = flights.flight(0)
    (tmp / "frames").mkdir()
    (tmp / "disparity").mkdir()
    stamps = [33_367 * i for i in range(24)]
    for i, ts in enumerate(stamps):
        view = flights.frame(0, i)
        Image.fromarray((view.rgb * 255 + 0.5).astype(np.uint8)).save(tmp / "frames" / f"{ts}.png")
        np.save(tmp / "disparity" / f"{ts}.npy", view.disparity)
    write_acid_clip(tmp / "clip.txt", "bench", stamps, flight.intrinsics, flight.poses[:24])
    clip = read_acid_clip(tmp / "clip.txt", tmp / "frames", tmp / "disparity")
    return AcidFlights([clip], AcidConfig(samples_per_clip=1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=16, help="samples per source per round")
    args = parser.parse_args()
    n = args.samples

    photos = PhotoRoundTrip([ramp_photo()], PhotoRoundTripConfig(samples=100_000), seed=0)
    synthetic = SyntheticFlights(SyntheticConfig(flights=10_000), seed=0)
    synthetic_ss1 = SyntheticFlights(SyntheticConfig(flights=10_000, render=TerrainRenderConfig(supersample=1)), seed=0)
    tmp = Path(tempfile.mkdtemp(prefix="bench_data_"))
    acid = acid_source(tmp)
    k = camera.intrinsics_from_fov(64.0, W, H)
    rgb = np.random.default_rng(0).random((H, W, 3), dtype=np.float32)
    disparity = np.full((H, W), 0.3, np.float32)
    moved = camera.identity_pose()
    moved[2, 3] = -0.2

    rounds_done = [0]

    def indices(stride: int) -> range:
        start = rounds_done[0] * n * stride
        return range(start, start + n * stride, stride)

    cases: dict[str, Callable[[], None]] = {
        "baseline: one MeshRenderer warp": lambda: [warp(photos.renderers.mesh, rgb, disparity, camera.identity_pose(),
                                                         moved, k) for _ in range(n)],
        "synthetic, in order (8 samples per flight)": lambda: [synthetic[i] for i in indices(1)],
        "synthetic, a new flight every sample": lambda: [synthetic[i] for i in indices(8)],
        "synthetic, in order, supersample 1": lambda: [synthetic_ss1[i] for i in indices(1)],
        "photo round trip": lambda: [photos[i] for i in indices(1)],
        "ACID clip (PNG + .npy from disk)": lambda: [acid[i] for i in indices(1)],
    }
    for fn in cases.values():  # warm up: contexts, shader compiles, first flights
        fn()
    rounds_done[0] += 1
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, fn in cases.items():
            t = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t) / n)
        rounds_done[0] += 1

    base = statistics.median(times["baseline: one MeshRenderer warp"])
    print(f"# bench_data — {datetime.date.today()} — {platform.node()} ({platform.processor() or platform.machine()}), "
          f"{H}×{W}, {args.rounds} rounds × {n} samples")
    print("| source | samples/s | ms/sample | cost in baseline warps |")
    print("|---|---|---|---|")
    for name, ts in times.items():
        t = statistics.median(ts)
        print(f"| {name} | {1.0 / t:.1f} | {1000 * t:.1f} | {t / base:.1f} |")


if __name__ == "__main__":
    main()
