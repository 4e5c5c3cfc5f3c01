"""Depth training: a few steps on a tiny pool write resumable checkpoints and loadable weights."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch

from infnat_core.depth import LearnedDepthEstimator
from infnat_core.depth.learned import DepthNetConfig
from infnat_core.training.depth_pool import DepthPool, load_pools, save_pool
from infnat_core.training.depth_train import AugmentConfig, DepthTrainConfig, make_batch, split_pool, train


def tiny_pool(frames: int = 8, h: int = 32, w: int = 48) -> DepthPool:
    rng = np.random.default_rng(0)
    rows = np.linspace(0.05, 1.0, h, dtype=np.float32)[:, None].repeat(w, axis=1)
    disparity = np.repeat(rows[None], frames, axis=0)
    disparity[:, : h // 4] = 0.01
    heuristic = np.stack([disparity, (disparity <= 0.01).astype(np.float32)], axis=1)
    return DepthPool(rgb=rng.integers(0, 256, (frames, h, w, 3), dtype=np.uint8),
                     disparity=disparity.astype(np.float16), sky=(disparity <= 0.01).astype(np.float16),
                     heuristic=heuristic.astype(np.float16),
                     flight=np.arange(frames, dtype=np.int32) // 2)


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


def test_batches_have_the_network_size_and_keep_sky_unblended():
    pool = tiny_pool()
    rgb, heur, gt = make_batch(pool, np.arange(4), (16, 32), AugmentConfig(), np.random.default_rng(1))
    assert rgb.shape == (4, 3, 16, 32) and heur.shape == (4, 2, 16, 32) and gt.shape == (4, 2, 16, 32)
    assert 0.0 <= float(rgb.min()) and float(rgb.max()) <= 1.0
    values = set(np.unique(gt[:, 0].numpy().astype(np.float16)).tolist())
    assert values <= set(np.unique(pool.disparity).tolist())  # nearest: no value is a blend of two
    assert set(np.unique(gt[:, 1].numpy()).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(gt[:, 1].numpy() == 1.0, gt[:, 0].numpy() <= 0.0101)  # sky and floor agree here


def test_a_short_run_writes_weights_and_resumes(tmp_path):
    save_pool(tmp_path / "pool.npz", tiny_pool())
    net = DepthNetConfig(widths=(4, 8), groups=2, input_long_side=32)
    cfg = DepthTrainConfig(steps=3, batch=2, val_flights=1, val_every=2, checkpoint_every=2, warmup_steps=1, net=net)
    torch.manual_seed(0)
    train(cfg, [str(tmp_path / "pool.npz")], tmp_path / "run")
    run = tmp_path / "run"
    for name in ("checkpoint.pt", "log.csv", "val.csv", "best.safetensors", "last.safetensors"):
        assert (run / name).is_file(), name
    with open(run / "log.csv") as f:
        assert [row["step"] for row in csv.DictReader(f)] == ["1", "2", "3"]
    est = LearnedDepthEstimator(run / "best.safetensors").estimate(np.random.default_rng(0).random((40, 60, 3)))
    assert est.disparity.shape == (40, 60) and np.isfinite(est.disparity).all()

    train(DepthTrainConfig(**{**cfg.__dict__, "steps": 4}), [str(tmp_path / "pool.npz")], run, resume=True)
    with open(run / "log.csv") as f:
        assert [row["step"] for row in csv.DictReader(f)][-1] == "4"
