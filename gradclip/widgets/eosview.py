"""The edge-of-stability explorers: the two-parameter toy, and a small net's sharpness.

:func:`toy_explorer`: gradient descent on ``L = (1 - x y)^2 / 2`` (:class:`~gradclip.problems.
ScalarFactorization`) from two starts, every rate of the slider computed at once with
:func:`gradclip.run_batch`; the path over the curve of minima coloured by sharpness, where the
two ticks mark the minima of sharpness ``2 / lr``, the sharpness and the loss per step.
:func:`eos_explorer`: full-batch GD of the small net of :func:`gradclip.eos.eos_task` at six
rates, trained as one batch with :func:`gradclip.eos.gd_batch`; the sharpness trace against
``2 / lr``, the loss, and ``lr * lambda / 2`` of every run, with a step player.
"""

import numpy as np

from ..eos import EOS_LRS, EOS_STEPS, edge_window, eos_task, gd_batch
from ..plots import eos as eosplots
from ..plots.theory import SERIES_COLORS, log_axes
from ..problems import ScalarFactorization
from ..solvers import run_batch
from ..style import PALETTE
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, few_ticks, key, paths
from .stage import Stage, at, between, div, position, switch, value, where

__all__ = ["toy_explorer", "toy_stage", "eos_explorer", "eos_stage", "eos_runs", "TOY_STARTS", "toy_lrs"]

#: The starts of the toy explorer: far out on the sharp end, and next to a minimum (catapult).
TOY_STARTS = {"(3, 0.05)": (3.0, 0.05), "(2, 0.49)": (2.0, 0.49)}
LOSS_RANGE = (1e-12, 1e4)
EVERY = 10  # sharpness snapshots of the net explorer, and steps per player position
_RUNS = {}  # the net explorer's runs, computed once per setting and kept


def eos_runs(lrs=EOS_LRS, steps=EOS_STEPS, n=50, width=16):
    """The net explorer's runs (:func:`gradclip.eos.gd_batch` on :func:`gradclip.eos.eos_task`,
    sharpness every 10 steps, 3 warm power-iteration steps each), memoised per setting."""
    key = (tuple(float(x) for x in lrs), int(steps), int(n), int(width))
    if key not in _RUNS:
        X, y, net = eos_task(n, width)
        _RUNS[key] = (net, gd_batch(net, X, y, lrs, steps, every=EVERY, warm_iters=3))
    return _RUNS[key]


def toy_lrs():
    """The rate grid of the toy explorer: 0.02 to 1 in steps of 10^0.02 (4.7 %), with 0.1,
    0.25 and 0.4 (the notebook's rates) exactly on it."""
    grid = LogGrid("lr", np.log10(0.02), 0.0, 0.02, anchor=0.1).values
    for exact in (0.25, 0.4):
        grid[np.argmin(np.abs(np.log10(grid / exact)))] = exact
    return grid


def _edge_ticks(lrs):
    """The two minima ``(x, 1/x)`` and ``(1/x, x)`` of sharpness ``x^2 + 1/x^2 = 2 / lr``
    (NaN when ``2 / lr < 2``, flatter than every minimum)."""
    s = 2.0 / lrs
    with np.errstate(invalid="ignore"):
        x = np.sqrt((s + np.sqrt(s * s - 4.0)) / 2.0)
    return np.stack([x, 1.0 / x], -1), np.stack([1.0 / x, x], -1)


