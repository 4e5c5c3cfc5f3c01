import torch

from infnat_core.training.discriminator import DiscriminatorConfig, MultiScaleDiscriminator

SMALL = DiscriminatorConfig(channels=(8, 16, 16, 32))


def test_default_shapes_per_scale():
    torch.manual_seed(0)
    features, logits = MultiScaleDiscriminator()(torch.rand(2, 4, 64, 96))
    assert [tuple(l.shape) for l in logits] == [(2, 1, 8, 12), (2, 1, 4, 6)]
    assert [[tuple(f.shape[1:]) for f in scale] for scale in features] == [
        [(64, 32, 48), (128, 16, 24), (256, 8, 12), (512, 8, 12)],
        [(64, 16, 24), (128, 8, 12), (256, 4, 6), (512, 4, 6)],
    ]


def test_number_of_scales_is_configurable():
    disc = MultiScaleDiscriminator(DiscriminatorConfig(channels=(8, 16, 16, 32), num_scales=3))
    features, logits = disc(torch.rand(1, 4, 64, 64))
    assert len(features) == len(logits) == 3
    assert logits[2].shape == (1, 1, 2, 2)


def test_scales_have_their_own_weights():
    disc = MultiScaleDiscriminator(SMALL)
    assert disc.scales[0].logit.weight.data_ptr() != disc.scales[1].logit.weight.data_ptr()


def test_gradients_reach_the_input_and_every_parameter():
    torch.manual_seed(0)
    disc = MultiScaleDiscriminator(SMALL)
    rgbd = torch.rand(2, 4, 32, 32, requires_grad=True)
    features, logits = disc(rgbd)
    (sum(l.mean() for l in logits) + sum(f.mean() for s in features for f in s)).backward()
    assert rgbd.grad.abs().sum() > 0
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in disc.parameters())


def test_spectral_norm_bounds_middle_convs():
    torch.manual_seed(0)
    disc = MultiScaleDiscriminator(SMALL)
    for _ in range(20):  # power iterations converge in training mode
        disc(torch.rand(1, 4, 32, 32))
    weight = disc.scales[0].convs[1].weight
    assert torch.linalg.matrix_norm(weight.flatten(1), ord=2).item() < 1.05
