import pytest

from infnat_core.gl import create_headless_context


@pytest.fixture(scope="session")
def gl_ctx():
    """One headless EGL context for the whole test session."""
    ctx = create_headless_context()
    yield ctx
    ctx.release()
