"""``infnat eval``: short-range, long-range and speed evaluation of refiner weights, written as a Markdown report."""

from __future__ import annotations

import datetime
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from infnat_core.depth.factory import default_depth_estimator
from infnat_core.evaluation.long_range import SKY_RANGE, LongRangeConfig, LongRangeResult, long_range_eval
from infnat_core.evaluation.plots import contact_sheet, line_chart
from infnat_core.evaluation.short_range import ShortRangeConfig, ShortRangeResult, short_range_eval
from infnat_core.evaluation.speed import infinite_nature_refiner, refine_ms
from infnat_core.gl import create_headless_context
from infnat_core.refiner.inference import FillRefiner, NetworkRefiner, Refiner
from infnat_core.render import MeshRenderer
from infnat_core.scene import load_scene

NETWORK = "network"
"""Name of the evaluated weights in results and figures."""

FILL = "classical fill"
"""Name of the baseline (warp + classical fill)."""


@dataclass(frozen=True)
class EvalGoals:
    """The thresholds the report checks (issue 4)."""

    lpips_reduction: float = 0.15
    """Network LPIPS must be at least this fraction below the fill's at every short-range step."""
    sharpness_ratio: float = 0.6
    """Smallest acceptable sharpness of the last frames relative to frame 0."""
    colour_drift: float = 15.0
    """Largest acceptable mean ΔE of the last frames from frame 0."""
    speedup: float = 6.0
    """Smallest acceptable speed-up of a refine over Infinite Nature's network."""


@dataclass(frozen=True)
class EvalConfig:
    """What ``infnat eval`` runs."""

    short_range: ShortRangeConfig = field(default_factory=ShortRangeConfig)
    """Held-out synthetic flights."""
    long_range: LongRangeConfig = field(default_factory=LongRangeConfig)
    """Autopilot flights from photos."""
    photos: tuple[str | None, ...] = (None,)
    """Photos flown in the long-range part (None = the bundled photo); use photos not trained on."""
    long_range_fill: bool = True
    """Also fly the classical fill on the long flights (for comparison; doubles that part's time)."""
    speed_repeats: int = 5
    """Timed refines per refiner in the speed part (0 skips it)."""
    goals: EvalGoals = field(default_factory=EvalGoals)
    """Thresholds checked in the report."""
    device: str = "cpu"
    """Device of the networks."""


@dataclass
class EvalSummary:
    """Everything the report states."""

    short_range: ShortRangeResult
    """LPIPS/PSNR per step for the network and the fill."""
    long_range: dict[str, dict[str, LongRangeResult]]
    """Photo name → refiner name → figures."""
    speed_ms: dict[str, float]
    """Refiner name → milliseconds per refine at the render size (empty when the speed part was skipped)."""
    beats_fill: bool
    """Network LPIPS is at least ``goals.lpips_reduction`` below the fill's at every short-range step."""


