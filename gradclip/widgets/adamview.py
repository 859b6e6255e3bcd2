"""The Adam explorer: a constant gradient factor leaves Adam's path alone, clipping does not.

Adam divides a running mean of the gradients by the root of a running mean of their squares,
so multiplying every gradient by one constant ``s`` changes nothing but the weight of ``eps``
(the run equals plain Adam with ``eps / s``). Norm clipping multiplies the gradient by
``min(1, c / ||g_k||)``, a factor that changes from step to step, and so it changes the path.
Three runs per setting, on ``Quadratic.with_condition(10)`` from ``(-4, 3)``: (a) plain Adam,
(b) every gradient times ``s``, (c) gradients clipped to norm ``c``. The page shows the paths,
the distance of (b) and (c) to (a) per step, and the factor each gradient was multiplied by.
"""

import numpy as np

from .. import plots
from ..clipping import clip_factor
from ..problems import Quadratic
from ..optim import adam_batch
from ..plots.theory import SERIES_COLORS, log_axes
from .arrays import pad
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, key, paths
from .stage import Stage, at, between, value, where

__all__ = ["adam_explorer", "adam_stage", "adam_runs", "EPS_OPTIONS", "GAP_FLOOR"]

#: The eps toggle: option label -> value.
EPS_OPTIONS = {"0": 0.0, "1e-8": 1e-8, "1e-3": 1e-3}
#: Distances below this are drawn at it (a log axis has no 0).
GAP_FLOOR = 1e-17
#: Paths closer than this at every step are "the same path" (rounding, never eps: eps = 1e-8
#: moves path (b) by about 1e-6 here).
SAME = 1e-12
#: The scene of notebook 07, section 5.
SCENE = {"condition": 10.0, "theta0": (-4.0, 3.0), "betas": (0.9, 0.999)}
COLORS = {"a": SERIES_COLORS[0], "b": SERIES_COLORS[3], "c": SERIES_COLORS[2]}


def adam_runs(problem, theta0, lrs, steps, eps=0.0, scale=1.0, threshold=None, betas=(0.9, 0.999)):
    r"""Adam for many configurations at once (one row each): :func:`gradclip.adam_batch`,
    and the factor norm clipping put on each gradient.

    Row ``i`` runs ``g = clip(s_i grad f(theta))`` (norm clipping at ``threshold[i]``; none
    when ``threshold`` is None) with Adam's update (:func:`~gradclip.optim.adam`), and freezes
    at its divergence step as the solvers do.

    Parameters
    ----------
    problem : Problem
        Batched ``loss`` and ``grad``.
    theta0 : array_like, shape (d,)
        The common start.
    lrs, eps, scale, threshold : float or array_like
        Per-row learning rate (> 0), eps (>= 0), constant gradient factor (> 0) and norm
        threshold (> 0, or None: no clipping).
    steps : int
    betas : pair of float

    Returns
    -------
    thetas : ndarray, shape (n, steps + 1, d)
        Iterates (NaN after a row's divergence step).
    factors : ndarray, shape (n, steps)
        ``min(1, c / ||s g_k||)``, the factor clipping multiplied each gradient by.
    diverged_at : ndarray of int, shape (n,)
        Step of divergence, -1 for none.

    Examples
    --------
    >>> q = Quadratic([[1.0, 0.0], [0.0, 100.0]])
    >>> th, f, d = adam_runs(q, [1.0, 1.0], [0.1, 0.2], steps=1)
    >>> th[:, 1].round(6).tolist()          # the first step is lr * sign(g) per coordinate
    [[0.9, 0.9], [0.8, 0.8]]
    """
    runs = adam_batch(problem, theta0, lrs, steps, betas, eps,
                      None if threshold is None else "norm", threshold, scale)
    gn = runs.grad_norms
    if threshold is None:
        factors = np.where(np.isnan(gn), np.nan, 1.0)
    else:
        factors = clip_factor(gn, runs.thresholds[:, None])
    return runs.thetas, factors, runs.diverged_at


def _gap(p, q):
    """``||p_k - q_k||`` per step, floored at :data:`GAP_FLOOR` (NaN stays NaN)."""
    with np.errstate(invalid="ignore"):
        d = np.linalg.norm(p - q, axis=-1)
    return np.where(np.isnan(d), np.nan, np.maximum(d, GAP_FLOOR))


