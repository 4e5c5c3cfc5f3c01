import pytest
import torch


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Small networks run fastest on one thread (and far slower on several when the machine is busy)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
