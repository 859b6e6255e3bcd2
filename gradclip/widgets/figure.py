"""Figure plumbing for the explorers: value grids, the static figure, paths ready to draw."""

import numpy as np
from matplotlib.figure import Figure

from ..style import is_presentation
from .covers import COVER

#: CSS px per figure inch in projector mode (normal: 100): fonts grow with the figure and a
#: 9.4-inch explorer stays inside a 1280 px wide screen.
PROJECTOR_DPI = 125.0


class LogGrid:
    """Slider positions ``anchor * 10 ** (k * step)`` for ``lo <= log10(value) <= hi``.

    The anchor (e.g. the edge 2/lambda_max, or a default threshold) is exactly on the grid.

    Examples
    --------
    >>> LogGrid("lr", -1, 0, 0.5).values.round(4).tolist()
    [0.1, 0.3162, 1.0]
    """

    def __init__(self, name, lo, hi, step, anchor=1.0):
        a = np.log10(anchor)
        k = np.arange(int(np.ceil((lo - a) / step - 1e-9)), int(np.floor((hi - a) / step + 1e-9)) + 1)
        self.name, self.step = name, float(step)
        self.values = anchor * 10.0 ** (k * self.step)
        self.values[k == 0] = anchor

    def __len__(self):
        return len(self.values)


def explorer_figure(width=9.4, height=4.9, top=0.93):
    """A figure (not registered with pyplot) with a trajectory panel on the left and two
    stacked panels on the right; the strip above ``top`` holds the status line.

    Returns ``fig, ax_left, ax_top_right, ax_bottom_right``.
    """
    dpi = PROJECTOR_DPI if is_presentation() else 100.0
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.05, rect=(0, 0, 1, top))
    gs = fig.add_gridspec(2, 2, width_ratios=[1.15, 1.0])
    return fig, fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])


def key(ax, entries, horizontal=False):
    """A legend made of coloured text, top right (or in a row, top left); the page keeps it
    on top of the moving curves (gid :data:`COVER`)."""
    from matplotlib.font_manager import FontProperties

    size = FontProperties(size="small").get_size_in_points()
    for i, (label, color) in enumerate(entries):
        xy, off = ((0.02 + 0.33 * i, 0.97), (0, 0)) if horizontal else ((0.98, 0.97), (0, -1.45 * size * i))
        ax.annotate(label, xy, xycoords="axes fraction", xytext=off, textcoords="offset points",
                    color=color, fontsize="small", ha="left" if horizontal else "right", va="top",
                    zorder=7, bbox=dict(fc="white", ec="none", alpha=0.7, pad=1), gid=COVER)


def few_ticks(*axes):
    """Few major ticks, no minor ticks on log axes, whose labels are plain text (``10⁻³``:
    :func:`gradclip.plots.rnn.plain_log_ticks`, no mathtext to parse)."""
    from matplotlib.ticker import MaxNLocator

    from ..plots.rnn import plain_log_ticks

    for ax in axes:
        plain_log_ticks(ax, numticks=5)
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log":
                axis.set_major_locator(MaxNLocator(6))


def paths(thetas, xlim, ylim, factor=4.0):
    """``(x, y)`` arrays ``(n, steps + 1)`` of runs to draw: :func:`gradclip.plots.trajectory_xy`
    per run (NaN after a run leaves for good), the last point moved onto the border of the
    box ``factor`` views around the view along its segment, so the line leaves in the right
    direction and every coordinate stays small."""
    thetas = np.asarray(thetas, dtype=np.float64)
    if thetas.ndim != 3 or thetas.shape[2] != 2:
        raise ValueError(f"thetas must have shape (n, steps + 1, 2), got {thetas.shape}")
    n, m = thetas.shape[:2]
    (x0, x1), (y0, y1) = xlim, ylim
    wx, wy = factor * (x1 - x0), factor * (y1 - y0)
    lo, hi = np.array([x0 - wx, y0 - wy]), np.array([x1 + wx, y1 + wy])
    # trajectory_xy for every run at once: finite points up to the first one far outside
    ok = np.all(np.isfinite(thetas), axis=2)
    finite = np.where(ok.all(axis=1), m, np.argmin(ok, axis=1))
    j = np.arange(m)
    with np.errstate(invalid="ignore"):
        far = np.any((thetas < lo) | (thetas > hi), axis=2) & (j < finite[:, None])
    k = np.where(far.any(axis=1), np.argmax(far, axis=1) + 1, finite)
    keep = j < k[:, None]
    X = np.where(keep, thetas[..., 0], np.nan)
    Y = np.where(keep, thetas[..., 1], np.nan)
    rows = np.flatnonzero((k >= 2) & far[np.arange(n), np.maximum(k - 1, 0)])
    if rows.size:  # the last point moved onto the border of the big box along its segment
        a, b = thetas[rows, k[rows] - 2], thetas[rows, k[rows] - 1]
        d = b - a
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.nanmin(np.where(d > 0, (hi - a) / d, np.where(d < 0, (lo - a) / d, np.inf)), axis=1)
        end = a + np.minimum(np.maximum(t, 0.0), 1.0)[:, None] * d
        X[rows, k[rows] - 1], Y[rows, k[rows] - 1] = end[:, 0], end[:, 1]
    return X, Y
