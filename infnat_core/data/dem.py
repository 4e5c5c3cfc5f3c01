"""Elevation tiles for synthetic terrain: the small DEM crops shipped in ``assets/data/dem_tiles.npz``.

The file is made by ``python -m infnat_core.data.dem_extract`` (see ``docs/data.md`` for sources and licences). For
each tile name ``N`` it holds ``N/heights`` (rows north→south, columns west→east, int16 metres; sea is ≤ 0) and
``N/cell_m`` = (east–west, north–south) size of one cell in metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from infnat_core.errors import InfnatError

DEM_TILES_PATH = Path(__file__).resolve().parent.parent.parent / "assets" / "data" / "dem_tiles.npz"


@dataclass(frozen=True)
class DemTile:
    """One elevation grid."""

    name: str
    """Region name, e.g. ``"alps_mont_blanc"``."""
    heights: np.ndarray
    """``(H, W)`` float32 metres above sea level; rows run north→south, columns west→east."""
    cell_m: tuple[float, float]
    """(east–west, north–south) size of one cell in metres."""


def load_dem_tiles(path: str | Path = DEM_TILES_PATH) -> list[DemTile]:
    """All tiles of a DEM tile file, sorted by name."""
    path = Path(path)
    if not path.is_file():
        raise InfnatError(
            f"DEM tile file {path} not found; run `python -m infnat_core.data.dem_extract` to build it (docs/data.md)"
        )
    with np.load(path) as archive:
        names = sorted({key.split("/")[0] for key in archive.files})
        return [
            DemTile(
                name=name,
                heights=archive[f"{name}/heights"].astype(np.float32),
                cell_m=tuple(float(c) for c in archive[f"{name}/cell_m"]),
            )
            for name in names
        ]
