"""Helpers shared by the plotting modules: argument checks, contour levels, surface heights.

Public names, so the explorers in :mod:`gradclip.widgets` may use them too.
"""

import numpy as np

from .. import validation as v
from ..style import PALETTE

__all__ = ["REGIME_PALETTE", "REGIME_COLORS", "check_ax", "check_lim", "excess", "contour_levels",
           "surface_height"]

#: The colour of each regime of :data:`gradclip.solvers.REGIMES`, by name: the one table that
#: figures and explorers draw regimes with.
REGIME_PALETTE = {"slow": PALETTE["slow"], "good": PALETTE["good"], "oscillating": PALETTE["oscillating"],
                  "on the edge": "#4d4d4d", "divergent": PALETTE["divergent"]}
#: The four regimes a run falls in away from the exact edge (slow, good, oscillating, divergent).
REGIME_COLORS = [REGIME_PALETTE[name] for name in ("slow", "good", "oscillating", "divergent")]


def check_ax(ax, name="ax"):
    """Return ``ax`` if it can draw (has ``plot``); else ValueError naming ``name``."""
    if not hasattr(ax, "plot"):
        raise ValueError(f"{name} must be a matplotlib Axes, got {ax!r}")
    return ax


def check_lim(lim, name):
    """``(low, high)`` as floats with ``low < high``, both finite; else ValueError naming ``name``."""
    arr = v.as_float_array(lim, name)
    if arr.shape != (2,) or not np.all(np.isfinite(arr)) or arr[0] >= arr[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, got {lim!r}")
    return float(arr[0]), float(arr[1])


def contour_levels(Z, n_levels, floor=None):
    """Geometrically spaced contour levels above ``floor`` (default: the grid's minimum).

    From the 0.2 % to the 98 % quantile of ``Z - floor`` (at most four decades), so the
    levels crowd near the minimum where a quadratic's ellipses shrink.

    Examples
    --------
    >>> Z = np.linspace(0.0, 100.0, 1001).reshape(1, -1)
    >>> lv = contour_levels(Z, 5)
    >>> bool(np.all(np.diff(np.log(lv)) > 0)), float(round(lv[-1], 1))
    (True, 98.0)
    """
    z = Z[np.isfinite(Z)]
    lo = float(np.min(z)) if floor is None else floor
    ex = z - lo
    top = float(np.quantile(ex, 0.98))
    pos = ex[ex > 0]
    bottom = max(float(np.quantile(pos, 0.002)) if pos.size else 1e-12, top * 1e-4)
    return lo + np.geomspace(bottom, max(top, bottom * 10), n_levels)


def surface_height(Z, floor, log):
    """Height of a 3-D surface: ``Z``, or ``log10(Z - floor)`` cut four decades below its top."""
    if not log:
        return Z
    with np.errstate(all="ignore"):
        h = np.log10(np.maximum(Z - floor, 1e-12))
    return np.maximum(h, np.nanmax(h) - 4.0)  # four decades: no needle at the minimum


def excess(traj, floor):
    """``loss - floor`` of a trajectory, floored at 1e-16 so it fits a log axis."""
    with np.errstate(all="ignore"):
        return np.maximum(np.asarray(traj.losses, dtype=np.float64) - floor, 1e-16)