def toy_stage(steps=100):
    """A :class:`Stage` with ``start`` (toggle), ``lr`` and ``steps`` sliders over the toy."""
    f = ScalarFactorization()
    lrs = toy_lrs()
    xlim, ylim = eosplots.TOY_VIEW
    runs = [run_batch(f, s, lrs, steps) for s in TOY_STARTS.values()]
    fig, ax, axs, axl = explorer_figure(height=4.7)
    st = Stage("toy_edge", fig)
    st.toggle("start", list(TOY_STARTS), label="start (x, y)")
    st.slider("lr", lrs, label="lr")
    st.int_slider("steps", 1, steps, label="steps")

    # ---- static layer
    eosplots.plot_toy(ax, f, [], xlim=xlim, ylim=ylim)
    ax.set_title("L = (1 − xy)²/2: minima coloured by sharpness", fontsize="medium")
    key(ax, [("minima: yellow sharp, purple flat (λ = 2)", "#3b528b"),
             ("ticks: minima with λ = 2/lr", PALETTE["divergent"])])
    lam = np.array([f.sharpness(r.thetas) for r in runs])
    axs.set_xlim(0, steps)
    axs.set_ylim(0, 22.0)
    axs.set_ylabel("sharpness λmax")
    key(axs, [("— λmax", PALETTE["good"]), ("-- 2/lr", PALETTE["divergent"])], horizontal=True)
    axl.set_yscale("log")
    axl.set_xlim(0, steps)
    axl.set_ylim(*LOSS_RANGE)
    axl.set_xlabel("step")
    axl.set_ylabel("loss")
    few_ticks(axs, axl)
    log_axes(axl)
    st.freeze()

    # ---- arrays
    X, Y = zip(*[paths(r.thetas, xlim, ylim) for r in runs])
    st.array("x", np.array(X), ("start", "lr", "steps"), quantum=st.quantum(ax, "x"))
    st.array("y", np.array(Y), ("start", "lr", "steps"), quantum=st.quantum(ax, "y"))
    with np.errstate(all="ignore"):
        loss = np.array([np.clip(r.losses, *LOSS_RANGE) for r in runs])
    st.array("lam", np.where(lam < 1e3, lam, np.nan), ("start", "lr", "steps"), quantum=1e-4)
    st.array("loss", loss, ("start", "lr", "steps"), quantum=st.quantum(axl, "y"), log=True)
    st.array("step", np.arange(steps + 1), ("steps",), integer=True)
    st.array("k", np.array([r.diverged_at for r in runs]), ("start", "lr"), integer=True)
    (tx, ty), (ux, uy) = [(a[:, 0], a[:, 1]) for a in _edge_ticks(lrs)]
    st.array("tick_x", np.stack([tx, ux], -1), ("lr", "tick"), quantum=1e-3)
    st.array("tick_y", np.stack([ty, uy], -1), ("lr", "tick"), quantum=1e-3)

    # ---- what moves
    diverged = between(at("k"), 0, value("steps"))
    color = switch(diverged, [PALETTE["good"], PALETTE["divergent"]])
    for i, s in enumerate(TOY_STARTS.values()):
        st.markers(ax, *s, ms=9, mfc="white", mec="#333333", mew=2, z=4,
                   visible=between(position("start"), i, i))
    st.markers(ax, "tick_x", "tick_y", along="tick", marker="D", ms=7, color=PALETTE["divergent"], z=3)
    st.line(ax, "x", "y", along="steps", cut="steps", color=color, lw=1.4, marker="o", ms=3, z=5)
    st.line(axs, "step", "lam", along="steps", cut="steps", color=color, lw=1.8, z=3)
    st.hline(axs, div(2.0, value("lr")), color=PALETTE["divergent"], ls="--", lw=1.3)
    st.line(axl, "step", "loss", along="steps", cut="steps", color=color, lw=1.8, z=3)
    fields = {"lr": value("lr"), "edge": div(2.0, value("lr")), "lam": at("lam"), "k": at("k"),
              "steps": value("steps"), "loss": at("loss"), "ratio": div(at("lam"), div(2.0, value("lr")))}
    head = "lr = {lr:.3g}, 2/lr = {edge:.3g} · after {steps} steps: sharpness {lam:.3f} = {ratio:.2f} × 2/lr"
    st.status([head + " · loss {loss:.2g}", "lr = {lr:.3g}, 2/lr = {edge:.3g} · diverged at step {k}",
               head + " · loss < 1e-12"],
              case=where(diverged, 1, where(between(at("loss"), 0, 1.1 * LOSS_RANGE[0]), 2, 0)), fields=fields,
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=12.5)
    return st


