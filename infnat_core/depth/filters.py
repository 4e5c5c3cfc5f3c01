"""Fast image filters in numpy: box mean (integral images) and the colour-guided edge-aware filter.

The guided filter (He, Sun & Tang, 2010) smooths a map while keeping its edges where the guide photo has edges:
locally the output is an affine function of the guide's colour, so a depth step survives only where the colour
steps too.
"""

from __future__ import annotations

import numpy as np

from infnat_core.depth.resample import resize


def box_mean(x: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a ``(2r+1)²`` window of ``x (H, W)`` or ``(H, W, C)``; windows are cropped at the borders.

    Returns float32 of the same shape. Cost is independent of the radius (running sums).
    """
    out = x.astype(np.float32, copy=True)
    if radius <= 0:
        return out
    for axis in (0, 1):
        n = out.shape[axis]
        c = np.cumsum(out, axis=axis, dtype=np.float32)
        # Pad the running sum so that window ends clamp at the borders: c[lo..hi) sums become plain slices.
        before = np.zeros_like(np.take(c, [0] * (radius + 1), axis=axis))
        after = np.repeat(np.take(c, [n - 1], axis=axis), radius, axis=axis)
        c = np.concatenate([before, c, after], axis=axis)
        idx = np.arange(n)
        count = (np.minimum(idx + radius + 1, n) - np.maximum(idx - radius, 0)).astype(np.float32)
        shape = [1] * out.ndim
        shape[axis] = n
        hi = [slice(None)] * out.ndim
        lo = [slice(None)] * out.ndim
        hi[axis] = slice(2 * radius + 1, 2 * radius + 1 + n)
        lo[axis] = slice(0, n)
        out = (c[tuple(hi)] - c[tuple(lo)]) / count.reshape(shape)
    return out


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 1) -> np.ndarray:
    """Edge-aware smoothing of ``src (H, W)`` guided by the colour image ``guide (H, W, 3)``; ``(H, W)`` float32.

    ``eps`` is the colour variance below which a window counts as flat (and is simply averaged): larger values
    smooth across weaker photo edges. With ``subsample`` s > 1 the local linear coefficients are fitted on an
    s-times smaller copy and applied to the full-resolution guide ("fast guided filter", He & Sun 2015): about s²
    times cheaper, with edges still following the full-resolution photo.
    """
    g_full = guide.astype(np.float32, copy=False)
    g, p, r = g_full, src.astype(np.float32, copy=False), radius
    if subsample > 1:
        h, w = src.shape
        size = (max(2, round(h / subsample)), max(2, round(w / subsample)))
        g, p, r = resize(g_full, *size), resize(p, *size), max(1, round(radius / subsample))
    mean_g = box_mean(g, r)
    mean_p = box_mean(p, r)
    cov_gp = box_mean(g * p[..., None], r) - mean_g * mean_p[..., None]
    pairs_a, pairs_b = [0, 0, 0, 1, 1, 2], [0, 1, 2, 1, 2, 2]
    v = box_mean(g[..., pairs_a] * g[..., pairs_b], r) - mean_g[..., pairs_a] * mean_g[..., pairs_b]
    v[..., [0, 3, 5]] += eps
    rr, rg, rb, gg, gb, bb = (v[..., k] for k in range(6))
    # Inverse of the symmetric 3×3 colour covariance via its adjugate.
    i_rr = gg * bb - gb * gb
    i_rg = gb * rb - rg * bb
    i_rb = rg * gb - gg * rb
    i_gg = rr * bb - rb * rb
    i_gb = rb * rg - rr * gb
    i_bb = rr * gg - rg * rg
    det = rr * i_rr + rg * i_rg + rb * i_rb
    c0, c1, c2 = cov_gp[..., 0], cov_gp[..., 1], cov_gp[..., 2]
    a = np.stack(
        [
            i_rr * c0 + i_rg * c1 + i_rb * c2,
            i_rg * c0 + i_gg * c1 + i_gb * c2,
            i_rb * c0 + i_gb * c1 + i_bb * c2,
        ],
        axis=-1,
    ) / det[..., None]
    b = mean_p - np.sum(a * mean_g, axis=-1)
    mean_a, mean_b = box_mean(a, r), box_mean(b, r)
    if subsample > 1:
        mean_a, mean_b = resize(mean_a, *src.shape), resize(mean_b, *src.shape)
    return (np.sum(mean_a * g_full, axis=-1) + mean_b).astype(np.float32)
