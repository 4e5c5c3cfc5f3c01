import pytest
import torch

from infnat_core.gl import process_context
from tests.headless_gl import current_egl, make_current, release_egl, release_glx


@pytest.fixture(scope="session", autouse=True)
def gl_binding():
    """The EGL binding of the process's shared headless context, made here before anything else renders (with no
    GLX context current, which would keep the new one from becoming current: ``tests.headless_gl``)."""
    release_glx()
    process_context()
    binding = current_egl()
    assert binding[3], "the engine's headless EGL context is not current after making it"
    yield binding
    release_egl()  # Qt's GL teardown at exit makes its own contexts current


@pytest.fixture(scope="session")
def gl_ctx(gl_binding):
    """The process's shared headless context (the one in-process CLI runs use too)."""
    return process_context()


@pytest.fixture(autouse=True)
def headless_context_current(gl_binding):
    """The shared headless context current again if an app test released it (``tests.headless_gl``)."""
    make_current(gl_binding)


@pytest.fixture(autouse=True)
def one_torch_thread():
    """Torch on one thread: the engine's small networks run fastest so, and multi-thread spin-waits crawl on a busy
    shared machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
