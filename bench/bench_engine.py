"""Engine benchmarks: headless flight fps, render fps per size, file → first frame, memory over a long flight.

Run by hand:  .venv/bin/python bench/bench_engine.py [--long 2000]
Prints a markdown table; copy it into README.md with the machine and date.
"""

from __future__ import annotations

import argparse
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from infnat_core import camera
from infnat_core.fly import autopilot_flight
from infnat_core.gl import process_context
from infnat_core.refiner.inference import load_refiner, shipped_weights
from infnat_core.render import MeshRenderer
from infnat_core.scene import DEFAULT_IMAGE, SceneConfig, load_scene
from infnat_core.session import FlightSession


def rss_mb() -> float:
    """Current resident set size in MiB (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def flight_fps(renderer: MeshRenderer, refiner, scene, size: tuple[int, int], frames: int) -> float:
    session = FlightSession(scene, renderer, refiner, *size)
    flight = autopilot_flight(session, frames + 5)
    for _ in range(5):  # warm-up
        next(flight)
    t = time.perf_counter()
    for _ in flight:
        pass
    return frames / (time.perf_counter() - t)


def render_fps(scene, size: tuple[int, int], frames: int = 60) -> float:
    """Frames/s of one photo layer (no cache, no sky) rendered and read back."""
    renderer = MeshRenderer(process_context())
    renderer.set_keyframe(scene.keyframe)
    pose = camera.identity_pose()
    pose[2, 3] = -0.5
    renderer.render(pose, scene.intrinsics, *size)
    t = time.perf_counter()
    for i in range(frames):
        pose[0, 3] = 0.01 * i
        renderer.render(pose, scene.intrinsics, *size)
    return frames / (time.perf_counter() - t)


def first_frame_seconds(megapixels: float, renderer: MeshRenderer, refiner, depth: str | None = None) -> float:
    """Seconds from a JPEG file of ``megapixels`` to the first finished frame (``depth``: see ``load_scene``)."""
    photo = Image.open(DEFAULT_IMAGE).convert("RGB")
    scale = (megapixels * 1e6 / (photo.width * photo.height)) ** 0.5
    big = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BICUBIC)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.jpg"
        big.save(path, quality=92)
        t = time.perf_counter()
        scene = load_scene(path, depth)
        session = FlightSession(scene, renderer, refiner, 1280, 720)
        session.step(camera.identity_pose())
        return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--long", type=int, default=2000, help="frames of the memory run")
    args = parser.parse_args()
    renderer = MeshRenderer(process_context())
    scene = load_scene(None, config=SceneConfig())
    fill, _ = load_refiner(None)
    print(f"machine: {platform.processor() or platform.machine()}, GL: {renderer.ctx.info['GL_RENDERER']}")
    print("| measurement | value |\n|---|---|")
    print(f"| headless fly 256×160, refine every frame (classical fill) | "
          f"{flight_fps(renderer, fill, scene, (256, 160), args.frames):.1f} fps |")
    weights = shipped_weights()
    if weights is not None:
        net, note = load_refiner(weights)
        if note is None:
            print(f"| headless fly 256×160, refine every frame (SPADE network) | "
                  f"{flight_fps(renderer, net, scene, (256, 160), args.frames):.1f} fps |")
    for side in (256, 512, 1024):
        print(f"| render {side}×{side} (mesh {scene.disparity.shape[1]}×{scene.disparity.shape[0]}) | "
              f"{render_fps(scene, (side, side)):.0f} fps |")
    for mp in (12, 50):
        for depth, name in ((None, "default depth"), ("heuristic", "heuristic depth")):
            print(f"| file → first 1280×720 frame, {mp} MP JPEG, {name} | "
                  f"{first_frame_seconds(mp, renderer, fill, depth):.2f} s |")
    session = FlightSession(scene, renderer, fill, 256, 160)
    marks = {}
    for frame in autopilot_flight(session, args.long):
        if frame.index + 1 in (100, args.long):
            marks[frame.index + 1] = rss_mb()
    growth = (marks[args.long] / marks[100] - 1) * 100
    print(f"| RSS at frame 100 → {args.long} | {marks[100]:.0f} → {marks[args.long]:.0f} MiB ({growth:+.1f}%) |")


if __name__ == "__main__":
    main()
