"""Command line: ``infnat fly|train|eval …`` (headless flights, refiner training and evaluation).

``infnat [IMAGE]`` opens the app; see ``app.launcher``.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from infnat_core.depth import DepthConfig
from infnat_core.errors import InfnatError

DEFAULT_SPEED = 0.45
"""Autopilot speed (scene units per second): slow enough that the photo stays in view for a 10 s flight."""


def parse_size(text: str) -> tuple[int, int]:
    """``"WxH"`` → (W, H); both even-friendly positive integers up to 7680×4320."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 512x320, got {text!r}") from None
    if not (16 <= w <= 7680 and 16 <= h <= 4320):
        raise argparse.ArgumentTypeError(f"size {w}x{h} is outside 16x16 … 7680x4320")
    return w, h


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (see ``--help`` for the rest)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="infnat", description="Fly into a single photo.")
    sub = parser.add_subparsers(dest="command", required=True)
    fly = sub.add_parser("fly", help="render a flight headless to MP4, GIF or a PNG folder",
                         description="Render a flight into IMAGE (default: the bundled landscape) without a window.")
    fly.add_argument("image", nargs="?", help="photo to fly into (PNG/JPEG/WebP/TIFF/BMP); default: bundled image")
    fly.add_argument("--out", required=True, help="output: .mp4, .gif, or a folder (ending in /) for PNG frames")
    route = fly.add_mutually_exclusive_group()
    route.add_argument("--autopilot", action="store_true", help="fly with the autopilot (the default)")
    route.add_argument("--path", help="replay a recorded flight path (JSON, see docs/flight-path.md)")
    fly.add_argument("--frames", type=_positive_int, help="number of frames (default 300; a --path is resampled)")
    fly.add_argument("--size", type=parse_size, default=(512, 320), help="output WxH (default 512x320)")
    fly.add_argument("--fps", type=_positive_float, default=30.0, help="frames per second of the video (default 30)")
    fly.add_argument("--seed", type=int, default=0, help="seed of the autopilot's wandering (default 0)")
    fly.add_argument("--speed", type=_positive_float, default=DEFAULT_SPEED,
                     help=f"autopilot speed in scene units per second; the nearest ground is ~1 unit away "
                          f"(default {DEFAULT_SPEED})")
    fly.add_argument("--record", help="also save the flown camera path to this JSON file")
    depth = fly.add_argument_group("depth")
    depth.add_argument("--depth", help="depth or disparity map for the image (PNG 8/16-bit, .npy) or a depth "
                                       "network file (.onnx, .pt TorchScript, infnat-trained .safetensors), or "
                                       "'heuristic'; default: the bundled depth network")
    depth.add_argument("--depth-kind", choices=["disparity", "depth"], default="disparity",
                       help="what a --depth map holds (default disparity)")
    depth.add_argument("--far-is-bright", action="store_true", help="the --depth map's bright pixels are far")
    d = DepthConfig()
    depth.add_argument("--relief", type=float, default=d.relief_scale, help=f"relief scale (default {d.relief_scale})")
    depth.add_argument("--near-clamp", type=float, default=d.near_clamp,
                       help=f"largest disparity, i.e. how near the nearest point is (default {d.near_clamp})")
    depth.add_argument("--sky-threshold", type=float, default=d.sky_threshold,
                       help=f"sky probability above which a pixel is at infinity (default {d.sky_threshold})")
    refine = fly.add_argument_group("refinement")
    refine.add_argument("--refiner", help="refiner weights (.safetensors; default assets/refiner.safetensors if shipped)")
    refine.add_argument("--refine-every", type=_positive_int, default=1,
                        help="make every N-th frame a new keyframe (default 1)")
    refine.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    refine.add_argument("--detail", type=_non_negative_float,
                        help="strength of the photo's fine detail drawn over magnified ground (0 = none; default 1)")
    fly.add_argument("--quiet", action="store_true", help="no progress bar")
    fly.add_argument("--debug", action="store_true", help="show full tracebacks")
    _add_train_parser(sub)
    _add_eval_parser(sub)
    return parser


