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
``benchmarks/phase_explorer.py`` times both: a first visit of a pair takes 0.2-0.3 s, except
the clipped CliffRNN (0.8 s: each of its descent steps runs the 50-step recurrence three times).
"""

import numpy as np

from .. import plots
from .. import validation as v
from ..data import demo_regression
from ..problems import CliffRNN, Problem
from ..solvers import SweepResult, run_batch
from ..style import PALETTE
from .figure import PROJECTOR_DPI, few_ticks, key, paths
from .stage import Stage, at, between, div, isin, pick, reduce, switch, value, where

__all__ = ["TinyNet", "PROBLEMS", "CLIPS", "LRS", "THRESHOLDS", "PhaseRuns", "phase_runs",
           "solved_level", "phase_explorer"]

#: Learning rates and thresholds of the map (the sliders use every second one).
LRS = np.geomspace(0.01, 10.0, 31)
THRESHOLDS = np.geomspace(0.01, 10.0, 31)
PICK = slice(None, None, 2)
CLIPS = ("none", "value", "norm")
STATUS_QUANTUM = 0.002  # decades: the status line's loss reads right to 2-3 digits


class TinyNet(Problem):
    r"""A one-unit tanh network fitted to 16 points: the smallest MLP, batched over ``theta``.

    .. math::

        J(w_1, w_2) = \frac{1}{2m} \sum_i \left(w_2 \tanh(w_1 x_i) - y_i\right)^2

    with ``x ~ U(-2, 2)`` and ``y = 0.8 tanh(1.5 x) + N(0, 0.05^2)`` drawn from
    ``default_rng(seed)`` (x first). ``(0, 0)`` is a saddle (zero gradient); the minimum lies
    near ``(1.43, 0.80)``. Unlike a quadratic its curvature changes from place to place, so
    ``max_stable_lr`` is the edge ``2 / lambda_max`` AT THE MINIMUM only.

    Parameters
    ----------
    seed : int
    m : int
        Number of points (at least 2).

    Examples
    --------
    >>> net = TinyNet()
    >>> net.solution().round(3).tolist(), round(net.max_stable_lr(), 3)
    ([1.434, 0.802], 2.521)
    >>> net.grad([[0.0, 0.0], [1.0, 1.0]]).shape
    (2, 2)
    """

    dim = 2

    def __init__(self, seed=0, m=16):
        m = v.non_negative_int(m, "m")
        if m < 2:
            raise ValueError(f"m must be at least 2, got {m!r}")
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        self.x = rng.uniform(-2.0, 2.0, m)
        self.y = 0.8 * np.tanh(1.5 * self.x) + rng.normal(scale=0.05, size=m)
        self._star = None

    def _parts(self, theta):
        theta = self._theta(theta)
        w1, w2 = theta[..., :1], theta[..., 1:]
        with np.errstate(over="ignore", invalid="ignore"):
            h = np.tanh(w1 * self.x)
            return w1, w2, h, w2 * h - self.y

    def loss(self, theta):
        """``mean(r^2) / 2`` with residuals ``r = w2 tanh(w1 x) - y`` (batched)."""
        *_, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            return 0.5 * np.mean(r * r, axis=-1)

    def grad(self, theta):
        """``(mean(r w2 (1 - h^2) x), mean(r h))`` with ``h = tanh(w1 x)`` (batched)."""
        _, w2, h, r = self._parts(theta)
        with np.errstate(over="ignore", invalid="ignore"):
            d1 = np.mean(r * w2 * (1 - h * h) * self.x, axis=-1)
            d2 = np.mean(r * h, axis=-1)
        return np.stack([d1, d2], axis=-1)

    def hessian(self, theta):
        """The 2 x 2 Hessian ``mean(grad r grad r^T + r hess r)`` at one ``theta``."""
        _, w2, h, r = self._parts(v.as_float_array(theta, "theta").reshape(2))
        s = 1 - h * h
        dr = np.stack([w2 * s * self.x, h])
        d11 = -2.0 * w2 * h * s * self.x ** 2
        d12 = s * self.x
        H = dr @ dr.T / len(self.x)
        H += np.array([[np.mean(r * d11), np.mean(r * d12)], [np.mean(r * d12), 0.0]])
        return H

    def solution(self):
        """The minimum with ``w1 > 0`` (Newton's method from ``(1.5, 0.8)``)."""
        if self._star is None:
            theta = np.array([1.5, 0.8])
            for _ in range(50):
                theta = theta - np.linalg.solve(self.hessian(theta), self.grad(theta))
            self._star = theta
        return self._star.copy()

    def max_stable_lr(self):
        """``2 / lambda_max`` of the Hessian at :meth:`solution`."""
        return float(2.0 / np.linalg.eigvalsh(self.hessian(self.solution()))[-1])

    def __repr__(self):
        return f"TinyNet(m={len(self.x)})"


def _scenes():
    reg, reg0 = demo_regression()
    net = TinyNet()
    return {
        "regression": dict(problem=reg, theta0=reg0, xlim=(-1.0, 6.0), ylim=(-1.5, 8.0), log=True,
                           edge=reg.max_stable_lr(), solved=0.01, vlim=(0.47, 30.0),
                           glim=(1e-7, 1e3), labels=(r"$\theta_0$ (intercept)", r"$\theta_1$ (slope)"),
                           title="linear regression (notebook 01)"),
        "cliff RNN": dict(problem=CliffRNN(), theta0=np.array([4.5, -2.8]), xlim=(0.0, 10.0),
                          ylim=(-6.0, 5.0), log=False, edge=None, solved=("abs", 0.01),
                          vlim=(1e-6, 0.5), glim=(1e-7, 1e3),
                          labels=("w (recurrent weight)", "b (bias)"),
                          title="CliffRNN (notebook 04)"),
        "tiny net": dict(problem=net, theta0=np.array([0.1, 0.1]), xlim=(-0.5, 2.5),
                         ylim=(-0.5, 1.5), log=True, edge=net.max_stable_lr(), solved=0.01,
                         vlim=(5e-4, 0.3), glim=(1e-7, 1e2), labels=("w1 (input weight)", "w2 (output weight)"),
                         title="one tanh unit, 2 weights"),
    }


#: The problems of the toggle, in order.
PROBLEMS = ("regression", "cliff RNN", "tiny net")


class PhaseRuns:
    """Every run of one (problem, clip mode) map, all steps kept.

    Attributes
    ----------
    losses : ndarray (n_lr, n_thr, steps + 1)
        Loss after each step (NaN after a divergence); for ``clip="none"`` the same for
        every threshold.
    diverged_at : ndarray of int (n_lr, n_thr)
        First diverged step, -1 for none.
    picked : Trajectories
        The runs the sliders reach (every second lr and threshold), row ``i * n + j``.
    """

    def __init__(self, problem, theta0, clip, lrs, thresholds, steps):
        n_lr, n_thr = len(lrs), len(thresholds)
        if clip == "none":
            r = run_batch(problem, theta0, lrs, steps)
            grid = lambda a: np.repeat(a[:, None], n_thr, axis=1)  # noqa: E731
            rows = np.repeat(np.arange(n_lr)[PICK], len(thresholds[PICK]))
        else:
            L, C = np.meshgrid(lrs, thresholds, indexing="ij")
            r = run_batch(problem, theta0, L.ravel(), steps, clip=clip, thresholds=C.ravel())
            grid = lambda a: a.reshape((n_lr, n_thr) + a.shape[1:])  # noqa: E731
            rows = np.arange(n_lr * n_thr).reshape(n_lr, n_thr)[PICK, PICK].ravel()
        self.lrs, self.thresholds, self.clip, self.steps = lrs, thresholds, clip, steps
        self.losses, self.diverged_at = grid(r.losses), grid(r.diverged_at)
        self.picked = {name: getattr(r, name)[rows] for name in
                       ("thetas", "losses", "grad_norms", "clipped", "diverged_at")}

    def at(self, steps):
        """The map after ``steps`` steps as a :class:`~gradclip.SweepResult` (what
        ``gradclip.sweep(..., steps=steps)`` returns for this grid)."""
        diverged = (self.diverged_at >= 0) & (self.diverged_at <= steps)
        final = np.where(diverged, np.inf, self.losses[..., steps])
        return SweepResult(self.lrs, self.thresholds, final, diverged,
                           np.where(diverged, self.diverged_at, -1), steps,
                           None if self.clip == "none" else self.clip)


def phase_runs(problem="regression", clip="norm", steps=200):
    """:class:`PhaseRuns` of one of :data:`PROBLEMS` on the explorer's grid.

    Examples
    --------
    >>> runs = phase_runs("regression", "norm", steps=20)
    >>> runs.losses.shape, runs.picked["thetas"].shape
    ((31, 31, 21), (256, 21, 2))
    """
    if problem not in PROBLEMS:
        raise ValueError(f"problem must be one of {PROBLEMS}, got {problem!r}")
    if clip not in CLIPS:
        raise ValueError(f"clip must be one of {CLIPS}, got {clip!r}")
    sc = _scenes()[problem]
    return PhaseRuns(sc["problem"], sc["theta0"], clip, LRS, THRESHOLDS, steps)


def solved_level(final_loss, solved):
    """The loss at or below which a run counts as solved: within ``solved`` (relative) of the
    best finite loss, or ``solved = ("abs", level)``; the rule of
    :func:`gradclip.plots.plot_phase`'s contour.

    Examples
    --------
    >>> solved_level([[0.5, 2.0], [np.inf, 0.6]], 0.01)
    0.505
    >>> solved_level([[1e-9, 0.3]], ("abs", 0.01))
    0.01
    """
    if isinstance(solved, tuple):
        return float(solved[1])
    loss = np.asarray(final_loss, dtype=np.float64)
    finite = loss[np.isfinite(loss)]
    if not finite.size:
        return -np.inf
    best = float(finite.min())
    return best + solved * abs(best) if best > 0 else 1e-12


def _pad(a):
    return np.concatenate([a, np.full(a.shape[:-1] + (1,), np.nan)], axis=-1)


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
    ax.set_title(f"{name}, {mode} (hatched: diverged)", fontsize="medium")
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
    levels = np.array([solved_level(runs.at(k).final_loss, sc["solved"]) for k in range(steps_max + 1)])
    with np.errstate(invalid="ignore"):
        solved = np.where(np.isfinite(p["losses"]), p["losses"] <= levels, False)
    return {"x": shape(X), "y": shape(Y), "gn": shape(_pad(p["grad_norms"])),
            "clipped": shape(_pad(p["clipped"].astype(float))), "loss": shape(p["losses"]),
            "solved": shape(solved.astype(float)), "k": shape(p["diverged_at"].astype(float))}


def phase_explorer(problem="regression", clip="norm", lr=0.4, threshold=0.1, steps=200,
                   max_steps=200, preset=None):
    """The live phase diagram: problem and clip toggles, lr / threshold / steps sliders.

    Parameters
    ----------
    problem : {"regression", "cliff RNN", "tiny net"}
        The demo regression (from 0), :class:`~gradclip.CliffRNN` from ``(4.5, -2.8)``, or a
        :class:`TinyNet` from ``(0.1, 0.1)``.
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
    for arg, val in (("steps", steps), ("max_steps", max_steps)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{arg} must be a positive integer, got {val!r}")
    if not steps <= max_steps <= 400:
        raise ValueError(f"steps ({steps}) must be <= max_steps ({max_steps}) <= 400")
    scenes = _scenes()
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
            sc = scenes[name]
            cache[(name, mode)] = PhaseRuns(sc["problem"], sc["theta0"], mode, LRS, THRESHOLDS, max_steps)
        return cache[(name, mode)]

    # ---- static layer (the layout is computed with every problem's panels in place)
    for name, (axt, axg) in right.items():
        _draw_right(name, scenes[name], axt, axg, max_steps)
    first = runs_of(problem, clip)
    _draw_map(fig, ax, cax, right, problem, scenes[problem], first, steps)
    lims = (ax.get_xlim(), ax.get_ylim())
    st.freeze()

    # ---- arrays: one quantum for every problem's axes
    qx = min(st.quantum(right[q][0], "x") for q in PROBLEMS)
    qy = min(st.quantum(right[q][0], "y") for q in PROBLEMS)
    qg = min(st.quantum(right[q][1], "y") for q in PROBLEMS)
    cells = ("lr", "threshold")
    arrays = _grid_arrays(first, scenes[problem], max_steps)
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
        st.markers(axt, *map(float, scenes[name]["theta0"]), ms=9, mfc="white", mec="#333333",
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
        _draw_map(fig, ax, cax, right, name, scenes[name], runs, n, lims)
        return {"background": fig, "arrays": _grid_arrays(runs, scenes[name], max_steps)}

    st.request("grid", ["problem", "clip", "steps"], grid)
    explorer = st.build({"problem": problem, "clip": clip, "lr": st.controls["lr"].check(lr),
                         "threshold": st.controls["threshold"].check(threshold), "steps": steps})
    explorer.runs_of = runs_of
    if preset is not None:
        explorer.apply_preset(preset)
        vals = explorer.values
        if (vals["problem"], vals["clip"], vals["steps"]) != (problem, clip, steps):
            explorer.request("grid", **{k: vals[k] for k in ("problem", "clip", "steps")})
    return explorer
