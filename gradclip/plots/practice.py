"""Figures of notebooks 05 and 06: choosing the learning rate and the threshold, and clipping
a real network. Builders return a figure at most :data:`~gradclip.plots.COLUMN_WIDTH` wide;
they plot results the core computed and never run descent themselves, except the GIF builder
at the end (a file for ``figures/``).
"""

import numpy as np

from .. import validation as v
from ..style import PALETTE
from ._axes import check_ax
from ._axes import COLUMN_WIDTH
from .sweeps import plot_phase

__all__ = ["adding_task_figure", "phase_figure", "two_cycle_figure", "cv_figure", "range_test_figure", "threshold_map_figure",
           "plot_agc_units", "adding_figure", "phase_steps_gif"]


def _figure(width, height, ncols):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, ncols, figsize=(min(width, COLUMN_WIDTH), height), layout="constrained")
    return fig, np.atleast_1d(axes)


def phase_figure(results, edge=None, vlim=None, solved=None):
    """Phase diagrams side by side with one colour bar: ``results`` maps a title to a 2-D
    :class:`~gradclip.SweepResult`; ``edge``, ``vlim = (vmin, vmax)`` and ``solved`` as in
    :func:`~gradclip.plots.plot_phase`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> res = gc.sweep(gc.Quadratic.with_condition(4.0), [1.0, 1.0], [0.5, 3.0], [0.1, 1.0], steps=20)
    >>> len(phase_figure({"a": res, "b": res}, edge=2.0).axes)
    3
    """
    if not isinstance(results, dict) or not results:
        raise ValueError(f"results must be a non-empty dict of title -> SweepResult, got {results!r}")
    lo, hi = (None, None) if vlim is None else vlim
    fig, axes = _figure(4.6 * len(results), 3.9, len(results))
    for ax, (title, res) in zip(axes, results.items()):
        mesh = plot_phase(ax, res, edge=edge, title=title, vmin=lo, vmax=hi, solved=solved)
        ax.title.set_fontsize("medium")
    for ax in axes[1:]:
        ax.set_ylabel("")
    steps = next(iter(results.values())).steps
    fig.colorbar(mesh, ax=list(axes), label=f"loss after {steps} steps")
    return fig


def two_cycle_figure(problem, runs, lr, threshold, shown=120):
    """Norm-clipped descent above the edge: the distance to the optimum per step (left) and
    the 2-cycle each run ends in (right), one point ``(e, e')`` per run.

    Every cycle lies on the line ``e + e' = lr * c`` inside the square
    ``c / lambda_max < e, e' < lr * c - c / lambda_max`` (shaded): clipping fires at both ends.

    Parameters
    ----------
    problem : Problem
        A quadratic (``solution`` and ``eigenvalues``).
    runs : list of Trajectory
        Runs at ``lr`` with ``clip="norm"``, ``threshold``, from different starts.
    lr, threshold : float
    shown : int
        Steps drawn on the left (the first three runs).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> q = gc.Quadratic.with_condition(10.0)
    >>> runs = [gc.run(q, s, 2.5, 200, clip="norm", threshold=1.0) for s in [(-4, 3), (3, 3)]]
    >>> len(two_cycle_figure(q, runs, 2.5, 1.0).axes)
    2
    """
    if not runs or not all(hasattr(t, "distances") for t in runs):
        raise ValueError(f"runs must be a non-empty list of Trajectory, got {runs!r}")
    lr, c = v.positive(lr, "lr"), v.positive(threshold, "threshold")
    lam = float(problem.eigenvalues()[-1])
    lo, hi = c / lam, lr * c - c / lam
    star = problem.solution()
    fig, (ax, ax2) = _figure(9.0, 3.6, 2)
    colors = [PALETTE[k] for k in ("slow", "good", "oscillating", "clipped", "raw", "divergent")]
    pairs = np.array([t.distances(star)[-2:] for t in runs])
    for i, t in enumerate(runs[:3]):
        ax.semilogy(t.distances(star)[:shown + 1], color=colors[i], lw=1.2, marker="o", ms=2,
                    label=f"from ({t.thetas[0][0]:.3g}, {t.thetas[0][1]:.3g})")
    ax.axhspan(lo, hi, color="0.85", zorder=0, label="c/λmax .. lr·c − c/λmax")
    ax.set(xlabel="step", ylabel="distance to the optimum", xlim=(0, shown))
    ax.legend(fontsize="small", loc="upper right")
    ax2.fill_between([lo, hi], lo, hi, color="0.9", zorder=0)
    ax2.plot([lo, hi], [hi, lo], color="0.4", lw=1, ls="--", label=f"e + e′ = lr·c = {lr * c:.4g}")
    ax2.plot(pairs.min(1), pairs.max(1), "o", color=PALETTE["good"], ms=5, label="one start")
    ax2.plot(pairs.max(1), pairs.min(1), "o", color=PALETTE["good"], ms=5, mfc="white")
    ax2.set(xlabel="distance e at one end", ylabel="distance e′ at the other end",
            xlim=(lo * 0.9, hi * 1.05), ylim=(lo * 0.9, hi * 1.05))
    ax2.set_aspect("equal")
    ax2.legend(fontsize="small", loc="upper right")
    fig.suptitle(f"clip by norm above the edge: lr = {lr / (2 / lam):.2g} × 2/λmax, c = {c:g}",
                 fontsize="medium")
    return fig


