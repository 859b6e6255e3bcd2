"""The adaptive-threshold explorer: a fixed threshold, AutoClip and ZClip on loss spikes.

SGD on a quadratic is driven by :func:`gradclip.adaptive.spike_process` (Gaussian gradient
noise with rare large spikes); every rule and parameter value is run once with
:func:`gradclip.adaptive.run_with_rule`. The page shows the raw gradient norm with the
threshold each rule chose and the clipped steps, the loss, and the factor by which each step
was shrunk.
"""

from pathlib import Path

import numpy as np

from ..adaptive import AutoClip, FixedThreshold, ZClip, run_with_rule, spike_process
from ..problems import Quadratic
from ..plots.theory import log_axes
from ..style import PALETTE
from .arrays import pad
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, key
from .stage import Stage, at, div, isin, value, where
from .words import text

__all__ = ["spike_explorer", "spike_stage", "replay_spec", "RULE_NAMES", "PERCENTILES", "Z_VALUES",
           "SETTLED", "EXAMPLE_LOG", "REPLAY_WORDS"]

#: The rules of the toggle.
RULE_NAMES = ("none", "fixed", "AutoClip", "ZClip")
#: AutoClip percentiles and ZClip z-score thresholds of their sliders.
PERCENTILES = (1.0, 10.0, 25.0, 50.0, 90.0, 99.0)
Z_VALUES = (1.5, 2.0, 2.5, 3.0, 5.0)
#: The scene: SGD on ``Quadratic.with_condition(10)`` from ``(5, 5)`` with ``lr = 0.5``.
SCENE = {"theta0": (5.0, 5.0), "lr": 0.5, "condition": 10.0}
#: The worst loss is read from this step on: the first steps from (5, 5) are the descent from
#: the start (loss 23.5), not spike damage, and ZClip's z-score rule is idle in its 25-step
#: warm-up (where only its cap, max_grad_norm, clips).
SETTLED = 50
#: The example log the "your log" panel can load (made by scripts/make_example_norm_log.py).
EXAMPLE_LOG = Path(__file__).resolve().parents[2] / "data" / "example_grad_norms.csv"
#: The words of the "your log" panel (``spec["replay"]["strings"]``), in English.
REPLAY_WORDS = {
    "open": "Your own log: replay the rules over your gradient norms",
    "intro": "Paste gradient norms (one per line, or a table with a grad_norm column), open a file or "
             "load the example. The page reads them itself: nothing is uploaded.",
    "load": "open a file:", "example": "example log", "run": "replay",
    "status": "{n} steps replayed · clipped: fixed c = {c:.2g}: {fixed} · AutoClip p = {p:.3g}: "
              "{autoclip} · ZClip z = {z:.2g}, no cap: {zclip}",
    "bad_line": "line {line}: no gradient norm in '{text}'",
    "empty": "no gradient norm in the text",
    "bad_norm": "step {step}: a gradient norm must be finite and > 0, got {value}",
    "xname": "step", "yname": "gradient norm"}


def _rule_runs(problem, process, thresholds, percentiles, zs):
    th0, lr = SCENE["theta0"], SCENE["lr"]
    return {"none": [run_with_rule(problem, th0, lr, process)],
            "fixed": [run_with_rule(problem, th0, lr, process, FixedThreshold(c)) for c in thresholds],
            "AutoClip": [run_with_rule(problem, th0, lr, process, AutoClip(p)) for p in percentiles],
            "ZClip": [run_with_rule(problem, th0, lr, process, ZClip(z_thresh=z)) for z in zs]}