def evaluate(weights: str | Path, out_dir: str | Path, config: EvalConfig = EvalConfig(),
             log: Callable[[str], None] = lambda line: None) -> EvalSummary:
    """Evaluate ``weights`` against the classical fill and write ``out_dir/report.md`` with its PNG figures."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    network = NetworkRefiner(weights, device=config.device)
    fill = FillRefiner()
    log("short range: held-out synthetic flights")
    short = short_range_eval({FILL: fill, NETWORK: network}, config.short_range)
    reductions = [1.0 - n / f for n, f in zip(short.lpips[NETWORK], short.lpips[FILL])]
    beats = all(r >= config.goals.lpips_reduction for r in reductions)

    renderer = MeshRenderer(create_headless_context())
    long: dict[str, dict[str, LongRangeResult]] = {}
    flyers: dict[str, Refiner] = {NETWORK: network, **({FILL: fill} if config.long_range_fill else {})}
    for photo in config.photos:
        name = "bundled photo" if photo is None else Path(photo).name
        scene = load_scene(photo)
        long[name] = {}
        for refiner_name, refiner in flyers.items():
            log(f"long range: {config.long_range.frames} frames into {name} with {refiner_name}")
            long[name][refiner_name] = long_range_eval(refiner, scene, renderer, config.long_range)

    speed: dict[str, float] = {}
    if config.speed_repeats > 0:
        log("speed")
        size, repeats = (config.long_range.width, config.long_range.height), config.speed_repeats
        speed = {NETWORK: refine_ms(network, *size, repeats=repeats), FILL: refine_ms(fill, *size, repeats=repeats),
                 "infinite_nature": refine_ms(infinite_nature_refiner(config.device), *size, repeats=repeats)}
    summary = EvalSummary(short, long, speed, beats)
    _write_figures(summary, out_dir)
    (out_dir / "report.md").write_text(_report_text(summary, weights, config, reductions))
    return summary


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in Path(name).stem.lower())


def _write_figures(summary: EvalSummary, out_dir: Path) -> None:
    short = summary.short_range
    line_chart({name: list(zip(short.steps, values)) for name, values in short.lpips.items()},
               out_dir / "short_range_lpips.png", title="short range: LPIPS vs step (lower is better)")
    names = [n for n in ("input", "ground truth", FILL, NETWORK) if short.examples and n in short.examples[0]]
    contact_sheet([[example[n] for n in names] for example in short.examples],
                  [[f"{n}" + ("" if n == "input" else f" @ step {short.steps[-1]}") for n in names]
                   for _ in short.examples], out_dir / "short_range_examples.png", tile_width=200)
    for photo, results in summary.long_range.items():
        rows, labels = [], []
        for refiner_name, result in results.items():
            rows.append([result.sheet[i] for i in sorted(result.sheet)])
            labels.append([f"{refiner_name} #{i}" for i in sorted(result.sheet)])
        contact_sheet(rows, labels, out_dir / f"long_range_{_slug(photo)}.png", tile_width=160)


def _report_text(summary: EvalSummary, weights: str | Path, config: EvalConfig, reductions: Sequence[float]) -> str:
    goals, short = config.goals, summary.short_range
    lines = [
        "# Refiner evaluation",
        "",
        f"Weights: `{weights}`. Date: {datetime.date.today().isoformat()}. Machine: {platform.machine()} "
        f"{torch.get_num_threads()} torch threads, device {config.device}. Depth of the long flights' photos: "
        f"{default_depth_estimator()[0].name}.",
        "",
        f"## Short range ({config.short_range.flights} held-out synthetic flights, "
        f"{config.short_range.width}×{config.short_range.height}, seed {config.short_range.seed}, detail texture "
        f"{config.short_range.detail_strength:g})",
        "",
        "| step | LPIPS fill | LPIPS network | reduction | PSNR fill | PSNR network |",
        "|---|---|---|---|---|---|",
    ]
    for i, step in enumerate(short.steps):
        lines.append(f"| {step} | {short.lpips[FILL][i]:.4f} | {short.lpips[NETWORK][i]:.4f} | "
                     f"{100 * reductions[i]:+.1f} % | {short.psnr[FILL][i]:.2f} | {short.psnr[NETWORK][i]:.2f} |")
    verdict = "met" if summary.beats_fill else "NOT met"
    goal = f"Goal ≥ {100 * goals.lpips_reduction:.0f} % lower LPIPS than the fill at every step"
    lines += ["", f"{goal}: **{verdict}**.", "",
              "Inside the holes only (what the refiner painted; the LPIPS map averaged over each render's hole mask, "
              "frames without holes left out):", "",
              "| step | hole share of the frame | LPIPS fill | LPIPS network | reduction | PSNR fill | PSNR network |",
              "|---|---|---|---|---|---|---|"]
    for i, step in enumerate(short.steps):
        fill_h, net_h = short.hole_lpips[FILL][i], short.hole_lpips[NETWORK][i]
        reduction = f"{100 * (1.0 - net_h / fill_h):+.1f} %" if fill_h > 0 else "—"
        lines.append(f"| {step} | {100 * short.hole_fraction[i]:.1f} % | {fill_h:.4f} | {net_h:.4f} | "
                     f"{reduction} | {short.hole_psnr[FILL][i]:.2f} | "
                     f"{short.hole_psnr[NETWORK][i]:.2f} |")
    lines += ["", "![LPIPS per step](short_range_lpips.png)", "", "![examples](short_range_examples.png)", "",
              f"## Long range ({config.long_range.frames} autopilot frames, {config.long_range.width}×"
              f"{config.long_range.height}, speed {config.long_range.speed}/frame, detail texture "
              f"{config.long_range.session.detail_strength:g})", "",
              f"| photo | refiner | sharpness last {config.long_range.tail} / frame 0 (≥ {goals.sharpness_ratio}) | "
              f"ΔE drift (≤ {goals.colour_drift:g}) | sky min–max | frames with sky in {list(SKY_RANGE)} | "
              "no NaN | s/frame |",
              "|---|---|---|---|---|---|---|---|"]
    for photo, results in summary.long_range.items():
        for name, r in results.items():
            lines.append(f"| {photo} | {name} | {r.sharpness_ratio:.2f} | {r.colour_drift:.1f} | "
                         f"{r.sky_min:.2f}–{r.sky_max:.2f} | {100 * r.sky_in_range:.0f} % | "
                         f"{'yes' if r.finite else 'NO'} | {r.seconds_per_frame:.3f} |")
    for photo in summary.long_range:
        lines += ["", f"![{photo}](long_range_{_slug(photo)}.png)"]
    if not summary.speed_ms:
        return "\n".join(lines + [""])
    ratio = summary.speed_ms["infinite_nature"] / summary.speed_ms[NETWORK]
    lines += ["", f"## Speed (one refine of a {config.long_range.width}×{config.long_range.height} render, median of "
              f"{config.speed_repeats})", "", "| refiner | ms |", "|---|---|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in summary.speed_ms.items()]
    lines += ["", f"Network speed-up over Infinite Nature's architecture: {ratio:.1f}× "
              f"(goal ≥ {goals.speedup:g}×).", ""]
    return "\n".join(lines)
