"""Whole figures and the animation of the theory notebook, and the files they write.

:func:`theory_figure` (three panels: steps on ``x^4``, heavy-tailed errors, per-example
clipping), :func:`adam_figure` (Adam paths and their distances), :func:`smoothness_animation`
(fixed against clipped steps on ``x^4``); :func:`overview_png` and :func:`smoothness_gif` write
the files listed in :mod:`gradclip.figures`. Each figure is at most
:data:`~gradclip.plots.COLUMN_WIDTH` wide.
"""

import numpy as np

from .. import validation as v
from ._axes import COLUMN_WIDTH
from .theory import (SERIES_COLORS, check_series, log_axes, plot_adam_paths, plot_clipped_gradient,
                     plot_error_distribution, plot_path_gaps, plot_steps_to_target)

__all__ = ["theory_figure", "adam_figure", "smoothness_animation", "OVERVIEW", "overview_png",
           "smoothness_gif"]


def _figure(width, height, ncols):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(min(width, COLUMN_WIDTH), height), layout="constrained")
    return fig, fig.subplots(1, ncols)


def theory_figure(x0s, steps, errors, a=(-3.0, 3.0), thresholds=(0.5, 1.0, 2.0), target=1e-3):
    """Three panels: steps to target against the start (fixed vs clipped), the final error
    over seeds under heavy-tailed noise, and the bias of per-example clipping.

    Parameters
    ----------
    x0s, steps, target :
        As :func:`plot_steps_to_target` (``steps`` is its ``series``).
    errors : dict
        As :func:`plot_error_distribution`.
    a, thresholds :
        As :func:`plot_clipped_gradient`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax1, ax2, ax3) = _figure(9.0, 3.4, 3)
    plot_steps_to_target(ax1, x0s, steps, target)
    ax1.set_title("x⁴: far starts", fontsize="medium")
    plot_error_distribution(ax2, errors)
    ax2.set_title("heavy-tailed noise", fontsize="medium")
    plot_clipped_gradient(ax3, a, thresholds)
    ax3.set_title("per-example clipping", fontsize="medium")
    ax3.set_ylabel("mean clipped gradient")
    return fig


def adam_figure(problem, trajs, xlim, ylim):
    """Adam paths on the contour (left) and each path's distance to the first one (right).

    Parameters
    ----------
    trajs : dict
        ``{label: Trajectory}``; the first is the reference.

    Returns
    -------
    matplotlib.figure.Figure
    """
    trajs = check_series(trajs, "trajs")
    fig, (ax1, ax2) = _figure(9.0, 3.8, 2)
    plot_adam_paths(ax1, problem, trajs, xlim, ylim)
    first, *rest = trajs
    plot_path_gaps(ax2, trajs[first], {k: trajs[k] for k in rest})
    return fig


def smoothness_animation(x0, runs, target=1e-3, max_frames=30, interval=200):
    """Runs on ``f(x) = x^4`` side by side in time: where each iterate is on the curve (log-log,
    left) and the loss against the step (log-log, right), frames at log-spaced steps.

    Parameters
    ----------
    x0 : float
        The common start (sets the view).
    runs : dict
        ``{label: Trajectory}`` of 1-D runs of the same length.
    target : float
        Drawn as a dotted line.

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.fig`` and ``.frame_list`` (the steps shown).
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    x0 = v.positive(x0, "x0")
    runs = check_series(runs, "runs")
    n = len(next(iter(runs.values())).losses) - 1
    frames = np.unique(np.concatenate([[0], np.geomspace(1, n, max_frames - 1).round()]).astype(int))
    with plt.ioff():
        fig, (axc, axl) = _figure(9.0, 3.4, 2)
    floor = target / 1e4
    xs = np.geomspace(floor ** 0.25 / 2, 2 * x0, 50)
    axc.plot(xs, xs ** 4, color="0.6", lw=1.2)
    axc.axhline(target, color="0.45", ls=":", lw=1.2)
    axc.set_xscale("log")
    axc.set_yscale("log")
    axc.set_xlim(xs[0], xs[-1])
    axc.set_ylim(floor / 3, (2 * x0) ** 4)
    axc.set_xlabel("|x| (where the iterate is)")
    axc.set_ylabel("f(x) = x⁴")
    axl.set_xscale("log")
    axl.set_yscale("log")
    axl.set_xlim(1, n + 1)
    top = max(float(np.nanmax(r.losses)) for r in runs.values())
    axl.set_ylim(floor / 3, top * 10)
    axl.axhline(target, color="0.45", ls=":", lw=1.2)
    axl.set_xlabel("step + 1")
    axl.set_ylabel("loss")
    heads, curves = [], []
    for i, (label, r) in enumerate(runs.items()):
        c = SERIES_COLORS[i % len(SERIES_COLORS)]
        heads.append(axc.plot([], [], "o" if i == 0 else "D", ms=11 - 3 * i, color=c, label=label,
                              zorder=5 + i)[0])
        curves.append(axl.plot([], [], lw=1.8, color=c)[0])
    axc.legend(fontsize="small", loc="upper left")
    log_axes(axc, axl)
    title = fig.suptitle(f"step {n} of {n}, from x0 = {x0:g}", fontsize="medium")
    fig.draw_without_rendering()
    fig.set_layout_engine("none")

    def draw(step):
        for h, cv, r in zip(heads, curves, runs.values()):
            x = max(abs(float(r.thetas[step, 0])), floor ** 0.25)
            h.set_data([x], [x ** 4])
            cv.set_data(np.arange(1, step + 2), np.maximum(r.losses[: step + 1], floor))
        title.set_text(f"step {step} of {n}, from x0 = {x0:g}")
        return heads + curves + [title]

    anim = FuncAnimation(fig, draw, frames=frames, interval=interval, blit=False, repeat=True)
    anim.fig, anim.frame_list = fig, frames
    draw(int(frames[-1]))
    return anim