def spike_stage(steps=500, seed=0, thr_grid=None, percentiles=PERCENTILES, zs=Z_VALUES):
    """A :class:`Stage` with a rule toggle and one parameter slider per rule."""
    problem = Quadratic.with_condition(SCENE["condition"])
    process = spike_process(steps, 2, seed=seed)
    thrs = (thr_grid or LogGrid("threshold", np.log10(0.5), np.log10(20.0), 0.3, anchor=2.0)).values
    runs = _rule_runs(problem, process, thrs, percentiles, zs)
    controls = {"none": None, "fixed": "threshold", "AutoClip": "percentile", "ZClip": "z"}
    n_spikes = int(process.spikes.sum())

    fig, ax, axl, axf = explorer_figure(height=4.6)
    st = Stage("spikes", fig)
    st.toggle("rule", list(RULE_NAMES), label="rule")
    # each rule's parameter acts only under its rule: inactive (greyed) under the others
    st.slider("threshold", thrs, label="fixed c", fmt=".2g", active=isin("rule", ["fixed"]))
    st.slider("percentile", np.asarray(percentiles, float), label="AutoClip p", fmt=".3g", log=False,
              active=isin("rule", ["AutoClip"]))
    st.slider("z", np.asarray(zs, float), label="ZClip z", fmt=".2g", log=False,
              active=isin("rule", ["ZClip"]))

    # ---- static layer
    norms = np.concatenate([r.grad_norms for rs in runs.values() for r in rs])
    k = np.arange(steps)
    ax.set_yscale("log")
    ax.set_xlim(0, steps)
    ax.set_ylim(norms.min() / 6, norms.max() * 6)
    ax.plot(k[process.spikes], np.full(n_spikes, norms.min() / 3), "^", ms=5, color=PALETTE["divergent"])
    ax.set_xlabel("step")
    ax.set_ylabel("gradient norm")
    ax.set_title(f"SGD on a quadratic, {n_spikes} spikes (▲)", fontsize="medium")
    key(ax, [("raw norm", PALETTE["raw"]), ("threshold", PALETTE["clipped"]),
             ("● clipped step", PALETTE["clipped"])], horizontal=True)
    losses = np.concatenate([r.losses for rs in runs.values() for r in rs])
    axl.set_yscale("log")
    axl.set_xlim(0, steps)
    axl.set_ylim(max(losses.min(), 1e-4) / 3, losses.max() * 30)
    axl.set_ylabel("loss")
    key(axl, [("this rule", PALETTE["good"]), ("-- no clipping", PALETTE["slow"])], horizontal=True)
    axf.set_xlim(0, steps)
    axf.set_ylim(-0.05, 1.12)
    axf.set_xlabel("step")
    axf.set_ylabel("step shrunk to")
    log_axes(ax, axl, axf)
    st.freeze()

    # ---- arrays
    qn, ql = st.quantum(ax, "y"), st.quantum(axl, "y")
    st.array("step", np.arange(steps + 1), ("k",), integer=True)
    fields = {}
    for name, rs in runs.items():
        lead = () if controls[name] is None else (controls[name],)
        sel = (lambda a: a[0]) if not lead else (lambda a: a)

        def arr(f, rs=rs, sel=sel):
            return sel(np.array([f(r) for r in rs]))

        st.array(f"norm_{name}", arr(lambda r: pad(r.grad_norms)), lead + ("k",), quantum=qn, log=True)
        st.array(f"loss_{name}", arr(lambda r: r.losses), lead + ("k",), quantum=ql, log=True)
        if name != "none":
            thr = arr(lambda r: pad(np.where(np.isfinite(r.thresholds), r.thresholds, np.nan)))
            st.array(f"thr_{name}", thr, lead + ("k",), quantum=qn, log=True)
            st.array(f"clip_{name}", arr(lambda r: pad(r.clipped.astype(float))), lead + ("k",),
                     integer=True)
            factor = arr(lambda r: pad(np.minimum(1.0, r.thresholds / r.grad_norms)))
            st.array(f"factor_{name}", factor, lead + ("k",), quantum=0.002)
        stats = {"caught": lambda r: r.caught, "false_alarms": lambda r: r.false_alarms,
                 "clipped_fraction": lambda r: r.clipped_fraction, "final_loss": lambda r: r.final_loss,
                 "worst_loss": lambda r: r.worst_loss(SETTLED)}
        for stat, of in stats.items():
            integer = stat in ("caught", "false_alarms")
            if not lead:  # no control: a constant
                got = of(rs[0])
                fields.setdefault(stat, {})[name] = int(got) if integer else float(got)
                continue
            st.array(f"{stat}_{name}", arr(of), lead, integer=integer, quantum=None if integer else 1e-5)
            fields.setdefault(stat, {})[name] = at(f"{stat}_{name}")

    # ---- what moves
    def by_rule(stat):
        out = fields[stat]["ZClip"]
        for name in ("AutoClip", "fixed", "none"):
            out = where(isin("rule", [name]), fields[stat][name], out)
        return out

    st.line(axl, "step", "loss_none", along="k", color=PALETTE["slow"], ls="--", lw=1.2, z=2)
    for name in RULE_NAMES:
        shown = isin("rule", [name])
        st.line(ax, "step", f"norm_{name}", along="k", color=PALETTE["raw"], lw=1.0, z=2, visible=shown)
        if name != "none":
            st.line(ax, "step", f"thr_{name}", along="k", color=PALETTE["clipped"], lw=1.4, z=3,
                    marker="_", ms=5, visible=shown, yname="threshold")  # ZClip: a threshold only where it clips
            st.markers(ax, "step", f"norm_{name}", along="k", mask=f"clip_{name}", ms=3.5,
                       color=PALETTE["clipped"], z=4, visible=shown)
            st.line(axf, "step", f"factor_{name}", along="k", color=PALETTE["clipped"], lw=1.0, z=3,
                    visible=shown)
            st.line(axl, "step", f"loss_{name}", along="k", color=PALETTE["good"], lw=1.4, z=3,
                    visible=shown)
    st.hline(axf, 1.0, color="0.6", lw=0.8)
    st.status("{rule}: caught {caught}/{n} spikes · clipped {pct:.1f} % · "
              "worst loss from step {settled}: {worst:.3g} · final {final:.2g}",
              fields={"rule": value("rule"), "caught": by_rule("caught"), "n": n_spikes,
                      "pct": div(by_rule("clipped_fraction"), 1.0, 100),
                      "settled": SETTLED, "worst": by_rule("worst_loss"), "final": by_rule("final_loss")},
              size=12)
    return st


