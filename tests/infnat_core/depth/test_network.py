import warnings

import numpy as np
import pytest
import torch
from torch import nn

from infnat_core.depth import NetworkDepthConfig, NetworkDepthEstimator
from infnat_core.errors import InfnatError

pytestmark = pytest.mark.filterwarnings("ignore:.*torch.jit:DeprecationWarning")


class Brightness(nn.Module):
    """A stand-in depth network: 'disparity' = local mean of the (normalised) input, shape (1, h, w)."""

    def __init__(self, in_channels: int = 3, out_channels: int = 1, scale: float = 1.0, relu: bool = False):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False, padding_mode="replicate")
        nn.init.constant_(self.conv.weight, scale / (9 * in_channels))
        self.relu = relu

    def forward(self, x):
        y = torch.relu(x) if self.relu else x
        return self.conv(y)[:, 0] if self.conv.out_channels == 1 else self.conv(y)


def export_onnx(model, path, shape=(1, 3, 48, 64), dynamic=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.rand(*shape),), str(path), dynamo=False, input_names=["image"],
                          dynamic_axes={"image": {2: "h", 3: "w"}} if dynamic else None)
    return path


def export_torchscript(model, path, shape=(1, 3, 48, 64)):
    torch.jit.trace(model, torch.rand(*shape)).save(str(path))
    return path


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    d = tmp_path_factory.mktemp("nets")
    return {
        "onnx": export_onnx(Brightness(), d / "bright.onnx"),
        "onnx_fixed": export_onnx(Brightness(), d / "fixed.onnx", dynamic=False),
        "ts": export_torchscript(Brightness(), d / "bright.pt"),
    }


def half_bright(h=90, w=120):
    img = np.full((h, w, 3), 0.2, dtype=np.float32)
    img[:, : w // 2] = 0.8
    return img


class TestNetworkEstimate:
    def test_onnx_and_torchscript_agree_and_follow_the_network(self, models):
        img = half_bright()
        a = NetworkDepthEstimator(models["onnx"]).estimate(img)
        b = NetworkDepthEstimator(models["ts"]).estimate(img)
        assert a.disparity.shape == (90, 120) and a.disparity.dtype == np.float32
        np.testing.assert_allclose(a.disparity, b.disparity, atol=1e-4)
        assert a.disparity[:, :50].mean() > 0.95 and a.disparity[:, 70:].mean() < 0.05  # bright half is near
        assert a.disparity.min() == 0.0 and a.disparity.max() == 1.0
        assert not a.sky.any()

    def test_far_is_bright_output_is_mirrored(self, models):
        d = NetworkDepthEstimator(models["onnx"], near_is_bright=False).estimate(half_bright()).disparity
        assert d[:, :50].mean() < 0.05

    def test_fixed_size_model_gets_its_own_size(self, models):
        net = NetworkDepthEstimator(models["onnx_fixed"], NetworkDepthConfig(input_size=(384, 384)))
        assert net.input_size(1023, 1536) == (48, 64)
        assert net.estimate(half_bright(101, 150)).disparity.shape == (101, 150)

    def test_input_size_from_config(self, models):
        assert NetworkDepthEstimator(models["ts"]).input_size(1023, 1536) == (384, 384)
        keep = NetworkDepthEstimator(models["ts"], NetworkDepthConfig(input_size=None, long_side=128))
        assert keep.input_size(1023, 1536) == (96, 128)
        assert keep.input_size(1536, 1023) == (128, 96)

    def test_input_mean_and_std_are_applied(self, tmp_path):
        path = export_torchscript(Brightness(relu=True), tmp_path / "relu.pt")
        img = np.full((90, 120, 3), 0.1, dtype=np.float32)
        img[:, 40:80], img[:, 80:] = 0.3, 0.9
        mid = (slice(None), slice(50, 70))
        plain = NetworkDepthConfig(mean=(0.0, 0.0, 0.0), std=(1.0, 1.0, 1.0))
        d = NetworkDepthEstimator(path, plain).estimate(img).disparity
        assert d[mid].mean() == pytest.approx(0.25, abs=0.01)  # (0.3 − 0.1) / (0.9 − 0.1)
        centred = NetworkDepthConfig(mean=(0.5, 0.5, 0.5), std=(1.0, 1.0, 1.0))
        d = NetworkDepthEstimator(path, centred).estimate(img).disparity
        assert d[mid].mean() == pytest.approx(0.0, abs=0.01)  # 0.3 − 0.5 < 0 is cut by the ReLU


class TestBadNetworks:
    def test_random_bytes(self, tmp_path):
        (tmp_path / "m.onnx").write_bytes(b"\x08\x07 definitely not protobuf" * 10)
        with pytest.raises(InfnatError, match="cannot load depth network 'm.onnx'"):
            NetworkDepthEstimator(tmp_path / "m.onnx")

    def test_weights_checkpoint_instead_of_torchscript(self, tmp_path):
        torch.save(Brightness().state_dict(), tmp_path / "weights.pth")
        with pytest.raises(InfnatError, match="TorchScript"):
            NetworkDepthEstimator(tmp_path / "weights.pth")

    def test_missing_file(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist"):
            NetworkDepthEstimator(tmp_path / "midas.onnx")

    def test_wrong_input_channels_onnx(self, tmp_path):
        path = export_onnx(Brightness(in_channels=1), tmp_path / "grey.onnx", shape=(1, 1, 48, 64))
        with pytest.raises(InfnatError, match=r"\(1, 3, H, W\)"):
            NetworkDepthEstimator(path)

    def test_wrong_input_channels_torchscript_fails_on_first_image(self, tmp_path):
        net = NetworkDepthEstimator(export_torchscript(Brightness(in_channels=4), tmp_path / "m.pt", (1, 4, 48, 64)))
        with pytest.raises(InfnatError, match="failed on a 384×384 input"):
            net.estimate(half_bright())

    def test_output_that_is_not_one_map(self, tmp_path):
        net = NetworkDepthEstimator(export_onnx(Brightness(out_channels=3), tmp_path / "rgb_out.onnx"))
        with pytest.raises(InfnatError, match=r"returned shape \(1, 3, 384, 384\)"):
            net.estimate(half_bright())

    def test_constant_output(self, tmp_path):
        net = NetworkDepthEstimator(export_torchscript(Brightness(scale=0.0), tmp_path / "flat.pt"))
        with pytest.raises(InfnatError, match="constant"):
            net.estimate(half_bright())
