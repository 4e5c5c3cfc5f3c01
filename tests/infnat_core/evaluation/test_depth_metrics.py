"""Depth metrics: cases with answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from infnat_core.evaluation.depth_metrics import align_scale_shift, at_infinity, depth_errors, infinity_iou


def truth(h: int = 40, w: int = 64, sky_rows: int = 10) -> np.ndarray:
    """Disparity of a ground plane (row-linear, 0.05 → 1) under ``sky_rows`` rows of sky (0.01)."""
    rows = np.linspace(0.05, 1.0, h - sky_rows, dtype=np.float32)
    gt = np.full((h, w), 0.01, np.float32)
    gt[sky_rows:] = rows[:, None]
    return gt


class TestAlignScaleShift:
    def test_recovers_an_affine_map(self):
        gt = truth()
        valid = ~at_infinity(gt)
        s, t = align_scale_shift(0.25 * gt + 3.0, gt, valid)
        assert s == pytest.approx(4.0) and t == pytest.approx(-12.0)

    def test_constant_prediction_gets_the_mean(self):
        gt = truth()
        valid = ~at_infinity(gt)
        assert align_scale_shift(np.ones_like(gt), gt, valid) == (0.0, pytest.approx(float(gt[valid].mean())))


class TestDepthErrors:
    def test_scaled_and_shifted_truth_scores_perfectly(self):
        gt = truth()
        pred = 7.0 * gt - 0.3
        pred[:10] = 123.0  # whatever is predicted for sky does not count
        e = depth_errors(pred, gt)
        assert e.abs_rel == pytest.approx(0.0, abs=1e-6) and e.delta1 == 1.0
        assert e.valid == 30 * 64

    def test_constant_prediction_has_a_known_error(self):
        # Depths 2 and 4 in equal parts; a flat prediction aligns to the mean disparity 0.375 (depth 8/3), which is
        # a third off both: abs-rel 1/3, and no pixel within a ratio of 1.25.
        gt = np.array([[0.5, 0.25]], np.float32).repeat(3, axis=0)
        e = depth_errors(np.zeros_like(gt), gt)
        assert e.abs_rel == pytest.approx(1 / 3) and e.delta1 == 0.0

    def test_negative_aligned_disparity_is_clipped_to_the_far_plane(self):
        gt = np.array([[0.02, 0.5, 1.0]], np.float32)
        pred = np.array([[-10.0, 0.5, 1.0]], np.float32)  # pulls the fit, some aligned values fall below 0.01
        e = depth_errors(pred, gt)
        assert np.isfinite(e.abs_rel) and e.abs_rel <= 99.0

    def test_needs_valid_pixels_and_equal_shapes(self):
        with pytest.raises(ValueError):
            depth_errors(np.ones((4, 4)), np.full((4, 4), 0.01))
        with pytest.raises(ValueError):
            depth_errors(np.ones((4, 4)), np.ones((4, 5)))


class TestInfinityIou:
    def test_exact_half_and_empty(self):
        sky = at_infinity(truth())
        assert infinity_iou(sky, sky) == 1.0
        half = np.zeros_like(sky)
        half[:5] = True
        assert infinity_iou(half, sky) == pytest.approx(0.5)
        assert infinity_iou(np.zeros((4, 4), bool), np.zeros((4, 4), bool)) == 1.0