def _heat(ax, lrs, thresholds, table, title, vmin, vmax):
    from matplotlib.colors import LogNorm

    shown = np.where(np.isfinite(table), table, np.nan)
    mesh = ax.pcolormesh(lrs, thresholds, shown.T, shading="nearest", cmap="viridis",
                         norm=LogNorm(vmin=vmin, vmax=vmax))
    ax.set(xscale="log", yscale="log", xlabel="learning rate", title=title)
    return mesh


def cv_figure(cv):
    """Mean training loss (left) and mean validation loss (right) of a
    :func:`~gradclip.cross_validate` grid, the pair each one picks marked on both.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> prob, _ = gc.demo_regression()
    >>> cv = gc.cross_validate(prob.X, prob.y, [0.1, 0.5, 1.0], [1.0, 100.0], steps=50)
    >>> len(cv_figure(cv).axes)
    3
    """
    if not hasattr(cv, "val_mean") or cv.thresholds is None:
        raise ValueError(f"cv must be a CVResult over (lr, threshold), got {cv!r}")
    fin = np.concatenate([a[np.isfinite(a)] for a in (cv.train_mean, cv.val_mean)])
    vmin, vmax = float(fin.min()), float(np.percentile(fin, 90))
    fig, axes = _figure(9.0, 3.8, 2)
    for ax, table, name in zip(axes, (cv.train_mean, cv.val_mean), ("training", "validation")):
        mesh = _heat(ax, cv.lrs, cv.thresholds, table, f"mean {name} loss over the folds", vmin, vmax)
        for pair, marker, label in ((cv.best_train, "X", "chosen on training"),
                                    (cv.best, "*", "chosen on validation")):
            if pair is not None:
                ax.plot(*pair, marker=marker, ms=14, color="white", mec="black", ls="none", label=label)
    axes[0].set_ylabel("clipping threshold")
    axes[1].legend(fontsize="small", loc="lower left")
    fig.colorbar(mesh, ax=axes, label="loss (grey: above the colour range)", extend="max")
    return fig


def range_test_figure(tests, edges, labels):
    """Learning-rate range tests: loss against the rate (log-log), the edge ``2 / lambda_max``
    dashed and the blow-up marked, one panel per test.

    Parameters
    ----------
    tests : list of LRRangeTest
    edges : list of float
        ``2 / lambda_max`` of each problem (at the start, for a network).
    labels : list of str

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> prob, theta0 = gc.demo_regression()
    >>> res = gc.lr_range_test(prob, theta0, steps=50)
    >>> len(range_test_figure([res], [prob.max_stable_lr()], ["regression"]).axes)
    1
    """
    if not (len(tests) == len(edges) == len(labels) >= 1):
        raise ValueError(f"tests, edges and labels must have the same length >= 1, got "
                         f"{len(tests)}, {len(edges)}, {len(labels)}")
    fig, axes = _figure(4.5 * len(tests), 3.4, len(tests))
    for ax, t, edge, label in zip(axes, tests, edges, labels):
        edge = v.positive(edge, "edge")
        ax.loglog(t.lrs, t.losses / t.loss0, color=PALETTE["slow"], lw=1.6)
        ax.axvline(edge, color="black", ls="--", lw=1.2, label=f"2/λmax = {edge:.2g}")
        if t.blow_up_lr is not None:
            ax.axvline(t.blow_up_lr, color=PALETTE["divergent"], lw=1.2,
                       label=f"blow-up: {t.blow_up_lr / edge:.2g} × 2/λmax")
        ax.set(xlabel="learning rate of that step", title=label)
        ax.legend(fontsize="small", loc="lower left")
    axes[0].set_ylabel("loss / loss at the start")
    return fig


