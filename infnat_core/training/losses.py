"""Infinite Nature's training losses, each a pure function returning a scalar, and their weighted sums.

Generator: ``0.01·perceptual + 10·feature matching + 0.05·KL + 1.5·hinge adversarial + 0.5·L1(RGBD)``;
discriminator: ``1.5·hinge``. The perceptual term uses VGG16 (the shipped weights) instead of the reference's
VGG19, with per-layer weights recalibrated to keep the reference's balance (see
:data:`~infnat_core.training.perceptual.PERCEPTUAL_LAYER_WEIGHTS`), so its 0.01 carries over.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from infnat_core.training.discriminator import MultiScaleDiscriminator
from infnat_core.training.perceptual import VGG16Features, perceptual_loss


@dataclass(frozen=True)
class LossWeights:
    """Weight of each named loss in the totals (Infinite Nature's values)."""

    perceptual: float = 0.01
    """VGG16 perceptual loss on RGB."""
    feature_matching: float = 10.0
    """L1 between the discriminator's features on generated and real RGBD."""
    kl: float = 0.05
    """KL divergence of the style code's Gaussian from N(0, I)."""
    adversarial: float = 1.5
    """Generator's hinge loss (−mean logit of generated RGBD)."""
    rgbd_l1: float = 0.5
    """Mean absolute RGBD error."""
    discriminator: float = 1.5
    """Discriminator's hinge loss (its total)."""


def hinge_discriminator_loss(real_logits: list[torch.Tensor], fake_logits: list[torch.Tensor]) -> torch.Tensor:
    """Scalar mean over scales of ``mean(relu(1 − real)) + mean(relu(1 + fake))``.

    Zero once every real logit is ≥ 1 and every fake logit ≤ −1.
    """
    terms = [F.relu(1.0 - r).mean() + F.relu(1.0 + f).mean() for r, f in zip(real_logits, fake_logits, strict=True)]
    return torch.stack(terms).mean()


def hinge_generator_loss(fake_logits: list[torch.Tensor]) -> torch.Tensor:
    """Scalar mean over scales of ``−mean(fake)``: lower when the discriminator rates generated patches as real."""
    return torch.stack([-f.mean() for f in fake_logits]).mean()


def feature_matching_loss(
    real_features: list[list[torch.Tensor]], fake_features: list[list[torch.Tensor]]
) -> torch.Tensor:
    """Scalar mean over every (scale, layer) of ``mean|fake − real|``; the real features are constants."""
    terms = [
        (fake - real.detach()).abs().mean()
        for real_scale, fake_scale in zip(real_features, fake_features, strict=True)
        for real, fake in zip(real_scale, fake_scale, strict=True)
    ]
    return torch.stack(terms).mean()


def kl_loss(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) ‖ N(0, I)) for ``(B, D)`` codes: summed over D, averaged over the batch; 0 at N(0, I).

    (The reference sums over the batch as well; averaging keeps the weight independent of batch size.)
    """
    return (-0.5 * (1.0 + logvar - mu.square() - logvar.exp()).sum(dim=1)).mean()


def rgbd_l1_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Scalar mean absolute difference of RGBD ``(B, 4, H, W)``."""
    return (pred - target).abs().mean()


def generator_losses(
    pred_rgbd: torch.Tensor,
    target_rgbd: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    discriminator: MultiScaleDiscriminator | None,
    vgg: VGG16Features,
    weights: LossWeights = LossWeights(),
) -> dict[str, torch.Tensor]:
    """The generator's named losses and their weighted sum under ``"total"`` (all scalars).

    pred_rgbd, target_rgbd ``(B, 4, H, W)`` in [0, 1]; mu, logvar ``(B, style_dim)`` of the style encoder.
    Keys: ``perceptual``, ``feature_matching``, ``kl``, ``adversarial``, ``rgbd_l1``, ``total``. Gradients reach
    the generator (through ``pred_rgbd``) and the encoder; the discriminator's parameters receive gradients too,
    so step only the generator's optimizer on them. ``discriminator`` None (a run without adversarial terms)
    makes ``feature_matching`` and ``adversarial`` 0; a perceptual weight of 0 skips VGG16 (the term reads 0).
    """
    losses = {
        "perceptual": (perceptual_loss(vgg, pred_rgbd[:, :3], target_rgbd[:, :3]) if weights.perceptual
                       else pred_rgbd.new_zeros(())),
        "kl": kl_loss(mu, logvar),
        "rgbd_l1": rgbd_l1_loss(pred_rgbd, target_rgbd),
    }
    if discriminator is None:
        losses["feature_matching"] = losses["adversarial"] = pred_rgbd.new_zeros(())
    else:
        fake_features, fake_logits = discriminator(pred_rgbd)
        with torch.no_grad():
            real_features, _ = discriminator(target_rgbd)
        losses["feature_matching"] = feature_matching_loss(real_features, fake_features)
        losses["adversarial"] = hinge_generator_loss(fake_logits)
    losses["total"] = sum(getattr(weights, name) * value for name, value in losses.items())
    return losses


def discriminator_losses(
    pred_rgbd: torch.Tensor,
    target_rgbd: torch.Tensor,
    discriminator: MultiScaleDiscriminator,
    weights: LossWeights = LossWeights(),
) -> dict[str, torch.Tensor]:
    """The discriminator's hinge loss (``"hinge"``) and its weighted total (``"total"``), both scalars.

    pred_rgbd (detached here: no gradient reaches the generator) and target_rgbd ``(B, 4, H, W)`` in [0, 1].
    """
    _, fake_logits = discriminator(pred_rgbd.detach())
    _, real_logits = discriminator(target_rgbd)
    hinge = hinge_discriminator_loss(real_logits, fake_logits)
    return {"hinge": hinge, "total": weights.discriminator * hinge}
