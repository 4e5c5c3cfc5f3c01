"""Depth pools: files round-trip, old files are refused, photo pools carry the heuristic's answer."""

from __future__ import annotations

import numpy as np
import pytest

from infnat_core.depth.heuristic import HeuristicDepthEstimator
from infnat_core.training.depth_pool import load_pools, photo_pool, save_pool
from infnat_core.training.depth_train import split_pool

from tests.infnat_core.training.helpers import landscape_photo, tiny_pool


def test_pool_files_round_trip_and_split_by_flight(tmp_path):
    save_pool(tmp_path / "a.npz", tiny_pool())
    pool = load_pools([tmp_path / "a.npz", tmp_path / "a.npz"])
    assert len(pool) == 16 and pool.rgb.dtype == np.uint8
    train_idx, val_idx = split_pool(pool, val_flights=1)
    assert set(pool.flight[val_idx]) == {3} and 3 not in set(pool.flight[train_idx])
    np.testing.assert_array_equal(pool.sky[:8], tiny_pool().sky)


def test_an_old_pool_without_sky_is_refused(tmp_path):
    pool = tiny_pool()
    np.savez(tmp_path / "old.npz", rgb=pool.rgb, disparity=pool.disparity, heuristic=pool.heuristic,
             flight=pool.flight)
    with pytest.raises(ValueError, match="no sky"):
        load_pools([tmp_path / "old.npz"])


def test_photo_pool_labels_crops_with_the_heuristics_answer(tmp_path):
    landscape_photo(tmp_path / "p.png")
    pool = photo_pool([tmp_path / "p.png"], crops=3, width=64, height=40, seed=1)
    assert pool.rgb.shape == (3, 40, 64, 3) and pool.rgb.dtype == np.uint8
    assert (pool.flight == -1).all()
    d, sky = pool.disparity.astype(np.float32), pool.sky.astype(np.float32)
    assert d.min() >= 0.0099 and d.max() <= 1.0
    np.testing.assert_allclose(d, 0.01 + 0.99 * pool.heuristic[:, 0].astype(np.float32), atol=2e-3)
    np.testing.assert_array_equal(sky, pool.heuristic[:, 1].astype(np.float32))
    assert sky[:, :5].mean() > 0.5 > sky[:, -5:].mean()  # the sky stays on top in every crop
    est = HeuristicDepthEstimator().estimate(pool.rgb[0].astype(np.float32) / 255.0)
    assert np.corrcoef(est.disparity.ravel(), d[0].ravel())[0, 1] > 0.9  # the label is the heuristic's view


def test_photo_frames_always_train(tmp_path):
    landscape_photo(tmp_path / "p.png")
    save_pool(tmp_path / "photos.npz", photo_pool([tmp_path / "p.png"], crops=2, width=48, height=32))
    save_pool(tmp_path / "synthetic.npz", tiny_pool())
    pool = load_pools([tmp_path / "synthetic.npz", tmp_path / "photos.npz"])
    train_idx, val_idx = split_pool(pool, val_flights=1)
    assert set(pool.flight[val_idx]) == {3}
    assert {-1, 0, 1, 2} == set(pool.flight[train_idx])