def threshold_map_figure(result, thresholds, band=None, target=None, solved=("abs", 0.01), title=None):
    """A phase diagram with candidate thresholds drawn across it.

    Parameters
    ----------
    result : SweepResult
        An (lr, threshold) sweep.
    thresholds : dict
        Label -> threshold, each drawn as a horizontal line.
    band : (float, float), optional
        A range of thresholds to hatch (e.g. Pascanu et al.'s 0.5 to 10 times the mean norm).
    target : (float, float), optional
        The range the thresholds should hit (e.g. where every learning rate is solved),
        drawn as two dotted lines.
    solved : see :func:`~gradclip.plots.plot_phase`.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> res = gc.sweep(gc.CliffRNN(), [4.5, -2.8], [0.1, 1.0], [0.1, 1.0], steps=20)
    >>> len(threshold_map_figure(res, {"median": 0.3}, band=(0.1, 2.0)).axes)
    2
    """
    fig, (ax,) = _figure(7.5, 4.2, 1)
    mesh = plot_phase(ax, result, solved=solved, vmin=1e-6, vmax=0.5, title=title)
    colors = [PALETTE["oscillating"], PALETTE["clipped"], PALETTE["raw"], "white"]
    for i, (label, thr) in enumerate(thresholds.items()):
        ax.axhline(v.positive(thr, "threshold"), color=colors[i % 4], lw=2, label=f"{label}: {thr:.3g}")
    if band is not None:
        ax.axhspan(*band, facecolor="none", edgecolor="white", hatch="//", lw=0)
        ax.plot([], [], color="white", lw=0, marker="s", mfc="none", mec="0.3", label="hatched: 0.5-10 × mean norm")
    if target is not None:
        for i, y in enumerate(target):
            ax.axhline(v.positive(y, "target"), color="black", ls=":", lw=2,
                       label=None if i else f"every lr solved: {target[0]:.3g} .. {target[1]:.3g}")
    ax.legend(fontsize="small", loc="lower left", framealpha=0.9)
    fig.colorbar(mesh, ax=ax, label=f"loss after {result.steps} steps")
    return fig


def plot_agc_units(ax, grads, params, clipping, eps=1e-3, names=None):
    """Adaptive clipping, unit by unit: gradient norm of each unit against its bound
    ``clipping * max(||w_unit||, eps)``; points above the diagonal are clipped.

    A unit is a row of a weight matrix (PyTorch layout) or a whole 1-D array, as in
    :func:`gradclip.adaptive_clip`. Returns the scatter artists.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> from matplotlib.figure import Figure
    >>> arts = plot_agc_units(Figure().subplots(), [np.ones((2, 3)), np.ones(2)],
    ...                       [np.ones((2, 3)), np.zeros(2)], 0.05)
    >>> len(arts)
    2
    """
    check_ax(ax)
    c, e = v.positive(clipping, "clipping"), v.positive(eps, "eps")
    names = names or [f"params[{i}]" for i in range(len(grads))]
    colors = [PALETTE[k] for k in ("slow", "good", "oscillating", "clipped", "raw", "divergent")]
    arts, lo, hi = [], np.inf, 0.0
    for i, (g, w, name) in enumerate(zip(grads, params, names)):
        g, w = np.asarray(g, dtype=float), np.asarray(w, dtype=float)
        axes = tuple(range(1, g.ndim)) if g.ndim >= 2 else None
        gn = np.atleast_1d(np.sqrt(np.sum(g * g, axis=axes)))
        bound = c * np.maximum(np.atleast_1d(np.sqrt(np.sum(w * w, axis=axes))), e)
        arts.append(ax.scatter(bound, np.maximum(gn, 1e-12), s=18 if g.ndim > 1 else 60,
                               marker="o" if g.ndim > 1 else "D", color=colors[i % 6], label=name, zorder=3))
        lo, hi = min(lo, bound.min(), gn[gn > 0].min(initial=np.inf)), max(hi, bound.max(), gn.max())
    ax.plot([lo / 2, hi * 2], [lo / 2, hi * 2], color="0.4", ls="--", lw=1, label="‖g‖ = bound")
    ax.set(xscale="log", yscale="log", xlabel="bound  λ·max(‖w_unit‖, ε)", ylabel="‖g_unit‖")
    ax.legend(fontsize="small", loc="lower right")
    return arts


