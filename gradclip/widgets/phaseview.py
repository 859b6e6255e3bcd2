"""The phase-diagram explorer: a (learning rate, threshold) map whose runs can be opened.

Left, the loss after ``steps`` steps of every run of a 31 x 31 grid of learning rates and
clipping thresholds (both ``0.01 .. 10``, log-spaced), with the "solved" contour and, where it
is defined, the edge ``2 / lambda_max``. The lr and threshold sliders pick a run (every
second grid point, 16 x 16): its path on the loss surface and its raw gradient norms with the
threshold are drawn beside the map, in the page, from precomputed arrays.

The map is kernel-backed: toggling the problem or the clip mode, or releasing the steps
slider, asks the kernel for a new picture (the page shows "computing…"). Every run of a
(problem, clip mode) pair is computed once, with :func:`gradclip.run_batch`, for all
``max_steps`` steps, and kept (at most the 9 pairs, about 3 MB each); a new step count only
re-reads the stored losses and redraws, so it costs one matplotlib drawing (about 0.2 s).
``benchmarks/phase_explorer.py`` times both: a first visit of a pair takes 0.2-0.45 s, the
clipped CliffRNN the longest (each descent step runs its 50-step recurrence forward and
backward once, :meth:`~gradclip.CliffRNN.loss_and_grad`).
"""

import numpy as np

from .. import plots
from ..plots.sweeps import solved_level
from ..style import PALETTE
from .arrays import pad
from .controls import check_int
from .figure import PROJECTOR_DPI, few_ticks, key, paths
from .phasegrid import CLIPS, LRS, PICK, PROBLEMS, THRESHOLDS, PhaseRuns, phase_runs, scenes
from .stage import Stage, at, between, div, isin, pick, reduce, switch, value, where

__all__ = ["PROBLEMS", "CLIPS", "LRS", "THRESHOLDS", "PhaseRuns", "phase_runs", "scenes",
           "phase_explorer"]

STATUS_QUANTUM = 0.002  # decades: the status line's loss reads right to 2-3 digits


def _figure():
    """The figure with fixed axes boxes (no layout engine: a redraw never moves an axes)."""
    from matplotlib.figure import Figure

    from ..style import is_presentation

    fig = Figure(figsize=(9.4, 5.0), dpi=PROJECTOR_DPI if is_presentation() else 100.0)
    ax = fig.add_axes((0.075, 0.1, 0.37, 0.75))
    cax = fig.add_axes((0.455, 0.1, 0.014, 0.75))
    right = {name: (fig.add_axes((0.64, 0.535, 0.335, 0.315)), fig.add_axes((0.64, 0.1, 0.335, 0.33)))
             for name in PROBLEMS}
    return fig, ax, cax, right


def _draw_right(name, sc, axt, axg, max_steps):
    plots.plot_contour(axt, sc["problem"], sc["xlim"], sc["ylim"], n=100, optimum=sc["log"],
                       n_levels=12, log=sc["log"])
    axt.set_xlabel(sc["labels"][0], fontsize="small")
    axt.set_ylabel(sc["labels"][1], fontsize="small")
    axt.set_title(sc["title"], fontsize="medium")
    axg.set_yscale("log")
    axg.set_xlim(0, max_steps)
    axg.set_ylim(*sc["glim"])
    axg.set_xlabel("step")
    axg.set_ylabel("‖g‖ before clipping", fontsize="small")
    key(axg, [("— ‖g‖", PALETTE["raw"]), ("● clipped", PALETTE["clipped"]),
              ("-- threshold", PALETTE["clipped"])], horizontal=True)
    few_ticks(axt, axg)


def _draw_map(fig, ax, cax, right, name, sc, runs, steps, lims=None):
    """The static layer of state (problem, clip, steps): the map, its colour bar, and the
    right-hand panels of ``name`` (the others hidden). ``lims`` pins the map's limits (the
    page maps data to pixels with the limits of the first drawing)."""
    ax.cla()
    cax.cla()
    res = runs.at(steps)
    mesh = plots.plot_phase(ax, res, edge=sc["edge"], vmin=sc["vlim"][0], vmax=sc["vlim"][1],
                            solved=sc["solved"])
    if runs.clip == "none":
        ax.set_ylabel("clipping threshold (not used)")
    mode = {"none": "no clipping", "value": "clip by value", "norm": "clip by norm"}[runs.clip]
    hatched = " (hatched: diverged)" if np.any(res.diverged) else ""
    ax.set_title(f"{name}, {mode}{hatched}", fontsize="medium")
    if lims is not None:
        ax.set_xlim(*lims[0])
        ax.set_ylim(*lims[1])
    fig.colorbar(mesh, cax=cax)
    cax.set_ylabel(f"loss after {steps} steps", fontsize="small")
    few_ticks(ax)
    from matplotlib.ticker import NullLocator

    cax.yaxis.set_minor_locator(NullLocator())
    for q, axes in right.items():
        for a in axes:
            a.set_visible(q == name)