def _add_train_parser(sub: argparse._SubParsersAction) -> None:
    from infnat_core.training.config import PRESETS

    train = sub.add_parser("train", help="train the refiner network",
                           description="Train the SPADE refiner on synthetic flights (and photo round trips).")
    train.add_argument("--preset", default="cpu", choices=sorted(PRESETS), help="training config (default cpu)")
    train.add_argument("--steps", type=_positive_int, required=True, help="total optimiser steps of the run")
    train.add_argument("--minutes", type=_positive_float,
                       help="stop (and export) once this many minutes have passed since the command started, drawing "
                            "the pool included, even before --steps")
    train.add_argument("--pool-workers", type=_positive_int, default=1,
                       help="processes that draw the training pool (default 1; each renders on its own GL context)")
    train.add_argument("--out", required=True, help="run folder: checkpoint/, losses.png, refiner.safetensors")
    train.add_argument("--resume", action="store_true", help="continue from the run folder's checkpoint")
    train.add_argument("--photos", nargs="*", default=[],
                       help="training photos: image files or folders (default: synthetic flights only)")
    train.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    train.add_argument("--threads", type=_positive_int,
                       help="CPU threads for torch (default: all cores; 1 is faster on a busy machine)")
    train.add_argument("--debug", action="store_true", help="show full tracebacks")


@dataclass
class Progress:
    """A one-line progress bar on stderr."""

    total: int
    enabled: bool = True
    width: int = 30

    def __post_init__(self) -> None:
        self.start = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self._last_shown = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        tenth = done * 10 // max(self.total, 1)
        if not self.tty and tenth == self._last_shown and done != self.total:
            return
        self._last_shown = tenth
        elapsed = time.perf_counter() - self.start
        fps = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / fps if fps > 0 else 0.0
        filled = self.width * done // max(self.total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\r" if self.tty and done < self.total else "\n"
        sys.stderr.write(f"[{bar}] {done}/{self.total}  {fps:.1f} fps  ETA {eta:.0f}s{end}")
        sys.stderr.flush()


def run_fly(args: argparse.Namespace) -> None:
    from infnat_core.export import open_writer
    from infnat_core.depth.factory import default_depth_estimator
    from infnat_core.flight.autopilot import config_for_speed
    from infnat_core.fly import autopilot_flight, path_flight, record
    from infnat_core.flight.path import load_path, resample, save_path
    from infnat_core.gl import process_context
    from infnat_core.render import MeshRenderer
    from infnat_core.scene import SceneConfig, load_scene
    from infnat_core.session import FlightSession, SessionConfig

    width, height = args.size
    path = None
    if args.path:
        path = load_path(args.path)
        if args.frames:
            path = resample(path, args.frames)
    n_frames = len(path.poses) if path is not None else (args.frames or 300)
    depth_cfg = DepthConfig(relief_scale=args.relief, near_clamp=args.near_clamp, sky_threshold=args.sky_threshold)
    with open_writer(args.out, fps=args.fps, size=(width, height)) as writer:  # refuses a bad --out before any work
        scene = load_scene(args.image, args.depth, SceneConfig(depth=depth_cfg), depth_kind=args.depth_kind,
                           near_is_bright=not args.far_is_bright)
        if not args.depth and not args.quiet:
            note = default_depth_estimator()[1]
            if note:
                print(f"infnat: {note}", file=sys.stderr)
        refiner = _load_refiner(args)
        session = FlightSession(scene, MeshRenderer(process_context()), refiner, width, height,
                                SessionConfig(refine_every=args.refine_every,
                                              detail_strength=SessionConfig.detail_strength if args.detail is None
                                              else args.detail))
        if path is not None:
            frames = path_flight(session, path)
        else:
            frames = autopilot_flight(session, n_frames, args.seed, config_for_speed(args.speed / args.fps))
        progress = Progress(n_frames, enabled=not args.quiet)
        poses = []  # poses only: a long flight must not keep its frames in memory
        for frame in frames:
            writer.write(frame.rgb)
            poses.append(frame.pose)
            progress.update(len(poses))
    if args.record:
        save_path(record(poses, session.intrinsics, args.fps, scene.photo.name), args.record)


