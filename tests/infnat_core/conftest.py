import pytest
import torch

from infnat_core.gl import process_context


@pytest.fixture(scope="session")
def gl_ctx():
    """The process's shared headless context (the one in-process CLI runs use too)."""
    return process_context()


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Torch on one thread: the engine's small networks run fastest so, and multi-thread spin-waits crawl on a busy
    shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
