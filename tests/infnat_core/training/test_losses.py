import pytest
import torch

from infnat_core.training.discriminator import DiscriminatorConfig, MultiScaleDiscriminator
from infnat_core.training.losses import (
    LossWeights,
    discriminator_losses,
    feature_matching_loss,
    generator_losses,
    hinge_discriminator_loss,
    hinge_generator_loss,
    kl_loss,
    rgbd_l1_loss,
)
from infnat_core.training.perceptual import VGG16Features


class TestHinge:
    def test_discriminator_loss_is_zero_for_confident_correct_logits(self):
        real = [torch.full((2, 1, 4, 4), 2.0), torch.full((2, 1, 2, 2), 1.0)]
        fake = [torch.full((2, 1, 4, 4), -3.0), torch.full((2, 1, 2, 2), -1.0)]
        assert hinge_discriminator_loss(real, fake).item() == 0.0

    def test_discriminator_loss_penalises_wrong_logits(self):
        real, fake = [torch.zeros(1, 1, 2, 2)], [torch.full((1, 1, 2, 2), 0.5)]
        assert hinge_discriminator_loss(real, fake).item() == pytest.approx(1.0 + 1.5)

    def test_generator_loss_falls_as_fakes_look_real(self):
        confident, doubtful = torch.full((1, 1, 2, 2), 2.0), torch.full((1, 1, 2, 2), -2.0)
        assert hinge_generator_loss([confident]) < hinge_generator_loss([doubtful])
        assert hinge_generator_loss([confident, torch.zeros(1, 1, 1, 1)]).item() == pytest.approx(-1.0)


def test_feature_matching_zero_for_equal_and_real_side_constant():
    real = [[torch.ones(1, 2, 4, 4, requires_grad=True), torch.zeros(1, 3, 2, 2)]]
    fake = [[torch.full((1, 2, 4, 4), 3.0, requires_grad=True), torch.zeros(1, 3, 2, 2)]]
    assert feature_matching_loss(real, [[t.detach() for t in real[0]]]).item() == 0.0
    loss = feature_matching_loss(real, fake)
    assert loss.item() == pytest.approx((2.0 + 0.0) / 2)
    loss.backward()
    assert fake[0][0].grad is not None and real[0][0].grad is None


def test_kl_is_zero_at_standard_normal_and_positive_elsewhere():
    zeros = torch.zeros(3, 8)
    assert kl_loss(zeros, zeros).item() == 0.0
    assert kl_loss(torch.ones(3, 8), zeros).item() == pytest.approx(0.5 * 8)
    assert kl_loss(zeros, torch.full((3, 8), 1.0)).item() > 0


def test_rgbd_l1_value():
    pred = torch.zeros(1, 4, 2, 2)
    target = pred.clone()
    target[:, 3] = 1.0
    assert rgbd_l1_loss(pred, target).item() == pytest.approx(0.25)


@pytest.fixture
def nets():
    torch.manual_seed(0)
    disc = MultiScaleDiscriminator(DiscriminatorConfig(channels=(8, 16, 16, 32)))
    return disc, VGG16Features((4, 8, 8, 8, 8)).requires_grad_(False)


class TestTotals:
    def test_generator_total_is_the_weighted_sum_and_reaches_generator(self, nets):
        disc, vgg = nets
        pred = torch.rand(2, 4, 32, 32, requires_grad=True)
        mu, logvar = torch.randn(2, 16, requires_grad=True), torch.zeros(2, 16)
        weights = LossWeights()
        losses = generator_losses(pred, torch.rand(2, 4, 32, 32), mu, logvar, disc, vgg, weights)
        assert set(losses) == {"perceptual", "feature_matching", "kl", "adversarial", "rgbd_l1", "total"}
        assert all(v.ndim == 0 for v in losses.values())
        expected = sum(getattr(weights, k) * v for k, v in losses.items() if k != "total")
        torch.testing.assert_close(losses["total"], expected)
        losses["total"].backward()
        assert pred.grad.abs().sum() > 0 and mu.grad.abs().sum() > 0

    def test_weights_change_the_total(self, nets):
        disc, vgg = nets
        pred, target, mu = torch.rand(1, 4, 32, 32), torch.rand(1, 4, 32, 32), torch.zeros(1, 4)
        only_l1 = LossWeights(perceptual=0, feature_matching=0, kl=0, adversarial=0, rgbd_l1=1)
        losses = generator_losses(pred, target, mu, mu, disc, vgg, only_l1)
        torch.testing.assert_close(losses["total"], rgbd_l1_loss(pred, target))

    def test_terms_weighted_zero_are_not_computed(self, nets):
        _, vgg = nets
        pred, target, mu = torch.rand(1, 4, 32, 32), torch.rand(1, 4, 32, 32), torch.zeros(1, 4)
        only_l1 = LossWeights(perceptual=0, feature_matching=0, kl=0, adversarial=0, rgbd_l1=1)
        calls = []
        vgg.register_forward_hook(lambda *args: calls.append(1))
        losses = generator_losses(pred, target, mu, mu, None, vgg, only_l1)
        assert not calls  # neither VGG16 nor a discriminator ran
        assert losses["perceptual"] == losses["adversarial"] == losses["feature_matching"] == 0
        torch.testing.assert_close(losses["total"], rgbd_l1_loss(pred, target))

    def test_discriminator_total_trains_the_discriminator_only(self, nets):
        disc, _ = nets
        pred = torch.rand(2, 4, 32, 32, requires_grad=True)
        losses = discriminator_losses(pred, torch.rand(2, 4, 32, 32), disc)
        assert set(losses) == {"hinge", "total"}
        assert losses["total"].item() == pytest.approx(1.5 * losses["hinge"].item())
        losses["total"].backward()
        assert pred.grad is None
        assert all(p.grad is not None for p in disc.parameters())
