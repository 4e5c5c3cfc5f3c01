import numpy as np
import pytest

from infnat_core.data.dem import load_dem_tiles
from infnat_core.data.terrain import TerrainConfig, catmull_rom, make_terrain
from infnat_core.errors import InfnatError

from tests.infnat_core.data.helpers import flat_terrain


def test_shipped_tiles_include_real_mountains_and_coasts(dem_tiles):
    by_name = {t.name: t for t in dem_tiles}
    assert by_name["himalaya_everest"].heights.max() == pytest.approx(8752)  # GLOBE's Everest cell
    assert by_name["alps_mont_blanc"].heights.max() > 4000
    assert (by_name["corsica"].heights <= 0).mean() > 0.3  # sea around the island
    assert (by_name["vancouver_island"].heights < 0).any()  # matplotlib's bathymetry sample
    for tile in dem_tiles:
        assert 50 < tile.cell_m[0] < 3000 and 50 < tile.cell_m[1] < 3000


def test_missing_tile_file_says_how_to_build_it(tmp_path):
    with pytest.raises(InfnatError, match="dem_extract"):
        load_dem_tiles(tmp_path / "none.npz")


def test_catmull_rom_interpolates_samples_and_ramps():
    grid = np.arange(30, dtype=np.float32).reshape(5, 6) * 2.0  # a linear ramp
    rows, cols = np.array([1.0, 2.0, 2.5, 1.25]), np.array([1.0, 3.0, 2.5, 3.75])
    np.testing.assert_allclose(catmull_rom(grid, rows, cols), 2.0 * (rows * 6 + cols), rtol=1e-5)


def test_terrain_is_deterministic_and_water_is_flat(dem_tiles):
    a = make_terrain(dem_tiles, np.random.default_rng(11))
    b = make_terrain(dem_tiles, np.random.default_rng(11))
    x, z = np.meshgrid(np.linspace(-100, 100, 50), np.linspace(-100, 100, 50))
    np.testing.assert_array_equal(a.surface(x, z), b.surface(x, z))
    assert a.surface(x, z).min() >= np.float32(a.water_level)


def test_placement_prefers_relief(dem_tiles):
    alps = [t for t in dem_tiles if t.name == "alps_mont_blanc"]
    x, z = np.meshgrid(np.linspace(-120, 120, 16), np.linspace(-120, 120, 16))
    picky = make_terrain(alps, np.random.default_rng(0), TerrainConfig(candidates=12))
    first = make_terrain(alps, np.random.default_rng(0), TerrainConfig(candidates=1))
    assert picky.dem_height(x, z).std() >= first.dem_height(x, z).std()


def test_flat_terrain_height():
    terrain = flat_terrain(height_m=100.0, metres_per_unit=50.0)
    np.testing.assert_allclose(terrain.surface(np.array([0.0, 37.0]), np.array([0.0, -12.0])), 2.0, rtol=1e-6)
