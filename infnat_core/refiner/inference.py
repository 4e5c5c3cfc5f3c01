"""Refiners as the engine and GUI use them: numpy in, numpy out, at any render size.

``NetworkRefiner`` runs the trained SPADE generator; ``FillRefiner`` is the classical fallback that needs no
weights. ``load_refiner`` picks one and says why when it falls back. A randomly initialised network is never used:
the network refiner only exists by loading a weights file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F

from infnat_core.errors import InfnatError
from infnat_core.fill import fill_holes
from infnat_core.grounding import ground_disparity
from infnat_core.refiner.config import RefinerConfig
from infnat_core.refiner.edges import keep_mask
from infnat_core.refiner.generator import SPADEGenerator, StyleEncoder, make_condition, rgbd_from_output
from infnat_core.refiner.weights import load_weights


DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "assets" / "refiner.safetensors"
"""Where shipped refiner weights live."""


def shipped_weights() -> Path | None:
    """``DEFAULT_WEIGHTS`` when the file is shipped, else None (the classical fill)."""
    return DEFAULT_WEIGHTS if DEFAULT_WEIGHTS.is_file() else None


class Refiner(Protocol):
    """Paints what a render could not show: holes, torn depth edges, out-of-frame borders."""

    name: str
    """Shown to the user, e.g. ``"SPADE (assets/refiner.safetensors, cpu)"`` or ``"classical fill"``."""

    def set_style(self, rgb: np.ndarray, disparity: np.ndarray, seed: int = 0) -> None:
        """Fix the look of a flight from its first keyframe: rgb ``(H, W, 3)`` float32 in [0, 1], disparity
        ``(H, W)`` float32 in [0, 1]. Call once per flight, before :meth:`refine`. ``seed`` 0 is the photo's own
        look; other seeds vary it reproducibly (refiners without a style ignore it)."""

    def refine(self, rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Refine a render of any size: rgb ``(H, W, 3)``, disparity ``(H, W)`` and mask ``(H, W)`` float32 in
        [0, 1] (mask 1 = valid rendered content, 0 = hole / torn edge / out of frame). Returns rgb ``(H, W, 3)``
        and disparity ``(H, W)`` float32 in [0, 1]."""


