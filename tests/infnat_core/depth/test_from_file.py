import numpy as np
import pytest
from PIL import Image

from infnat_core.depth import DepthMapFile
from infnat_core.errors import InfnatError


def ramp(h=20, w=30):
    """Left-to-right ramp 0..1 ``(h, w)``."""
    return np.tile(np.linspace(0.0, 1.0, w), (h, 1))


def rgb(h=20, w=30):
    return np.full((h, w, 3), 0.5, dtype=np.float32)


class TestReadingFormats:
    def test_8bit_png(self, tmp_path):
        Image.fromarray((ramp() * 255).round().astype(np.uint8)).save(tmp_path / "d.png")
        d = DepthMapFile(tmp_path / "d.png").estimate(rgb()).disparity
        np.testing.assert_allclose(d, ramp(), atol=1 / 255)

    def test_16bit_png_keeps_its_precision(self, tmp_path):
        values = (1000 + np.arange(600).reshape(20, 30)).astype(np.uint16)  # 600 levels in a narrow band
        Image.fromarray(values).save(tmp_path / "d16.png")
        d = DepthMapFile(tmp_path / "d16.png").disparity
        assert len(np.unique(d)) == 600

    def test_grey_rgb_jpeg_tiff_and_npy(self, tmp_path):
        grey = (ramp() * 255).round().astype(np.uint8)
        Image.fromarray(np.stack([grey] * 3, axis=-1)).save(tmp_path / "rgb.png")
        Image.fromarray(grey).save(tmp_path / "g.jpg", quality=95)
        Image.fromarray(ramp().astype(np.float32)).save(tmp_path / "f.tif")
        np.save(tmp_path / "a.npy", ramp()[None, :, :, None])  # singleton axes are squeezed
        for name in ("rgb.png", "g.jpg", "f.tif", "a.npy"):
            d = DepthMapFile(tmp_path / name).estimate(rgb()).disparity
            np.testing.assert_allclose(d, ramp(), atol=0.03, err_msg=name)

    def test_kind_and_convention(self, tmp_path):
        np.save(tmp_path / "depth.npy", np.tile([1.0, 2.0, 4.0], (4, 1)))
        d = DepthMapFile(tmp_path / "depth.npy", kind="depth", near_is_bright=False).disparity
        np.testing.assert_allclose(d[0], [1.0, 1 / 3, 0.0], rtol=1e-6)
        d = DepthMapFile(tmp_path / "depth.npy", kind="disparity", near_is_bright=False).disparity
        np.testing.assert_allclose(d[0], [1.0, 2 / 3, 0.0], rtol=1e-6)

    def test_colour_mapped_picture_is_refused(self, tmp_path):
        t = ramp()
        Image.fromarray((np.stack([t, 1 - t, 0.5 * t], -1) * 255).astype(np.uint8)).save(tmp_path / "c.png")
        with pytest.raises(InfnatError, match="colour"):
            DepthMapFile(tmp_path / "c.png")


class TestSizes:
    def test_same_aspect_is_resized_bilinearly(self, tmp_path):
        np.save(tmp_path / "d.npy", ramp(20, 30))
        d = DepthMapFile(tmp_path / "d.npy").estimate(rgb(61, 90)).disparity  # 1.5 vs 1.475: within 2%
        assert d.shape == (61, 90)
        assert np.all(np.diff(d[30]) >= 0) and d[30, 0] < 0.02 and d[30, -1] > 0.98

    def test_different_aspect_names_both_sizes(self, tmp_path):
        np.save(tmp_path / "d.npy", ramp(480, 640))
        with pytest.raises(InfnatError, match=r"640×480 but the image is 1536×1023 \(different aspect ratio"):
            DepthMapFile(tmp_path / "d.npy").estimate(rgb(1023, 1536))


class TestBrokenFiles:
    @pytest.mark.parametrize("name, content", [
        ("broken.png", b"\x89PNG\r\n\x1a\n garbage"), ("empty.png", b""), ("text.tif", b"not a tiff at all"),
        ("broken.npy", b"\x93NUMPY garbage"),
    ])
    def test_unreadable_files(self, tmp_path, name, content):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(InfnatError, match="cannot read depth map"):
            DepthMapFile(tmp_path / name)

    def test_missing_file_and_folder(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist"):
            DepthMapFile(tmp_path / "nope.png")
        with pytest.raises(InfnatError, match="folder"):
            DepthMapFile(tmp_path)

    @pytest.mark.parametrize("array, match", [
        (np.zeros((2, 3, 4)), "shape"), (np.array([1 + 2j, 3j]).reshape(1, 2), "complex"),
        (np.full((4, 4), 7.0), "constant"), (np.array([[0.0, np.nan], [1.0, 2.0]]), "NaN"),
    ])
    def test_unusable_arrays(self, tmp_path, array, match):
        np.save(tmp_path / "d.npy", array)
        with pytest.raises(InfnatError, match=match):
            DepthMapFile(tmp_path / "d.npy")

    def test_pickled_object_array_is_not_loaded(self, tmp_path):
        np.save(tmp_path / "d.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
        with pytest.raises(InfnatError, match="cannot read depth map"):
            DepthMapFile(tmp_path / "d.npy")
