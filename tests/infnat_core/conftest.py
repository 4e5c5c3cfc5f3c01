import pytest

from infnat_core.gl import process_context


@pytest.fixture(scope="session")
def gl_ctx():
    """The process's shared headless context (the one in-process CLI runs use too)."""
    return process_context()
