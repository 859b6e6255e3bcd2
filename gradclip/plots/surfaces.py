"""Static pictures of loss surfaces, descent runs and clipping.

Every ``plot_*`` function takes the matplotlib ``ax`` to draw on and results computed elsewhere
(a problem, a :class:`~gradclip.Trajectory`), draws, and returns the artists it made, so the
explorers and animations can update them in place with ``set_data``. The two whole figures of
notebook 01, :func:`loss_surface_figure` and :func:`regimes_figure`, are built from them: each
fits a notebook column (at most :data:`~gradclip.plots.COLUMN_WIDTH` inches wide; projector
mode enlarges it through the dpi).
"""

import numpy as np
from matplotlib.collections import LineCollection

from .. import validation as v
from ..style import PALETTE
from ._axes import (COLUMN_WIDTH, REGIME_COLORS, check_ax, check_lim, contour_levels, excess,
                    surface_height)

__all__ = [
    "loss_grid", "contour_segments", "view_box", "plot_contour", "plot_surface",
    "plot_trajectory", "trajectory_xy", "plot_loss_curve", "plot_regimes", "loss_surface_figure",
    "regimes_figure",
]


def view_box(theta0, center, pad=0.35):
    """A square view ``(xlim, ylim)`` centred on ``center`` that holds ``theta0`` with a margin.

    Centring on the optimum keeps oscillating runs, which overshoot to the mirror image of
    the start, in view.

    Examples
    --------
    >>> view_box([0.0, 0.0], [4.0, 3.0])
    ((-1.4, 9.4), (-2.4, 8.4))
    """
    a = v.as_float_array(theta0, "theta0")
    b = v.as_float_array(center, "center")
    if a.shape != (2,) or b.shape != (2,):
        raise ValueError(f"theta0 and center must be 2-D points, got {a.shape} and {b.shape}")
    half = max(float(np.max(np.abs(a - b))), 1e-3) * (1 + v.positive(pad, "pad"))
    return tuple((round(float(m - half), 10), round(float(m + half), 10)) for m in b)


def loss_grid(problem, xlim, ylim, n=120):
    """The loss on an ``n x n`` grid: ``(X, Y, Z)`` for contour and surface plots.

    One batched call to ``problem.loss``; non-finite values become NaN.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> X, Y, Z = loss_grid(Quadratic.with_condition(4.0), (-1, 1), (-1, 1), n=3)
    >>> Z.shape, float(Z[1, 1])
    ((3, 3), 0.0)
    """
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = v.non_negative_int(n, "n")
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    X, Y = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    with np.errstate(all="ignore"):
        Z = np.asarray(problem.loss(np.stack([X, Y], axis=-1)), dtype=np.float64)
    return X, Y, np.where(np.isfinite(Z), Z, np.nan)


def contour_segments(X, Y, Z, levels):
    """Contour line segments of ``Z`` at ``levels``, ready for ``LineCollection.set_segments``.

    Computing them once lets an explorer swap whole surfaces without calling ``contour``.

    Examples
    --------
    >>> X, Y = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
    >>> len(contour_segments(X, Y, X**2 + Y**2, [0.5]))
    1
    """
    import contourpy

    gen = contourpy.contour_generator(X, Y, np.ma.masked_invalid(Z), line_type="Separate")
    segs = []
    for level in np.atleast_1d(levels):
        segs.extend(s for s in gen.lines(float(level)) if len(s) > 1)
    return segs


