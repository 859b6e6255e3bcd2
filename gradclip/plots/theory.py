"""Pictures for why clipping works: steps to a target, heavy-tailed errors, the bias of
per-example clipping, adaptive thresholds on spikes, and Adam under clipping.

Every ``plot_*`` function takes an ``ax`` and results computed by the core
(:mod:`gradclip.smoothness`, :mod:`gradclip.noise`, :mod:`gradclip.dp`,
:mod:`gradclip.adaptive`, :mod:`gradclip.optim`) and returns the artists it made. Whole
figures, the animation and the files of ``figures/`` are built in
:mod:`gradclip.plots.theoryfigs`.
"""

import numpy as np

from .. import validation as v
from ..dp import mean_clipped_gradient, stationary_set
from ..style import PALETTE
from ._axes import check_ax, check_lim
from .rnn import plain_log_ticks
from .surfaces import plot_contour, trajectory_xy

__all__ = ["plot_steps_to_target", "plot_error_distribution", "plot_clipped_gradient",
           "plot_adam_paths", "plot_path_gaps", "SERIES_COLORS", "log_axes"]

#: Colours for up to five series, in order (fixed, clipped, normalized, ...).
SERIES_COLORS = (PALETTE["slow"], PALETTE["good"], PALETTE["clipped"], PALETTE["oscillating"],
                 PALETTE["divergent"])


