import pytest
import torch

from infnat_core.refiner.normalization import SPADE


def _spade_with_constant_modulation(gamma: float, beta: float) -> SPADE:
    layer = SPADE(channels=3, cond_channels=5, hidden=4)
    with torch.no_grad():
        for conv, bias in ((layer.gamma, gamma), (layer.beta, beta)):
            conv.weight.zero_()
            conv.bias.fill_(bias)
    return layer


class TestSPADE:
    def test_shape_with_condition_of_another_size(self):
        layer = SPADE(channels=6, cond_channels=5, hidden=8)
        out = layer(torch.randn(2, 6, 5, 8), torch.randn(2, 5, 40, 64))
        assert out.shape == (2, 6, 5, 8)

    def test_constant_modulation_scales_and_shifts_normalised_input(self):
        layer = _spade_with_constant_modulation(gamma=1.0, beta=3.0)
        x = 10.0 + 5.0 * torch.randn(1, 3, 16, 16)
        out = layer(x, torch.randn(1, 5, 16, 16))
        mean, std = out.mean(dim=(2, 3)), out.std(dim=(2, 3), unbiased=False)
        torch.testing.assert_close(mean, torch.full((1, 3), 3.0), atol=1e-4, rtol=0)
        torch.testing.assert_close(std, torch.full((1, 3), 2.0), atol=1e-3, rtol=0)

    def test_modulation_follows_the_condition_spatially(self):
        torch.manual_seed(0)
        layer = SPADE(channels=3, cond_channels=5, hidden=4)
        x = torch.randn(1, 3, 16, 16)
        cond = torch.zeros(1, 5, 16, 16)
        changed = cond.clone()
        changed[..., :, 8:] = 1.0  # change only the right half of the condition
        with torch.no_grad():
            delta = (layer(x, changed) - layer(x, cond)).abs()
        assert float(delta[..., :, :6].max()) == pytest.approx(0.0, abs=1e-6)  # 3×3 convs reach 2 px past the change
        assert delta[..., :, 10:].mean() > 1e-3
