import numpy as np
import pytest
import torch
from PIL import Image, ImageFilter
from safetensors.torch import save_file

from infnat_core.errors import InfnatError
from infnat_core.scene import DEFAULT_IMAGE
from infnat_core.training.perceptual import (
    DEFAULT_WEIGHTS,
    LPIPS,
    VGG16Features,
    load_lpips,
    load_vgg16,
    lpips,
    perceptual_loss,
)


def _tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)[None]


@pytest.fixture(scope="module")
def photo():
    """The shipped landscape at 160×106, as a PIL image."""
    image = Image.open(DEFAULT_IMAGE).convert("RGB")
    return image.resize((160, round(160 * image.height / image.width)), Image.LANCZOS)


@pytest.fixture(scope="module")
def crops(photo):
    """Two different 64×64 crops of the landscape ``(1, 3, 64, 64)``, and a blurred copy of the first."""
    first, second = photo.crop((0, 30, 64, 94)), photo.crop((90, 30, 154, 94))
    return _tensor(first), _tensor(second), _tensor(first.filter(ImageFilter.GaussianBlur(2)))


@pytest.fixture(scope="module")
def metric():
    return load_lpips()


@pytest.fixture(scope="module")
def vgg():
    return load_vgg16()


def _noisy(x: torch.Tensor, sigma: float) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return (x + sigma * torch.randn(x.shape, generator=generator)).clamp(0, 1)


class TestShippedLPIPS:
    def test_identical_images_are_exactly_zero(self, metric, crops):
        x = torch.cat([crops[0], crops[1]])
        assert torch.equal(metric(x, x.clone()), torch.zeros(2))

    def test_distance_grows_with_noise(self, metric, crops):
        x = crops[0]
        small, large = metric(x, _noisy(x, 2 / 255)), metric(x, _noisy(x, 20 / 255))
        assert 0 < small.item() < large.item()

    def test_blur_is_closer_than_another_view(self, metric, crops):
        first, second, blurred = crops
        assert 0 < metric(first, blurred).item() < metric(first, second).item()

    def test_is_symmetric_and_batched(self, metric, crops):
        first, second, blurred = crops
        batch = metric(torch.cat([first, first]), torch.cat([second, blurred]))
        assert batch.shape == (2,)
        torch.testing.assert_close(batch[0], metric(second, first)[0], rtol=1e-4, atol=1e-6)

    def test_function_uses_the_shipped_weights(self, metric, crops):
        torch.testing.assert_close(lpips(crops[0], crops[1]), metric(crops[0], crops[1]))

    def test_weights_are_frozen(self, metric):
        assert not any(p.requires_grad for p in metric.parameters())

    def test_a_mask_scores_only_its_region(self, metric, crops):
        first = crops[0]
        damaged = first.clone()
        damaged[..., :, 40:] = _noisy(first, 30 / 255)[..., :, 40:]  # noise in the right part only
        right, left = torch.zeros(1, 1, 64, 64), torch.zeros(1, 1, 64, 64)
        right[..., :, 44:] = 1.0
        left[..., :, :20] = 1.0
        inside, outside, whole = (metric(first, damaged, m).item() for m in (right, left, None))
        assert inside > 2 * whole > 0  # the damage is concentrated where the mask looks
        assert outside < 0.5 * whole  # far from it, little is seen (deep layers still look across)
        torch.testing.assert_close(metric(first, damaged, torch.ones(1, 1, 64, 64)), metric(first, damaged),
                                   rtol=0.05, atol=1e-4)  # a full mask is the plain distance, up to upsampling


class TestPerceptualLoss:
    def test_zero_for_identical_and_grows_with_error(self, vgg, crops):
        x = crops[0]
        assert perceptual_loss(vgg, x, x.clone()).item() == 0.0
        small = perceptual_loss(vgg, _noisy(x, 2 / 255), x).item()
        assert 0 < small < perceptual_loss(vgg, _noisy(x, 20 / 255), x).item()

    def test_gradient_reaches_prediction_only(self, vgg, crops):
        pred = crops[2].clone().requires_grad_(True)
        target = crops[0].clone().requires_grad_(True)
        perceptual_loss(vgg, pred, target).backward()
        assert pred.grad is not None and pred.grad.abs().sum() > 0
        assert target.grad is None
        assert all(p.grad is None for p in vgg.parameters())


class TestTinyRandomVGG:
    """Shapes and plumbing without the shipped file."""

    WIDTHS = (4, 8, 8, 12, 12)

    def test_taps_halve_per_stage(self):
        taps = VGG16Features(self.WIDTHS)(torch.rand(2, 3, 32, 48))
        expected = [(2, 4, 32, 48), (2, 8, 16, 24), (2, 8, 8, 12), (2, 12, 4, 6), (2, 12, 2, 3)]
        assert [tuple(t.shape) for t in taps] == expected

    def test_lpips_shape_and_identity(self):
        torch.manual_seed(0)
        metric = LPIPS(self.WIDTHS)
        x, y = torch.rand(3, 3, 32, 32), torch.rand(3, 3, 32, 32)
        assert metric(x, y).shape == (3,)
        assert torch.equal(metric(x, x), torch.zeros(3))

    def test_rejects_non_rgb(self):
        with pytest.raises(ValueError, match="RGB"):
            VGG16Features(self.WIDTHS)(torch.rand(1, 4, 32, 32))


class TestWeightsFile:
    def test_shipped_file_is_half_precision_and_small(self):
        assert DEFAULT_WEIGHTS.stat().st_size < 35e6

    def test_missing_file_says_what_to_do(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist.*convert_lpips"):
            load_lpips(tmp_path / "nope.safetensors")

    def test_corrupt_file(self, tmp_path):
        broken = tmp_path / "broken.safetensors"
        broken.write_bytes(DEFAULT_WEIGHTS.read_bytes()[:1000])
        with pytest.raises(InfnatError, match="truncated or corrupt"):
            load_vgg16(broken)

    def test_foreign_safetensors_file(self, tmp_path):
        other = tmp_path / "other.safetensors"
        save_file({"w": torch.zeros(2)}, str(other))
        with pytest.raises(InfnatError, match="not a VGG16/LPIPS weights file"):
            load_lpips(other)

    def test_file_for_another_shape(self, tmp_path):
        small = tmp_path / "small.safetensors"
        save_file(LPIPS((4, 8, 8, 8, 8)).state_dict(), str(small), metadata={"format": "infnat-vgg16-lpips"})
        with pytest.raises(InfnatError, match="does not fit"):
            load_lpips(small)
