"""Run under ``torchrun --nproc_per_node 2`` (see test_distributed.py).

``ddp_worker.py OUT``: two training steps of the tiny preset on this process's share of the pool, then this
process's generator weights are saved to ``OUT/rank-R.pt``.
``ddp_worker.py OUT budget``: ``train`` for up to 50 steps with a time budget that only rank 0 reaches (rank 1's
ends in 1,000 minutes), into ``OUT/run``."""

import os
import sys
import time

import torch
import torch.distributed as dist

from infnat_core.training.config import train_preset
from infnat_core.training.pool import draw_pool
from infnat_core.training.trainer import Trainer, train

if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[2:] == ["budget"]:
        rank = int(os.environ["RANK"])
        seconds = 0.1 if rank == 0 else 60000.0
        train(train_preset("tiny"), f"{sys.argv[1]}/run", steps=50, deadline=time.monotonic() + seconds,
              device="cpu", log=lambda line: None)
        os._exit(0)  # returning from train is the test; skip torch's gloo teardown at exit, which can abort
    dist.init_process_group("gloo")
    config = train_preset("tiny")
    rank, world = dist.get_rank(), dist.get_world_size()
    trainer = Trainer(config, draw_pool(config, rank=rank, world_size=world), device="cpu")
    initial = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    for _ in range(2):
        trainer.step()
    torch.save({"initial": initial, "trained": trainer.model.state_dict(), "pool": trainer.pool["rgbd_in"]},
               f"{sys.argv[1]}/rank-{rank}.pt")
    dist.destroy_process_group()