def _grid_arrays(runs, sc, steps_max):
    """The slider cells' arrays: path, gradient norms, clipped steps, loss, solved flag."""
    p = runs.picked
    n = len(runs.lrs[PICK]), len(runs.thresholds[PICK])
    shape = lambda a: a.reshape(n + a.shape[1:])  # noqa: E731
    X, Y = paths(p["thetas"], sc["xlim"], sc["ylim"])
    levels = [solved_level(runs.at(k).final_loss, sc["solved"]) for k in range(steps_max + 1)]
    levels = np.array([-np.inf if lv is None else lv for lv in levels])  # None: nothing solved
    with np.errstate(invalid="ignore"):
        solved = np.where(np.isfinite(p["losses"]), p["losses"] <= levels, False)
    return {"x": shape(X), "y": shape(Y), "gn": shape(pad(p["grad_norms"])),
            "clipped": shape(pad(p["clipped"].astype(float))), "loss": shape(p["losses"]),
            "solved": shape(solved.astype(float)), "k": shape(p["diverged_at"].astype(float))}


def phase_explorer(problem="regression", clip="norm", lr=0.4, threshold=0.1, steps=200,
                   max_steps=200, preset=None):
    """The live phase diagram: problem and clip toggles, lr / threshold / steps sliders.

    Parameters
    ----------
    problem : {"regression", "cliff RNN", "tiny net"}
        The demo regression (from 0), :class:`~gradclip.CliffRNN` from ``(4.5, -2.8)``, or a
        :class:`~gradclip.tinynet.TinyNet` from ``(0.1, 0.1)``.
    clip : {"none", "value", "norm"}
    lr, threshold : float
        The picked run (snapped to the slider grids, ``0.01 .. 10``).
    steps, max_steps : int
        Steps of the map (``1 .. max_steps``; ``max_steps <= 400``).
    preset : str, optional
        E.g. ``"problem=cliff RNN;clip=norm;lr=1;threshold=0.5;steps=150"``.

    Returns
    -------
    Explorer
        ``explorer.request("grid", problem=..., clip=..., steps=...)`` is what the page asks
        the kernel for; ``explorer.runs`` is the :class:`PhaseRuns` shown.
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {PROBLEMS}, got {problem!r}")
    if clip not in CLIPS:
        raise ValueError(f"clip must be one of {CLIPS}, got {clip!r}")
    max_steps = check_int("max_steps", max_steps, 1, 400)
    steps = check_int("steps", steps, 1, max_steps)
    all_scenes = scenes()
    fig, ax, cax, right = _figure()
    st = Stage("phase", fig)
    st.toggle("problem", list(PROBLEMS), label="problem")
    st.toggle("clip", list(CLIPS), label="clip")
    st.slider("lr", LRS[PICK], label="lr")
    st.slider("threshold", THRESHOLDS[PICK], label="threshold")
    st.int_slider("steps", 1, max_steps, label="steps (map)")
    cache = {}

    def runs_of(name, mode):
        if (name, mode) not in cache:
            sc = all_scenes[name]
            cache[(name, mode)] = PhaseRuns(sc["problem"], sc["theta0"], mode, LRS, THRESHOLDS, max_steps)
        return cache[(name, mode)]

    # ---- static layer (the layout is computed with every problem's panels in place)
    for name, (axt, axg) in right.items():
        _draw_right(name, all_scenes[name], axt, axg, max_steps)
    first = runs_of(problem, clip)
    _draw_map(fig, ax, cax, right, problem, all_scenes[problem], first, steps)
    lims = (ax.get_xlim(), ax.get_ylim())
    st.freeze()

    # ---- arrays: one quantum for every problem's axes
    qx = min(st.quantum(right[q][0], "x") for q in PROBLEMS)
    qy = min(st.quantum(right[q][0], "y") for q in PROBLEMS)
    qg = min(st.quantum(right[q][1], "y") for q in PROBLEMS)
    cells = ("lr", "threshold")
    arrays = _grid_arrays(first, all_scenes[problem], max_steps)
    st.array("lr_values", LRS[PICK], ("lr",))
    st.array("thr_values", THRESHOLDS[PICK], ("threshold",))
    st.array("step", np.arange(max_steps + 1), ("steps",), integer=True)
    st.array("x", arrays["x"], cells + ("steps",), quantum=qx)
    st.array("y", arrays["y"], cells + ("steps",), quantum=qy)
    st.array("gn", arrays["gn"], cells + ("steps",), quantum=qg, log=True)
    st.array("loss", arrays["loss"], cells + ("steps",), quantum=STATUS_QUANTUM, log=True)
    for name in ("clipped", "solved"):
        st.array(name, arrays[name], cells + ("steps",), integer=True)
    st.array("k", arrays["k"], cells, integer=True)

    # ---- what moves
    k = at("k")
    diverged = between(k, 0, value("steps"))
    clipping = isin("clip", ["value", "norm"])
    st.vline(ax, value("lr"), color="white", lw=0.8, alpha=0.8, z=3)
    st.hline(ax, value("threshold"), color="white", lw=0.8, alpha=0.8, z=3, visible=clipping)
    st.markers(ax, "lr_values", "thr_values", ms=10, mfc="none", mec="white", mew=2.2, z=4)
    st.markers(ax, "lr_values", "thr_values", ms=10, mfc="none", mec="#333333", mew=0.9, z=5)
    color = switch(diverged, [PALETTE["good"], PALETTE["divergent"]])
    for name in PROBLEMS:
        axt, axg = right[name]
        shown = isin("problem", [name])
        st.markers(axt, *map(float, all_scenes[name]["theta0"]), ms=9, mfc="white", mec="#333333",
                   mew=2, z=4, visible=shown)
        st.line(axt, "x", "y", along="steps", cut="steps", color=color, lw=1.5, marker="o", ms=2.5,
                z=3, visible=shown)
        st.markers(axt, "x", "y", along="steps", cut="steps", only="last", color=color, ms=7, z=5,
                   visible=shown)
        st.hline(axg, value("threshold"), color=PALETTE["clipped"], ls="--", lw=1.3, z=2,
                 visible=where(shown, clipping, 0))
        st.line(axg, "step", "gn", along="steps", cut="steps", shift=-1, color=PALETTE["raw"],
                lw=1.6, z=3, visible=shown)
        st.markers(axg, "step", "gn", along="steps", cut="steps", shift=-1, mask="clipped", ms=3.5,
                   color=PALETTE["clipped"], z=4, visible=where(shown, clipping, 0))
    n_clipped = reduce("clipped", "sum", "steps", "steps", -1)
    head = "{problem}: lr {lr:.3g}, "
    tail = "loss after {steps} steps {loss:.3g}{solved}"
    st.status([head + "no clipping · " + tail,
               head + "clip by {clip} at {thr:.3g} · " + tail + " · clipped {pct:.0f} %",
               head + "clip {clip} · diverged at step {k}"],
              case=where(diverged, 2, where(clipping, 1, 0)),
              fields={"problem": value("problem"), "lr": value("lr"), "thr": value("threshold"),
                      "clip": value("clip"), "steps": value("steps"), "loss": at("loss"),
                      "solved": pick(at("solved"), ["", " (solved)"]), "k": k,
                      "pct": div(n_clipped, value("steps"), 100)},
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=12.0)

    def grid(values):
        name, mode, n = values["problem"], values["clip"], int(values["steps"])
        runs = runs_of(name, mode)
        _draw_map(fig, ax, cax, right, name, all_scenes[name], runs, n, lims)
        return {"background": fig, "arrays": _grid_arrays(runs, all_scenes[name], max_steps)}

    st.request("grid", ["problem", "clip", "steps"], grid,
               computed={"problem": problem, "clip": clip, "steps": steps})
    explorer = st.build({"problem": problem, "clip": clip, "lr": lr, "threshold": threshold,
                         "steps": steps}, preset)
    explorer.runs_of = runs_of
    return explorer