class FillRefiner:
    """Classical push-pull fill (:mod:`infnat_core.fill`); needs no weights and has no style."""

    name = "classical fill"

    def set_style(self, rgb: np.ndarray, disparity: np.ndarray, seed: int = 0) -> None:
        """Nothing to do: the fill has no style."""

    def refine(self, rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """See :meth:`Refiner.refine`."""
        return fill_holes(rgb, disparity, mask)


class NetworkRefiner:
    """The SPADE generator from a weights file, run at its own resolution and composited back at render size.

    The render is resized (antialiased) to the network's resolution, refined, its disparity grounded to the
    rendered geometry (:func:`infnat_core.grounding.ground_disparity`), upsampled bilinearly, and composited:
    the output weight of the rendered pixels is ``keep · (1 − blend)``, where ``keep`` is the render's mask, less
    the pixels along depth edges when the network's config has an ``edge_band``
    (:func:`infnat_core.refiner.edges.paint_mask`), so with ``blend = 0`` the pixels it keeps have their full render
    resolution and the network paints only holes (and that band). The band is found at the render's size and
    resized with the render for the network: at its own size (where it is trained and evaluated) the network sees
    the band it was trained on; in a render several times larger it sees a thinner, fainter one. A residual network
    (``RefinerConfig.residual``) sees the render filled by the classical fill at full size; only its correction
    is resized, so what it leaves unchanged keeps the fill's full resolution.
    """

    def __init__(
        self, weights_path: str | Path, device: str = "auto", blend: float = 0.0, threads: int | None = None
    ) -> None:
        """Load ``weights_path`` (``InfnatError`` if unusable). ``device``: "auto" (CUDA when available, else
        CPU), "cpu", "cuda", "cuda:1"…; ``blend`` in [0, 1]: how much the network may repaint valid pixels;
        ``threads``: torch's process-wide CPU thread count, or None to leave it as it is."""
        if not 0.0 <= blend <= 1.0:
            raise InfnatError(f"refiner blend {blend} is out of range; use a value in [0, 1]")
        if threads is not None:
            if threads < 1:
                raise InfnatError(f"refiner threads {threads} is invalid; use 1 or more")
            torch.set_num_threads(threads)
        resolved = resolve_device(device)
        generator, encoder, config = load_weights(weights_path, resolved)
        self._setup(generator, encoder, config, float(blend), f"SPADE ({weights_path}, {resolved.type})")

    @classmethod
    def from_networks(cls, generator: SPADEGenerator, encoder: StyleEncoder, config: RefinerConfig,
                      name: str = "SPADE (in training)") -> NetworkRefiner:
        """A refiner around networks already in memory (in eval mode, on their own device), e.g. a training
        run's current ones; ``blend`` 0."""
        refiner = cls.__new__(cls)
        refiner._setup(generator, encoder, config, 0.0, name)
        return refiner

    def _setup(self, generator: SPADEGenerator, encoder: StyleEncoder, config: RefinerConfig, blend: float,
               name: str) -> None:
        self.device = next(generator.parameters()).device
        self.blend = blend
        self.generator, self.encoder, self.config = generator, encoder, config
        self.name = name
        self._style: torch.Tensor | None = None

    def set_style(self, rgb: np.ndarray, disparity: np.ndarray, seed: int = 0) -> None:
        """See :meth:`Refiner.set_style`. ``seed`` 0 uses the encoder's mean (Infinite Nature's choice); any
        other seed draws ``z = mu + sigma * eps`` reproducibly, so one photo can be flown in several looks."""
        with torch.inference_mode():
            rgbd = self._to_network(np.concatenate([rgb, disparity[..., None]], axis=-1))
            mu, logvar = self.encoder(rgbd)
            if seed != 0:
                noise = torch.randn(mu.shape, generator=torch.Generator().manual_seed(seed)).to(mu.device)
                mu = mu + torch.exp(0.5 * logvar) * noise
            self._style = mu

    def refine(self, rgb: np.ndarray, disparity: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """See :meth:`Refiner.refine`. Raises ``RuntimeError`` if :meth:`set_style` was never called."""
        if self._style is None:
            raise RuntimeError("NetworkRefiner.refine called before set_style; set the flight's style first")
        height, width = mask.shape
        residual = self.config.residual
        keep = keep_mask(mask, disparity, self.config.edge_band)
        if residual:  # the network corrects the fill, solved here at full size
            rgb, disparity = fill_holes(rgb, disparity, mask)
        with torch.inference_mode():
            small = self._to_network(np.concatenate([rgb, disparity[..., None], keep[..., None]], axis=-1))
            refined = rgbd_from_output(self.generator(make_condition(small[:, :4], small[:, 4:]), self._style))
            refined = refined.clamp(0.0, 1.0).cpu()
            small_cpu = small[0].cpu().numpy()
            grounded = ground_disparity(small_cpu[3], refined[0, 3].numpy(), small_cpu[4])
            refined[0, 3] = torch.from_numpy(grounded)
            if residual:  # only the correction is upsampled: the fill keeps its full resolution
                refined = refined - small.cpu()[:, :4]
            if (height, width) != refined.shape[-2:]:
                refined = F.interpolate(refined, size=(height, width), mode="bilinear", align_corners=False)
            out = np.moveaxis(refined[0].numpy(), 0, -1)
            if residual:
                out = np.clip(out + np.concatenate([rgb, disparity[..., None]], axis=-1), 0.0, 1.0)
        keep = keep * (1.0 - self.blend)
        out_rgb = keep[..., None] * rgb + (1.0 - keep[..., None]) * out[..., :3]
        out_disp = keep * disparity + (1.0 - keep) * out[..., 3]
        return out_rgb.astype(np.float32, copy=False), out_disp.astype(np.float32, copy=False)

    def _to_network(self, image: np.ndarray) -> torch.Tensor:
        """``(H, W, C)`` numpy → ``(1, C, h, w)`` float32 on the device at the network's resolution."""
        tensor = torch.from_numpy(np.ascontiguousarray(np.moveaxis(image.astype(np.float32, copy=False), -1, 0)))
        tensor = tensor[None].to(self.device)
        size = (self.config.height, self.config.width)
        if tensor.shape[-2:] != size:
            tensor = F.interpolate(tensor, size=size, mode="bilinear", align_corners=False, antialias=True)
        return tensor


def resolve_device(device: str) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; any other torch device string as given.

    Raises ``InfnatError`` for an unknown device or CUDA requested on a machine without it.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise InfnatError(f"unknown device {device!r}; use 'auto', 'cpu' or 'cuda'") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise InfnatError(f"device {device!r} requested but CUDA is not available; use 'auto' or 'cpu'")
    return resolved


def load_refiner(
    weights_path: str | Path | None, device: str = "auto", *, blend: float = 0.0, threads: int | None = None
) -> tuple[Refiner, str | None]:
    """The network refiner for ``weights_path``, or the classical fill plus a one-line reason when the path is
    None, missing or unusable. ``device``, ``blend``, ``threads``: see :class:`NetworkRefiner`."""
    if weights_path is None:
        return FillRefiner(), "no refiner weights configured; using classical fill"
    if not Path(weights_path).is_file():
        return FillRefiner(), f"no refiner weights at {weights_path}; using classical fill"
    try:
        return NetworkRefiner(weights_path, device=device, blend=blend, threads=threads), None
    except InfnatError as exc:
        return FillRefiner(), f"{exc} (using classical fill)"
