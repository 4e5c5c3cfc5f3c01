"""Photo loading benchmark: file → ``load_image`` → ``working_image`` for 12 MP and 50 MP JPEGs.

Run by hand:  .venv/bin/python bench/bench_load.py [--repeats 3] [--max-side 384]

Each (method, file) runs in a fresh Python process so its peak memory (VmHWM above the process's footprint after
imports; Linux only, as ru_maxrss would inherit the parent's peak across exec) is its own. Baseline in the same run:
the obvious Pillow code (open, ``ImageOps.exif_transpose``, ``np.asarray``, then the same ``working_image``).
Prints a markdown table with times as ratios to that baseline.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infnat_core.image_io import load_image, working_image  # noqa: E402

DEFAULT_IMAGE = REPO / "assets" / "default.jpg"


def make_jpeg(path: Path, megapixels: float, orientation: int) -> None:
    """Upscale the bundled photo to about ``megapixels`` and save it as a quality-90 JPEG with an EXIF orientation."""
    src = Image.open(DEFAULT_IMAGE)
    w = round((megapixels * 1e6 * src.width / src.height) ** 0.5)
    h = round(w * src.height / src.width)
    exif = Image.Exif()
    exif[0x0112] = orientation
    src.resize((w, h), Image.Resampling.BICUBIC).save(path, quality=90, exif=exif)


def baseline_load(path: Path) -> np.ndarray:
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    return np.asarray(im)


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (Linux /proc)."""
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmHWM"].split()[0]) / 1024


def run_case(method: str, path: Path, repeats: int, max_side: int) -> dict:
    """Time one method on one file in this process; return seconds per stage and peak memory."""
    load = load_image if method == "infnat" else baseline_load
    footprint = peak_rss_mb()
    load_s, work_s = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        rgb = load(path)
        rgb = rgb.rgb if method == "infnat" else rgb
        t1 = time.perf_counter()
        working_image(rgb, max_side)
        t2 = time.perf_counter()
        load_s.append(t1 - t0)
        work_s.append(t2 - t1)
        shape = rgb.shape
        del rgb
    peak_mb = peak_rss_mb() - footprint
    return {"load": statistics.median(load_s), "work": statistics.median(work_s), "peak_mb": peak_mb, "shape": shape}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-side", type=int, default=384)
    parser.add_argument("--case", nargs=2, metavar=("METHOD", "FILE"), help=argparse.SUPPRESS)  # child process
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case[0], Path(args.case[1]), args.repeats, args.max_side)))
        return

    print(f"Photo loading — {platform.processor() or platform.machine()}, {date.today()}, "
          f"median of {args.repeats}, working image max side {args.max_side}\n")  # fmt: skip
    print("| file | method | load s | working_image s | total s | total vs baseline | peak MB |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        files = [("12 MP JPEG", 12, 1), ("50 MP JPEG", 50, 1), ("50 MP JPEG, EXIF rotated", 50, 6)]
        for label, mp, orientation in files:
            path = Path(tmp) / f"{mp}mp_o{orientation}.jpg"
            make_jpeg(path, mp, orientation)
            results = {}
            for method in ("baseline", "infnat"):
                cmd = [sys.executable, __file__, "--repeats", str(args.repeats), "--max-side", str(args.max_side),
                       "--case", method, str(path)]  # fmt: skip
                results[method] = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            base_total = results["baseline"]["load"] + results["baseline"]["work"]
            for method, r in results.items():
                total = r["load"] + r["work"]
                h, w = r["shape"][:2]
                print(f"| {label} ({w}×{h}) | {method} | {r['load']:.2f} | {r['work']:.2f} | {total:.2f} | "
                      f"{total / base_total:.2f} | {r['peak_mb']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
