"""The refiner trainer: it learns, resumes exactly, and its exports load in the engine."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch
from PIL import Image

from infnat_core.cli import main
from infnat_core.errors import InfnatError
from infnat_core.refiner.inference import NetworkRefiner, load_refiner
from infnat_core.training.config import train_preset
from infnat_core.training.losses import LossWeights
from infnat_core.data.synthetic import SyntheticFlights
from infnat_core.training.pool import draw_pool
from infnat_core.training.trainer import Trainer, train

TINY = train_preset("tiny")


@pytest.fixture(scope="module")
def pool():
    return draw_pool(TINY)


def test_training_on_a_fixed_batch_paints_it_closer_than_the_fill(pool):
    fixed = {key: value[: TINY.batch_size] for key, value in pool.items()}
    reconstruction_only = LossWeights(perceptual=0.0, feature_matching=0.0, kl=0.0, adversarial=0.0)
    trainer = Trainer(dataclasses.replace(TINY, pool_size=TINY.batch_size, losses=reconstruction_only), fixed,
                      device="cpu")
    discriminator = {k: v.clone() for k, v in trainer.discriminator.state_dict().items()}
    history = [trainer.step() for _ in range(30)]
    fill = history[0]["rgbd_l1"]  # the residual generator starts as the classical fill
    assert np.mean([h["rgbd_l1"] for h in history[-5:]]) < 0.95 * fill
    # Without adversarial terms the discriminator is never run, let alone trained.
    assert "d_hinge" not in history[-1]
    assert all(torch.equal(v, trainer.discriminator.state_dict()[k]) for k, v in discriminator.items())


def test_checkpoint_resumes_exactly(pool, tmp_path):
    straight = Trainer(TINY, pool, device="cpu")
    for _ in range(4):
        straight.step()
    first = Trainer(TINY, pool, device="cpu")
    for _ in range(2):
        first.step()
    first.save_checkpoint(tmp_path / "checkpoint")
    resumed = Trainer(TINY, pool, device="cpu")
    resumed.load_checkpoint(tmp_path / "checkpoint")
    assert resumed.step_index == 2
    for _ in range(2):
        resumed.step()
    assert resumed.history == straight.history
    for a, b in ((resumed.model, straight.model), (resumed.discriminator, straight.discriminator)):
        for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
            assert torch.equal(x, y), name


def test_resuming_with_another_config_is_refused(pool, tmp_path):
    trainer = Trainer(TINY, pool, device="cpu")
    trainer.save_checkpoint(tmp_path / "checkpoint")
    other = Trainer(dataclasses.replace(TINY, generator_lr=5e-4), pool, device="cpu")
    with pytest.raises(InfnatError, match="another config"):
        other.load_checkpoint(tmp_path / "checkpoint")


def test_exported_weights_load_in_the_engine_and_match_the_trained_network(pool, tmp_path):
    trainer = Trainer(TINY, pool, device="cpu")
    trainer.step()
    trainer.export(tmp_path / "refiner.safetensors")
    refiner, note = load_refiner(tmp_path / "refiner.safetensors", device="cpu")
    assert note is None and isinstance(refiner, NetworkRefiner)
    assert refiner.config == TINY.refiner
    for (name, exported), trained in zip(refiner.generator.state_dict().items(),
                                         trainer.model.generator.state_dict().values()):
        assert torch.allclose(exported.float(), trained, atol=2e-3, rtol=2e-3), name
    rgb = np.full((40, 64, 3), 0.5, np.float32)
    disparity = np.full((40, 64), 0.2, np.float32)
    mask = np.ones((40, 64), np.float32)
    mask[:, :16] = 0.0
    refiner.set_style(rgb, disparity)
    out_rgb, out_disparity = refiner.refine(rgb, disparity, mask)
    assert out_rgb.shape == (40, 64, 3) and np.isfinite(out_rgb).all()


def test_train_command_writes_a_run_folder_and_resumes_it(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "tiny", "--steps", "2", "--out", str(out), "--device", "cpu"]) == 0
    assert (out / "refiner.safetensors").is_file()
    assert Image.open(out / "losses.png").size[0] > 100
    assert "step 2/2" in capsys.readouterr().err
    assert main(["train", "--preset", "tiny", "--steps", "3", "--out", str(out), "--resume"]) == 0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["step"] == 3 and len(state["history"]) == 3
    err = capsys.readouterr().err
    assert "reusing the training pool" in err and "resumed at step 2" in err


def test_train_command_stops_when_its_minutes_are_spent(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "tiny", "--steps", "50", "--minutes", "0.0001", "--out", str(out),
                 "--device", "cpu"]) == 0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert 1 <= state["step"] < 50
    assert (out / "refiner.safetensors").is_file()
    assert f"stopped at step {state['step']}: the time budget is spent" in capsys.readouterr().err


def test_train_command_without_a_checkpoint_to_resume_says_so(tmp_path, capsys):
    code = main(["train", "--preset", "tiny", "--steps", "2", "--out", str(tmp_path / "none"), "--resume"])
    assert code == 2
    assert "no checkpoint" in capsys.readouterr().err


def test_own_rollouts_put_the_networks_chained_renders_into_the_pool(pool):
    config = dataclasses.replace(TINY, rollout_every=1, rollout_flights=1, rollout_steps=2, rollout_share=1.0)
    trainer = Trainer(config, {key: value.clone() for key, value in pool.items()}, device="cpu")
    trainer.step()
    dataset = SyntheticFlights(config.synthetic_data, seed=config.seed)
    samples = trainer.own_rollouts(dataset, first_flight=config.synthetic.flights)
    assert len(samples) == 2
    first = dataset.frame(config.synthetic.flights, 0)
    for step, sample in enumerate(samples, 1):
        truth = dataset.frame(config.synthetic.flights, step)
        np.testing.assert_allclose(sample["rgbd_target"][:3].permute(1, 2, 0).numpy(), truth.rgb, atol=1e-6)
        np.testing.assert_allclose(sample["rgbd_first"][:3].permute(1, 2, 0).numpy(), first.rgb, atol=1e-6)
    trainer.replace_samples(samples)
    assert torch.equal(trainer.pool["rgbd_in"][1], samples[1]["rgbd_in"].half())
    assert torch.equal(trainer.pool["rgbd_in"][2], pool["rgbd_in"][2])  # the rest of the pool is as drawn
    trainer.replace_samples(samples[:1])
    assert torch.equal(trainer.pool["rgbd_in"][2], samples[0]["rgbd_in"].half())


def test_train_refreshes_the_pool_with_own_rollouts(tmp_path, monkeypatch):
    refreshes = []
    original = Trainer.own_rollouts
    monkeypatch.setattr(Trainer, "own_rollouts",
                        lambda self, dataset, first: refreshes.append(first) or original(self, dataset, first))
    config = dataclasses.replace(TINY, rollout_every=2, rollout_flights=1, rollout_steps=2, rollout_share=1.0)
    train(config, tmp_path / "run", steps=5, device="cpu", log=lambda line: None)
    assert refreshes == [config.synthetic.flights + 1, config.synthetic.flights + 2]  # new flights each time


def test_rollout_settings_are_checked():
    with pytest.raises(InfnatError, match="share of the pool"):
        dataclasses.replace(TINY, rollout_every=1, rollout_flights=3, rollout_steps=2)
    with pytest.raises(InfnatError, match="shorter than a synthetic flight"):
        dataclasses.replace(TINY, rollout_every=1, rollout_flights=1, rollout_steps=12, pool_size=30)


def test_a_rollout_refresh_must_fit_in_one_processs_share_of_the_pool(pool):
    config = dataclasses.replace(TINY, rollout_every=1, rollout_flights=1, rollout_steps=2, rollout_share=1.0)
    half = {key: value[:2] for key, value in pool.items()}  # one of two processes' shares of a pool of 4
    Trainer(config, half, device="cpu")
    with pytest.raises(InfnatError, match="this process's share"):
        Trainer(dataclasses.replace(config, rollout_steps=3), half, device="cpu")
