"""Descent explorers: trajectory on the loss surface, loss per step, loss after the run vs lr.

:func:`learning_rate_explorer` (one problem, a learning-rate slider) and
:func:`condition_explorer` (a condition-number slider over 31 quadratic bowls).

Every run a slider can reach is computed once with :func:`gradclip.run_batch`; the static
figure is drawn once by matplotlib and the runs become arrays the page draws from.
"""

import numpy as np

from .. import plots
from ..data import demo_regression
from ..problems import LinearRegression, Quadratic
from ..solvers import REGIMES, Trajectories, classify_rate, run_batch
from ..style import PALETTE
from .controls import check_int
from .figure import LogGrid, explorer_figure, few_ticks, paths
from .stage import Stage, at, between, div, pick, position, switch, value, where

__all__ = ["learning_rate_explorer", "condition_explorer", "descent_stage", "REGIMES"]

REGIME_COLORS = [plots.REGIME_PALETTE[name] for name in REGIMES]
EXCESS_QUANTUM = 0.002  # decades: 0.5 %, so a status "J - J_min = 0.034" is right to 2 digits


class _StackedQuadratics:
    """Several quadratic bowls as one batched problem: rows ``i * n_lrs ... (i + 1) * n_lrs``
    belong to bowl ``i``, so one :func:`run_batch` call runs every (bowl, lr) pair.

    ``J_i(theta) = floor_i + (theta - star_i)' H_i (theta - star_i) / 2``: exact for every
    problem with a constant Hessian (``Quadratic``, ``LinearRegression``).
    """

    def __init__(self, problems, n_lrs):
        self.dim = problems[0].dim
        self.H = np.repeat(np.array([p.hessian() for p in problems]), n_lrs, axis=0)
        self.star = np.repeat(np.array([p.solution() for p in problems]), n_lrs, axis=0)
        self.floor = np.repeat(np.array([float(p.loss(p.solution())) for p in problems]), n_lrs)

    def grad(self, theta):
        return np.einsum("nij,nj->ni", self.H, theta - self.star)

    def loss(self, theta):
        return self.loss_and_grad(theta)[0]

    def loss_and_grad(self, theta):
        """Both from one gradient (the solver's fused call)."""
        g = self.grad(theta)
        return self.floor + 0.5 * np.einsum("ni,ni->n", theta - self.star, g), g


def _batched_runs(scenes, lrs, max_steps):
    """Every scene's runs over ``lrs``: one batched pass when the scenes are quadratic bowls
    with one start (the condition explorer's 31 bowls), else one pass per scene."""
    probs = [s["problem"] for s in scenes]
    starts = [np.asarray(s["theta0"], dtype=np.float64) for s in scenes]
    same = all(np.array_equal(a, starts[0]) for a in starts)
    if len(scenes) > 1 and same and all(isinstance(p, (Quadratic, LinearRegression))
                                        for p in probs):
        if len({p.dim for p in probs}) == 1:
            n = len(lrs)
            both = run_batch(_StackedQuadratics(probs, n), starts[0], np.tile(lrs, len(probs)),
                             max_steps)
            return [_rows(both, slice(i * n, (i + 1) * n)) for i in range(len(probs))]
    return [run_batch(p, s, lrs, max_steps) for p, s in zip(probs, starts)]


def _rows(tr, rows):
    """The runs ``rows`` of a :class:`~gradclip.Trajectories` as a Trajectories."""
    k = tr.diverged_at[rows]
    return Trajectories(tr.thetas[rows], tr.losses[rows], tr.grad_norms[rows], tr.clipped[rows],
                        tr.step_lengths[rows], k, lrs=tr.lrs[rows],
                        thresholds=None if tr.thresholds is None else tr.thresholds[rows],
                        clip=tr.clip)