def toy_explorer(lr=0.25, start="(3, 0.05)", steps=40, max_steps=100, preset=None):
    """A learning-rate slider over gradient descent on ``(1 - x y)^2 / 2``.

    Descent lands only on a minimum whose sharpness ``x^2 + y^2`` is at most ``2 / lr`` (the
    two ticks bound them): from ``(3, 0.05)``, lr 0.1 ends at sharpness 9.15, 0.25 at 5.88,
    0.4 at 2.00. From ``(2, 0.49)``, next to a minimum of sharpness 4.26, a rate above
    ``2 / 4.26 = 0.47`` throws the iterate along the valley (the catapult); above about
    ``4 / 4.26`` it diverges.

    Parameters
    ----------
    lr : float
        Initial rate (0.02 to 1, snapped to :func:`toy_lrs`).
    start : {"(3, 0.05)", "(2, 0.49)"}
    steps, max_steps : int
        Initial and largest number of steps (max_steps 10 to 300).
    preset : str, optional
        E.g. ``"start=(2, 0.49);lr=0.6;steps=60"``.

    Returns
    -------
    Explorer
    """
    if start not in TOY_STARTS:
        raise ValueError(f"start must be one of {list(TOY_STARTS)}, got {start!r}")
    max_steps = check_int("max_steps", max_steps, 10, 300)
    steps = check_int("steps", steps, 1, max_steps)
    lr = snap("lr", toy_lrs(), lr)
    return toy_stage(max_steps).build({"start": start, "lr": lr, "steps": steps}, preset)


