"""Data-parallel training under torchrun: each process trains on its own data, yet all stay one model."""

import os
import subprocess
import sys
from pathlib import Path

import torch

WORKER = Path(__file__).with_name("ddp_worker.py")


def test_two_processes_see_different_batches_and_end_with_the_same_weights(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3]), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                          str(WORKER), str(tmp_path)], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    ranks = [torch.load(tmp_path / f"rank-{r}.pt", weights_only=True) for r in (0, 1)]
    assert not torch.equal(ranks[0]["pool"], ranks[1]["pool"])  # each draws its own share of the data
    for name, weights in ranks[0]["trained"].items():
        assert torch.equal(weights, ranks[1]["trained"][name]), name  # averaged gradients keep them in step
        assert torch.equal(ranks[0]["initial"][name], ranks[1]["initial"][name]), name  # one initialisation
    assert any(not torch.equal(w, ranks[0]["initial"][n]) for n, w in ranks[0]["trained"].items())  # it trained