def adam_stage(lr_grid, thr_grid, scale=0.01, steps=100, xlim=(-5.0, 5.0), ylim=(-4.0, 5.0)):
    """A :class:`Stage` with an ``eps`` toggle and ``lr`` and ``threshold`` sliders over Adam."""
    problem = Quadratic.with_condition(SCENE["condition"])
    theta0, star = np.array(SCENE["theta0"]), problem.solution()
    lrs, thrs = lr_grid.values, thr_grid.values
    eps = np.array(list(EPS_OPTIONS.values()))
    ne, nl, nt = len(eps), len(lrs), len(thrs)
    E, L = np.meshgrid(eps, lrs, indexing="ij")
    E3, L3, T3 = np.meshgrid(eps, lrs, thrs, indexing="ij")
    runs_a = adam_runs(problem, theta0, L.ravel(), steps, E.ravel(), betas=SCENE["betas"])
    runs_b = adam_runs(problem, theta0, L.ravel(), steps, E.ravel(), scale, betas=SCENE["betas"])
    runs_c = adam_runs(problem, theta0, L3.ravel(), steps, E3.ravel(), 1.0, T3.ravel(), SCENE["betas"])
    a = runs_a[0].reshape(ne, nl, steps + 1, 2)
    b = runs_b[0].reshape(ne, nl, steps + 1, 2)
    c = runs_c[0].reshape(ne, nl, nt, steps + 1, 2)
    gap_b, gap_c = _gap(b, a), _gap(c, a[:, :, None])
    factor_c = runs_c[1].reshape(ne, nl, nt, steps)

    fig, ax, axg, axf = explorer_figure(height=4.6)
    st = Stage("adam", fig)
    st.toggle("eps", list(EPS_OPTIONS), label="ε")
    st.slider("lr", lrs, label="lr", fmt=".2g")
    st.slider("threshold", thrs, label="clip c", fmt=".2g")

    # ---- static layer
    plots.plot_contour(ax, problem, xlim, ylim, n=80, n_levels=10)
    ax.plot(*theta0, "o", ms=9, mfc="white", mec="0.2", mew=2, zorder=9)
    ax.plot(*star, "*", ms=10, color="k", zorder=9)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_title(f"Adam on a quadratic, κ = {SCENE['condition']:g}, {steps} steps", fontsize="medium")
    ax.set_xlabel("θ₀")
    ax.set_ylabel("θ₁")
    key(ax, [("(a) Adam", COLORS["a"]), (f"(b) gradients × {scale:g}", COLORS["b"]),
             ("(c) clipped at c", COLORS["c"])])
    axg.set_yscale("log")
    axg.set_xlim(0, steps)
    axg.set_ylim(GAP_FLOOR / 3, 1e5)
    axg.set_ylabel("distance to (a)")
    key(axg, [("(b)", COLORS["b"]), ("(c)", COLORS["c"]), ("10⁻¹⁷: identical", "0.4")], horizontal=True)
    axf.set_yscale("log")
    axf.set_xlim(0, steps)
    axf.set_ylim(min(scale, float(np.nanmin(factor_c))) / 2, 12.0)
    axf.axhline(1.0, color="0.6", lw=0.8)
    axf.set_xlabel("step")
    axf.set_ylabel("factor on the gradient")
    key(axf, [("(b) constant", COLORS["b"]), ("(c) min(1, c/‖g‖)", COLORS["c"])], horizontal=True)
    log_axes(ax, axg, axf)
    st.freeze()

    # ---- arrays
    qx, qy, qg = st.quantum(ax, "x"), st.quantum(ax, "y"), st.quantum(axg, "y")
    for name, run, lead in (("a", a, ("eps", "lr")), ("b", b, ("eps", "lr")),
                            ("c", c, ("eps", "lr", "threshold"))):
        X, Y = paths(run.reshape(-1, steps + 1, 2), xlim, ylim)
        st.array(f"x_{name}", X.reshape(run.shape[:-1]), lead + ("k",), quantum=qx)
        st.array(f"y_{name}", Y.reshape(run.shape[:-1]), lead + ("k",), quantum=qy)
    st.array("gap_b", gap_b, ("eps", "lr", "k"), quantum=qg, log=True)
    st.array("gap_c", gap_c, ("eps", "lr", "threshold", "k"), quantum=qg, log=True)
    st.array("factor_c", pad(factor_c), ("eps", "lr", "threshold", "k"),
             quantum=st.quantum(axf, "y"), log=True)
    st.array("max_b", np.nanmax(gap_b, axis=-1), ("eps", "lr"), quantum=1e-4, log=True)
    st.array("max_c", np.nanmax(gap_c, axis=-1), ("eps", "lr", "threshold"), quantum=1e-4, log=True)
    st.array("n_clipped", np.sum(factor_c < 1, axis=-1), ("eps", "lr", "threshold"), integer=True)
    st.array("step", np.arange(steps + 1), ("k",), integer=True)

    # ---- what moves
    st.line(ax, "x_a", "y_a", along="k", color=COLORS["a"], lw=5, alpha=0.35, z=3)
    st.line(ax, "x_c", "y_c", along="k", color=COLORS["c"], lw=1.6, z=4)
    st.line(ax, "x_b", "y_b", along="k", color=COLORS["b"], lw=1.6, ls="--", z=5)
    st.line(axg, "step", "gap_c", along="k", color=COLORS["c"], lw=1.6, z=3)
    st.line(axg, "step", "gap_b", along="k", color=COLORS["b"], lw=1.6, z=4)
    st.hline(axf, scale, color=COLORS["b"], lw=1.6, ls="--")
    st.line(axf, "step", "factor_c", along="k", color=COLORS["c"], lw=1.4, z=3)
    same_b = between(at("max_b"), 0.0, SAME)
    never = between(at("n_clipped"), 0, 0)
    head = "ε = {eps}, lr {lr:.2g} · (b) × %g: " % scale
    templates = [head + hb + " · (c) " + hc
                 for hb in ("gap {gb:.2g}", "same path (gap < 1e-12)")
                 for hc in ("c = {c:.2g} clips {n}/{steps} steps: gap {gc:.2g}",
                            "c = {c:.2g} never clips: same path")]
    st.status(templates, case=where(same_b, where(never, 3, 2), where(never, 1, 0)),
              fields={"eps": value("eps"), "lr": value("lr"), "c": value("threshold"),
                      "gb": at("max_b"), "gc": at("max_c"), "n": at("n_clipped"), "steps": steps},
              size=11.5)
    return st