def _scene(s, lrs, max_steps, xlim, ylim, tr=None):
    prob, theta0 = s["problem"], np.asarray(s["theta0"], dtype=np.float64)
    star = prob.solution()
    if xlim is None or ylim is None:
        xlim, ylim = plots.view_box(theta0, star)
    X, Y, Z = plots.loss_grid(prob, xlim, ylim, 100)
    floor = float(prob.loss(star))
    segs = plots.contour_segments(X, Y, Z, plots.contour_levels(Z, 14, floor))
    if tr is None:
        tr = run_batch(prob, theta0, lrs, max_steps)
    with np.errstate(all="ignore"):
        ex = np.maximum(tr.losses - floor, 1e-16)
    ex[~np.isfinite(tr.losses)] = np.nan
    edge = float(prob.max_stable_lr())
    return dict(s, theta0=theta0, star=star, xlim=xlim, ylim=ylim, segments=segs, traj=tr,
                excess=ex, edge=edge, lam=2.0 / edge)


def _flat(segments):
    """Contour segments as one x and one y array, NaN between segments."""
    xs, ys = [], []
    for seg in segments:
        xs += [seg[:, 0], [np.nan]]
        ys += [seg[:, 1], [np.nan]]
    return np.concatenate(xs), np.concatenate(ys)


