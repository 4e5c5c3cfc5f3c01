import pytest

from infnat_core.data.dem import DemTile, load_dem_tiles
from infnat_core.data.gl_process import share_context


@pytest.fixture(scope="session")
def dem_tiles() -> list[DemTile]:
    return load_dem_tiles()


@pytest.fixture(autouse=True)
def data_renders_with_the_session_context(gl_ctx):
    """Data sources render with the test session's context: one context per process (see gl_process)."""
    share_context(gl_ctx)
