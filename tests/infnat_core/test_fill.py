import numpy as np
import pytest

from infnat_core.fill import fill_holes


def _hole_mask(height, width, rows, cols):
    mask = np.ones((height, width), np.float32)
    mask[rows, cols] = 0.0
    return mask


def _fill(rgb, disparity, mask):
    """Fill a render whose holes are black with disparity 0, as the renderer produces them."""
    return fill_holes(rgb * mask[..., None], disparity * mask, mask)


def _flat(height, width, value=0.3):
    return np.full((height, width), value, np.float32)


class TestColour:
    def test_constant_image_fills_to_the_constant(self):
        colour = np.array([0.2, 0.5, 0.9], np.float32)
        mask = _hole_mask(40, 64, slice(10, 30), slice(5, 50))
        rgb, _ = _fill(np.broadcast_to(colour, (40, 64, 3)), _flat(40, 64), mask)
        np.testing.assert_allclose(rgb, np.broadcast_to(colour, rgb.shape), atol=1e-6)

    def test_two_colour_image_fills_each_hole_from_its_side(self):
        red, blue = np.array([1.0, 0.0, 0.0], np.float32), np.array([0.0, 0.0, 1.0], np.float32)
        image = np.where(np.arange(128)[None, :, None] < 64, red, blue) * np.ones((64, 128, 1), np.float32)
        mask = _hole_mask(64, 128, slice(24, 40), slice(16, 32))
        mask[24:40, 96:112] = 0.0
        rgb, _ = _fill(image, _flat(64, 128), mask)
        np.testing.assert_allclose(rgb[24:40, 16:32], np.broadcast_to(red, (16, 16, 3)), atol=0.05)
        np.testing.assert_allclose(rgb[24:40, 96:112], np.broadcast_to(blue, (16, 16, 3)), atol=0.05)

    def test_valid_pixels_are_kept_exactly(self):
        rng = np.random.default_rng(0)
        image = rng.uniform(0, 1, (33, 47, 3)).astype(np.float32)  # odd sizes
        disparity = rng.uniform(0.01, 1, (33, 47)).astype(np.float32)
        mask = (rng.uniform(0, 1, (33, 47)) > 0.4).astype(np.float32)
        rgb, disp = fill_holes(image, disparity, mask)
        valid = mask == 1
        np.testing.assert_array_equal(rgb[valid], image[valid])
        np.testing.assert_array_equal(disp[valid], disparity[valid])
        assert rgb.shape == image.shape and rgb.dtype == disp.dtype == np.float32

    def test_large_hole_in_a_ramp_fills_smoothly(self):
        ramp = np.linspace(0.0, 1.0, 256, dtype=np.float32)
        image = np.broadcast_to(ramp[None, :, None], (160, 256, 3)).copy()
        mask = _hole_mask(160, 256, slice(40, 120), slice(80, 200))
        rgb, _ = _fill(image, _flat(160, 256), mask)
        red = rgb[..., 0]
        # No blocky seams: neighbouring filled pixels differ little, and the fill stays between the hole's sides.
        assert np.abs(np.diff(red[40:120, 79:201], axis=1)).max() < 0.02
        assert np.abs(np.diff(red[39:121, 80:200], axis=0)).max() < 0.02
        assert red[40:120, 80:200].min() > ramp[79] - 0.02 and red[40:120, 80:200].max() < ramp[200] + 0.02

    def test_out_of_frame_border_extends_the_image(self):
        ramp = np.linspace(0.0, 1.0, 96, dtype=np.float32)
        image = np.broadcast_to(ramp[None, :, None], (64, 96, 3)).copy()
        mask = _hole_mask(64, 96, slice(48, 64), slice(None))
        red = _fill(image, _flat(64, 96), mask)[0][..., 0]
        np.testing.assert_allclose(red[50], ramp, atol=0.06)  # just past the border: the image continues
        np.testing.assert_allclose(red[63, 10:-10], ramp[10:-10], atol=0.06)  # further out: smoothly blurred
        assert np.all(np.diff(red[63]) > 0)

    def test_empty_mask_returns_the_input(self):
        image = np.full((8, 8, 3), 0.3, np.float32)
        rgb, disp = fill_holes(image, _flat(8, 8), np.zeros((8, 8), np.float32))
        np.testing.assert_array_equal(rgb, image)
        np.testing.assert_array_equal(disp, _flat(8, 8))


class TestTornEdges:
    """A hole between near content (left, disparity 0.8, white) and far content (right, 0.1, black)."""

    @staticmethod
    def _torn(height, width, edge, hole_width):
        near = np.arange(width)[None, :] < edge
        disparity = np.where(near, 0.8, 0.1).astype(np.float32) * np.ones((height, 1), np.float32)
        rgb = np.repeat(np.where(near, 1.0, 0.0).astype(np.float32)[..., None], 3, axis=2) * np.ones((height, 1, 1))
        return rgb.astype(np.float32), disparity, _hole_mask(height, width, slice(None), slice(edge, edge + hole_width))

    def test_fills_colour_and_disparity_from_the_far_side(self):
        rgb, disparity, mask = self._torn(64, 96, edge=40, hole_width=16)
        out_rgb, out_disp = _fill(rgb, disparity, mask)
        np.testing.assert_allclose(out_disp[:, 40:56], 0.1, atol=0.02)
        assert out_rgb[:, 40:56].max() < 0.03  # background colour, no smear of the near object

    def test_large_input_keeps_valid_pixels_and_fills_far(self):
        rgb, disparity, mask = self._torn(540, 960, edge=400, hole_width=120)  # estimated at reduced size
        out_rgb, out_disp = _fill(rgb, disparity, mask)
        np.testing.assert_array_equal(out_disp[mask == 1], disparity[mask == 1])
        np.testing.assert_allclose(out_disp[:, 404:520], 0.1, atol=0.02)  # at most a few px blend at the edge
        assert out_rgb[:, 404:520].max() < 0.05

    def test_hole_inside_a_near_object_keeps_the_near_depth(self):
        disparity = _flat(64, 96, 0.1)
        disparity[10:54, 20:76] = 0.8  # a near box on a far background
        mask = _hole_mask(64, 96, slice(28, 36), slice(44, 52))  # a small hole well inside the box
        _, out_disp = _fill(np.full((64, 96, 3), 0.5, np.float32), disparity, mask)
        np.testing.assert_allclose(out_disp[28:36, 44:52], 0.8, atol=0.01)
