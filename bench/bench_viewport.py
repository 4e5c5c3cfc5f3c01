"""Desktop app benchmark: viewport fps at 1280×720 while the worker refines vs idle, refine latency, and key press →
pose change latency — all in one run of the real window (needs an X server).

Run by hand:  xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python bench/bench_viewport.py [--refiner network]
``--refiner network`` times a randomly initialised slim SPADE network (the default config; for timing only — the app
never shows such output) instead of the classical fill. Prints a markdown table with the machine and date.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import itertools
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.refine_worker import RefineWorkerConfig
from app.sliders_dock import SliderValues
from app.viewport import ViewportConfig
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder
from infnat_core.refiner.inference import load_refiner
from infnat_core.refiner.weights import save_weights

VIEW_SIZE = (1280, 720)
LAYERS = {"world": (True, True), "photo": (True, False), "bare": (False, False)}
"""Benchmarked layer settings: (photo layer, persistent world)."""


def wait(app: QApplication, seconds: float) -> None:
    """Run Qt's event loop for ``seconds``, as the app's own loop runs (no polling)."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


def random_network_weights(folder: Path) -> Path:
    """Slim SPADE weights with random values (timing only)."""
    config = RefinerConfig()
    path = folder / "random_refiner.safetensors"
    save_weights(path, SPADEGenerator(config).eval(), StyleEncoder(config).eval(), config)
    return path


def measure_phase(app: QApplication, window: MainWindow, seconds: float, refine: bool) -> dict[str, float]:
    """Fly under the autopilot for ``seconds`` with refinement on/off; frame times and refine latencies."""
    values = window.sliders.values()
    window.sliders.set_values(dataclasses.replace(values, refine_enabled=refine, trigger_threshold=0.0))
    window.controller.reset_camera()
    window.controller.set_autopilot(True)
    wait(app, 1.0)  # settle
    frames: list[float] = []
    latencies: list[float] = []
    busy = {"since": None, "total": 0.0}

    def on_latency(latency: float, *_: object) -> None:
        latencies.append(latency)

    def on_busy(is_busy: bool) -> None:
        now = time.perf_counter()
        if is_busy:
            busy["since"] = now
        elif busy["since"] is not None:
            busy["total"] += now - busy["since"]
            busy["since"] = None

    window.viewport.frame_drawn.connect(frames.append)
    window.controller.keyframe_refined.connect(on_latency)
    window.worker.busy_changed.connect(on_busy)
    start = time.perf_counter()
    wait(app, seconds)
    elapsed = time.perf_counter() - start
    window.viewport.frame_drawn.disconnect(frames.append)
    window.controller.keyframe_refined.disconnect(on_latency)
    window.worker.busy_changed.disconnect(on_busy)
    window.controller.set_autopilot(False)
    frame_ms = np.array(frames) * 1000
    return {
        "fps": len(frames) / elapsed,
        "p95_frame_ms": float(np.percentile(frame_ms, 95)) if len(frame_ms) else float("nan"),
        "refines": len(latencies),
        "latency_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "worker_busy": busy["total"] / elapsed,
    }


def key_latency(app: QApplication, window: MainWindow, trials: int) -> tuple[float, float]:
    """Median ms and frames from a W press to the first displayed frame whose pose moved."""
    ms, frames = [], []
    for _ in range(trials):
        window.controller.reset_camera()
        wait(app, 0.3)
        start_pose = window.controller.pose.copy()
        seen: list[tuple[float, np.ndarray]] = []

        def on_frame(dt: float, pose: np.ndarray, holes: float) -> None:
            seen.append((time.perf_counter(), pose))

        window.controller.frame_stepped.connect(on_frame)
        t0 = time.perf_counter()
        QTest.keyPress(window.viewport, Qt.Key.Key_W)
        while not any(not np.allclose(p, start_pose) for _, p in seen) and time.perf_counter() - t0 < 2:
            app.processEvents()
        QTest.keyRelease(window.viewport, Qt.Key.Key_W)
        window.controller.frame_stepped.disconnect(on_frame)
        moved = next(i for i, (_, p) in enumerate(seen) if not np.allclose(p, start_pose))
        ms.append(1000 * (seen[moved][0] - t0))
        frames.append(moved + 1)
    return statistics.median(ms), statistics.median(frames)


