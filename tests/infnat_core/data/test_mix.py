import os

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from infnat_core.data import MixedDataset, PhotoRoundTrip, PhotoRoundTripConfig
from infnat_core.errors import InfnatError

from tests.infnat_core.data.helpers import stripes_photo


class Constant(torch.utils.data.Dataset):
    def __init__(self, value, n):
        self.value, self.n = value, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"rgbd_in": torch.full((1,), float(self.value)), "index": torch.tensor(i)}


def test_weights_set_the_mixture():
    mix = MixedDataset([Constant(0, 5), Constant(1, 7)], weights=[1.0, 3.0], length=800, seed=2)
    picked = np.array([mix.locate(i)[0] for i in range(800)])
    assert abs(picked.mean() - 0.75) < 0.06
    assert [mix.locate(i) for i in range(50)] == [MixedDataset(mix.sources, [1, 3], 800, seed=2).locate(i) for i in range(50)]
    only_first = MixedDataset([Constant(0, 5), Constant(1, 7)], weights=[1.0, 0.0], length=100)
    assert all(float(only_first[i]["rgbd_in"]) == 0.0 for i in range(100))


def test_bad_mixtures_are_rejected():
    with pytest.raises(InfnatError, match="weight"):
        MixedDataset([Constant(0, 5)], weights=[1.0, 2.0], length=10)
    with pytest.raises(InfnatError, match="non-negative"):
        MixedDataset([Constant(0, 5)], weights=[-1.0], length=10)


def test_dataloader_workers_render_the_same_samples():
    """A worker makes its own GL context; a sample does not depend on which process renders it."""
    data = PhotoRoundTrip([stripes_photo()], PhotoRoundTripConfig(height=48, width=64, samples=2), seed=5)
    here = [data[i] for i in range(2)]  # the parent renders first: workers must be spawned, not forked
    loader = DataLoader(data, batch_size=2, num_workers=1, multiprocessing_context="spawn")
    (batch,) = list(loader)
    for j in range(2):
        torch.testing.assert_close(batch["rgbd_in"][j], here[j]["rgbd_in"], rtol=0, atol=0)
        torch.testing.assert_close(batch["mask"][j], here[j]["mask"], rtol=0, atol=0)


def test_forked_worker_of_a_rendering_parent_is_refused():
    data = PhotoRoundTrip([stripes_photo()], PhotoRoundTripConfig(height=48, width=64, samples=2), seed=5)
    data[0]
    pid = os.fork()
    if pid == 0:  # child: must raise at once instead of hanging inside Mesa
        try:
            PhotoRoundTrip([stripes_photo()], PhotoRoundTripConfig(height=48, width=64, samples=2))[0]
        except InfnatError:
            os._exit(0)
        os._exit(1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
