"""Figures of the edge-of-stability notebook: the toy ``(1 - xy)^2 / 2``, sharpness traces,
the catapult scan and the clipped run's step against its local edge.

``plot_*`` functions draw on an ``ax`` from core results (:mod:`gradclip.eos`,
:mod:`gradclip.catapult`) and return their artists; :func:`eos_figure` and friends assemble
panels; :func:`overview_png` and :func:`sharpening_gif` write the files listed in
:mod:`gradclip.figures`.
"""

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from .. import validation as v
from ..style import PALETTE
from ._axes import check_ax
from ._axes import COLUMN_WIDTH
from .surfaces import plot_contour, plot_trajectory
from .theory import SERIES_COLORS

__all__ = ["TOY_VIEW", "SHARPNESS_NORM", "plot_minima", "plot_toy", "plot_sharpness", "plot_losses",
           "plot_catapult", "plot_clipped_edge", "toy_figure", "eos_figure", "catapult_figure", "clipped_figure",
           "overview_png", "sharpening_animation", "sharpening_gif"]

#: The view of the toy: the start (3, 0.05), the minima from x = 0.29 to 3.5 and the catapults.
TOY_VIEW = ((-1.0, 3.5), (-2.0, 3.5))
#: Colour scale of the sharpness x^2 + y^2 along the curve of minima.
SHARPNESS_NORM = (2.0, 12.0)


def _colors(n):
    return [SERIES_COLORS[i % len(SERIES_COLORS)] for i in range(n)]


def plot_minima(ax, xlim=TOY_VIEW[0], ylim=TOY_VIEW[1], cmap="viridis", norm=SHARPNESS_NORM, n=300):
    """The curve of minima ``x y = 1`` inside the view, coloured by its sharpness ``x^2 + 1/x^2``.

    Returns
    -------
    matplotlib.collections.LineCollection
        Its ``get_array()`` holds the sharpness of each segment (for a colorbar).
    """
    check_ax(ax)
    (x0, x1), (y0, y1) = xlim, ylim
    segs, vals = [], []
    for sign in (1.0, -1.0):  # the branches in the first and the third quadrant
        lo, hi = (max(x0, 1e-3), x1) if sign > 0 else (max(-x1, 1e-3), -x0)
        if hi <= lo:
            continue
        x = sign * np.geomspace(lo, hi, n)
        y = 1.0 / x
        keep = (y >= y0) & (y <= y1)
        x, y = x[keep], y[keep]
        if x.size < 2:
            continue
        pts = np.stack([x, y], axis=-1)
        segs.append(np.stack([pts[:-1], pts[1:]], axis=1))
        mid = 0.5 * (x[:-1] + x[1:])
        vals.append(mid**2 + 1.0 / mid**2)
    coll = LineCollection(np.concatenate(segs) if segs else np.zeros((0, 2, 2)), cmap=cmap,
                          norm=Normalize(*norm), linewidths=4, zorder=2, capstyle="round")
    coll.set_array(np.concatenate(vals) if vals else np.zeros(0))
    ax.add_collection(coll)
    return coll


def plot_toy(ax, problem, trajs, labels=None, xlim=TOY_VIEW[0], ylim=TOY_VIEW[1], colors=None):
    """The toy loss: contours, the curve of minima coloured by sharpness, and the runs.

    Parameters
    ----------
    problem : ScalarFactorization
    trajs : list of Trajectory
    labels : list of str, optional
    colors : list, optional

    Returns
    -------
    dict
        ``"minima"`` (LineCollection) and ``"paths"`` (list of Line2D).
    """
    check_ax(ax)
    plot_contour(ax, problem, xlim, ylim, n=100, n_levels=10, optimum=False)
    minima = plot_minima(ax, xlim, ylim)
    colors = colors or _colors(len(trajs))
    labels = labels or [None] * len(trajs)
    paths = [plot_trajectory(ax, t, color=c, label=lab)["path"] for t, c, lab in zip(trajs, colors, labels)]
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal", adjustable="box")
    if any(lab for lab in labels):
        ax.legend(fontsize="small", loc="upper right", framealpha=0.85)
    return {"minima": minima, "paths": paths}


