import pytest

from infnat_core.data.dem import DemTile, load_dem_tiles


@pytest.fixture(scope="session")
def dem_tiles() -> list[DemTile]:
    return load_dem_tiles()
