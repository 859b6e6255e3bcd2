"""The smoothness explorer: fixed, clipped and normalized steps on ``f(x) = x^4``.

``x^4`` is (L0, L1)-smooth but not L-smooth: its curvature ``12 x^2`` grows without bound, so
a fixed learning rate is stable from ``x0`` only below the edge ``1 / (2 x0^2)``
(:meth:`~gradclip.problems.Power.edge_lr`). Every (start, rate, threshold) run is computed
once: the loss over the first steps (:func:`gradclip.run_batch`,
:func:`gradclip.optim.normalized_gd`) and the steps to reach ``f <= target``
(:func:`gradclip.smoothness.steps_to_target`), for the three rules at once.
"""

import numpy as np

from ..optim import normalized_gd
from ..problems import Power
from ..smoothness import steps_to_target
from ..solvers import run_batch
from ..plots.theory import log_axes
from ..style import PALETTE
from .arrays import label_codes
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, key
from .stage import COVER, Stage, at, pick, value

__all__ = ["smoothness_explorer", "smoothness_stage", "X0_VALUES", "RULES"]

#: Starting points of the x0 slider.
X0_VALUES = (1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 50.0)
#: The three update rules, their colours and line styles.
RULES = {"fixed": (PALETTE["slow"], "-"), "clipped": (PALETTE["good"], "-"),
         "normalized": (PALETTE["clipped"], "--")}
LOSS_FLOOR = 1e-12


def _counts(problem, x0s, lrs, thresholds, target, caps):
    """Steps to ``f <= target`` (-1: not within the cap) per rule, from each start."""
    starts = x0s[:, None]
    return {"fixed": steps_to_target(problem, starts, lrs, target, caps[0]),
            "clipped": steps_to_target(problem, starts, lrs, target, caps[1], "norm", thresholds),
            "normalized": steps_to_target(problem, starts, lrs, target, caps[1], "normalized")}


def _losses(problem, x0s, lrs, thresholds, steps):
    """Loss per step ``(x0, lr[, threshold], steps + 1)`` per rule, floored for a log axis.

    Every (start, rate[, threshold]) run of a rule is one row of a single batched run.
    """
    nx, nl, nt = len(x0s), len(lrs), len(thresholds)
    X, L = np.meshgrid(x0s, lrs, indexing="ij")
    Xc, Lc, C = np.meshgrid(x0s, lrs, thresholds, indexing="ij")
    out = {"fixed": run_batch(problem, X.reshape(-1, 1), L.ravel(), steps).losses,
           "clipped": run_batch(problem, Xc.reshape(-1, 1), Lc.ravel(), steps, clip="norm",
                                thresholds=C.ravel()).losses.reshape(nx, nl, nt, -1),
           "normalized": normalized_gd(problem, X.reshape(-1, 1), L.ravel(), steps).losses}
    out["fixed"] = out["fixed"].reshape(nx, nl, -1)
    out["normalized"] = out["normalized"].reshape(nx, nl, -1)
    return {k: np.maximum(a, LOSS_FLOOR) for k, a in out.items()}


def _text(rule, n, cap, diverges=False):
    if diverges:
        return f"{rule}: diverges"
    return f"{rule}: > {cap}" if n < 0 else f"{rule}: {n}"