def plot_sharpness(ax, runs, index=None, colors=None, edges=True):
    """Sharpness against the step for runs of :func:`gradclip.eos.gd_batch`, each with its
    ``2 / lr`` dashed in its colour.

    Returns
    -------
    list of Line2D
        The traces, one per run drawn.
    """
    check_ax(ax)
    index = range(len(runs.lrs)) if index is None else list(index)
    colors = colors or _colors(len(index))
    lines = []
    for i, c in zip(index, colors):
        lines += ax.plot(runs.steps, runs.sharpness[i], color=c, lw=1.8, label=f"lr = {runs.lrs[i]:g}")
        if edges:
            ax.axhline(2.0 / runs.lrs[i], color=c, ls="--", lw=1.1, alpha=0.9)
    ax.set_xlabel("step")
    ax.set_ylabel("sharpness λmax")
    ax.set_xlim(0, runs.steps[-1])
    return lines


def plot_losses(ax, runs, index=None, colors=None):
    """Full-batch loss per step (log scale) of runs of :func:`gradclip.eos.gd_batch`."""
    check_ax(ax)
    index = range(len(runs.lrs)) if index is None else list(index)
    colors = colors or _colors(len(index))
    lines = [ax.plot(np.arange(runs.losses.shape[1]), runs.losses[i], color=c, lw=1.0)[0]
             for i, c in zip(index, colors)]
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_xlim(0, runs.losses.shape[1] - 1)
    return lines


def plot_catapult(ax, scan, lam0):
    """Final sharpness of an :class:`~gradclip.catapult.EdgeScan` against the rate, the curve
    ``2 / lr`` (where a run may settle), and the boundaries ``2 / lam0`` and ``4 / lam0``.

    Diverged runs are drawn as crosses at the top. Returns ``{"points", "edge", "bounds"}``.
    """
    check_ax(ax)
    lam0 = v.positive(lam0, "lam0")
    lrs = scan.lrs
    div = scan.diverged_at >= 0
    top = 1.15 * max(lam0, float(np.nanmax(scan.final_sharpness)))
    cat = scan.catapult
    pts = [ax.plot(lrs[m], scan.final_sharpness[m], "o", ms=3.5, color=c, ls="none", label=lab)[0]
           for m, c, lab in ((~cat & ~div, PALETTE["slow"], "settles nearby"),
                             (cat, PALETTE["good"], "catapult: settles flatter"))]
    pts += ax.plot(lrs[div], np.full(div.sum(), 0.97 * top), "x", ms=4, color=PALETTE["divergent"],
                   ls="none", label="diverges")
    grid = np.linspace(lrs[0], lrs[-1], 200)
    (edge,) = ax.plot(grid, 2.0 / grid, color="0.35", lw=1.2, ls=":", label="2 / lr")
    bounds = [ax.axvline(k / lam0, color=PALETTE["divergent"] if k == 4 else PALETTE["oscillating"],
                         ls="--", lw=1.2, label=f"{k}/λ0 = {k / lam0:.4g}") for k in (2, 4)]
    ax.set_xlim(lrs[0], lrs[-1])
    ax.set_ylim(0, top)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("sharpness where the run ends")
    ax.legend(fontsize="small", loc="lower left", framealpha=0.85)
    return {"points": pts, "edge": edge, "bounds": bounds}