def descent_stage(name, scenes, lr_grid, max_steps, lr_label, scene_control=None, xlim=None,
                  ylim=None):
    """A :class:`Stage` over ``scenes`` (dicts ``problem``, ``theta0``, ``label``), one learning
    rate slider and a steps slider; with several scenes, a slider ``scene_control`` (a grid
    slider whose values are given as ``scene_control = (name, values, label)``) picks one."""
    lrs = lr_grid.values
    runs = _batched_runs(scenes, lrs, max_steps)
    S = [_scene(s, lrs, max_steps, xlim, ylim, tr) for s, tr in zip(scenes, runs)]
    s0, multi = S[0], len(S) > 1
    fig, ax, axl, axr = explorer_figure()
    st = Stage(name, fig)
    if multi:
        cname, cvalues, clabel = scene_control
        st.slider(cname, cvalues, label=clabel)
    st.slider("lr", lrs, label=lr_label)
    st.int_slider("steps", 1, max_steps, label="steps")
    lead = (cname,) if multi else ()

    def stack(key):
        a = np.array([s[key] for s in S])
        return a if multi else a[0]

    # ---- static layer
    if not multi:
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(s0["segments"], colors="0.55", linewidths=0.8, zorder=1))
    ax.set_xlim(*s0["xlim"])
    ax.set_ylim(*s0["ylim"])
    ax.set_xlabel("θ₀")
    ax.set_ylabel("θ₁")
    ax.set_title("trajectory on the loss surface", fontsize="medium")
    ex = stack("excess")
    fin = ex[np.isfinite(ex)]
    lo, hi = max(float(fin.min()), 1e-14) / 3, float(fin.max()) * 10
    axl.set_yscale("log")
    axl.set_xlim(0, max_steps)
    axl.set_ylim(lo, hi)
    axl.set_xlabel("step")
    axl.set_ylabel("J − Jₘᵢₙ")
    edges = np.array([s["edge"] for s in S])
    axr.set_xscale("log")
    axr.set_yscale("log")
    pad = (lrs[-1] / lrs[0]) ** 0.03  # room for the whole marker at either end of the slider
    axr.set_xlim(lrs[0] / pad, lrs[-1] * pad)
    axr.set_ylim(lo, hi)
    axr.set_xlabel("learning rate (log)")
    axr.set_ylabel("J − Jₘᵢₙ after the run")
    edge = float(edges[0])
    fixed_edge = bool(np.allclose(edges, edge))
    if fixed_edge:
        axr.axvline(edge, color=PALETTE["divergent"], ls="--", lw=1.4)
        axr.axvspan(edge, lrs[-1] * 2, color=PALETTE["divergent"], alpha=0.08, lw=0)
        axr.text(edge, 0.97, f"edge 2/λmax = {edge:.3g} ", transform=axr.get_xaxis_transform(),
                 ha="right", va="top", color=PALETTE["divergent"], fontsize="small")
    few_ticks(ax, axl, axr)
    st.freeze()

    # ---- arrays (every state the sliders reach)
    if multi and all(np.array_equal(s[k], s0[k]) for s in S for k in ("xlim", "ylim")):
        thetas = np.array([s["traj"].thetas for s in S])  # one view: every run in one pass
        X, Y = (a.reshape(thetas.shape[:3]) for a in paths(thetas.reshape((-1,) + thetas.shape[2:]),
                                                           s0["xlim"], s0["ylim"]))
    else:
        X, Y = zip(*[paths(s["traj"].thetas, s["xlim"], s["ylim"]) for s in S])
        X, Y = (np.array(a) if multi else a[0] for a in (X, Y))
    st.array("x", X, lead + ("lr", "steps"), quantum=st.quantum(ax, "x"))
    st.array("y", Y, lead + ("lr", "steps"), quantum=st.quantum(ax, "y"))
    st.array("excess", ex, lead + ("lr", "steps"), quantum=EXCESS_QUANTUM, log=True)
    st.array("step", np.arange(max_steps + 1), ("steps",), integer=True)
    st.array("lr_values", lrs, ("lr",))
    dat = np.array([s["traj"].diverged_at for s in S])
    st.array("diverged_at", dat if multi else dat[0], lead + ("lr",), integer=True)
    codes = np.array([[REGIMES.index(str(r)) for r in classify_rate(lrs, s["lam"])] for s in S])
    st.array("regime", codes if multi else codes[0], lead + ("lr",), integer=True)
    if not fixed_edge:
        st.array("edge", edges, lead)
        st.vline(axr, at("edge"), color=PALETTE["divergent"], ls="--", lw=1.4)
        edge = at("edge")
    if multi:
        flat = [_flat(s["segments"]) for s in S]
        n = max(len(f[0]) for f in flat)
        cx, cy = (np.array([np.pad(f[i], (0, n - len(f[i])), constant_values=np.nan) for f in flat])
                  for i in (0, 1))
        st.array("contour_x", cx, (cname, "pts"), quantum=st.quantum(ax, "x"))
        st.array("contour_y", cy, (cname, "pts"), quantum=st.quantum(ax, "y"))
        st.line(ax, "contour_x", "contour_y", along="pts", color="#8c8c8c", lw=0.8, z=1)

    # ---- what moves
    diverged = between(at("diverged_at"), 0, value("steps"))
    code = where(diverged, 4, at("regime"))
    color = switch(code, REGIME_COLORS)
    # start and optimum are drawn in the page too: the path passes under them
    st.markers(ax, *map(float, s0["theta0"]), ms=9, mfc="white", mec="#333333", mew=2, z=4)
    st.markers(ax, *map(float, s0["star"]), marker="*", ms=14, color=PALETTE["optimum"], z=5)
    st.line(ax, "x", "y", along="steps", cut="steps", color=color, lw=1.6, marker="o", ms=3.5, z=3)
    st.markers(ax, "x", "y", along="steps", cut="steps", only="last", color=color, ms=8, z=6)
    st.line(axl, "step", "excess", along="steps", cut="steps", color=color, lw=1.8, z=2)
    st.line(axr, "lr_values", "excess", along="lr", color="#4d4d4d", lw=1.4, z=2)
    st.markers(axr, "lr_values", "excess", marker=switch(diverged, ["o", "X"]), ms=9, color=color,
               fill_y=float(np.sqrt(lo * hi)), z=5)
    head = "{scene}  " if multi else ""
    edge_text = "{edge:.3g}"
    fields = {"lr": value("lr"), "steps": value("steps"), "k": at("diverged_at"),
              "regime": pick(at("regime"), REGIMES), "ex": at("excess"),
              "ratio": div(value("lr"), edge), "edge": edge}
    if multi:
        fields["scene"] = pick(position(cname), [s["label"] for s in S])
    st.status([f"{head}{{regime}}: lr = {{lr:.3g}} = {{ratio:.2g}} × edge ({edge_text}) · "
               "J − Jₘᵢₙ = {ex:.2g} after {steps} steps",
               f"{head}diverged at step {{k}}  (lr = {{lr:.3g}}, edge 2/λmax = {edge_text})"],
              case=diverged, fields=fields, color=color, size=12.5)
    return st