def median_of(phases: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(p[k] for p in phases) for k in phases[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refiner", choices=["fill", "network"], default="fill")
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=3, help="idle/refining phase pairs (medians are reported)")
    parser.add_argument("--torch-threads", type=int, nargs="+", default=[1])
    parser.add_argument("--layers", choices=list(LAYERS), nargs="+", default=["world", "bare"],
                        help="world: photo layer + persistent world (the defaults), photo: photo layer only, "
                             "bare: the refined keyframe alone")
    parser.add_argument("--max-fps", type=float, default=0.0, help="viewport frame cap (0 = uncapped)")
    parser.add_argument("--detail", type=float, nargs="+", default=[SliderValues().detail_strength],
                        help="Ground detail strengths to measure (0 = no detail texture; default the app's)")
    args = parser.parse_args()

    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="infnat-bench-"))
    weights = random_network_weights(folder) if args.refiner == "network" else None
    rows = []
    key = None
    renderer = ""
    for threads, layers, detail in itertools.product(args.torch_threads, args.layers, args.detail):
        worker_config = RefineWorkerConfig(torch_threads=threads)

        def loader():
            return load_refiner(weights, device="cpu")

        settings = QSettings(str(folder / f"s{threads}{layers}{detail}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, loader, worker_config, viewport_config=ViewportConfig(max_fps=args.max_fps))
        window.sliders.hide()
        window.diagnostics.hide()
        window.show()
        window.viewport.setFixedSize(*VIEW_SIZE)
        window.open_image(None)
        wait(app, 1.0)
        window.sliders.photo_layer.setChecked(LAYERS[layers][0])
        window.sliders.persistent_world.setChecked(LAYERS[layers][1])
        window.sliders.detail.set_value(detail)
        wait(app, 1.0)
        assert window.viewport.pixel_size() == VIEW_SIZE, window.viewport.pixel_size()
        renderer = window.viewport.renderer.ctx.info["GL_RENDERER"]
        idle, busy = [], []
        for _ in range(args.rounds):
            idle.append(measure_phase(app, window, args.seconds, refine=False))
            busy.append(measure_phase(app, window, args.seconds, refine=True))
        if key is None:
            key = key_latency(app, window, 10)
        rows.append((threads, layers, detail, median_of(idle), median_of(busy)))
        window.close()

    print(f"\n### Viewport benchmark — {datetime.date.today()}, {platform.machine()}, {renderer}, "
          f"refiner: {args.refiner}, viewport {VIEW_SIZE[0]}×{VIEW_SIZE[1]}, cap {args.max_fps or 'none'}, "
          f"medians of {args.rounds} × {args.seconds:g} s phases under the autopilot\n")
    print("| torch threads | layers | ground detail | idle fps | refining fps | ratio | p95 frame ms idle / refining | "
          "refines/s | refine latency ms (median) | worker busy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for threads, layers, detail, idle, busy in rows:
        print(f"| {threads} | {layers} | {detail:g} | {idle['fps']:.1f} | {busy['fps']:.1f} | "
              f"{busy['fps'] / idle['fps']:.2f} | "
              f"{idle['p95_frame_ms']:.0f} / {busy['p95_frame_ms']:.0f} | {busy['refines'] / args.seconds:.1f} | "
              f"{busy['latency_ms']:.0f} | {busy['worker_busy']:.0%} |")
    print(f"\nKey press → first moved frame: median {key[0]:.1f} ms, {key[1]:.0f} frame(s) after the press.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