def adam_explorer(eps="0", lr=0.1, threshold=1.0, scale=0.01, steps=100, preset=None):
    """Adam with a constant gradient factor and with norm clipping, against plain Adam.

    On ``Quadratic.with_condition(10)`` from ``(-4, 3)`` (``betas = (0.9, 0.999)``): (a) plain
    Adam, (b) every gradient multiplied by ``scale``, (c) every gradient clipped to norm
    ``threshold``. With ``eps = 0`` the paths (a) and (b) agree to rounding; with ``eps > 0``,
    (b) is plain Adam with ``eps / scale``, so they part once ``scale * ||g||`` nears ``eps``.
    Clipping changes the path whenever it acts: its factor changes from step to step. Left:
    the paths ((a) wide, (b) dashed on top, (c) a line); right: the distance of (b) and (c)
    to (a) per step, and the factor each gradient was multiplied by.

    Parameters
    ----------
    eps : {"0", "1e-8", "1e-3"}
        Initial eps (an option of :data:`EPS_OPTIONS`; the number itself is accepted too).
    lr, threshold : float
        Initial rate (0.01 to 1) and threshold (0.01 to 4; the first gradient's norm is 2.02);
        both grids step by a factor 1.58 (0.2 decades) with 0.1 and 1 on them.
    scale : float
        The constant factor of run (b), 1e-6 to 1e3.
    steps : int
        Steps per run, 20 to 300.
    preset : str, optional
        E.g. ``"eps=1e-3;lr=0.1;threshold=1"``.

    Returns
    -------
    Explorer

    Examples
    --------
    >>> ex = adam_explorer(steps=40)
    >>> "(b) × 0.01: same path" in ex.status_text
    True
    """
    if not isinstance(eps, str):
        match = [k for k, val in EPS_OPTIONS.items() if isinstance(eps, (int, float)) and eps == val]
        if not match:
            raise ValueError(f"eps must be one of {list(EPS_OPTIONS)} (or their values), got {eps!r}")
        eps = match[0]
    elif eps not in EPS_OPTIONS:
        raise ValueError(f"eps must be one of {list(EPS_OPTIONS)}, got {eps!r}")
    steps = check_int("steps", steps, 20, 300)
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)) \
            or not 1e-6 <= scale <= 1e3:
        raise ValueError(f"scale must be a number in [1e-6, 1e3], got {scale!r}")
    lgrid = LogGrid("lr", -2.0, 0.0, 0.2, anchor=0.1)
    tgrid = LogGrid("threshold", -2.0, 0.75, 0.2, anchor=1.0)
    lr, threshold = snap("lr", lgrid.values, lr), snap("threshold", tgrid.values, threshold)
    stage = adam_stage(lgrid, tgrid, scale=float(scale), steps=steps)
    return stage.build({"eps": eps, "lr": lr, "threshold": threshold}, preset)
