"""Side-by-side disparity maps of depth estimators on real photos (and, optionally, held-out synthetic frames).

Run by hand:
    .venv/bin/python bench/depth_sheet.py PHOTO... --learned WEIGHTS.safetensors --out docs/eval/depth_photos.png
    .venv/bin/python bench/depth_sheet.py --synthetic 4 --learned WEIGHTS --out docs/eval/depth_synthetic.png

Each row: the photo (or synthetic frame and its exact disparity), then each estimator's final disparity as the mesh
gets it (``apply_depth_config`` with the default sliders), on a log scale (disparity 0.01 = the far plane → black,
1 = nearest → pale yellow), so far terrain reads as well as near ground. What goes to infinity (sky probability above
the 0.5 threshold; in synthetic frames, the true sky) is pale blue, so terrain sent to infinity shows as a blue hole.
Each map's label gives the shares of the image at infinity and on the far plane.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import torch

from infnat_core.camera import MIN_DISPARITY
from infnat_core.depth import (DepthConfig, DepthEstimator, HeuristicDepthEstimator, LearnedDepthEstimator,
                               apply_depth_config)
from infnat_core.depth.resample import resize, size_for_width
from infnat_core.evaluation.depth_frames import held_out_frames
from infnat_core.evaluation.plots import contact_sheet
from infnat_core.image_io import load_image

SKY_COLOUR = np.array([150, 190, 255], np.float32) / 255.0
"""Colour of what goes to infinity."""
COLOURS = np.array([[0, 0, 0], [60, 20, 110], [180, 50, 90], [245, 140, 40], [252, 250, 160]], np.float32) / 255.0
"""Colour ramp from far (black) to near (pale yellow)."""


def colourise(disparity: np.ndarray, sky: np.ndarray) -> np.ndarray:
    """``(H, W, 3)`` float32 colour of ``disparity (H, W)`` in [0.01, 1] on a log scale, ``sky (H, W)`` bool in
    ``SKY_COLOUR``."""
    t = np.log(np.clip(disparity, 0.01, 1.0) / 0.01) / np.log(100.0)
    x = t * (len(COLOURS) - 1)
    i = np.clip(np.floor(x).astype(int), 0, len(COLOURS) - 2)
    f = (x - i)[..., None]
    colour = COLOURS[i] * (1.0 - f) + COLOURS[i + 1] * f
    colour[sky] = SKY_COLOUR
    return colour.astype(np.float32)


def photo_label(path: Path) -> str:
    """A short name: the file name, or the wallpaper's folder name for files named by size (``1280x1024.jpg``)."""
    if re.fullmatch(r"\d+x\d+", path.stem) and len(path.parents) > 2:
        return path.parents[2].name
    return path.stem.split("_by_")[0][:40]


def final_depth(estimator: DepthEstimator, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the engine meshes under the default depth sliders: disparity ``(H, W)`` and the mask ``(H, W)`` bool of
    what goes to infinity."""
    config = DepthConfig()
    estimate = estimator.estimate(rgb)
    return apply_depth_config(estimate, config), estimate.sky > config.sky_threshold


def shares(disparity: np.ndarray, sky: np.ndarray) -> str:
    """The shares of a final depth at infinity and on the far plane, as a label."""
    far = (disparity <= MIN_DISPARITY + 1e-4) & ~sky
    return f"{sky.mean():.0%} sky, {far.mean():.0%} far plane"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", nargs="*", type=Path)
    parser.add_argument("--learned", nargs="*", default=[], help="learned depth weights to show next to the heuristic")
    parser.add_argument("--synthetic", type=int, default=0, help="held-out synthetic frames (seed 1000003) instead")
    parser.add_argument("--width", type=int, default=512, help="photos are reduced to this width first")
    parser.add_argument("--tile", type=int, default=320)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)

    estimators: list[tuple[str, DepthEstimator]] = [("heuristic", HeuristicDepthEstimator())]
    estimators += [(f"learned {Path(p).parent.name}/{Path(p).stem}", LearnedDepthEstimator(p)) for p in args.learned]
    rows, labels = [], []
    for path in args.photos:
        rgb = load_image(path).rgb.astype(np.float32) / 255.0
        rgb = np.clip(resize(rgb, *size_for_width(*rgb.shape[:2], args.width)), 0.0, 1.0)
        maps = [final_depth(e, rgb) for _, e in estimators]
        rows.append([rgb] + [colourise(d, sky) for d, sky in maps])
        labels.append([photo_label(path)] + [f"{name}: {shares(d, sky)}" for (name, _), (d, sky) in zip(estimators, maps)])
        print(" | ".join(labels[-1]))
    if args.synthetic:
        per_flight = 2
        frames = held_out_frames((args.synthetic + per_flight - 1) // per_flight, per_flight, 256, 160)
        for k, (rgb, gt, gt_sky) in enumerate(frames[: args.synthetic]):
            rows.append([rgb, colourise(gt, gt_sky)] + [colourise(*final_depth(e, rgb)) for _, e in estimators])
            labels.append([f"held-out frame {k}", "exact disparity"] + [name for name, _ in estimators])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(rows, labels, args.out, tile_width=args.tile)
    print(f"wrote {args.out} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
