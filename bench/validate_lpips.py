"""Validate LPIPS-VGG and calibrate/time the VGG16 perceptual loss on real landscape photos (run by hand).

Get the photos (CC-BY / CC-BY-SA / CC0, not shipped)::

    cd /tmp && apt-get download lomiri-wallpapers-16.04 && dpkg -x lomiri-wallpapers-16.04_*.deb /tmp/lomiri
    .venv/bin/python bench/validate_lpips.py /tmp/lomiri/usr/share/backgrounds

Prints, over 256² crops of each photo (downscaled so its short side is ``--short-side`` pixels first):

* mean LPIPS for Gaussian noise σ=10/255, a radius-2 Gaussian blur, JPEG quality 10, two different photos, and
  the largest LPIPS of an image against itself (expected ≈0.35, ≈0.33, ≈0.45, ≈0.69 and exactly 0);
* per-tap mean |Δfeature| of VGG16 under the three degradations, the divisors behind
  ``PERCEPTUAL_LAYER_WEIGHTS``;
* the time of one perceptual-loss forward+backward at the refiner's 160×256 (batch 4) as a ratio to a
  forward+backward of the slim refiner generator measured in the same run.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter

from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.generator import SPADEGenerator
from infnat_core.training.perceptual import TAP_NAMES, load_lpips, load_vgg16, perceptual_loss

PHOTOS = (
    "aitzgorri_by_Aitzol_Berasategi.jpg",
    "picosdeeuropa_by_Aitzol_Berasategi.jpg",
    "life_by_Aitzol_Berasategi.jpg",
    "sunset_by_Aitzol_Berasategi.jpg",
    "Bridge_by_Sander_Klootwijk.jpg",
    "seeding_by_Clements_Engelhardt.jpg",
)
CROP = 256


def crops(path: Path, short_side: int, per_photo: int) -> list[Image.Image]:
    """``per_photo`` 256² crops spread along the long axis of a photo downscaled to ``short_side``."""
    image = Image.open(path).convert("RGB")
    scale = short_side / min(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    out = []
    for k in range(per_photo):
        f = (k + 0.5) / per_photo
        left = round(f * (image.width - CROP))
        top = round(f * (image.height - CROP))
        out.append(image.crop((left, top, left + CROP, top + CROP)))
    return out


def noisy(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    a = np.asarray(image, dtype=np.float64) + rng.normal(0.0, 10.0, (CROP, CROP, 3))
    return Image.fromarray(np.clip(np.round(a), 0, 255).astype(np.uint8))


def blurred(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius=2))


def jpeg(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=10)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def to_tensor(images: list[Image.Image]) -> torch.Tensor:
    """``(N, 3, 256, 256)`` float32 in [0, 1]."""
    return torch.from_numpy(np.stack([np.asarray(i) for i in images])).permute(0, 3, 1, 2).float() / 255.0


def tap_differences(vgg, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Mean |Δfeature| ``(5,)`` of each tap between batches x and y."""
    with torch.no_grad():
        return np.array([(a - b).abs().mean().item() for a, b in zip(vgg(x), vgg(y))])


def time_call(fn, repeats: int) -> float:
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("photos", type=Path, help="folder with the lomiri-wallpapers-16.04 photos")
    parser.add_argument("--short-side", type=int, default=512, help="downscale photos to this short side first")
    parser.add_argument("--per-photo", type=int, default=3, help="256² crops per photo")
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats")
    args = parser.parse_args()
    torch.manual_seed(0)
    rng = np.random.default_rng(0)

    per_photo = [crops(args.photos / name, args.short_side, args.per_photo) for name in PHOTOS]
    clean = [c for photo in per_photo for c in photo]
    other = [c for photo in per_photo[1:] + per_photo[:1] for c in photo]
    x = to_tensor(clean)
    cases = {
        "noise sigma=10/255": to_tensor([noisy(c, rng) for c in clean]),
        "blur radius 2": to_tensor([blurred(c) for c in clean]),
        "JPEG q10": to_tensor([jpeg(c) for c in clean]),
        "different photo": to_tensor(other),
    }
    metric = load_lpips()
    print(f"LPIPS-VGG over {len(clean)} crops of {CROP}² from {len(PHOTOS)} photos (short side {args.short_side})")
    with torch.no_grad():
        for name, y in cases.items():
            d = torch.cat([metric(x[i : i + 6], y[i : i + 6]) for i in range(0, len(x), 6)])
            print(f"  {name:20s} mean {d.mean():.3f}  min {d.min():.3f}  max {d.max():.3f}")
        same = torch.cat([metric(x[i : i + 6], x[i : i + 6].clone()) for i in range(0, len(x), 6)])
        print(f"  {'identical':20s} max {same.abs().max().item():.3g}")

    vgg = load_vgg16()
    degradations = [cases[k] for k in ("noise sigma=10/255", "blur radius 2", "JPEG q10")]
    diffs = np.mean([tap_differences(vgg, x, y) for y in degradations], axis=0)
    print("perceptual calibration: mean |dfeature| over noise, blur, JPEG per tap")
    print("  " + "  ".join(f"{n} {d:.3f}" for n, d in zip(TAP_NAMES, diffs)))

    pred = x[:4, :, :160, :].clone().requires_grad_(True)
    target = cases["blur radius 2"][:4, :, :160, :]
    generator = SPADEGenerator(RefinerConfig())
    condition, z = torch.rand(4, 5, 160, 256), torch.randn(4, 256)
    with torch.no_grad():
        print(f"perceptual loss on 4 crops of 160x256 vs blur: {perceptual_loss(vgg, pred, target).item():.3f}")

    def generator_step() -> None:
        generator(condition, z).square().mean().backward()

    def perceptual_step() -> None:
        perceptual_loss(vgg, pred, target).backward()

    base = time_call(generator_step, args.repeats)
    cost = time_call(perceptual_step, args.repeats)
    print(f"timing (torch threads {torch.get_num_threads()}), batch 4 at 160x256, forward+backward:")
    print(f"  slim refiner generator (baseline) {base * 1e3:.0f} ms")
    print(f"  VGG16 perceptual loss             {cost * 1e3:.0f} ms  = {cost / base:.2f}x baseline")


if __name__ == "__main__":
    main()