def learning_rate_explorer(problem=None, theta0=None, lr=None, steps=40, max_steps=100,
                           preset=None):
    """Learning-rate slider (log scale, slow to divergent) over the loss surface.

    Shows the trajectory on the contour plot, the loss per step, and the loss after the run
    against the learning rate with the edge ``2 / lambda_max`` marked. A run that blows up
    says "diverged at step k".

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem with ``solution`` and ``hessian`` (default: :func:`demo_regression`).
    theta0 : array_like, optional
        Start (default ``(0, 0)`` for the demo).
    lr : float, optional
        Initial learning rate (default: 0.4 x the edge).
    steps, max_steps : int
        Initial and maximum number of steps.
    preset : str, optional
        Start from a preset string such as ``"lr=0.5;steps=40"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem, default0 = demo_regression()
        theta0 = default0 if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if not hasattr(problem, "max_stable_lr"):
        raise ValueError(f"problem must define max_stable_lr (a curvature edge), got {problem!r}")
    max_steps = check_int("max_steps", max_steps, 1, 2000)
    steps = check_int("steps", steps, 1, max_steps)
    edge = problem.max_stable_lr()
    e = np.log10(edge)
    grid = LogGrid("lr", e - 2.4, e + 0.3, 0.025, anchor=edge)
    lr = edge * 0.4 if lr is None else lr
    stage = descent_stage("learning_rate", [{"problem": problem, "theta0": theta0, "label": ""}],
                          grid, max_steps, f"lr (edge {edge:.3g})")
    return stage.build({"lr": lr, "steps": steps}, preset)


def condition_explorer(theta0=(-4.0, 3.0), condition=10.0, lr=1.0, steps=40, max_steps=150,
                       preset=None):
    """A 2-D quadratic with a condition-number slider: the zig-zag of ill-conditioning.

    ``Quadratic.with_condition(kappa)`` has ``lambda_max = 1`` for every ``kappa``, so the edge
    ``2 / lambda_max = 2`` stays put while the slow direction ``lambda_min = 1 / kappa`` gets
    ever flatter: the largest eigenvalue caps the learning rate, the smallest sets the pace.

    Parameters
    ----------
    theta0 : array_like
        Start.
    condition, lr : float
        Initial condition number (1 to 1000) and learning rate (0.002 to 2.5; the grid
        steps by 6 %, so 1.995 and 2.11 straddle the edge 2).
    steps, max_steps : int
    preset : str, optional
        E.g. ``"condition=100;lr=1.9;steps=60"``.

    Returns
    -------
    Explorer
    """
    max_steps = check_int("max_steps", max_steps, 1, 2000)
    steps = check_int("steps", steps, 1, max_steps)
    kgrid = LogGrid("condition", 0.0, 3.0, 0.1)
    grid = LogGrid("lr", -2.7, 0.4, 0.025)  # 0.002 .. 2.5, with 1, 0.1 and 0.01 on the grid
    scenes = [{"problem": Quadratic.with_condition(k), "theta0": theta0, "label": f"κ = {k:.3g}"}
              for k in kgrid.values]
    stage = descent_stage("condition", scenes, grid, max_steps, "lr (edge 2)",
                          scene_control=("condition", kgrid.values, "condition κ"),
                          xlim=(-5.0, 5.0), ylim=(-5.0, 5.0))
    return stage.build({"condition": condition, "lr": lr, "steps": steps}, preset)
