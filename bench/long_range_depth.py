"""Long autopilot flights from real photos under different depth estimators and ground-detail strengths (the refiner
fixed to the classical fill).

Run by hand:  nice -n 10 .venv/bin/python bench/long_range_depth.py [PHOTO...] [--learned WEIGHTS.safetensors ...]
              [--no-heuristic] [--detail 0 1] [--frames 1000] [--out docs/eval/long_range_depth.png]

Each photo (default: the bundled one) is flown ``--frames`` frames at 256×160 by ``infnat_core.evaluation.long_range``
once per depth estimator (the built-in heuristic unless ``--no-heuristic``, then each ``--learned`` file) and per
``--detail`` strength (``SessionConfig.detail_strength``; default 0, none), with the same autopilot seed and the
classical fill, so only the depth and the detail differ. Prints the long-range figures of issue 4 (sharpness of the
last 100 frames over frame 0, mean colour drift ΔE, sky fraction range) and writes a contact sheet, one row per
flight.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from infnat_core.depth import DepthEstimator, HeuristicDepthEstimator, LearnedDepthEstimator
from infnat_core.evaluation.long_range import LongRangeConfig, long_range_eval
from infnat_core.evaluation.plots import contact_sheet
from infnat_core.gl import create_headless_context
from infnat_core.image_io import load_image
from infnat_core.refiner.inference import FillRefiner
from infnat_core.render import MeshRenderer
from infnat_core.scene import DEFAULT_IMAGE, SceneConfig, build_scene
from infnat_core.session import SessionConfig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="*", type=Path, help="photos to fly into (default: the bundled one)")
    parser.add_argument("--learned", nargs="*", default=[], help="learned depth weights (.safetensors) to fly too")
    parser.add_argument("--no-heuristic", action="store_true", help="do not fly the built-in heuristic depth")
    parser.add_argument("--detail", type=float, nargs="+", default=[0.0], help="ground-detail strengths to fly")
    parser.add_argument("--frames", type=int, default=LongRangeConfig.frames)
    parser.add_argument("--out", type=Path, default=Path("long_range_depth.png"), help="contact sheet (PNG)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    estimators: list[tuple[str, DepthEstimator]] = []
    if not args.no_heuristic:
        estimators.append(("heuristic", HeuristicDepthEstimator()))
    estimators += [(f"learned {Path(p).parent.name}/{Path(p).name}", LearnedDepthEstimator(p)) for p in args.learned]
    renderer = MeshRenderer(create_headless_context())
    rows, labels = [], []
    first = LongRangeConfig(frames=args.frames)
    print(f"{args.frames} frames at {first.width}×{first.height}, speed {first.speed}/frame, seed {first.seed}, "
          "classical fill\n")
    print("| photo | depth | ground detail | sharpness last 100 / frame 0 (goal ≥ 0.6) | ΔE drift (goal ≤ 15) | "
          "sky fraction | s/frame |")
    print("|---|---|---:|---:|---:|---|---:|")
    for path in args.photos or [DEFAULT_IMAGE]:
        photo = load_image(path)
        for name, estimator in estimators:
            scene = build_scene(photo, estimator, SceneConfig())
            for detail in args.detail:
                config = LongRangeConfig(frames=args.frames, session=SessionConfig(detail_strength=detail))
                start = time.perf_counter()
                result = long_range_eval(FillRefiner(), scene, renderer, config)
                seconds = (time.perf_counter() - start) / (args.frames + 1)
                print(f"| {path.stem} | {name} | {detail:g} | {result.sharpness_ratio:.2f} | "
                      f"{result.colour_drift:.1f} | {result.sky_min:.2f}–{result.sky_max:.2f} | {seconds:.3f} |",
                      flush=True)
                rows.append([result.sheet[i] for i in sorted(result.sheet)])
                label = f"{path.stem[:12]}, {Path(name.removeprefix('learned ')).stem[:12]}, detail {detail:g}"
                labels.append([f"{label} #{i}" for i in sorted(result.sheet)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(rows, labels, args.out, tile_width=200)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