def log_axes(*axes, numticks=5):
    """Plain-text decade ticks on every log axis of ``axes``
    (:func:`~gradclip.plots.rnn.plain_log_ticks`), ticks at 1 and 3 times the powers of ten
    on a log axis spanning less than two decades, at most 6 ticks on a linear axis.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots(); ax.set_xscale("log"); ax.set_xlim(0.25, 8)
    (0.25, 8)
    >>> log_axes(ax)
    >>> [ax.xaxis.get_major_formatter()(x) for x in (0.3, 1.0, 3.0)]
    ['0.3', '1', '3']
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator

    plain_log_ticks(*axes, numticks=numticks)
    for ax in axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.get_scale() != "log":
                axis.set_major_locator(MaxNLocator(6))
            elif abs(np.log10(lim[1] / lim[0])) < 2:
                axis.set_major_locator(LogLocator(subs=(1.0, 3.0), numticks=numticks))
                axis.set_major_formatter(FuncFormatter(lambda x, _pos=None: f"{x:g}"))


def check_series(series, name):
    """``series`` if it is a non-empty dict ``{label: values}``; ValueError naming ``name`` if not."""
    if not isinstance(series, dict) or not series:
        raise ValueError(f"{name} must be a non-empty dict {{label: values}}, got {series!r}")
    return series


def plot_steps_to_target(ax, x0s, series, target=None):
    """Steps to reach the target against the start, log-log, one line per rule.

    Parameters
    ----------
    ax : Axes
    x0s : array_like
        Positive starting distances.
    series : dict
        ``{label: steps}``, each as long as ``x0s``; entries ``< 0`` (never reached) are left out.
    target : float, optional
        Named in the y label.

    Returns
    -------
    dict
        ``{label: Line2D}``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> lines = plot_steps_to_target(ax, [2, 5, 10], {"fixed": [31, 205, -1], "clipped": [3, 5, 10]})
    >>> lines["fixed"].get_ydata().tolist()
    [31.0, 205.0]
    """
    check_ax(ax)
    x0s = v.positive_array(x0s, "x0s").reshape(-1)
    out = {}
    for i, (label, steps) in enumerate(check_series(series, "series").items()):
        n = v.as_float_array(steps, f"series[{label!r}]").reshape(-1)
        if n.shape != x0s.shape:
            raise ValueError(f"series[{label!r}] must have {x0s.size} entries, got {n.size}")
        ok = n > 0
        (out[label],) = ax.plot(x0s[ok], n[ok], "-o", ms=5, lw=1.8, label=label,
                                color=SERIES_COLORS[i % len(SERIES_COLORS)])
    ax.set_xscale("log")
    ax.set_yscale("log")
    log_axes(ax)
    ax.set_xticks(x0s, [f"{x:g}" for x in x0s])
    ax.set_xlabel("start x0")
    ax.set_ylabel("steps to f ≤ " + (f"{target:g}" if target is not None else "target"))
    ax.legend(fontsize="small", loc="upper left")
    return out


def plot_error_distribution(ax, errors):
    """The share of runs whose final error is below ``e``, against ``e`` (log), per setting.

    Parameters
    ----------
    ax : Axes
    errors : dict
        ``{label: final errors over seeds}``.

    Returns
    -------
    dict
        ``{label: Line2D}``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> lines = plot_error_distribution(Figure().subplots(), {"plain": [0.3, 0.1, 3.0]})
    >>> lines["plain"].get_xdata().tolist(), lines["plain"].get_ydata().round(3).tolist()
    ([0.1, 0.3, 3.0], [0.167, 0.5, 0.833])
    """
    check_ax(ax)
    out = {}
    for i, (label, e) in enumerate(check_series(errors, "errors").items()):
        e = np.sort(v.as_float_array(e, f"errors[{label!r}]").reshape(-1))
        frac = (np.arange(e.size) + 0.5) / e.size
        (out[label],) = ax.plot(e, frac, lw=2.0, label=label, ls="--" if i == 0 else "-",
                                color=[PALETTE["raw"], PALETTE["good"], PALETTE["slow"]][i % 3])
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    log_axes(ax)
    ax.set_xlabel("final error")
    ax.set_ylabel("share of seeds below")
    ax.legend(fontsize="small", loc="lower right")
    return out


def plot_clipped_gradient(ax, a, thresholds, xlim=(-8.0, 8.0)):
    """The average of per-example clipped gradients for several thresholds, and the interval
    where each vanishes (thick segments on the axis, the smallest on top).

    Parameters
    ----------
    ax : Axes
    a : array_like, shape (n,)
        The examples of ``mean_i (x - a_i)^2 / 2``.
    thresholds : array_like
        Positive per-example thresholds.
    xlim : pair of float

    Returns
    -------
    dict
        ``"curves"`` and ``"sets"``: lists of Line2D, one per threshold.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> arts = plot_clipped_gradient(Figure().subplots(), [-3.0, 3.0], [1.0])
    >>> arts["sets"][0].get_xdata().tolist()
    [-2.0, 2.0]
    """
    check_ax(ax)
    lo, hi = check_lim(xlim, "xlim")
    a = v.as_float_array(a, "a").reshape(-1)
    thresholds = v.positive_array(thresholds, "thresholds").reshape(-1)
    xs = np.linspace(lo, hi, 401)
    ax.axhline(0, color="0.6", lw=0.8)
    ax.plot(xs, xs - a.mean(), color="0.6", ls=":", lw=1.0, label="no clipping")
    curves, sets = [], []
    for i, c in enumerate(thresholds):
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        (line,) = ax.plot(xs, mean_clipped_gradient(a, xs, c), color=color, lw=1.8, label=f"c = {c:g}")
        s_lo, s_hi = stationary_set(a, c)
        # on the axis, over the curves; for two examples the intervals nest, so a larger one
        # (smaller c) drawn first still shows its ends
        (seg,) = ax.plot([s_lo, s_hi], [0, 0], color=color, lw=6, solid_capstyle="butt",
                         zorder=4 + int(np.sum(thresholds < c)))
        curves.append(line)
        sets.append(seg)
    ax.plot(a, np.zeros_like(a), "o", ms=7, mfc="white", mec="0.2", mew=1.5, zorder=6)
    ax.set_xlim(lo, hi)
    ax.set_ylim(-1.6 * thresholds.max(), 1.6 * thresholds.max())
    ax.set_xlabel("x")
    ax.set_ylabel("mean of clipped gradients")
    ax.legend(fontsize="small", loc="upper left")
    return {"curves": curves, "sets": sets}


def plot_adam_paths(ax, problem, trajs, xlim, ylim):
    """Adam runs on the contour of a 2-D problem; the first is drawn wide, later ones on top.

    Parameters
    ----------
    trajs : dict
        ``{label: Trajectory}``.

    Returns
    -------
    dict
        ``{label: Line2D}``.
    """
    check_ax(ax)
    plot_contour(ax, problem, xlim, ylim, n=90, n_levels=10)
    out = {}
    styles = [dict(lw=5, alpha=0.35), dict(lw=0, marker="o", ms=3), dict(lw=1.6), dict(lw=1.6, ls="--")]
    for i, (label, t) in enumerate(check_series(trajs, "trajs").items()):
        x, y = trajectory_xy(t.thetas, xlim, ylim)
        (out[label],) = ax.plot(x, y, color=SERIES_COLORS[i % len(SERIES_COLORS)], label=label,
                                zorder=3 + i, **styles[i % len(styles)])
    ax.plot(*next(iter(trajs.values())).thetas[0], "o", ms=9, mfc="white", mec="0.2", mew=2, zorder=9)
    ax.legend(fontsize="small", loc="lower left")
    return out


def plot_path_gaps(ax, base, others):
    """``||theta_k - base_k||`` per step for each other run (log; 1e-17 stands for 0).

    Returns
    -------
    dict
        ``{label: Line2D}``.
    """
    check_ax(ax)
    out = {}
    for i, (label, t) in enumerate(check_series(others, "others").items()):
        with np.errstate(all="ignore"):
            gap = np.linalg.norm(t.thetas - base.thetas, axis=-1)
        (out[label],) = ax.plot(np.maximum(gap, 1e-17), lw=1.6, label=label,
                                color=SERIES_COLORS[(i + 1) % len(SERIES_COLORS)])
    ax.set_yscale("log")
    ax.set_ylim(3e-18, 30)
    log_axes(ax, numticks=7)
    ax.text(0.98, 0.03, "at 10⁻¹⁷: identical", transform=ax.transAxes, ha="right", va="bottom",
            fontsize="small", color="0.4")
    ax.set_xlabel("step")
    ax.set_ylabel("distance to the plain Adam path")
    ax.legend(fontsize="small", loc="center right")
    return out
