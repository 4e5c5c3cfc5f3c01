"""Figures drawn with Pillow (matplotlib is not a dependency): line charts and labelled contact sheets."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from infnat_core.image_io import as_uint8

PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127))
"""Line colours, in series order."""


def line_chart(series: Mapping[str, Sequence[tuple[float, float]]], path: str | Path, title: str = "",
               log_y: bool = False, size: tuple[int, int] = (720, 420)) -> None:
    """Save a PNG line chart of named ``(x, y)`` series (non-finite points skipped; ``log_y`` skips y ≤ 0)."""
    width, height = size
    left, right, top, bottom = 64, 150, 28, 36
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    clean = {name: [(float(x), float(y)) for x, y in points
                    if math.isfinite(x) and math.isfinite(y) and (y > 0 or not log_y)]
             for name, points in series.items()}
    xs = [x for pts in clean.values() for x, _ in pts]
    ys = [math.log10(y) if log_y else y for pts in clean.values() for _, y in pts]
    draw.text((left, 8), title, fill="black")
    draw.rectangle((left, top, width - right, height - bottom), outline="black")
    if xs:
        x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1.0
        y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1.0

        def to_px(x: float, y: float) -> tuple[float, float]:
            yy = math.log10(y) if log_y else y
            return (left + (x - x0) / (x1 - x0) * (width - right - left),
                    height - bottom - (yy - y0) / (y1 - y0) * (height - bottom - top))

        for k in range(5):
            fy = y0 + (y1 - y0) * k / 4
            py = height - bottom - (height - bottom - top) * k / 4
            label = f"{10 ** fy:.3g}" if log_y else f"{fy:.3g}"
            draw.line((left - 4, py, left, py), fill="black")
            draw.text((4, py - 6), label, fill="black")
            fx = x0 + (x1 - x0) * k / 4
            px = left + (width - right - left) * k / 4
            draw.line((px, height - bottom, px, height - bottom + 4), fill="black")
            draw.text((px - 10, height - bottom + 8), f"{fx:.4g}", fill="black")
        for index, (name, pts) in enumerate(clean.items()):
            colour = PALETTE[index % len(PALETTE)]
            if len(pts) > 1:
                draw.line([to_px(x, y) for x, y in pts], fill=colour, width=2)
            elif pts:
                px, py = to_px(*pts[0])
                draw.ellipse((px - 2, py - 2, px + 2, py + 2), fill=colour)
            draw.line((width - right + 10, top + 8 + 16 * index, width - right + 30, top + 8 + 16 * index),
                      fill=colour, width=3)
            draw.text((width - right + 34, top + 2 + 16 * index), name, fill="black")
    image.save(path)


def contact_sheet(rows: Sequence[Sequence[np.ndarray]], labels: Sequence[Sequence[str]], path: str | Path,
                  tile_width: int = 256) -> None:
    """Save a PNG grid: ``rows[r][c]`` rgb ``(H, W, 3)`` float32 in [0, 1] (or uint8), each labelled underneath.

    Every tile is resized to ``tile_width`` wide, keeping its aspect; rows may differ in length.
    """
    label_h = 16
    tiles = [[Image.fromarray(as_uint8(np.asarray(t))) for t in row] for row in rows]
    tiles = [[t.resize((tile_width, max(1, round(t.height * tile_width / t.width))), Image.Resampling.LANCZOS)
              for t in row] for row in tiles]
    tile_h = max((t.height for row in tiles for t in row), default=1)
    cols = max((len(row) for row in tiles), default=1)
    sheet = Image.new("RGB", (cols * tile_width, len(tiles) * (tile_h + label_h)), "white")
    draw = ImageDraw.Draw(sheet)
    for r, row in enumerate(tiles):
        for c, tile in enumerate(row):
            y = r * (tile_h + label_h)
            sheet.paste(tile, (c * tile_width, y))
            draw.text((c * tile_width + 4, y + tile_h + 2), labels[r][c], fill="black")
    sheet.save(path)
