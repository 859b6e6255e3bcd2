"""The clipping explorer: a run with and without clipping, its gradient norms and step lengths.

Every (mode, learning rate, threshold) run is computed once with :func:`gradclip.run_batch`;
the page shows the run of the chosen mode, the unclipped run at the same rate dashed, the raw
gradient norm per step with the threshold and the clipped steps, and the step length.
"""

import numpy as np

from .. import plots
from ..cliff import CliffRNN
from ..plots.rnn import wall_grid
from ..solvers import run_batch
from ..style import PALETTE
from .arrays import pad
from .controls import check_int
from .figure import LogGrid, explorer_figure, few_ticks, key, paths
from .stage import Stage, at, between, div, isin, pick, reduce, switch, value, where

__all__ = ["clipping_explorer", "clipping_stage", "MODES"]

MODES = ("none", "value", "norm")
STATUS_QUANTUM = 0.002  # decades: 0.5 %, the numbers in the status line read right to 2 digits


def _span(a):
    a = a[np.isfinite(a) & (a > 0)]
    if not a.size:
        return 1e-3, 1e3
    return max(float(a.min()), 1e-12) / 3, min(float(a.max()), 1e12) * 3


def _by_mode(make):
    """A field that is ``make(mode)`` for the mode the toggle shows."""
    return where(isin("clip", ["none"]), make("none"),
                 where(isin("clip", ["value"]), make("value"), make("norm")))


def clipping_stage(problem, theta0, lr_grid, thr_grid, max_steps, xlim, ylim):
    """A :class:`Stage` with lr and threshold sliders, a clip-mode toggle and a steps slider."""
    theta0 = np.asarray(theta0, dtype=np.float64)
    lrs, thrs = lr_grid.values, thr_grid.values
    L, C = np.meshgrid(lrs, thrs, indexing="ij")
    runs = {"none": run_batch(problem, theta0, lrs, max_steps)}
    for mode in ("value", "norm"):
        runs[mode] = run_batch(problem, theta0, L.ravel(), max_steps, clip=mode,
                               thresholds=C.ravel())
    fig, ax, axg, axs = explorer_figure()
    st = Stage("clipping", fig)
    st.slider("lr", lrs, label="lr")
    st.slider("threshold", thrs, label="threshold")
    st.toggle("clip", list(MODES), label="clip")
    st.int_slider("steps", 1, max_steps, label="steps")

    # ---- static layer
    log = hasattr(problem, "hessian")  # bowls: log levels; plateaus and cliffs: linear
    # a cliff's lines crowd along its wall: compute them on a grid that crowds there too
    grid = wall_grid(xlim, ylim, 100, 121, problem.x0) if isinstance(problem, CliffRNN) else None
    plots.plot_contour(ax, problem, xlim, ylim, n=100, optimum=log, n_levels=12, log=log, lines_grid=grid)
    if not log:
        ax.set_xlabel("w (recurrent weight)")
        ax.set_ylabel("b (bias)")
    key(ax, [("dashed: no clipping, same lr", PALETTE["divergent"]),
             ("solid: this run", PALETTE["good"])])
    ax.set_title("trajectory on the loss surface", fontsize="medium")
    gn = np.concatenate([r.grad_norms.ravel() for r in runs.values()])
    sl = np.concatenate([r.step_lengths.ravel() for r in runs.values()])
    axg.set_yscale("log")
    axg.set_xlim(0, max_steps)
    axg.set_ylim(*_span(np.concatenate([gn, thrs])))
    axg.set_ylabel("gradient norm")
    key(axg, [("— ‖g‖ raw", PALETTE["raw"]), ("● clipped", PALETTE["clipped"]),
              ("-- threshold", PALETTE["clipped"])], horizontal=True)
    axs.set_yscale("log")
    axs.set_xlim(0, max_steps)
    axs.set_ylim(*_span(sl))
    axs.set_xlabel("step")
    axs.set_ylabel("step length ‖Δθ‖")
    few_ticks(ax, axg, axs)
    st.freeze()

    # ---- arrays
    qx, qy = st.quantum(ax, "x"), st.quantum(ax, "y")
    qg, qs = st.quantum(axg, "y"), st.quantum(axs, "y")
    st.array("step", np.arange(max_steps + 1), ("steps",), integer=True)
    for mode, r in runs.items():
        lead = ("lr",) if mode == "none" else ("lr", "threshold")
        shape = (len(lrs),) if mode == "none" else (len(lrs), len(thrs))

        def grid(a):
            return a.reshape(shape + a.shape[1:])

        X, Y = paths(r.thetas, xlim, ylim)
        st.array(f"x_{mode}", grid(X), lead + ("steps",), quantum=qx)
        st.array(f"y_{mode}", grid(Y), lead + ("steps",), quantum=qy)
        st.array(f"gn_{mode}", grid(pad(r.grad_norms)), lead + ("steps",), quantum=qg, log=True)
        st.array(f"sl_{mode}", grid(pad(r.step_lengths)), lead + ("steps",),
                 quantum=min(qs, STATUS_QUANTUM), log=True)
        st.array(f"loss_{mode}", grid(r.losses), lead + ("steps",), quantum=STATUS_QUANTUM,
                 log=True)
        st.array(f"k_{mode}", grid(r.diverged_at), lead, integer=True)
        if mode != "none":
            st.array(f"clipped_{mode}", grid(pad(r.clipped.astype(float))), lead + ("steps",),
                     integer=True)

    # ---- what moves
    k = _by_mode(lambda m: at(f"k_{m}"))
    diverged = between(k, 0, value("steps"))
    st.markers(ax, *map(float, theta0), ms=9, mfc="white", mec="#333333", mew=2, z=4)
    st.line(ax, "x_none", "y_none", along="steps", cut="steps", ls="--", lw=1.2,
            color=PALETTE["divergent"], alpha=0.7, z=2, visible=isin("clip", ["value", "norm"]))
    st.hline(axg, value("threshold"), color=PALETTE["clipped"], ls="--", lw=1.3, z=2,
             visible=isin("clip", ["value", "norm"]))
    for mode in MODES:
        shown = isin("clip", [mode])
        base = PALETTE["raw"] if mode == "none" else PALETTE["good"]
        color = switch(diverged, [base, PALETTE["divergent"]])
        st.line(ax, f"x_{mode}", f"y_{mode}", along="steps", cut="steps", color=color, lw=1.6,
                marker="o", ms=3, z=3, visible=shown)
        st.line(axg, "step", f"gn_{mode}", along="steps", cut="steps", shift=-1,
                color=PALETTE["raw"], lw=1.8, z=3, visible=shown)
        if mode != "none":
            st.markers(axg, "step", f"gn_{mode}", along="steps", cut="steps", shift=-1,
                       mask=f"clipped_{mode}", ms=4, color=PALETTE["clipped"], z=4, visible=shown)
        st.line(axs, "step", f"sl_{mode}", along="steps", cut="steps", shift=-1, color=color,
                lw=1.8, z=3, visible=shown)
    n_clipped = where(isin("clip", ["none"]), 0, where(
        isin("clip", ["value"]),
        reduce("clipped_value", "sum", "steps", "steps", -1),
        reduce("clipped_norm", "sum", "steps", "steps", -1)))
    points = _by_mode(lambda m: reduce(f"x_{m}", "count", "steps", "steps"))
    tail = " · longest step {longest:.2g} · loss {loss:.2g}{away}"
    st.status(["no clipping" + tail,
               "clipped {n}/{steps} steps ({pct:.0f} %)" + tail,
               "diverged at step {k}  (lr = {lr:.3g}, clip = {clip})"],
              case=where(diverged, 2, where(isin("clip", ["none"]), 0, 1)),
              fields={"n": n_clipped, "steps": value("steps"), "pct": div(n_clipped, value("steps"), 100),
                      "longest": _by_mode(lambda m: reduce(f"sl_{m}", "max", "steps", "steps", -1)),
                      "loss": _by_mode(lambda m: at(f"loss_{m}")), "k": k, "lr": value("lr"),
                      "clip": value("clip"),
                      "away": pick(between(points, 0, value("steps")), ["", " · left the view"])},
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=12.5)
    return st