def plot_clipped_edge(ax, ce, lr):
    """A clipped run (:class:`~gradclip.eos.ClippedEdge`): the step it took,
    ``lr min(1, c / ||g||)``, and the local edge ``2 / lambda_max`` on a log axis."""
    check_ax(ax)
    a = ax.plot(ce.steps, ce.effective_lr, color=PALETTE["clipped"], lw=1.8, label="step taken lr·min(1, c/‖g‖)")
    b = ax.plot(ce.steps, ce.local_edge, color=PALETTE["slow"], lw=1.8, ls="--", label="local edge 2/λmax")
    c = ax.axhline(lr, color="0.5", lw=1.0, ls=":", label=f"lr = {lr:g}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("step size")
    ax.set_xlim(0, ce.steps[-1])
    ax.legend(fontsize="small", loc="lower right", framealpha=0.85)
    return {"taken": a[0], "edge": b[0], "lr": c}


def _figure(width, height, **kw):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(min(width, COLUMN_WIDTH), height), layout="constrained")
    return fig, fig.subplots(**kw)


def toy_figure(problem, trajs, labels):
    """The toy's runs on the surface (left) and their sharpness per step with each ``2 / lr`` (right)."""
    fig, (ax, axs) = _figure(9.0, 4.0, ncols=2, width_ratios=[1.0, 1.1])
    arts = plot_toy(ax, problem, trajs, labels)
    fig.colorbar(arts["minima"], ax=ax, label="sharpness x² + y² of a minimum", shrink=0.85)
    for t, c, lab in zip(trajs, _colors(len(trajs)), labels):
        s = problem.sharpness(t.thetas)
        axs.plot(np.arange(len(s)), s, color=c, lw=1.8, label=lab)
        axs.axhline(2.0 / t.lr, color=c, ls="--", lw=1.1)
    axs.set_xlim(0, len(trajs[0].thetas) - 1)
    axs.set_xlabel("step")
    axs.set_ylabel("sharpness λmax (dashed: 2 / lr)")
    axs.legend(fontsize="small", loc="center right")
    return fig


def eos_figure(runs, index=None):
    """Sharpness traces against ``2 / lr`` (top) and the loss (bottom) of :func:`gradclip.eos.gd_batch` runs."""
    fig, (ax1, ax2) = _figure(9.0, 5.2, nrows=2, sharex=True, height_ratios=[1.3, 1.0])
    plot_sharpness(ax1, runs, index)
    ax1.legend(fontsize="small", loc="lower right", ncols=3)
    ax1.set_title("sharpness rises to 2/lr (dashed) and hovers there", fontsize="medium")
    plot_losses(ax2, runs, index)
    ax1.set_xlabel("")
    return fig


def catapult_figure(scan, lam0):
    """The catapult scan (:func:`plot_catapult`) on its own."""
    fig, ax = _figure(6.5, 3.8)
    plot_catapult(ax, scan, lam0)
    ax.set_title("(1 − xy)²/2 from (2, 0.49): where each run ends", fontsize="medium")
    return fig


def clipped_figure(ce, lr):
    """A clipped run's step against its local edge (:func:`plot_clipped_edge`, left) and their
    ratio (right, 1 = on the edge)."""
    fig, (ax1, ax2) = _figure(9.0, 3.6, ncols=2)
    plot_clipped_edge(ax1, ce, lr)
    ax1.set_title("step taken and local edge", fontsize="medium")
    ax2.plot(ce.steps, ce.ratio, color=PALETTE["clipped"], lw=1.8, marker="o", ms=3)
    ax2.axhline(1.0, color=PALETTE["divergent"], ls="--", lw=1.2)
    ax2.set_xlim(0, ce.steps[-1])
    ax2.set_ylim(0, max(2.0, 1.1 * float(np.nanmax(ce.ratio))))
    ax2.set_xlabel("step")
    ax2.set_ylabel("step taken ÷ local edge")
    ax2.set_title("above 1: a step beyond the edge", fontsize="medium")
    return fig


def _save(fig, path):
    fig.savefig(path, dpi=100, metadata={"Software": None})


