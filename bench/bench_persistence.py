"""Persistence benchmarks: out-and-back LPIPS with and without persistence, render fps vs drawn cached keyframes,
memory per cached keyframe, and 1080p time per frame and peak memory.

Run by hand:  .venv/bin/python bench/bench_persistence.py [--frames 100] [--sheet /tmp/out_and_back.png]
Prints markdown; copy it into docs/persistence.md with the machine and date.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import resource
import time

import numpy as np
import torch
from PIL import Image

from infnat_core import camera
from infnat_core.evaluation.persistence import OutAndBackConfig, fly_out_and_back, out_and_back_poses, return_lpips
from infnat_core.gl import process_context
from infnat_core.keyframe_cache import KeyframeCache, KeyframeCacheConfig
from infnat_core.mesh import grid_coverage
from infnat_core.refiner.inference import load_refiner
from infnat_core.render import Keyframe, MeshRenderer
from infnat_core.scene import load_scene
from infnat_core.session import FlightSession, SessionConfig

FORGETFUL = SessionConfig(anchor_photo=False, cache=KeyframeCacheConfig(max_keyframes=1), sky_at_infinity=False)
"""Infinite Nature's behaviour: only the latest keyframe, no photo anchor, sky in the mesh."""


def out_and_back(scene, renderer, refiner, size, frames: int, sheet: str | None) -> None:
    poses = out_and_back_poses(OutAndBackConfig(frames=frames))
    runs = {}
    print(f"\n### Out and back ({frames} frames out, {frames} back, {size[0]}×{size[1]}, {refiner.name})\n")
    print("| setting | LPIPS mean | LPIPS max | s/frame | cached keyframes | cache MiB |")
    print("|---|---|---|---|---|---|")
    for name, config in [("persistent (default)", SessionConfig()), ("forgetful (cache 1, no anchor)", FORGETFUL)]:
        session = FlightSession(scene, renderer, refiner, *size, config)
        t = time.perf_counter()
        outbound, back = fly_out_and_back(session, poses)
        seconds = (time.perf_counter() - t) / (2 * frames)
        scores = return_lpips(outbound, back)
        runs[name] = (outbound, back)
        print(f"| {name} | {scores.mean():.3f} | {scores.max():.3f} | {seconds:.2f} | {len(session.cache)} | "
              f"{session.cache.nbytes / 2**20:.1f} |")
    if sheet:
        picks = np.linspace(0, frames - 1, 5).round().astype(int)
        rows = [np.concatenate([img[i] for o, b in runs.values() for img in (o, b)], axis=1) for i in picks]
        Image.fromarray((np.concatenate(rows, axis=0) * 255 + 0.5).astype(np.uint8)).save(sheet)
        print(f"\nContact sheet (columns: persistent out, back, forgetful out, back; rows: frames {list(picks)}): "
              f"{sheet}")


def fps_vs_layers(scene, renderer, size, counts=(0, 1, 2, 4, 6, 8), frames: int = 20) -> None:
    """Render fps with the photo anchor, the current keyframe and ``n`` cached keyframes that each painted a quarter
    of their view, at the scene's mesh resolution and at the cache's (smaller) one; memory of one cached keyframe."""
    photo = scene.keyframe
    renderer.set_anchor(photo)
    renderer.set_keyframe(photo)
    renderer.set_sky(None)
    cache = KeyframeCache()
    rendered = np.ones(scene.disparity.shape, np.float32)
    rendered[:, -rendered.shape[1] // 4 :] = 0.0  # the right quarter was painted
    cache.add(Keyframe(scene.working_rgb, scene.disparity, camera.identity_pose(), scene.intrinsics), rendered)
    small = cache.select(camera.identity_pose(), scene.intrinsics)[0][1]
    full = Keyframe(scene.working_rgb, scene.disparity, camera.identity_pose(), scene.intrinsics,
                    grid_coverage(rendered < 0.5, scene.disparity.shape))
    meshes = {"x".join(map(str, k.disparity.shape[::-1])): k for k in (full, small)}
    print(f"\n### Render fps vs drawn cached keyframes ({size[0]}×{size[1]}, photo anchor + current keyframe + n "
          f"cached)\n\nOne cached keyframe holds {cache.nbytes / 2**20:.2f} MiB of CPU memory "
          f"(colour {small.rgb.shape[1]}×{small.rgb.shape[0]} uint8, disparity + coverage {small.disparity.shape[1]}"
          f"×{small.disparity.shape[0]} float32).\n")
    print("| cached drawn | " + " | ".join(f"fps (cached mesh {m}) | ratio" for m in meshes) + " |")
    print("|---|" + "---|---|" * len(meshes))
    pose = camera.identity_pose()
    pose[2, 3] = -0.3
    base: dict[str, float] = {}
    for n in counts:
        cells = []
        for name, keyframe in meshes.items():
            renderer.set_cached([(i + 100 * len(base), keyframe) for i in range(n)])
            renderer.render(pose, scene.intrinsics, *size)
            t = time.perf_counter()
            for _ in range(frames):
                renderer.render(pose, scene.intrinsics, *size)
            fps = frames / (time.perf_counter() - t)
            base.setdefault(name, fps)
            cells.append(f"{fps:.1f} | {fps / base[name]:.2f}")
        print(f"| {n} | " + " | ".join(cells) + " |")
    renderer.set_cached([])


def hd_export(scene, renderer, refiner, frames: int = 12) -> None:
    """Time per finished 1080p frame (render + refine + keyframe + cache) and peak memory, persistent vs forgetful."""
    print(f"\n### 1920×1080 flight ({frames} frames after 2 warm-up, {refiner.name}, no encoding)\n")
    print("| setting | s/frame | ratio | peak RSS MiB |")
    print("|---|---|---|---|")
    base = None
    poses = out_and_back_poses(OutAndBackConfig(frames=frames + 2))
    for name, config in [("forgetful", FORGETFUL), ("persistent", SessionConfig())]:
        session = FlightSession(scene, renderer, refiner, 1920, 1080, config)
        for pose in poses[:2]:
            session.step(pose)
        t = time.perf_counter()
        for pose in poses[2:]:
            session.step(pose)
        seconds = (time.perf_counter() - t) / frames
        base = base or seconds
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f} | {peak:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100, help="outbound frames of the out-and-back flight")
    parser.add_argument("--size", default="384x240", help="out-and-back frame size WxH")
    parser.add_argument("--sheet", default="/tmp/out_and_back.png", help="contact sheet PNG ('' for none)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["lpips", "fps", "hd"], help="parts to skip")
    args = parser.parse_args()
    torch.set_num_threads(2)
    size = tuple(int(v) for v in args.size.split("x"))
    print(f"Machine: {platform.machine()} {torch.get_num_threads()}-thread CPU, no GPU "
          f"({process_context().info['GL_RENDERER']}); {datetime.date.today()}")
    scene = load_scene(None)
    refiner, reason = load_refiner(None)
    renderer = MeshRenderer(process_context())
    if "lpips" not in args.skip:
        out_and_back(scene, renderer, refiner, size, args.frames, args.sheet or None)
    if "fps" not in args.skip:
        fps_vs_layers(scene, renderer, (1024, 640))
    if "hd" not in args.skip:
        hd_export(scene, renderer, refiner)


if __name__ == "__main__":
    main()
