"""Short-range evaluation: render → refine → repeat along held-out synthetic flights, scored against the truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from infnat_core.data.rollout import chained_renders
from infnat_core.data.synthetic import SyntheticConfig, SyntheticFlights
from infnat_core.evaluation.metrics import psnr
from infnat_core.refiner.inference import Refiner
from infnat_core.training.perceptual import lpips

HELD_OUT_SEED = 1_000_003
"""Seed of the evaluation's synthetic flights; training uses small seeds, so these flights are never trained on."""


@dataclass(frozen=True)
class ShortRangeConfig:
    """Which flights are flown and where they are scored."""

    flights: int = 8
    """Held-out synthetic flights flown by every refiner."""
    steps: tuple[int, ...] = (1, 5, 10)
    """Refinement steps after the first frame at which LPIPS and PSNR are measured."""
    width: int = 256
    """Frame width in pixels (Infinite Nature's 160×256 by default)."""
    height: int = 160
    """Frame height in pixels."""
    data: SyntheticConfig = field(default_factory=SyntheticConfig)
    """Terrain, look and renderer settings of the flights (size and path length are set from the fields here)."""
    seed: int = HELD_OUT_SEED
    """Seed of the synthetic flights."""
    edge_threshold: float = 0.3
    """Edge-mask threshold of the warp (the engine's default)."""
    examples: int = 3
    """Flights whose frames at the last scored step are kept for the contact sheet."""
    detail_strength: float = 0.0
    """Strength of frame 0's detail texture on the finished frames. 0 (none) scores what the refiner paints:
    the texture is the same for every refiner, and a synthesised texture can only add distance to any one truth
    (``SessionConfig.detail_strength`` is what the app shows)."""


@dataclass
class ShortRangeResult:
    """Per refiner name: mean LPIPS and PSNR at each scored step, plus example frames."""

    steps: tuple[int, ...]
    """The scored steps."""
    lpips: dict[str, list[float]] = field(default_factory=dict)
    """Mean LPIPS (VGG16) per scored step, lower is better."""
    psnr: dict[str, list[float]] = field(default_factory=dict)
    """Mean PSNR (dB) per scored step, higher is better."""
    hole_lpips: dict[str, list[float]] = field(default_factory=dict)
    """Mean LPIPS inside the holes (the spatial LPIPS map averaged over the render's hole mask) per scored step,
    over the frames that have holes: what the painting itself is worth."""
    hole_psnr: dict[str, list[float]] = field(default_factory=dict)
    """Mean PSNR (dB) inside the holes per scored step, over the frames that have holes."""
    hole_fraction: list[float] = field(default_factory=list)
    """Mean share of the frame that is hole, per scored step (from the first refiner's flights)."""
    examples: list[dict[str, np.ndarray]] = field(default_factory=list)
    """Per example flight: ``"ground truth"``, ``"input"`` (frame 0) and each refiner's frame at the last step."""


def fly_synthetic(dataset: SyntheticFlights, flight_index: int, refiner: Refiner, last_step: int,
                  edge_threshold: float = 0.3, detail_strength: float = 0.0
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Frames ``1..last_step`` (rgb ``(H, W, 3)`` float32) of the engine's loop along one synthetic flight
    (:func:`infnat_core.data.rollout.chained_renders`, finished with frame 0's detail texture at
    ``detail_strength``), and the hole mask ``(H, W)`` bool of each render (what
    the refiner had to paint)."""
    frames, holes = [], []
    for _, out, rgb, _ in chained_renders(dataset, flight_index, refiner, last_step, edge_threshold, detail_strength):
        frames.append(out.finished(rgb))
        holes.append(out.mask < 0.5)
    return frames, holes


def short_range_eval(refiners: Mapping[str, Refiner], config: ShortRangeConfig = ShortRangeConfig()
                     ) -> ShortRangeResult:
    """Fly every refiner along the same held-out flights and score its frames against the rendered truth."""
    last = max(config.steps)
    data_config = replace(config.data, height=config.height, width=config.width, flights=config.flights,
                          samples_per_flight=1, max_gap=1,
                          trajectory=replace(config.data.trajectory, steps=max(last + 1, 2)))
    dataset = SyntheticFlights(data_config, seed=config.seed)
    kinds = ("lpips", "psnr", "hole_lpips", "hole_psnr")
    scores = {name: {kind: [[] for _ in config.steps] for kind in kinds} for name in refiners}
    fractions: list[list[float]] = [[] for _ in config.steps]
    result = ShortRangeResult(steps=tuple(config.steps))
    for flight_index in range(config.flights):
        truth = [dataset.frame(flight_index, step).rgb for step in config.steps]
        example = {"input": dataset.frame(flight_index, 0).rgb, "ground truth": truth[-1]}
        for n, (name, refiner) in enumerate(refiners.items()):
            frames, holes = fly_synthetic(dataset, flight_index, refiner, last, config.edge_threshold,
                                          config.detail_strength)
            scored = [frames[step - 1] for step in config.steps]
            masks = [holes[step - 1] for step in config.steps]
            frame_batch, truth_batch = image_batch(scored), image_batch(truth)
            distances = lpips(frame_batch, truth_batch)
            mask_batch = torch.from_numpy(np.stack(masks)[:, None].astype(np.float32))
            hole_distances = lpips(frame_batch, truth_batch, mask_batch)
            for i, (frame, target, mask) in enumerate(zip(scored, truth, masks)):
                scores[name]["lpips"][i].append(float(distances[i]))
                scores[name]["psnr"][i].append(psnr(frame, target))
                if mask.any():
                    scores[name]["hole_lpips"][i].append(float(hole_distances[i]))
                    scores[name]["hole_psnr"][i].append(psnr(frame, target, mask))
                if n == 0:
                    fractions[i].append(float(mask.mean()))
            example[name] = scored[-1]
        if flight_index < config.examples:
            result.examples.append(example)
    mean = lambda values: float(np.mean(values)) if values else float("nan")  # noqa: E731
    for name in refiners:
        for kind in kinds:
            getattr(result, kind)[name] = [mean(v) for v in scores[name][kind]]
    result.hole_fraction = [mean(v) for v in fractions]
    return result


def image_batch(images: Sequence[np.ndarray]) -> torch.Tensor:
    """``(N, 3, H, W)`` float32 tensor of rgb images ``(H, W, 3)``."""
    return torch.from_numpy(np.stack([np.moveaxis(np.asarray(i, np.float32), -1, 0) for i in images]))