def plot_contour(ax, problem, xlim, ylim, n=120, n_levels=14, optimum=True, filled=True,
                 log=True, lines_grid=None):
    """Contour lines of ``problem.loss`` over the box ``xlim x ylim``, on a light shading.

    Parameters
    ----------
    log : bool
        Log-spaced levels of the excess loss (bowls) or evenly spaced levels (plateaus and
        cliffs, e.g. :class:`~gradclip.CliffRNN`).
    lines_grid : tuple of two arrays, optional
        A grid ``(X, Y)`` (any curvilinear one, e.g. :func:`gradclip.plots.rnn.wall_grid`) on
        which the levels and lines are computed instead of the ``n x n`` square grid; the
        shading stays on the square grid.

    Returns
    -------
    dict
        ``"lines"`` (LineCollection), ``"fill"`` (AxesImage or None), ``"optimum"`` (Line2D or None).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic
    >>> arts = plot_contour(Figure().subplots(), Quadratic.with_condition(4.0), (-1, 1), (-1, 1))
    >>> sorted(arts)
    ['fill', 'lines', 'optimum']
    """
    check_ax(ax)
    X, Y, Z = loss_grid(problem, xlim, ylim, n)
    LX, LY, LZ = X, Y, Z
    if lines_grid is not None:
        LX, LY = (np.asarray(a, dtype=np.float64) for a in lines_grid)
        if LX.ndim != 2 or LX.shape != LY.shape:
            raise ValueError(f"lines_grid must be two 2-D arrays of one shape, got {LX.shape} and {LY.shape}")
        with np.errstate(all="ignore"):
            LZ = problem.loss(np.stack([LX, LY], axis=-1))
    star = problem.solution() if optimum and hasattr(problem, "solution") else None
    floor = float(problem.loss(star)) if star is not None else None
    if log:
        levels = contour_levels(LZ, n_levels, floor)
        base = np.nanmin(Z) if floor is None else floor
        with np.errstate(all="ignore"):
            shade = np.log10(np.maximum(Z - base, 0.1 * (levels[0] - base)))
    else:
        levels = np.linspace(np.nanmin(LZ), np.nanmax(LZ), n_levels + 2)[1:-1]
        shade = Z
    fill = None
    if filled:
        fill = ax.imshow(shade, extent=(*xlim, *ylim), origin="lower", aspect="auto",
                         cmap="viridis" if not log else "Greys_r", alpha=0.35 if not log else 0.25,
                         interpolation="bilinear", zorder=0)
    lines = LineCollection(contour_segments(LX, LY, LZ, levels), colors="0.45", linewidths=0.8, zorder=1)
    ax.add_collection(lines)
    opt = None
    if star is not None and np.all(np.isfinite(star)):
        (opt,) = ax.plot(*star, marker="*", ms=13, color=PALETTE["optimum"], ls="none",
                         zorder=5, label="optimum")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"$\theta_0$")
    ax.set_ylabel(r"$\theta_1$")
    return {"lines": lines, "fill": fill, "optimum": opt}


def plot_surface(ax3d, problem, xlim, ylim, n=50, log=True):
    """The loss as a 3-D surface on an ``Axes3D`` (``log``: plot ``log10`` of the excess loss).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic
    >>> ax3d = Figure().add_subplot(projection="3d")
    >>> type(plot_surface(ax3d, Quadratic.with_condition(4.0), (-1, 1), (-1, 1), n=10)).__name__
    'Poly3DCollection'
    """
    if getattr(ax3d, "name", "") != "3d":
        raise ValueError(f"ax3d must be a 3-D Axes (projection='3d'), got {ax3d!r}")
    X, Y, Z = loss_grid(problem, xlim, ylim, n)
    H = surface_height(Z, np.nanmin(Z), log)
    surf = ax3d.plot_surface(X, Y, H, cmap="viridis", linewidth=0, antialiased=False,
                             alpha=0.85, rcount=n, ccount=n)
    ax3d.set_xlabel(r"$\theta_0$")
    ax3d.set_ylabel(r"$\theta_1$")
    ax3d.set_title(r"$\log_{10}(J - J_{min})$" if log else "J", fontsize="medium")
    return surf


def trajectory_xy(thetas, xlim=None, ylim=None, factor=4.0):
    """Finite iterates to draw, cut after the first one far outside the view (divergence).

    Returns ``(x, y)`` arrays; points past the cut are dropped so a diverged run draws as a
    line leaving the frame, never as coordinates like 1e150.

    Examples
    --------
    >>> trajectory_xy([[0.0, 0.0], [1.0, 1.0], [np.nan, np.nan]])
    (array([0., 1.]), array([0., 1.]))
    >>> trajectory_xy([[0.0, 0.0], [100.0, 0.0], [1e9, 0.0]], (-1, 1), (-1, 1))[0]
    array([  0., 100.])
    """
    thetas = v.as_float_array(thetas, "thetas")
    if thetas.ndim != 2 or thetas.shape[1] != 2:
        raise ValueError(f"thetas must have shape (n, 2), got {thetas.shape}")
    ok = np.all(np.isfinite(thetas), axis=1)
    n = int(np.argmin(ok)) if not ok.all() else len(thetas)
    pts = thetas[:n]
    if xlim is not None and ylim is not None and n:
        (x0, x1), (y0, y1) = xlim, ylim
        wx, wy = factor * (x1 - x0), factor * (y1 - y0)
        far = ((pts[:, 0] < x0 - wx) | (pts[:, 0] > x1 + wx) | (pts[:, 1] < y0 - wy)
               | (pts[:, 1] > y1 + wy))
        if far.any():
            pts = pts[: int(np.argmax(far)) + 1]
    return pts[:, 0].copy(), pts[:, 1].copy()


