"""Whole figures made of several panels, shared by the notebooks and ``gradclip.figures``.

Each builder creates a figure of a size that fits a notebook column (at most 9 inches, 900
pixels, wide; projector mode enlarges it through the dpi), draws, and returns it.
"""

import numpy as np

from .. import validation as v
from .surfaces import plot_contour, plot_regimes, plot_surface, view_box

__all__ = ["loss_surface_figure", "regimes_figure", "text_overlaps", "COLUMN_WIDTH"]

#: Widest figure, in inches, that fits a notebook column at 100 dpi.
COLUMN_WIDTH = 9.0


def _figure(width, height):
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(min(width, COLUMN_WIDTH), height), layout="constrained")


def loss_surface_figure(problem, theta0, title=True):
    """Contour lines (left) and 3-D surface (right) of a 2-D loss, the start as an open circle.

    Parameters
    ----------
    problem : Problem
        A 2-D problem with ``solution()``.
    theta0 : array_like, shape (2,)
        The start, drawn as an open circle; the view holds it and the optimum.
    title : bool
        Put a title over each panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from gradclip import demo_regression
    >>> fig = loss_surface_figure(*demo_regression())
    >>> fig.get_size_inches().tolist(), len(fig.axes)
    ([9.0, 4.0], 2)
    """
    theta0 = v.as_float_array(theta0, "theta0")
    if theta0.shape != (2,):
        raise ValueError(f"theta0 must have 2 entries, got shape {theta0.shape}")
    xlim, ylim = view_box(theta0, problem.solution())
    fig = _figure(9.0, 4.0)
    ax = fig.add_subplot(1, 2, 1)
    plot_contour(ax, problem, xlim, ylim)
    ax.plot(*theta0, "o", ms=8, mfc="white", mec="0.2", mew=2, zorder=6, label="start")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    plot_surface(ax3, problem, xlim, ylim)
    if title:
        ax.set_title("contour lines of J(θ) (log-spaced)", fontsize="medium")
        ax3.set_title(r"3-D, height $\log_{10}(J - J_{min})$", fontsize="medium")
    return fig


def regimes_figure(problem, trajs, labels=None, title=None):
    """Four runs side by side on the contour (top) and their excess loss per step (bottom).

    Parameters
    ----------
    problem : Problem
        A 2-D problem with ``solution()``.
    trajs : list of Trajectory
        Four runs from the same start (slow, good, oscillating, divergent).
    labels : list of str, optional
        Panel titles and legend entries.
    title : str, optional
        A title over the whole figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from gradclip import Quadratic, run
    >>> q = Quadratic.with_condition(4.0)
    >>> fig = regimes_figure(q, [run(q, [1.0, 1.0], lr, 20) for lr in (0.1, 0.8, 1.8, 2.05)])
    >>> len(fig.axes), bool(fig.get_size_inches()[0] <= COLUMN_WIDTH)
    (5, True)
    """
    if not isinstance(trajs, (list, tuple)) or len(trajs) != 4:
        raise ValueError(f"trajs must be a list of four Trajectory, got {trajs!r}")
    fig = _figure(9.0, 5.6)
    gs = fig.add_gridspec(2, 4, height_ratios=[1.0, 1.0])
    axes = [fig.add_subplot(gs[0, i]) for i in range(4)] + [fig.add_subplot(gs[1, :])]
    plot_regimes(axes, problem, trajs, labels)
    for ax, lab in zip(axes[:4], labels or [None] * 4):
        if lab:  # two lines: the four panels are narrow
            ax.set_title(lab.replace(": ", "\n"), color=ax.title.get_color(), fontsize="medium")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(labelsize="small")
    axes[-1].set_xlabel("step")
    if title:
        fig.suptitle(title)
    return fig


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