def clipping_explorer(problem=None, theta0=None, lr=1.0, threshold=0.5, clip="norm",
                      steps=60, max_steps=100, xlim=(0.0, 10.0), ylim=(-6.0, 5.0), preset=None):
    """Learning rate AND threshold sliders (log scale) and a clip-mode toggle.

    The trajectory (with the unclipped run at the same rate dashed), the raw gradient norm
    per step with the threshold line and the clipped steps marked, and the step length.
    The default stage is the cliff of :class:`~gradclip.CliffRNN` (Pascanu et al. 2013).

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem (default ``CliffRNN()`` from ``theta0 = (5, -3.5)``).
    lr, threshold : float
        Initial values (lr 0.01 to 10, threshold 0.01 to 30; both grids step by 26 %, with
        1 and 0.5 on them).
    clip : {"none", "value", "norm"}
    steps, max_steps : int
    xlim, ylim : pair of float
        The view.
    preset : str, optional
        E.g. ``"lr=1;threshold=0.5;clip=norm;steps=60"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem = CliffRNN()
        theta0 = (5.0, -3.5) if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if clip not in MODES:
        raise ValueError(f"clip must be 'none', 'value' or 'norm', got {clip!r}")
    max_steps = check_int("max_steps", max_steps, 1, 2000)
    steps = check_int("steps", steps, 1, max_steps)
    lgrid = LogGrid("lr", -2.0, 1.0, 0.1)
    tgrid = LogGrid("threshold", -2.01, 1.5, 0.1, anchor=0.5)
    stage = clipping_stage(problem, theta0, lgrid, tgrid, max_steps, xlim, ylim)
    return stage.build({"lr": lr, "threshold": threshold, "clip": clip, "steps": steps}, preset)
