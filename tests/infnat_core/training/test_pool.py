"""The refiner's training pool: drawn at the refiner's size, the same in worker processes."""

import pytest
import torch

from infnat_core.training.config import train_preset
from infnat_core.training.pool import draw_pool, draw_pool_parallel

TINY = train_preset("tiny")


@pytest.fixture(scope="module")
def pool():
    return draw_pool(TINY)


def test_pool_holds_the_configured_samples_at_the_refiner_size(pool):
    assert pool["rgbd_in"].shape == (TINY.pool_size, 4, TINY.refiner.height, TINY.refiner.width)
    assert pool["mask"].shape == (TINY.pool_size, 1, TINY.refiner.height, TINY.refiner.width)
    assert float(pool["mask"].min()) == 0.0  # the warps left holes to paint


def test_pool_drawn_in_worker_processes_is_the_same_pool(pool):
    parallel = draw_pool_parallel(TINY, workers=3)
    assert parallel.keys() == pool.keys()
    for key in pool:
        assert torch.equal(parallel[key], pool[key]), key
