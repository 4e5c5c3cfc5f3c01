"""Contact sheet of training samples, to look at what the refiner will learn from.

    python -m infnat_core.data.preview docs/data_samples.png --photos PHOTO.jpg ...

Rows: synthetic flight samples, then photo round-trip samples (photos get the engine's default depth estimate).
Columns: warped input rgb · mask · target rgb · target disparity · first frame; every tile at half resolution.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from infnat_core.data.photos import Photo, PhotoRoundTrip, load_photo
from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.depth import DepthConfig, apply_depth_config, make_depth_estimator


def sample_row(sample: dict[str, torch.Tensor], scale: float = 0.5) -> np.ndarray:
    """``(h, 5·w, 3)`` uint8 strip of one sample's input, mask, target, target disparity and first frame."""

    def rgb(t: torch.Tensor) -> np.ndarray:
        return t[:3].permute(1, 2, 0).numpy()

    def grey(t: torch.Tensor) -> np.ndarray:
        return np.repeat(t.permute(1, 2, 0).numpy(), 3, axis=-1)

    tiles = [rgb(sample["rgbd_in"]), grey(sample["mask"]), rgb(sample["rgbd_target"]),
             grey(sample["rgbd_target"][3:4]), rgb(sample["rgbd_first"])]
    h, w = tiles[0].shape[:2]
    size = (round(w * scale), round(h * scale))
    out = [np.asarray(Image.fromarray((t * 255 + 0.5).astype(np.uint8)).resize(size, Image.Resampling.BOX))
           for t in tiles]
    return np.concatenate(out, axis=1)


def photo_with_depth(path: Path, max_side: int = 512) -> Photo:
    """A photo with the engine's default depth estimate at ``max_side`` pixels."""
    with Image.open(path) as image:
        small = image.convert("RGB")
        small.thumbnail((max_side, max_side))
    estimate = make_depth_estimator(None).estimate(np.asarray(small, dtype=np.float32) / 255.0)
    return load_photo(path, apply_depth_config(estimate, DepthConfig()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--photos", type=Path, nargs="*", default=[])
    parser.add_argument("--synthetic", type=int, default=5, help="synthetic rows")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rows = []
    synthetic = SyntheticFlights(seed=args.seed)
    per_flight = synthetic.config.samples_per_flight
    rows += [sample_row(synthetic[i * per_flight]) for i in range(args.synthetic)]
    if args.photos:
        photos = PhotoRoundTrip([photo_with_depth(p) for p in args.photos], seed=args.seed)
        rows += [sample_row(photos[i]) for i in range(len(args.photos))]
    sheet = Image.fromarray(np.concatenate(rows, axis=0))
    sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(args.out, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB, {len(rows)} rows)")


if __name__ == "__main__":
    main()