def overview_png(path):
    """Write the four panels of the notebook: the toy (lr 0.1, 0.25, 0.4 from (3, 0.05)), the
    small net's sharpness traces (lr 0.3, 0.4, 0.6), the catapult scan from (2, 0.49)."""
    import matplotlib.pyplot as plt

    from ..catapult import edge_scan
    from ..eos import EOS_LRS, EOS_STEPS, eos_task, flow_sharpness, gd_batch
    from ..problems import ScalarFactorization
    from ..solvers import run

    f = ScalarFactorization()
    trajs = [run(f, [3.0, 0.05], lr, 60) for lr in (0.1, 0.25, 0.4)]
    X, y, net = eos_task()
    runs = gd_batch(net, X, y, EOS_LRS, EOS_STEPS, every=10, warm_iters=3)
    pick = [EOS_LRS.index(lr) for lr in (0.3, 0.4, 0.6)]
    scan = edge_scan(f, [2.0, 0.49], np.linspace(0.3, 1.05, 151))
    fig, (ax1, ax2, ax3) = _figure(9.0, 3.3, ncols=3, width_ratios=[0.9, 1.1, 1.0])
    plot_toy(ax1, f, trajs, [f"lr {t.lr:g}" for t in trajs])
    ax1.set_title("toy: lands where λ ≤ 2/lr", fontsize="medium")
    plot_sharpness(ax2, runs, pick)
    ax2.legend(fontsize="x-small", loc="lower right")
    ax2.set_title("MLP: sharpness meets 2/lr", fontsize="medium")
    plot_catapult(ax3, scan, flow_sharpness([2.0, 0.49]))
    ax3.get_legend().remove()
    ax3.set_title("catapult, then divergence", fontsize="medium")
    _save(fig, path)
    plt.close(fig)


def sharpening_animation(runs, index, frames=40, interval=150):
    """Sharpness traces growing with the step, each run's ``2 / lr`` dashed, the loss below.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.fig`` and ``.frame_list`` (the snapshot indices shown).
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    index = list(index)
    with plt.ioff():
        fig, (ax1, ax2) = _figure(7.0, 4.6, nrows=2, sharex=True, height_ratios=[1.3, 1.0])
    plot_sharpness(ax1, runs, index)
    plot_losses(ax2, runs, index)
    ax1.set_ylim(0, 1.15 * float(np.nanmax(runs.sharpness[index])))
    ax1.legend(fontsize="small", loc="lower right", ncols=3)
    ax1.set_xlabel("")
    lines = ax1.lines[::2] + ax2.lines
    for ln in lines:
        ln.set_data([], [])
    title = fig.suptitle("", fontsize="medium")
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    n = len(runs.steps)
    frame_list = np.unique(np.linspace(0, n - 1, frames).round().astype(int))

    def draw(j):
        k = runs.steps[j]
        for ln, i in zip(lines[: len(index)], index):
            ln.set_data(runs.steps[: j + 1], runs.sharpness[i, : j + 1])
        for ln, i in zip(lines[len(index):], index):
            ln.set_data(np.arange(k + 1), runs.losses[i, : k + 1])
        title.set_text(f"full-batch GD, step {k}: sharpness climbs to 2/lr (dashed) and stays")
        return lines + [title]

    anim = FuncAnimation(fig, draw, frames=frame_list, interval=interval, blit=False, repeat=True)
    anim.fig, anim.frame_list = fig, frame_list
    draw(int(frame_list[-1]))
    return anim


def sharpening_gif(path):
    """Write :func:`sharpening_animation` of the small net (:func:`gradclip.eos.eos_task`) at
    lr 0.3, 0.4 and 0.6 to ``path``."""
    import matplotlib.pyplot as plt

    from ..eos import EOS_LRS, EOS_STEPS, eos_task, gd_batch
    from .animation import save_gif

    X, y, net = eos_task()
    runs = gd_batch(net, X, y, EOS_LRS, EOS_STEPS, every=10, warm_iters=3)
    anim = sharpening_animation(runs, [EOS_LRS.index(lr) for lr in (0.3, 0.4, 0.6)])
    save_gif(anim, path, fps=6, dpi=64)
    plt.close(anim.fig)