def adding_task_figure(X, y, n=3):
    """The adding problem at a glance: ``n`` sequences of ``X`` (shape ``(m, T, 2)``), the
    numbers of channel 0 as bars, the two marked ones (channel 1: a triangle below the bar)
    highlighted and summed in the title of each row. Returns the figure."""
    import matplotlib.pyplot as plt

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if X.ndim != 3 or X.shape[2] != 2 or len(y) != len(X):
        raise ValueError(f"X must have shape (m, T, 2) and y m rows, got {X.shape} and {y.shape}")
    n = v.non_negative_int(n, "n")
    if not 1 <= n <= len(X):
        raise ValueError(f"n must lie in [1, {len(X)}], got {n!r}")
    T = X.shape[1]
    fig, axes = plt.subplots(n, 1, figsize=(COLUMN_WIDTH * 0.8, 0.9 + 1.0 * n), sharex=True,
                             layout="constrained", squeeze=False)
    steps = np.arange(T)
    for ax, x, target in zip(axes[:, 0], X[:n], y[:n, 0]):
        marked = x[:, 1] > 0.5
        ax.bar(steps[~marked], x[~marked, 0], color="0.78", width=0.8)
        ax.bar(steps[marked], x[marked, 0], color=PALETTE["divergent"], width=0.8)
        a, b = x[marked, 0]
        ax.set_title(f"marked: {a:.2f} + {b:.2f} = target {target:.2f}", fontsize="small", loc="left")
        ax.plot(steps[marked], np.full(2, -0.1), "^", color=PALETTE["divergent"], ms=6)  # the marks
        ax.set_ylim(-0.2, 1.05)
        ax.set_yticks([0, 1])
        ax.axvline(T / 2 - 0.5, color="0.4", lw=0.8, ls=":")
    axes[-1, 0].set_xlabel(f"time step (of {T}; one mark in each half, dotted line)")
    fig.suptitle("the adding problem: remember two marked numbers, output their sum", fontsize="medium")
    return fig


def adding_figure(runs, threshold):
    """Training an RNN on the adding problem: loss per step (left, with the loss of always
    predicting 1, ``1/12``) and the global gradient norm with the threshold (right).

    Parameters
    ----------
    runs : dict
        Label -> :class:`~gradclip.Training`.
    threshold : float

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import gradclip as gc
    >>> X, y = gc.adding_problem(64, 10)
    >>> r = gc.train(gc.RNN(2, 8, 1), X, y, lr=0.1, steps=20, batch_size=16)
    >>> len(adding_figure({"plain": r}, 1.0).axes)
    2
    """
    from dataclasses import replace

    from .nets import plot_training

    fig, (ax1, ax2) = _figure(9.0, 3.6, 2)
    with np.errstate(invalid="ignore"):  # values past the axes are drawn at 1e12: no overflow
        shown = {k: replace(r, losses=np.minimum(r.losses, 1e12), grad_norms=np.minimum(r.grad_norms, 1e12))
                 for k, r in runs.items()}
    plot_training(ax1, ax2, shown, threshold=threshold)
    ax1.axhline(1 / 12, color="0.3", lw=1, ls=":", label="predict 1: 1/12")
    ax1.legend(fontsize="small", loc="upper right")
    ax1.set_title("mini-batch loss", fontsize="medium")
    ax2.set_title("global gradient norm", fontsize="medium")
    for label, r in runs.items():
        if r.diverged_at is not None:
            ax1.axvline(r.diverged_at, color=PALETTE["divergent"], lw=1, ls="--")
    for ax, key_, top in ((ax1, "losses", 1e4), (ax2, "grad_norms", 1e8)):
        vals = np.concatenate([getattr(r, key_) for r in runs.values()])
        vals = vals[np.isfinite(vals) & (vals > 0)]
        ax.set_ylim(vals.min() / 2 if vals.size else 1e-3, top)  # overflowing runs leave at the top
    return fig


def phase_steps_gif(path, steps=(1, 2, 5, 10, 20, 30, 50, 70, 100, 150, 200), fps=2, dpi=70):
    """A GIF of the norm-clipping phase diagrams of the demo regression and the CliffRNN as
    the number of steps grows (one frame per entry of ``steps``), for ``figures/``."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    from ..data import demo_regression
    from ..problems import CliffRNN
    from ..solvers import sweep

    prob, theta0 = demo_regression()
    lrs, thr = np.geomspace(0.01, 10, 31), np.geomspace(0.01, 10, 31)
    cases = [(prob, theta0, prob.max_stable_lr(), (0.47, 30.0), 0.01, "linear regression"),
             (CliffRNN(), np.array([4.5, -2.8]), None, (1e-6, 0.5), ("abs", 0.01), "CliffRNN")]
    maps = [[sweep(p, t0, lrs, thr, k, "norm") for k in steps] for p, t0, *_ in cases]
    fig, axes = _figure(9.0, 3.9, 2)

    def frame(i):
        for ax, (p, t0, edge, vlim, solved, name), m in zip(axes, cases, maps):
            ax.cla()
            plot_phase(ax, m[i], edge=edge, vmin=vlim[0], vmax=vlim[1], solved=solved,
                       title=f"{name}, clip by norm: {steps[i]} steps")
        return []

    anim = FuncAnimation(fig, frame, frames=len(steps), blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps, metadata={"Software": None}), dpi=dpi)
    plt.close(fig)
