"""The momentum explorer: heavy-ball descent with learning-rate and momentum sliders.

On a quadratic with largest curvature ``lambda_max`` heavy ball converges iff
``lr < 2 (1 + beta) / lambda_max``. Every (beta, lr) run is computed once with
:func:`gradclip.optim.heavy_ball` (batched over the rates); the page shows the path, the
distance to the minimum per step, and the distance after the run against the rate with the
edge marked.
"""

import numpy as np

from .. import plots
from ..optim import heavy_ball
from ..problems import Quadratic
from ..plots.theory import log_axes
from ..style import PALETTE
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, paths
from .stage import Stage, at, between, div, switch, value, where

__all__ = ["momentum_explorer", "momentum_stage", "BETAS"]

#: Momentum values of the beta slider.
BETAS = (0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)
DIST_RANGE = (1e-8, 1e3)


def momentum_stage(condition=10.0, theta0=(-4.0, 3.0), lr_grid=None, betas=BETAS, steps=100,
                   xlim=(-6.0, 6.0), ylim=(-5.0, 5.0)):
    """A :class:`Stage` with ``beta``, ``lr`` and ``steps`` sliders over heavy ball."""
    problem = Quadratic.with_condition(condition)
    theta0 = np.asarray(theta0, dtype=np.float64)
    lam = float(problem.eigenvalues()[-1])
    lrs = (lr_grid or LogGrid("lr", -0.7, 0.7, 0.04)).values / lam
    betas = np.asarray(betas, float)
    runs = [heavy_ball(problem, theta0, lrs, b, steps) for b in betas]
    star = problem.solution()
    with np.errstate(all="ignore"):
        dist = np.array([np.linalg.norm(r.thetas - star, axis=-1) for r in runs])
    dist = np.where(np.isfinite(dist), np.clip(dist, *DIST_RANGE), np.nan)
    edges = 2 * (1 + betas) / lam

    fig, ax, axd, axr = explorer_figure(height=4.6)
    st = Stage("momentum", fig)
    st.slider("beta", betas, label="momentum β", fmt=".2g", log=False)
    st.slider("lr", lrs, label=f"lr (λmax = {lam:g})")
    st.int_slider("steps", 1, steps, label="steps")

    # ---- static layer
    plots.plot_contour(ax, problem, xlim, ylim, n=80, n_levels=10)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_title(f"heavy ball on a quadratic, κ = {condition:g}", fontsize="medium")
    ax.set_xlabel("θ₀")
    ax.set_ylabel("θ₁")
    axd.set_yscale("log")
    axd.set_xlim(0, steps)
    axd.set_ylim(*DIST_RANGE)
    axd.set_ylabel("distance to θ*")
    axd.set_xlabel("step")
    axr.set_xscale("log")
    axr.set_yscale("log")
    axr.set_xlim(lrs[0], lrs[-1])
    axr.set_ylim(*DIST_RANGE)
    axr.set_xlabel("learning rate")
    axr.set_ylabel("distance after the run")
    log_axes(ax, axd, axr)
    st.freeze()

    # ---- arrays
    X, Y = zip(*[paths(r.thetas, xlim, ylim) for r in runs])
    st.array("x", np.array(X), ("beta", "lr", "steps"), quantum=st.quantum(ax, "x"))
    st.array("y", np.array(Y), ("beta", "lr", "steps"), quantum=st.quantum(ax, "y"))
    st.array("dist", dist, ("beta", "lr", "steps"), quantum=st.quantum(axd, "y"), log=True)
    st.array("step", np.arange(steps + 1), ("steps",), integer=True)
    st.array("lr_values", lrs, ("lr",))
    st.array("edge", edges, ("beta",))
    st.array("diverged_at", np.array([r.diverged_at for r in runs]), ("beta", "lr"), integer=True)

    # ---- what moves
    diverged = between(at("diverged_at"), 0, value("steps"))
    color = switch(diverged, [PALETTE["good"], PALETTE["divergent"]])
    st.markers(ax, *map(float, theta0), ms=9, mfc="white", mec="#333333", mew=2, z=4)
    st.line(ax, "x", "y", along="steps", cut="steps", color=color, lw=1.4, marker="o", ms=3, z=3)
    st.line(axd, "step", "dist", along="steps", cut="steps", color=color, lw=1.6, z=3)
    st.line(axr, "lr_values", "dist", along="lr", color="0.3", lw=1.4, z=2)
    st.markers(axr, "lr_values", "dist", ms=8, color=color, fill_y=float(DIST_RANGE[1]) / 3, z=4)
    st.vline(axr, at("edge"), color=PALETTE["divergent"], ls="--", lw=1.4)
    st.text(axr, 0.02, 0.04, "edge 2(1+β)/λmax = {edge:.3g}", {"edge": at("edge")},
            color=PALETTE["divergent"], size=9, va="bottom")
    fields = {"beta": value("beta"), "lr": value("lr"), "edge": at("edge"),
              "ratio": div(value("lr"), at("edge")), "k": at("diverged_at"), "steps": value("steps"),
              "d": at("dist")}
    st.status(["β = {beta:.2g}, lr = {lr:.3g} = {ratio:.2f} × edge {edge:.3g} · distance {d:.2g} "
               "after {steps} steps",
               "β = {beta:.2g}, lr = {lr:.3g} = {ratio:.2f} × edge {edge:.3g} · diverged at step {k}"],
              case=where(diverged, 1, 0), fields=fields,
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=12.5)
    return st


def momentum_explorer(beta=0.9, lr=1.0, steps=60, max_steps=100, preset=None):
    """Momentum and learning-rate sliders over heavy ball on ``Quadratic.with_condition(10)``.

    The edge ``2 (1 + beta) / lambda_max`` (``lambda_max = 1`` here) moves with the momentum
    slider: at ``beta = 0.9`` a rate of 3.6 still converges, where plain descent diverges
    above 2. Left: the path from ``(-4, 3)``; right: the distance to the minimum per step and
    after ``steps`` steps against the rate, the edge dashed.

    Parameters
    ----------
    beta : float
        Initial momentum (one of :data:`BETAS`).
    lr : float
        Initial rate (0.2 to 5, snapped; the grid steps by 10 %).
    steps, max_steps : int
        Initial and largest number of steps (max_steps 10 to 300).
    preset : str, optional
        E.g. ``"beta=0.9;lr=3.6;steps=100"``.

    Returns
    -------
    Explorer
    """
    max_steps = check_int("max_steps", max_steps, 10, 300)
    steps = check_int("steps", steps, 1, max_steps)
    grid = LogGrid("lr", -0.7, 0.7, 0.04)
    beta, lr = snap("beta", BETAS, beta, log=False), snap("lr", grid.values, lr)
    stage = momentum_stage(lr_grid=grid, steps=max_steps)
    return stage.build({"beta": beta, "lr": lr, "steps": steps}, preset)
