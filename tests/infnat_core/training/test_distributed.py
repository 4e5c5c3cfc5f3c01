"""Data-parallel training under torchrun: each process trains on its own data, yet all stay one model."""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch

WORKER = Path(__file__).with_name("ddp_worker.py")


def _torchrun(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3]), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           str(WORKER), *args], env=env, capture_output=True, text=True, timeout=300)


def test_two_processes_see_different_batches_and_end_with_the_same_weights(tmp_path):
    run = _torchrun(str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank-{r}.pt", weights_only=True) for r in (0, 1)]
    assert not torch.equal(ranks[0]["pool"], ranks[1]["pool"])  # each draws its own share of the data
    for name, weights in ranks[0]["trained"].items():
        assert torch.equal(weights, ranks[1]["trained"][name]), name  # averaged gradients keep them in step
        assert torch.equal(ranks[0]["initial"][name], ranks[1]["initial"][name]), name  # one initialisation
    assert any(not torch.equal(w, ranks[0]["initial"][n]) for n, w in ranks[0]["trained"].items())  # it trained


def test_a_time_budget_stops_every_process_at_the_same_step(tmp_path):
    run = _torchrun(str(tmp_path), "budget")  # only rank 0's budget runs out: rank 1 must stop with it, not hang
    assert run.returncode == 0, run.stderr[-3000:]
    state = json.loads((tmp_path / "run" / "checkpoint" / "state.json").read_text())
    assert 1 <= state["step"] < 50
    assert (tmp_path / "run" / "refiner.safetensors").is_file()
