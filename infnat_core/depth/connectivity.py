"""Connected-region fill on boolean masks (4-connectivity), vectorised as alternating row/column run fills."""

from __future__ import annotations

import numpy as np

MAX_SWEEPS = 200
"""Upper bound on row+column sweeps; a region that winds more than this many times is cut short."""


def _fill_runs_along_rows(mask: np.ndarray, reached: np.ndarray) -> np.ndarray:
    """Every horizontal run of ``mask`` that contains a ``reached`` pixel becomes reached entirely."""
    starts = ~mask
    starts[:, 0] = True  # runs never continue from one row into the next
    run_id = np.cumsum(starts.ravel())
    hit = np.zeros(int(run_id[-1]) + 1, dtype=bool)
    hit[run_id[reached.ravel()]] = True
    return (hit[run_id] & mask.ravel()).reshape(mask.shape)


def connected_to(mask: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Pixels of ``mask (H, W)`` bool 4-connected through ``mask`` to a pixel of ``seed & mask``; ``(H, W)`` bool.

    Each sweep fills whole runs, so the number of sweeps grows with how often a region winds, not with its size.
    """
    mask = np.asarray(mask, dtype=bool)
    reached = mask & seed
    mask_t = np.ascontiguousarray(mask.T)
    count = int(reached.sum())
    for _ in range(MAX_SWEEPS):
        reached = _fill_runs_along_rows(mask_t, np.ascontiguousarray(reached.T)).T
        reached = _fill_runs_along_rows(mask, np.ascontiguousarray(reached))
        new_count = int(reached.sum())
        if new_count == count:
            break
        count = new_count
    return reached
