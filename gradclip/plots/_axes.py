"""Helpers shared by the plotting modules: argument checks, contour levels, surface heights,
the column width of a figure and the check that no two texts of a figure overlap.

Public names, so the explorers in :mod:`gradclip.widgets` may use them too.
"""

import numpy as np

from .. import validation as v
from ..style import PALETTE

__all__ = ["REGIME_PALETTE", "REGIME_COLORS", "COLUMN_WIDTH", "check_ax", "check_lim", "excess",
           "contour_levels", "surface_height", "text_overlaps"]

#: Widest figure, in inches, that fits a notebook column at 100 dpi.
COLUMN_WIDTH = 9.0

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


def text_overlaps(fig, pad=0.0):
    """Pairs of visible, non-empty texts of ``fig`` whose drawn boxes overlap.

    Every title, label, tick label, legend entry and annotation is a text artist; matplotlib
    gives each its window extent after a draw. Texts that touch by less than ``pad`` pixels
    are not counted. A text inside a legend box is compared with texts outside that legend.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    pad : float
        Pixels of tolerance (positive: allow that much touching).

    Returns
    -------
    list of (str, str)
        The two texts of each overlapping pair; empty when nothing collides.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); ax = fig.subplots()
    >>> _ = ax.text(0.5, 0.5, "one"); _ = ax.text(0.5, 0.5, "two")
    >>> text_overlaps(fig)
    [('one', 'two')]
    """
    from matplotlib.text import Text

    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    ticks, drawn = set(), []
    for ax in fig.axes:  # a tick label is drawn only while its tick lies in the view
        for axis in [ax.xaxis, ax.yaxis] + ([ax.zaxis] if hasattr(ax, "zaxis") else []):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                labels = (tick.label1, tick.label2)
                ticks.update(map(id, labels))
                if lo - span <= tick.get_loc() <= hi + span:
                    drawn.extend(lab for lab in labels if lab.get_visible())
    texts = [t for t in fig.findobj(Text) if id(t) not in ticks] + drawn
    boxes = []
    fw, fh = fig.bbox.width, fig.bbox.height
    for t in texts:
        if not t.get_visible() or not t.get_text().strip() or t.get_alpha() == 0:
            continue
        try:
            bb = t.get_window_extent(renderer)
        except (RuntimeError, ValueError):
            continue
        if bb.width <= 0 or bb.height <= 0 or not all(map(np.isfinite, bb.bounds)):
            continue
        if bb.x1 < 0 or bb.y1 < 0 or bb.x0 > fw or bb.y0 > fh:  # outside the figure: not drawn
            continue
        boxes.append((t, bb))
    found = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            w = min(ba.x1, bb.x1) - max(ba.x0, bb.x0)
            h = min(ba.y1, bb.y1) - max(ba.y0, bb.y0)
            if w > pad and h > pad:
                found.append((a.get_text(), b.get_text()))
    return found