def eos_stage(lrs=EOS_LRS, steps=EOS_STEPS, n=50, width=16):
    """A :class:`Stage` with an ``lr`` slider over precomputed runs and a step player."""
    net, runs = eos_runs(lrs, steps, n, width)
    lrs = runs.lrs
    n_snap = len(runs.steps)
    fig, ax, axs, axl = explorer_figure(height=4.7)
    st = Stage("edge_of_stability", fig)
    st.slider("lr", lrs, label="lr", fmt=".2g")
    st.player("t", 0, n_snap - 1, label=f"training (×{EVERY} steps)", interval=80)

    # ---- static layer: every run's lr * lambda / 2, grey
    ratio = runs.sharpness * lrs[:, None] / 2.0
    for r in ratio:
        ax.plot(runs.steps, r, color="0.75", lw=1.0, zorder=1)
    ax.axhline(1.0, color=PALETTE["divergent"], ls="--", lw=1.3)
    ax.set_xlim(0, steps)
    ax.set_ylim(0, max(2.0, 1.1 * float(np.nanmax(ratio))))
    ax.set_xlabel("step")
    ax.set_ylabel("lr · λmax / 2   (1 = the edge)")
    ax.set_title(f"MLP {net.sizes}, tanh, {n} points: every lr (grey)", fontsize="medium")
    axs.set_xlim(0, steps)
    axs.set_ylim(0, 1.25 * float(np.nanmax(runs.sharpness)))
    axs.set_ylabel("sharpness λmax")
    key(axs, [("— λmax", SERIES_COLORS[0]), ("-- 2/lr", PALETTE["divergent"]), ("··· 2/lr ± 10 %", "0.4")],
        horizontal=True)
    good = runs.losses[np.isfinite(runs.losses)]
    axl.set_yscale("log")
    axl.set_xlim(0, steps)
    axl.set_ylim(good.min() / 2, good.max() * 3)
    axl.set_xlabel("step")
    axl.set_ylabel("full-batch loss")
    few_ticks(axs, axl)
    log_axes(axl)
    st.freeze()

    # ---- arrays
    windows = [edge_window(runs.steps, lam, lr) for lam, lr in zip(runs.sharpness, lrs)]
    st.array("snap", runs.steps, ("t",), integer=True)
    st.array("ratio", ratio, ("lr", "t"), quantum=1e-4)
    st.array("lam", runs.sharpness, ("lr", "t"), quantum=1e-4)
    st.array("edge", 2.0 / lrs, ("lr",), quantum=1e-6)
    st.array("step", np.arange(steps + 1), ("k",), integer=True)
    st.array("loss", runs.losses, ("lr", "k"), quantum=1e-4, log=True)
    st.array("loss_t", np.ascontiguousarray(runs.losses[:, runs.steps]), ("lr", "t"), quantum=1e-4, log=True)
    st.array("win", [-1 if w is None else w for w, _ in windows], ("lr",), integer=True)
    st.array("k_div", runs.diverged_at, ("lr",), integer=True)

    # ---- what moves
    c = SERIES_COLORS[0]
    st.line(ax, "snap", "ratio", along="t", cut="t", color=c, lw=2.0, z=3)
    st.line(ax, "snap", "ratio", along="t", cut="t", only="last", marker="o", ms=6, color=c, z=4)
    st.line(axs, "snap", "lam", along="t", color=c, lw=1.0, alpha=0.35, z=2)
    st.line(axs, "snap", "lam", along="t", cut="t", color=c, lw=2.0, z=3)
    st.hline(axs, at("edge"), color=PALETTE["divergent"], ls="--", lw=1.3)
    for f in (0.9, 1.1):
        st.hline(axs, div(at("edge"), 1.0, f), color="0.4", ls=":", lw=1.0)
    st.line(axl, "step", "loss", along="k", color=c, lw=0.9, alpha=0.8, z=2)
    st.vline(axl, div(value("t"), 1.0, EVERY), color="0.3", lw=1.0)
    st.line(axl, "snap", "loss_t", along="t", cut="t", only="last", marker="o", ms=6, color=c, z=4)
    inside = between(at("win"), 0, steps)
    diverged = between(at("k_div"), 0, steps)
    fields = {"lr": value("lr"), "edge": at("edge"), "k": div(value("t"), 1.0, EVERY),
              "lam": at("lam"), "r": at("ratio"), "loss": at("loss_t"), "win": at("win"),
              "kd": at("k_div")}
    head = "lr {lr:.2g} (2/lr = {edge:.3g}) · step {k}: λmax {lam:.3g} = {r:.2f} × 2/lr · loss {loss:.2g}"
    st.status([head + " · within 10 % from step {win}",
               head + " · not within 10 % at the end",
               "lr = {lr:.2g}: diverged at step {kd}"],
              case=where(diverged, 2, where(inside, 0, 1)), fields=fields,
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=11.0)
    return st


def eos_explorer(lr=0.4, t=50, preset=None):
    """An ``lr`` slider over six precomputed full-batch runs of a small net, and a step player.

    The net of :func:`gradclip.eos.eos_task` (``MLP([2, 16, 16, 1])``, tanh, 50 points) is
    trained for 1000 steps at lr 0.25 to 0.6 (:data:`gradclip.eos.EOS_LRS`); its sharpness,
    measured every 10 steps, rises from 1.5 to ``2 / lr`` and then hovers there while the
    loss keeps falling in bursts. Left: ``lr * lambda / 2`` of every run (the edge is 1).

    Parameters
    ----------
    lr : float
        Initial rate (one of :data:`~gradclip.eos.EOS_LRS`).
    t : int
        Initial player position (step ``10 t``, 0 to 100).
    preset : str, optional
        E.g. ``"lr=0.4;t=50"``.

    Returns
    -------
    Explorer
    """
    lr = snap("lr", EOS_LRS, lr)
    t = check_int("t", t, 0, EOS_STEPS // EVERY)
    return eos_stage().build({"lr": lr, "t": t}, preset)
