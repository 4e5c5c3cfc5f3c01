"""Depth losses: a perfect prediction up to scale and shift costs nothing; orientation, sky and empty images."""

from __future__ import annotations

import torch

from infnat_core.training.depth_losses import align_batch, depth_losses, gradient_matching


def ground_truth(b: int = 2, h: int = 24, w: int = 32, sky_rows: int = 6) -> torch.Tensor:
    """``(b, 1, h, w)``: row-linear ground disparity 0.05 → 1 with bumps, under ``sky_rows`` rows at 0.01."""
    rows = torch.linspace(0.05, 1.0, h - sky_rows)[:, None].repeat(1, w)
    rows = rows * (1.0 + 0.2 * torch.sin(torch.arange(w) / 3.0))[None].clamp(max=1.0)
    gt = torch.full((b, 1, h, w), 0.01)
    gt[:, :, sky_rows:] = rows.clamp(0.02, 1.0)
    return gt


def sky_of(gt: torch.Tensor) -> torch.Tensor:
    """The sky share of ``ground_truth``'s frames: its rows at the floor."""
    return (gt <= 0.0101).float()


def with_sky_logit(disparity: torch.Tensor, logit: torch.Tensor) -> torch.Tensor:
    return torch.cat([disparity, logit.expand_as(disparity)], dim=1)


def test_align_batch_recovers_each_images_affine_map():
    gt = ground_truth()
    pred = torch.stack([3.0 * gt[0] + 1.0, 0.5 * gt[1] - 2.0])
    s, t = align_batch(pred, gt, gt > 0.0101)
    assert torch.allclose(s, torch.tensor([1 / 3, 2.0]), atol=1e-4)
    assert torch.allclose(t, torch.tensor([-1 / 3, 4.0]), atol=1e-4)


def test_affine_copy_of_the_truth_costs_nothing_and_wrong_way_round_is_penalised():
    gt = ground_truth()
    sky = (gt <= 0.0101).float() * 40.0 - 20.0  # confident, correct sky logits
    terms = depth_losses(with_sky_logit(5.0 * gt + 2.0, sky), gt, sky_of(gt))
    assert terms["relative"] < 1e-5 and terms["gradient"] < 1e-4 and terms["orientation"] == 0.0
    assert terms["sky"] < 1e-6
    flipped = depth_losses(with_sky_logit(-gt, sky), gt, sky_of(gt))
    assert flipped["orientation"] > 0.5


def test_losses_have_gradients_and_a_wrong_shape_costs_more():
    gt = ground_truth()
    pred = torch.rand_like(gt).requires_grad_(True)
    terms = depth_losses(with_sky_logit(pred, torch.zeros_like(gt)), gt, sky_of(gt))
    (terms["relative"] + terms["gradient"]).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert terms["relative"] > 0.1


def test_all_sky_batch_keeps_only_the_sky_term():
    gt = torch.full((2, 1, 8, 8), 0.01)
    terms = depth_losses(torch.zeros(2, 2, 8, 8, requires_grad=True), gt, torch.ones_like(gt))
    assert terms["relative"] == 0.0 and terms["gradient"] == 0.0 and terms["sky"] > 0.0


def test_far_terrain_at_the_floor_is_terrain_not_sky():
    gt = ground_truth()
    sky = sky_of(gt)
    far = torch.zeros_like(gt, dtype=torch.bool)
    far[..., 6:8, :] = True  # two rows of ridge beyond the far plane: at the floor, but not sky
    gt = torch.where(far, torch.full_like(gt, 0.01), gt)
    confident = lambda mask: mask.float() * 40.0 - 20.0  # noqa: E731
    right = depth_losses(with_sky_logit(5.0 * gt + 2.0, confident(sky > 0.5)), gt, sky)
    wrong = depth_losses(with_sky_logit(5.0 * gt + 2.0, confident((sky > 0.5) | far)), gt, sky)
    assert right["sky"] < 1e-6 and wrong["sky"] > 1.0
    assert right["relative"] < 1e-5  # the ridge is scored, at the floor's disparity
    flat = depth_losses(with_sky_logit(torch.where(far, 5.0 * 0.2 + 2.0, 5.0 * gt + 2.0), confident(sky > 0.5)),
                        gt, sky)
    assert flat["relative"] > right["relative"] + 0.05


def test_gradient_matching_ignores_steps_into_invalid_pixels():
    r = torch.zeros(1, 1, 8, 8)
    r[..., 4:] = 1.0
    valid = torch.ones(1, 1, 8, 8, dtype=torch.bool)
    assert gradient_matching(r, valid, scales=1) > 0.0
    valid[..., 4] = False  # the step sits next to an invalid column: no valid pair straddles it
    assert gradient_matching(r, valid, scales=1) == 0.0