def _load_refiner(args: argparse.Namespace):
    """The refiner asked for; an explicitly named but unusable weights file is an error, not a silent fallback."""
    from infnat_core.refiner.inference import load_refiner, shipped_weights

    if args.refiner:
        refiner, note = load_refiner(args.refiner, device=args.device)
        if note:
            raise InfnatError(note)
        return refiner
    refiner, note = load_refiner(shipped_weights(), device=args.device)
    if note and not args.quiet:
        print(f"infnat: {note}", file=sys.stderr)
    return refiner


def _add_eval_parser(sub: argparse._SubParsersAction) -> None:
    ev = sub.add_parser("eval", help="evaluate refiner weights against the classical fill",
                        description="Short-range (held-out synthetic flights), long-range (autopilot flights from "
                                    "photos) and speed evaluation; writes OUT/report.md and PNG figures.")
    ev.add_argument("--weights", required=True, help="refiner weights (.safetensors)")
    ev.add_argument("--out", required=True, help="report folder")
    ev.add_argument("--flights", type=_positive_int, default=8, help="held-out synthetic flights (default 8)")
    ev.add_argument("--steps", type=_positive_int, nargs="+", default=[1, 5, 10],
                    help="short-range steps to score (default 1 5 10)")
    ev.add_argument("--frames", type=_positive_int, default=1000, help="long-range autopilot frames (default 1000)")
    ev.add_argument("--photos", nargs="*", default=None,
                    help="photos for the long flights, not trained on (default: the bundled photo)")
    ev.add_argument("--no-fill-flights", action="store_true", help="skip the classical fill's long flights")
    ev.add_argument("--speed-repeats", type=int, default=5, help="timed refines per refiner (default 5; 0 skips)")
    ev.add_argument("--device", default="cpu", help="cpu, cuda or auto (default cpu)")
    ev.add_argument("--threads", type=_positive_int,
                    help="CPU threads for torch (default: all cores; 1 is faster on a busy machine)")
    ev.add_argument("--debug", action="store_true", help="show full tracebacks")


def run_eval(args: argparse.Namespace) -> None:
    import torch

    from infnat_core.evaluation.long_range import LongRangeConfig
    from infnat_core.evaluation.report import EvalConfig, evaluate
    from infnat_core.evaluation.short_range import ShortRangeConfig

    if args.threads:
        torch.set_num_threads(args.threads)
    config = EvalConfig(
        short_range=ShortRangeConfig(flights=args.flights, steps=tuple(sorted(set(args.steps))),
                                     examples=min(3, args.flights)),
        long_range=LongRangeConfig(frames=args.frames),
        photos=tuple(args.photos) if args.photos else (None,),
        long_range_fill=not args.no_fill_flights,
        speed_repeats=args.speed_repeats,
        device=args.device,
    )
    summary = evaluate(args.weights, args.out, config, log=lambda line: print(f"infnat: {line}", file=sys.stderr))
    verdict = "beats" if summary.beats_fill else "does not beat"
    print(f"infnat: wrote {Path(args.out) / 'report.md'}; the network {verdict} the classical fill at short range",
          file=sys.stderr)


def run_train(args: argparse.Namespace) -> None:
    started = time.monotonic()
    import torch

    from infnat_core.training.config import train_preset
    from infnat_core.training.pool import load_photos
    from infnat_core.training.trainer import train

    if args.threads:
        torch.set_num_threads(args.threads)
    train(train_preset(args.preset), args.out, args.steps, load_photos(args.photos), resume=args.resume,
          device=args.device, deadline=None if args.minutes is None else started + 60.0 * args.minutes,
          pool_workers=args.pool_workers)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``infnat fly|train|eval``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "fly":
            run_fly(args)
        elif args.command == "train":
            run_train(args)
        elif args.command == "eval":
            run_eval(args)
        return 0
    except InfnatError as exc:
        print(f"infnat: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("infnat: interrupted; no output written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line unless --debug
        if getattr(args, "debug", False):
            raise
        print(f"infnat: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
