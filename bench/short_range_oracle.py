"""Where the short-range error of render → refine → repeat comes from: holes, or the pixels the render shows.

Run by hand:  nice -n 10 .venv/bin/python bench/short_range_oracle.py [--flights 8] [--band 0.1 0.3]
              [--unsharp 0.3 0.6]

Flies the short-range evaluation's held-out synthetic flights (``infnat_core.evaluation.short_range``, seed
1000003, 256×160) with painters that cannot exist, to bound what any refiner can gain:

* **classical fill** — the baseline of issue 4;
* **oracle holes** — the fill's frame with its holes (mask < 0.5) replaced by the ground truth: a perfect hole
  painter, the best a refiner that paints holes only (blend 0) can do;
* **oracle valid** — the ground truth everywhere except the holes, which keep the fill: what is left when the
  rendered pixels are perfect;
* **oracle band T** (``--band T...``) — the ground truth in the holes and along the depth edges of the render
  (``RefinerConfig.edge_band`` = T): a perfect painter of what an edge-band refiner repaints.

Each painted frame becomes the next keyframe, as in the engine. ``--unsharp A...`` also scores the fill's frames
after an unsharp mask of amount A (σ 0.6 px; display only, the keyframes stay unsharpened), to see whether the
rendered pixels are merely soft. Prints LPIPS (VGG16) at steps 1, 5, 10 and the mean hole fraction.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.evaluation.short_range import ShortRangeConfig, fly_synthetic, image_batch
from infnat_core.fill import fill_holes
from infnat_core.refiner.edges import keep_mask
from infnat_core.training.perceptual import lpips


class OraclePainter:
    """The classical fill, with its holes (``part="holes"``), its valid pixels (``"valid"``) or its holes and
    depth-edge band (``"band"``, :func:`infnat_core.refiner.edges.paint_mask` at ``band`` threshold) taken from
    the truth, or nothing taken (``"none"``: the plain fill)."""

    def __init__(self, part: str, truth: list[np.ndarray], band: float = 0.0) -> None:
        self.name, self.part, self.truth, self.band = f"oracle {part}", part, iter(truth), band
        self.repainted: list[float] = []  # per step, the share of the frame taken from the truth ("band")

    def set_style(self, rgb: np.ndarray, disparity: np.ndarray, seed: int = 0) -> None:
        """No style."""

    def refine(self, rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        filled_rgb, filled_disparity = fill_holes(rgb, disparity, mask)
        truth = next(self.truth)
        valid = (mask >= 0.5)[..., None]
        if self.part == "none":
            return filled_rgb, filled_disparity
        if self.part == "holes":
            return np.where(valid, filled_rgb, truth).astype(np.float32), filled_disparity
        if self.part == "band":
            keep = keep_mask(mask, disparity, self.band)
            self.repainted.append(float(np.mean(keep < 0.5)))
            return np.where((keep >= 0.5)[..., None], filled_rgb, truth).astype(np.float32), filled_disparity
        return np.where(valid, truth, filled_rgb).astype(np.float32), filled_disparity


def unsharp(rgb: np.ndarray, amount: float, sigma: float = 0.6) -> np.ndarray:
    """``rgb (H, W, 3)`` sharpened by ``amount`` × (rgb − Gaussian blur), clipped to [0, 1]."""
    radius = 3
    taps = torch.exp(-torch.arange(-radius, radius + 1.0) ** 2 / (2 * sigma * sigma))
    taps = (taps / taps.sum()).repeat(3, 1, 1, 1)
    x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None]
    blurred = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), taps, groups=3)
    blurred = F.conv2d(F.pad(blurred, (0, 0, radius, radius), mode="replicate"), taps.transpose(2, 3), groups=3)
    return np.clip(rgb + amount * (rgb - blurred[0].permute(1, 2, 0).numpy()), 0.0, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flights", type=int, default=ShortRangeConfig.flights)
    parser.add_argument("--unsharp", type=float, nargs="*", default=[], help="unsharp-mask amounts to score")
    parser.add_argument("--band", type=float, nargs="*", default=[],
                        help="depth-edge band thresholds (RefinerConfig.edge_band) of oracle band painters to score")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = ShortRangeConfig(flights=args.flights)
    steps, last = config.steps, max(config.steps)
    data = SyntheticFlights(replace(config.data, height=config.height, width=config.width, flights=config.flights,
                                    samples_per_flight=1, max_gap=1,
                                    trajectory=replace(config.data.trajectory, steps=last + 1)), seed=config.seed)
    rows = (["classical fill", "oracle holes", "oracle valid"] + [f"oracle band {b}" for b in args.band]
            + [f"fill + unsharp {a}" for a in args.unsharp])
    scores: dict[str, list[list[float]]] = {row: [[] for _ in steps] for row in rows}
    holes: list[list[float]] = [[] for _ in steps]
    repainted: dict[float, list[list[float]]] = {b: [[] for _ in steps] for b in args.band}

    def score(row: str, frames: list[np.ndarray], truth: list[np.ndarray]) -> None:
        scored = lpips(image_batch([frames[s - 1] for s in steps]), image_batch([truth[s - 1] for s in steps]))
        for i, d in enumerate(scored):
            scores[row][i].append(float(d))

    for flight in range(config.flights):
        truth = [data.frame(flight, s).rgb for s in range(1, last + 1)]
        frames, hole_masks = fly_synthetic(data, flight, OraclePainter("none", truth), last, config.edge_threshold)
        score("classical fill", frames, truth)
        for i, s in enumerate(steps):
            holes[i].append(float(hole_masks[s - 1].mean()))
        for part in ("holes", "valid"):
            score(f"oracle {part}", fly_synthetic(data, flight, OraclePainter(part, truth), last,
                                                  config.edge_threshold)[0], truth)
        for threshold in args.band:
            painter = OraclePainter("band", truth, threshold)
            score(f"oracle band {threshold}", fly_synthetic(data, flight, painter, last, config.edge_threshold)[0],
                  truth)
            for i, s in enumerate(steps):
                repainted[threshold][i].append(painter.repainted[s - 1])
        for amount in args.unsharp:
            score(f"fill + unsharp {amount}", [unsharp(f, amount) for f in frames], truth)
        print(f"flight {flight + 1}/{config.flights}", flush=True)

    base = [np.mean(v) for v in scores["classical fill"]]
    print(f"\n{config.flights} held-out flights (seed {config.seed}), {config.width}×{config.height}\n")
    print("| painter | " + " | ".join(f"LPIPS step {s}" for s in steps) + " |")
    print("|---|" + "---:|" * len(steps))
    for row in rows:
        means = [np.mean(v) for v in scores[row]]
        print(f"| {row} | " + " | ".join(f"{m:.4f} ({m / b - 1:+.1%})" for m, b in zip(means, base)) + " |")
    print("| hole fraction | " + " | ".join(f"{np.mean(h):.3f}" for h in holes) + " |")
    for threshold, shares in repainted.items():
        print(f"| repainted by oracle band {threshold} | " + " | ".join(f"{np.mean(r):.3f}" for r in shares) + " |")


if __name__ == "__main__":
    main()