def smoothness_stage(x0s, lr_grid, thr_grid, target=1e-3, steps=40, caps=(2000, 500)):
    """A :class:`Stage` with ``x0``, ``lr`` and ``threshold`` sliders over ``x^4``."""
    problem = Power(p=4)
    x0s, lrs, thrs = np.asarray(x0s, float), lr_grid.values, thr_grid.values
    counts = _counts(problem, x0s, lrs, thrs, target, caps)
    losses = _losses(problem, x0s, lrs, thrs, steps)
    edges = problem.edge_lr(x0s[:, None])
    diverges = lrs[None, :] >= edges[:, None]

    fig, ax, axl, axx = explorer_figure(height=4.7)
    st = Stage("smoothness", fig)
    st.slider("x0", x0s, label="start x0", fmt=".3g")
    st.slider("lr", lrs, label="lr")
    st.slider("threshold", thrs, label="threshold c")

    # ---- static layer
    top = float(problem.loss([x0s[-1]])) * 30
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(LOSS_FLOOR / 3, top)
    ax.axhline(target, color="0.45", ls=":", lw=1.2)
    ax.text(steps, target, f"target {target:g} ", ha="right", va="bottom", fontsize="small",
            color="0.35", gid=COVER)
    ax.set_xlabel("step")
    ax.set_ylabel("loss x⁴")
    ax.set_title("descent on f(x) = x⁴", fontsize="medium")
    key(ax, [(f"{r}" + (" (lr·g/‖g‖)" if r == "normalized" else ""), c) for r, (c, _) in RULES.items()])
    cap_top = caps[0] * 3
    for a in (axl, axx):
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_ylim(0.7, cap_top)
        a.axhline(caps[0], color="0.6", ls=":", lw=1.0)
        a.set_ylabel("steps to target")
    axl.set_xlim(lrs[0], lrs[-1])
    axl.set_xlabel("learning rate (at this x0 and c)")
    axx.set_xlim(x0s[0] / 1.3, x0s[-1] * 1.3)
    axx.set_xlabel("start x0 (at this lr and c)")
    log_axes(ax, axl, axx)
    st.freeze()

    # ---- arrays
    st.array("step", np.arange(steps + 1), ("k",), integer=True)
    st.array("lr_values", lrs, ("lr",))
    st.array("x0_values", x0s, ("x0",))
    st.array("edge", edges, ("x0",))
    q = st.quantum(ax, "y")
    st.array("loss_fixed", losses["fixed"], ("x0", "lr", "k"), quantum=q, log=True)
    st.array("loss_clipped", losses["clipped"], ("x0", "lr", "threshold", "k"), quantum=q, log=True)
    st.array("loss_normalized", losses["normalized"], ("x0", "lr", "k"), quantum=q, log=True)
    for rule, n in counts.items():
        shown = np.where(n > 0, n, np.nan).astype(float)
        if rule == "fixed":
            shown[diverges] = np.nan
        axes_ = ("x0", "lr", "threshold") if rule == "clipped" else ("x0", "lr")
        st.array(f"n_{rule}", shown, axes_, quantum=0.002, log=True)
        cap = caps[0] if rule == "fixed" else caps[1]
        texts = np.vectorize(lambda k, d, r=rule, c=cap: _text(r, int(k), c, bool(d)), otypes=[object])(
            n, diverges if rule == "fixed" else np.zeros_like(n, dtype=bool))
        codes, labels = label_codes(texts)
        st.array(f"text_{rule}", codes, axes_, integer=True)
        counts[rule] = (codes, labels)

    # ---- what moves
    for rule, (color, ls) in RULES.items():
        z = 3 if rule != "fixed" else 4
        st.line(ax, "step", f"loss_{rule}", along="k", color=color, ls=ls, lw=1.8, z=z)
        st.line(axl, "lr_values", f"n_{rule}", along="lr", color=color, ls=ls, lw=1.6, z=z)
        st.markers(axl, "lr_values", f"n_{rule}", ms=6, color=color, z=z + 2)
        st.line(axx, "x0_values", f"n_{rule}", along="x0", color=color, ls=ls, lw=1.6,
                marker="o", ms=3, z=z)
        st.markers(axx, "x0_values", f"n_{rule}", ms=7, color=color, z=z + 2)
    st.vline(axl, at("edge"), color=PALETTE["divergent"], ls="--", lw=1.3)
    st.vline(axl, value("lr"), color="0.3", lw=0.8)
    st.text(axl, 0.02, 0.04, "edge 1/(2x0²) = {edge:.3g}", {"edge": at("edge")},
            color=PALETTE["divergent"], size=9, va="bottom")
    st.status("steps to f ≤ {target:g} from x0 = {x0:g} · {fixed} · {clipped} · {normalized}",
              fields={"target": float(target), "x0": value("x0"),
                      **{r: pick(at(f"text_{r}"), counts[r][1]) for r in RULES}}, size=12.5)
    return st


def smoothness_explorer(x0=10.0, lr=0.1, threshold=1.0, steps=40, preset=None):
    """Start, learning-rate and threshold sliders (log) over descent on ``f(x) = x^4``.

    Left: the loss of the fixed-step, norm-clipped and normalized runs over the first
    ``steps`` steps. Right: the steps each rule needs to reach ``f <= 0.001``, against the
    learning rate (at this start, with the fixed rule's edge ``1/(2 x0^2)`` marked) and
    against the start (at this rate). A fixed rate is stable only below the edge of the
    farthest start; the clipped step ``lr * c`` is safe from every start.

    Parameters
    ----------
    x0 : float
        Initial start (one of :data:`X0_VALUES`, snapped).
    lr, threshold : float
        Initial rate (1e-4 to 3) and threshold (0.1 to 100), snapped to their grids.
    steps : int
        Steps shown in the loss panel (10 to 100).
    preset : str, optional
        E.g. ``"x0=20;lr=0.01;threshold=1"``.

    Returns
    -------
    Explorer
    """
    steps = check_int("steps", steps, 10, 100)
    lgrid = LogGrid("lr", -4.0, 0.5, 0.1, anchor=10 ** 0.05)  # no exact landing on 0
    tgrid = LogGrid("threshold", -1.0, 2.0, 0.5)
    x0 = snap("x0", X0_VALUES, x0)
    lr, threshold = snap("lr", lgrid.values, lr), snap("threshold", tgrid.values, threshold)
    stage = smoothness_stage(X0_VALUES, lgrid, tgrid, steps=steps)
    return stage.build({"x0": x0, "lr": lr, "threshold": threshold}, preset)
