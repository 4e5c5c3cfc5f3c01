"""Depth training: a few steps on a tiny pool write resumable checkpoints and loadable weights."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import torch

from infnat_core.depth import LearnedDepthEstimator
from infnat_core.depth.learned import DepthNetConfig
from infnat_core.training.depth_pool import photo_pool, save_pool
from infnat_core.training import depth_train
from infnat_core.training.depth_train import AugmentConfig, DepthTrainConfig, make_batch, train

from tests.infnat_core.training.helpers import landscape_photo, tiny_pool


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


def test_photo_frames_join_each_batch(tmp_path, capsys, monkeypatch):
    landscape_photo(tmp_path / "p.png")
    save_pool(tmp_path / "photos.npz", photo_pool([tmp_path / "p.png"], crops=2, width=48, height=32))
    save_pool(tmp_path / "pool.npz", tiny_pool())
    drawn = []

    def recording_make_batch(pool, indices, *args):
        drawn.append(pool.flight[indices].tolist())
        return make_batch(pool, indices, *args)

    monkeypatch.setattr(depth_train, "make_batch", recording_make_batch)
    net = DepthNetConfig(widths=(4, 8), groups=2, input_long_side=32)
    cfg = DepthTrainConfig(steps=3, batch=2, photo_fraction=0.5, val_flights=1, val_every=3, warmup_steps=1, net=net)
    train(cfg, [str(tmp_path / "pool.npz"), str(tmp_path / "photos.npz")], tmp_path / "run")
    assert "6 training frames (2 photo frames, 1 per batch)" in capsys.readouterr().out
    assert len(drawn) == 3 and all(sorted(f < 0 for f in flights) == [False, True] for flights in drawn)
    assert all(3 not in flights for flights in drawn)  # the validation flight never trains
    with pytest.raises(ValueError, match="photo_fraction"):
        train(DepthTrainConfig(**{**cfg.__dict__, "photo_fraction": 1.5}), [str(tmp_path / "pool.npz")],
              tmp_path / "bad")