def plot_trajectory(ax, traj, color=None, label=None, steps=None, markers=True):
    """The iterates of a run as a line with dots, from a start marker (``o``).

    Parameters
    ----------
    ax : Axes
    traj : Trajectory or array_like (n, 2)
        A run from :func:`gradclip.run`, or its ``thetas``.
    steps : int, optional
        Draw only the first ``steps`` updates.

    Returns
    -------
    dict
        ``"path"`` and ``"start"`` (Line2D).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic, run
    >>> traj = run(Quadratic.with_condition(4.0), [1.0, 1.0], lr=0.5, steps=10)
    >>> len(plot_trajectory(Figure().subplots(), traj)["path"].get_xdata())
    11
    """
    check_ax(ax)
    thetas = getattr(traj, "thetas", traj)
    thetas = v.as_float_array(thetas, "traj")
    if steps is not None:
        thetas = thetas[: v.non_negative_int(steps, "steps") + 1]
    color = color or PALETTE["good"]
    x, y = trajectory_xy(thetas, ax.get_xlim(), ax.get_ylim())
    (path,) = ax.plot(x, y, "-", color=color, marker="o" if markers else None, ms=3.5,
                      lw=1.6, label=label, zorder=3)
    (start,) = ax.plot(thetas[:1, 0], thetas[:1, 1], "o", ms=8, mfc="white", mec=color,
                       mew=2, zorder=4)
    return {"path": path, "start": start}


def plot_loss_curve(ax, traj, floor=0.0, color=None, label=None):
    """``J - floor`` per step on a log axis (``floor``: the minimum loss, for the excess).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic, run
    >>> traj = run(Quadratic.with_condition(4.0), [1.0, 1.0], lr=0.5, steps=10)
    >>> plot_loss_curve(Figure().subplots(), traj).get_ydata().shape
    (11,)
    """
    check_ax(ax)
    if not hasattr(traj, "losses"):
        raise ValueError(f"traj must be a Trajectory, got {type(traj).__name__}")
    y = excess(traj, float(floor))
    (line,) = ax.semilogy(np.arange(len(y)), y, color=color or PALETTE["good"], label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(r"$J - J_{min}$" if floor else "J")
    return line


def plot_regimes(axes, problem, trajs, labels=None):
    """Several runs (e.g. the four regimes), one contour panel each, and their loss curves.

    Parameters
    ----------
    axes : sequence of Axes
        ``len(trajs)`` contour axes followed by one axes for the loss curves.
    problem : Problem
        A 2-D problem with ``solution`` (the contour background).
    trajs : list of Trajectory
        Runs from the same start, e.g. ``lr = f / lambda_max`` for ``f = 0.1, 0.8, 1.8, 2.05``.
    labels : list of str, optional
        Panel titles and legend labels (default: the learning rates).

    Returns
    -------
    list of dict
        For each run, ``{"path", "start", "loss"}``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic, run
    >>> q = Quadratic.with_condition(4.0)
    >>> runs = [run(q, [1.0, 1.0], lr, 20) for lr in (0.1, 0.8, 1.8, 2.05)]
    >>> len(plot_regimes(list(Figure().subplots(1, 5)), q, runs))
    4
    """
    if not trajs or not all(hasattr(t, "thetas") for t in trajs):
        raise ValueError("trajs must be a non-empty list of Trajectory")
    if not (isinstance(axes, (list, tuple, np.ndarray)) and len(axes) == len(trajs) + 1):
        raise ValueError(f"axes must hold {len(trajs) + 1} Axes (one per run, then the loss), "
                         f"got {axes!r}")
    axes = [check_ax(a, "axes") for a in np.ravel(np.asarray(axes, dtype=object))]
    labels = labels or [f"lr = {t.lr:.3g}" for t in trajs]
    if len(labels) != len(trajs):
        raise ValueError(f"labels must have {len(trajs)} entries, got {len(labels)}")
    star = problem.solution()
    xlim, ylim = view_box(trajs[0].thetas[0], star)
    floor = float(problem.loss(star))
    ax_l, out = axes[-1], []
    for i, (ax, t, lab) in enumerate(zip(axes, trajs, labels)):
        c = REGIME_COLORS[i % 4]
        plot_contour(ax, problem, xlim, ylim, n=80, n_levels=10)
        arts = plot_trajectory(ax, t, color=c, label=lab)
        ax.set_title(lab, color=c, fontsize="medium")
        arts["loss"] = plot_loss_curve(ax_l, t, floor, color=c, label=lab)
        if t.diverged:
            k = t.diverged_at
            ax_l.annotate(f"diverged at step {k}", (k - 1, excess(t, floor)[k - 1]),
                          xytext=(-8, 0), textcoords="offset points", ha="right", va="center",
                          color=c, fontsize="small")
        out.append(arts)
    ax_l.set_ylim(max(ax_l.get_ylim()[0], 1e-10), None)
    ax_l.legend(loc="lower left", ncol=2, fontsize="small", framealpha=0.9)
    ax_l.set_title("excess loss per step")
    return out


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