def replay_spec(lang="en", example=None):
    """The "your log" panel of the page (``spec["replay"]``, read by ``replayview.js``): its
    words in ``lang``, the example log's text (default: :data:`EXAMPLE_LOG`, empty if absent),
    the explorer's controls the replay takes its settings from, and the colours."""
    if example is None:
        example = EXAMPLE_LOG.read_text(encoding="utf-8") if EXAMPLE_LOG.is_file() else ""
    return {"strings": {k: text(v, lang) for k, v in REPLAY_WORDS.items()}, "example": example,
            "controls": {"rule": "rule", "threshold": "threshold", "percentile": "percentile",
                         "z": "z"},
            "rules": {"fixed": "fixed", "AutoClip": "autoclip", "ZClip": "zclip"},
            "colors": {"norm": PALETTE["raw"], "threshold": PALETTE["clipped"],
                       "clipped": PALETTE["clipped"]},
            "size": [900, 250]}


def spike_explorer(rule="ZClip", threshold=2.0, percentile=10.0, z=2.5, steps=500, preset=None):
    """A rule toggle (none, fixed, AutoClip, ZClip) and one slider per rule, on loss spikes.

    SGD with ``lr = 0.5`` on ``Quadratic.with_condition(10)`` from ``(5, 5)``, the gradient
    corrupted by :func:`gradclip.adaptive.spike_process` (noise 0.5, a spike of norm 50 at 2 %
    of the steps). Left: the raw gradient norm, the rule's threshold and the clipped steps
    (the spikes marked at the top). Only the chosen rule's slider is active; the others are
    greyed out and keep their values. Right: the loss (unclipped run dashed) and the factor
    ``min(1, threshold / ||g||)`` each step was multiplied by. The status counts the caught
    spikes and gives the worst loss from step :data:`SETTLED` on, after the descent from the
    start and ZClip's warm-up (the loss after the first step is no spike's doing).

    Parameters
    ----------
    rule : {"none", "fixed", "AutoClip", "ZClip"}
    threshold, percentile, z : float
        Initial fixed threshold (0.5 to 20), AutoClip percentile (:data:`PERCENTILES`) and
        ZClip z-score threshold (:data:`Z_VALUES`).
    steps : int
        Length of the run (100 to 2000).
    preset : str, optional
        E.g. ``"rule=AutoClip;percentile=10"``.

    Returns
    -------
    Explorer
    """
    if rule not in RULE_NAMES:
        raise ValueError(f"rule must be one of {RULE_NAMES}, got {rule!r}")
    steps = check_int("steps", steps, 100, 2000)
    grid = LogGrid("threshold", np.log10(0.5), np.log10(20.0), 0.3, anchor=2.0)
    threshold = snap("threshold", grid.values, threshold)
    percentile = snap("percentile", PERCENTILES, percentile, log=False)
    z = snap("z", Z_VALUES, z, log=False)
    stage = spike_stage(steps=steps, thr_grid=grid)
    ex = stage.build({"rule": rule, "threshold": threshold, "percentile": percentile, "z": z}, preset)
    ex.spec["replay"] = replay_spec(ex.lang)
    return ex