#: The settings of the overview figure: the small x^4 table of the theory notebook.
OVERVIEW = {"x0s": (2.0, 5.0, 10.0, 20.0), "n_starts": 8, "edge_fractions": (0.5, 0.7, 0.9, 0.95, 0.99),
            "clip_lrs": tuple(np.logspace(-1, 1, 9)), "thresholds": tuple(np.logspace(-1, 2, 13)),
            "clip_steps": 100}


def _save(fig, path):
    fig.savefig(path, dpi=100, metadata={"Software": None})


def overview_png(path):
    """Write the overview figure (:func:`theory_figure`) of the theory notebook to ``path``:
    best fixed vs best clipped steps on ``x^4`` (:data:`OVERVIEW`), 300 seeds of SGD with
    Student-t noise (``nu = 1.5``) plain and clipped at 1, per-example clipping of ``a = +-3``."""
    import matplotlib.pyplot as plt

    from ..noise import noisy_sgd
    from ..problems import Quadratic
    from ..smoothness import fixed_vs_clipped

    table = fixed_vs_clipped(**OVERVIEW)
    q = Quadratic(np.eye(2))
    kw = dict(noise="student_t", df=1.5, seed=0, n_runs=300)
    errors = {"plain SGD": noisy_sgd(q, [5.0, 5.0], 0.1, 300, **kw).errors,
              "clipped at 1": noisy_sgd(q, [5.0, 5.0], 0.1, 300, clip="norm", threshold=1.0, **kw).errors}
    fig = theory_figure(table.x0s, {"best fixed lr": table.fixed_steps, "best clipped": table.clip_steps},
                        errors)
    _save(fig, path)
    plt.close(fig)


def smoothness_gif(path, x0=10.0):
    """Write the GIF of :func:`smoothness_animation` to ``path``: from ``x0``, fixed steps at
    0.95 times the edge ``1/(2 x0^2)`` against clipped steps with ``lr = 1, c = 1``, 1000 steps."""
    import matplotlib.pyplot as plt

    from ..problems import Power
    from ..solvers import run
    from .animation import save_gif

    f = Power(p=4)
    lr = 0.95 * f.edge_lr([x0])
    runs = {f"fixed lr = 0.95 × edge = {lr:.3g}": run(f, [x0], lr, 1000),
            "clipped: lr = 1, c = 1": run(f, [x0], 1.0, 1000, clip="norm", threshold=1.0)}
    anim = smoothness_animation(x0, runs)
    save_gif(anim, path, fps=5, dpi=64)
    plt.close(anim.fig)
