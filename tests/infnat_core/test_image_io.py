import errno
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from infnat_core.errors import InfnatError
from infnat_core.image_io import ALPHA_BACKGROUND, LoadedImage, load_image, save_png, working_image

BG = np.array(ALPHA_BACKGROUND)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png16(path: Path, pixels: np.ndarray, colour_type: int) -> Path:
    """A 16-bit PNG written by hand (Pillow cannot write 16-bit RGB): colour_type 0 grey, 2 RGB, 6 RGBA."""
    h, w = pixels.shape[:2]
    rows = b"".join(b"\x00" + pixels[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    data = _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", zlib.compress(rows)) + _png_chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + data)
    return path


def _save(path: Path, image: Image.Image, **params) -> Path:
    image.save(path, **params)
    return path


def _random_rgb(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


class TestLoadImage:
    def test_png_pixels_exact_and_read_only(self, tmp_path):
        rgb = _random_rgb(400, 1200)  # taller than one copy strip
        loaded = load_image(_save(tmp_path / "photo.png", Image.fromarray(rgb)))
        assert isinstance(loaded, LoadedImage)
        assert loaded.name == "photo.png" and loaded.path == tmp_path / "photo.png"
        assert loaded.rgb.dtype == np.uint8
        np.testing.assert_array_equal(loaded.rgb, rgb)
        with pytest.raises(ValueError):
            loaded.rgb[0, 0, 0] = 1

    @pytest.mark.parametrize("fmt,suffix", [("JPEG", "jpg"), ("WEBP", "webp"), ("TIFF", "tif"), ("BMP", "bmp")])
    def test_common_formats(self, tmp_path, fmt, suffix):
        rgb = np.zeros((32, 48, 3), np.uint8)
        rgb[:, :24] = (200, 40, 30)
        rgb[:, 24:] = (20, 90, 220)
        loaded = load_image(_save(tmp_path / f"a.{suffix}", Image.fromarray(rgb), format=fmt, quality=95))
        assert loaded.rgb.shape == (32, 48, 3)
        assert np.abs(loaded.rgb[4:-4, 4:20].astype(int) - (200, 40, 30)).max() <= 6
        assert np.abs(loaded.rgb[4:-4, 28:-4].astype(int) - (20, 90, 220)).max() <= 6

    # Where the stored top-left corner is displayed, and whether width and height swap, per EXIF orientation.
    @pytest.mark.parametrize(
        "orientation,corner,swapped",
        [(1, "tl", False), (2, "tr", False), (3, "br", False), (4, "bl", False),
         (5, "tl", True), (6, "tr", True), (7, "br", True), (8, "bl", True)],
    )  # fmt: skip
    def test_exif_orientation(self, tmp_path, orientation, corner, swapped):
        stored = np.full((32, 64, 3), 255, np.uint8)
        stored[:16, :16] = (255, 0, 0)  # marks the stored top-left corner
        exif = Image.Exif()
        exif[0x0112] = orientation
        loaded = load_image(_save(tmp_path / "r.jpg", Image.fromarray(stored), exif=exif, quality=95)).rgb
        assert loaded.shape == ((64, 32, 3) if swapped else (32, 64, 3))
        h, w = loaded.shape[:2]
        rows = slice(2, 14) if corner[0] == "t" else slice(h - 14, h - 2)
        cols = slice(2, 14) if corner[1] == "l" else slice(w - 14, w - 2)
        np.testing.assert_allclose(loaded[rows, cols].mean(axis=(0, 1)), (255, 0, 0), atol=8)

    def test_16bit_grey_png_is_scaled_not_clipped(self, tmp_path):
        grey = np.array([[100, 257, 32896, 40000, 50000]], np.uint16)  # not the full range: no stretching either
        loaded = load_image(_save(tmp_path / "g16.png", Image.fromarray(grey))).rgb
        np.testing.assert_array_equal(loaded[0, :, 0], [0, 1, 128, 156, 195])
        np.testing.assert_array_equal(loaded[..., 0], loaded[..., 2])

    @pytest.mark.parametrize("colour_type", [2, 6])
    def test_16bit_rgb_png(self, tmp_path, colour_type):
        rgb16 = np.array([[[0, 32768, 65535], [1000, 50000, 65280], [12850, 25700, 51400]]], np.uint16)
        pixels = rgb16 if colour_type == 2 else np.concatenate([rgb16, np.full((1, 3, 1), 65535, np.uint16)], -1)
        loaded = load_image(_png16(tmp_path / "c16.png", pixels, colour_type)).rgb
        np.testing.assert_allclose(loaded, np.round(rgb16 / 257), atol=1)

    def test_16bit_big_endian_tiff(self, tmp_path):
        grey = np.array([[500, 1000, 30000, 40000]], np.uint16)
        image = Image.frombytes("I;16B", (4, 1), grey.astype(">u2").tobytes())
        loaded = load_image(_save(tmp_path / "b.tif", image)).rgb
        np.testing.assert_array_equal(loaded[0, :, 1], [2, 4, 117, 156])

    @pytest.mark.parametrize(
        "values,expected",
        [([0, 100, 255], [0, 100, 255]),  # 8-bit data in a 32-bit container
         ([300, 5000, 60000], [1, 19, 233]),  # 16-bit data
         ([-1000, 0, 1000], [0, 128, 255])],  # anything else: min-max
    )  # fmt: skip
    def test_32bit_integer_grey(self, tmp_path, values, expected):
        image = Image.fromarray(np.array([values], np.int32))
        loaded = load_image(_save(tmp_path / "i.tif", image)).rgb
        np.testing.assert_array_equal(loaded[0, :, 0], expected)

    @pytest.mark.parametrize(
        "values,expected",
        [([0.0, 0.5, 1.0], [0, 128, 255]),  # [0, 1]: scaled by 255
         ([-2.0, 3.0, 8.0], [0, 128, 255]),  # other ranges: min-max
         ([0.2, float("nan"), 0.4], [51, 0, 102])],  # NaN is black
    )  # fmt: skip
    def test_float_grey(self, tmp_path, values, expected):
        image = Image.fromarray(np.array([values], np.float32))
        loaded = load_image(_save(tmp_path / "f.tif", image)).rgb
        np.testing.assert_array_equal(loaded[0, :, 0], expected)

    def test_palette_with_transparency(self, tmp_path):
        image = Image.new("P", (4, 2))
        image.putpalette([0, 0, 0, 250, 20, 10] + [0] * 762)
        image.paste(1, (0, 0, 2, 2))  # left half: colour 1; right half: colour 0, transparent
        loaded = load_image(_save(tmp_path / "p.png", image, transparency=0)).rgb
        np.testing.assert_array_equal(loaded[:, :2], np.broadcast_to((250, 20, 10), (2, 2, 3)))
        np.testing.assert_array_equal(loaded[:, 2:], np.broadcast_to(BG, (2, 2, 3)))

    def test_rgba_is_composited_over_neutral_background(self, tmp_path):
        rgba = np.array([[[255, 0, 0, 255], [255, 0, 0, 0], [255, 0, 0, 128]]], np.uint8)
        loaded = load_image(_save(tmp_path / "a.png", Image.fromarray(rgba))).rgb.astype(int)
        np.testing.assert_array_equal(loaded[0, 0], (255, 0, 0))
        np.testing.assert_array_equal(loaded[0, 1], BG)
        np.testing.assert_allclose(loaded[0, 2], 128 / 255 * np.array([255, 0, 0]) + 127 / 255 * BG, atol=1)

    def test_grey_with_alpha(self, tmp_path):
        la = Image.fromarray(np.array([[[10, 255], [240, 0]]], np.uint8), mode="LA")
        loaded = load_image(_save(tmp_path / "la.png", la)).rgb
        np.testing.assert_array_equal(loaded[0], [(10, 10, 10), tuple(BG)])

    @pytest.mark.parametrize("mode,value,expected", [("L", 77, 77), ("1", 1, 255)])
    def test_greyscale_and_bilevel(self, tmp_path, mode, value, expected):
        loaded = load_image(_save(tmp_path / "l.png", Image.new(mode, (5, 3), value))).rgb
        assert loaded.shape == (3, 5, 3)
        assert (loaded == expected).all()

    def test_cmyk_jpeg(self, tmp_path):
        # Pillow writes CMYK JPEGs the way Photoshop does (Adobe marker, inverted values): reading must undo that.
        cmyk = Image.new("CMYK", (64, 16))
        for i, ink in enumerate([(0, 255, 255, 0), (0, 0, 0, 255), (0, 0, 0, 0), (255, 0, 255, 0)]):
            cmyk.paste(ink, (16 * i, 0, 16 * i + 16, 16))
        path = _save(tmp_path / "cmyk.jpg", cmyk, quality=100)
        assert Image.open(path).info.get("adobe")
        loaded = load_image(path).rgb.astype(int)
        for i, rgb in enumerate([(255, 0, 0), (0, 0, 0), (255, 255, 255), (0, 255, 0)]):
            np.testing.assert_allclose(loaded[4:12, 16 * i + 4 : 16 * i + 12].mean(axis=(0, 1)), rgb, atol=4)

    def test_animated_gif_gives_first_frame(self, tmp_path):
        frames = [Image.new("RGB", (8, 8), c) for c in [(255, 0, 0), (0, 0, 255)]]
        path = _save(tmp_path / "anim.gif", frames[0], save_all=True, append_images=frames[1:])
        np.testing.assert_array_equal(load_image(path).rgb[4, 4], (255, 0, 0))

    def test_large_image_within_limit_loads(self, tmp_path):
        loaded = load_image(_save(tmp_path / "w.png", Image.new("RGB", (3000, 1000), (1, 2, 3))), max_pixels=3_000_000)
        assert loaded.rgb.shape == (1000, 3000, 3)


def _error(path, **kwargs) -> str:
    with pytest.raises(InfnatError) as info:
        load_image(path, **kwargs)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    return message


class TestLoadImageErrors:
    def test_missing(self, tmp_path):
        assert "no such file" in _error(tmp_path / "nope.jpg")

    def test_folder(self, tmp_path):
        assert "folder" in _error(tmp_path)

    def test_empty(self, tmp_path):
        (tmp_path / "e.png").write_bytes(b"")
        assert "empty" in _error(tmp_path / "e.png")

    def test_not_an_image(self, tmp_path):
        (tmp_path / "noise.png").write_bytes(np.random.default_rng(1).bytes(5000))
        assert "not an image" in _error(tmp_path / "noise.png")

    def test_text_file_with_image_suffix(self, tmp_path):
        (tmp_path / "notes.jpg").write_text("hello")
        assert "not an image" in _error(tmp_path / "notes.jpg")

    @pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
    def test_truncated(self, tmp_path, fmt):
        path = _save(tmp_path / f"t.{fmt.lower()}", Image.fromarray(_random_rgb(64, 64)), format=fmt)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        assert "truncated or corrupt" in _error(path)

    def test_bomb_header(self, tmp_path):
        # A tiny PNG whose header claims 100000 x 100000 pixels: refused before any decoding.
        ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
        idat = zlib.compress(b"\x00" * 1000)
        data = _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
        (tmp_path / "bomb.png").write_bytes(b"\x89PNG\r\n\x1a\n" + data)
        assert "200,000,000 pixels" in _error(tmp_path / "bomb.png")

    def test_over_max_pixels(self, tmp_path):
        path = _save(tmp_path / "big.png", Image.new("RGB", (12, 12)))  # 144 px: Pillow would only warn
        assert "more than 100 pixels" in _error(path, max_pixels=100)
        assert load_image(path, max_pixels=144).rgb.shape == (12, 12, 3)

    def test_pillow_global_limit_is_restored(self, tmp_path):
        before = Image.MAX_IMAGE_PIXELS
        _error(_save(tmp_path / "big.png", Image.new("RGB", (12, 12))), max_pixels=100)
        load_image(_save(tmp_path / "ok.png", Image.new("RGB", (2, 2))), max_pixels=1000)
        assert Image.MAX_IMAGE_PIXELS == before

    def test_permission_denied(self, tmp_path, monkeypatch):
        path = _save(tmp_path / "locked.png", Image.new("RGB", (2, 2)))

        def refuse(self, *args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))

        monkeypatch.setattr(Path, "open", refuse)  # chmod 000 does not stop root, who runs CI here
        assert "permission denied" in _error(path)


class TestWorkingImage:
    def test_downscale_keeps_aspect(self):
        out = working_image(np.zeros((1023, 1536, 3), np.uint8), 384)
        assert out.shape == (256, 384, 3) and out.dtype == np.float32

    def test_portrait(self):
        assert working_image(np.zeros((900, 300, 3), np.uint8), 90).shape == (90, 30, 3)

    def test_never_upscales_and_scales_to_unit_range(self):
        rgb = _random_rgb(20, 30)
        out = working_image(rgb, 384)
        assert out.shape == (20, 30, 3)
        np.testing.assert_allclose(out, rgb / 255.0, atol=1e-6)

    def test_antialiased(self):
        checker = (np.indices((800, 1200)).sum(axis=0) % 2 * 255).astype(np.uint8)
        out = working_image(np.repeat(checker[:, :, None], 3, axis=2), 150)
        assert out.shape == (100, 150, 3)
        np.testing.assert_allclose(out[2:-2, 2:-2], 0.5, atol=0.02)  # fine detail averages out, no moiré


class TestSavePng:
    def test_round_trip_uint8_exact(self, tmp_path):
        rgb = _random_rgb(30, 40)
        save_png(tmp_path / "o.png", rgb)
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "o.png")), rgb)
        assert [p.name for p in tmp_path.iterdir()] == ["o.png"]

    def test_float_input(self, tmp_path):
        save_png(tmp_path / "f.png", np.array([[[0.0, 0.5, 1.0], [-1.0, 2.0, 0.25]]], np.float32))
        np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "f.png")), [[[0, 128, 255], [0, 255, 64]]])

    def test_missing_folder(self, tmp_path):
        with pytest.raises(InfnatError, match="does not exist"):
            save_png(tmp_path / "no" / "o.png", _random_rgb(2, 2))

    def test_disk_full_leaves_old_file_and_no_temp(self, tmp_path, monkeypatch):
        target = tmp_path / "o.png"
        target.write_bytes(b"old")

        def full(self, fp, *args, **kwargs):
            fp.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(Image.Image, "save", full)
        with pytest.raises(InfnatError, match="Disk full while writing"):
            save_png(target, _random_rgb(8, 8))
        assert target.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["o.png"]

    def test_output_permissions_follow_umask(self, tmp_path):
        save_png(tmp_path / "o.png", _random_rgb(2, 2))
        umask = os.umask(0)
        os.umask(umask)
        assert (tmp_path / "o.png").stat().st_mode & 0o777 == 0o666 & ~umask
