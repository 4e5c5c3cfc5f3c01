"""Run under ``torchrun --nproc_per_node 2``: two training steps of the tiny preset on this process's share of the
pool, then this process's generator weights are saved to ``OUT/rank-R.pt`` (see test_distributed.py)."""

import sys

import torch
import torch.distributed as dist

from infnat_core.training.config import train_preset
from infnat_core.training.trainer import Trainer, draw_pool

if __name__ == "__main__":
    torch.set_num_threads(1)
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
