"""Evaluation metrics: values a user can check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from infnat_core.evaluation.metrics import delta_e, mean_lab, psnr, sharpness, sky_fraction, srgb_to_lab


def test_psnr_of_a_known_error():
    a = np.zeros((4, 4, 3))
    assert psnr(a, a) == float("inf")
    assert np.isclose(psnr(a, a + 0.1), 20.0)


def test_sharpness_is_zero_when_flat_and_drops_with_blur():
    assert sharpness(np.full((8, 8, 3), 0.3)) == 0.0
    stripes = np.zeros((8, 8, 3))
    stripes[:, ::2] = 1.0
    blurred = 0.5 * (stripes + np.roll(stripes, 1, axis=1))
    assert sharpness(stripes) > 0.9 and sharpness(blurred) < 0.1 * sharpness(stripes)


def test_lab_of_white_black_and_grey():
    assert np.allclose(srgb_to_lab(np.ones(3)), [100.0, 0.0, 0.0], atol=1e-2)  # white point rounding
    assert np.allclose(srgb_to_lab(np.zeros(3)), [0.0, 0.0, 0.0], atol=1e-6)
    grey = srgb_to_lab(np.full(3, 0.5))
    assert abs(grey[0] - 53.39) < 0.05 and np.allclose(grey[1:], 0.0, atol=1e-2)


def test_delta_e_between_mean_colours():
    white, black = np.ones((2, 2, 3)), np.zeros((2, 2, 3))
    assert np.isclose(delta_e(mean_lab(white), mean_lab(black)), 100.0, atol=1e-3)
    assert delta_e(mean_lab(white), mean_lab(white)) == 0.0


def test_sky_fraction_counts_far_pixels():
    disparity = np.full((10, 10), 0.5)
    disparity[:3] = 0.01  # sky: weight 1
    disparity[3] = 0.075  # halfway up the ramp: weight 0.5
    assert np.isclose(sky_fraction(disparity), 0.35)


def test_psnr_inside_a_mask():
    a = np.zeros((4, 4, 3))
    b = a.copy()
    b[:2] = 0.1  # error in the top half only
    top, bottom = np.zeros((4, 4), bool), np.zeros((4, 4), bool)
    top[:2], bottom[2:] = True, True
    assert psnr(a, b, top) == pytest.approx(20.0)
    assert psnr(a, b, bottom) == float("inf")
    assert psnr(a, b) == pytest.approx(20.0 + 10 * np.log10(2))
    assert np.isnan(psnr(a, b, np.zeros((4, 4), bool)))
