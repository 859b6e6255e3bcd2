"""The heavy-tail explorer: SGD with Student-t gradient noise, plain and norm-clipped, over seeds.

On ``f(theta) = ||theta||^2 / 2`` every (tail index, threshold) setting is run once for many
seeds with :func:`gradclip.noise.noisy_sgd_sweep`, the plain run with the same noise beside it.
The page shows the distribution of the final error over the seeds, one seed's error per
step, and the median and 99th percentile against the threshold.
"""

import numpy as np

from ..noise import noisy_sgd_sweep
from ..problems import Quadratic
from ..plots.theory import log_axes
from ..style import PALETTE
from .arrays import label_codes
from .controls import check_int, snap
from .figure import explorer_figure, key
from .stage import Stage, at, pick, value

__all__ = ["noise_explorer", "noise_stage", "DF_VALUES", "THRESHOLDS"]

#: Tail indices (Student-t degrees of freedom) of the slider; variance is infinite for nu <= 2.
DF_VALUES = (1.1, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0)
#: Clipping thresholds of the slider.
THRESHOLDS = (0.3, 1.0, 3.0, 10.0)
ERROR_RANGE = (1e-2, 1e3)


def _runs(df_values, thresholds, lr, steps, n_runs, seed, theta0):
    """Final errors ``(df, [plain] + thresholds, n_runs)`` and the error per step of the seed
    with the largest plain final error, for every setting."""
    prob = Quadratic(np.eye(2))
    finals, paths = [], []
    for df in df_values:  # the plain run and every threshold share the noise: one pass
        runs = noisy_sgd_sweep(prob, theta0, lr, steps, [None] + list(thresholds), "student_t",
                               df=df, clip="norm", seed=seed, n_runs=n_runs, record=True)
        worst = int(np.argmax(runs[0].errors))
        finals.append([r.errors for r in runs])
        paths.append([np.linalg.norm(r.path[worst], axis=-1) for r in runs])
    return np.array(finals), np.array(paths)


def noise_stage(df_values=DF_VALUES, thresholds=THRESHOLDS, lr=0.1, steps=150, n_runs=200, seed=0,
                theta0=(5.0, 5.0)):
    """A :class:`Stage` with tail-index and threshold sliders over noisy SGD."""
    dfs, thrs = np.asarray(df_values, float), np.asarray(thresholds, float)
    finals, paths = _runs(dfs, thrs, lr, steps, n_runs, seed, theta0)
    with np.errstate(all="ignore"):
        finals = np.clip(finals, *ERROR_RANGE)
        paths = np.clip(paths, *ERROR_RANGE)
    ranked = np.sort(finals, axis=-1)
    q = {name: np.percentile(finals, p, axis=-1) for name, p in (("median", 50), ("p99", 99))}
    q["max"] = finals.max(axis=-1)

    fig, ax, axp, axt = explorer_figure(height=4.6)
    st = Stage("noise", fig)
    st.slider("df", dfs, label="tail index ν", fmt=".2g")
    st.slider("threshold", thrs, label="threshold c", fmt=".2g")

    # ---- static layer
    frac = (np.arange(n_runs) + 0.5) / n_runs
    ax.set_xscale("log")
    ax.set_xlim(*ERROR_RANGE)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"final error ‖θ − θ*‖ after {steps} steps")
    ax.set_ylabel(f"share of {n_runs} seeds below")
    ax.set_title(f"SGD on ‖θ‖²/2, lr = {lr:g}, Student-t noise", fontsize="medium")
    key(ax, [("plain SGD", PALETTE["raw"]), ("clipped at c", PALETTE["good"])])
    axp.set_yscale("log")
    axp.set_xlim(0, steps)
    axp.set_ylim(*ERROR_RANGE)
    axp.set_ylabel("error")
    axp.set_xlabel("step (the seed that ends worst unclipped)")
    axt.set_xscale("log")
    axt.set_yscale("log")
    axt.set_xlim(thrs[0] / 1.5, thrs[-1] * 1.5)
    axt.set_ylim(*ERROR_RANGE)
    axt.set_xlabel("threshold c")
    axt.set_ylabel("final error")
    key(axt, [("— median", "0.3"), ("-- 99th percentile", "0.3")], horizontal=True)
    log_axes(ax, axp, axt)
    st.freeze()

    # ---- arrays
    qx = st.quantum(ax, "x")
    st.array("frac", frac, ("seed",), quantum=1e-4)
    st.array("ranked_plain", ranked[:, 0], ("df", "seed"), quantum=qx, log=True)
    st.array("ranked_clip", ranked[:, 1:], ("df", "threshold", "seed"), quantum=qx, log=True)
    st.array("step", np.arange(steps + 1), ("k",), integer=True)
    qp = st.quantum(axp, "y")
    st.array("path_plain", paths[:, 0], ("df", "k"), quantum=qp, log=True)
    st.array("path_clip", paths[:, 1:], ("df", "threshold", "k"), quantum=qp, log=True)
    st.array("thr_values", thrs, ("threshold",))
    for name, arr in q.items():
        st.array(f"{name}_plain", arr[:, 0], ("df",), quantum=0.002, log=True)
        st.array(f"{name}_clip", arr[:, 1:], ("df", "threshold"), quantum=0.002, log=True)
    variance = ["infinite variance" if d <= 2 else f"variance {d / (d - 2):.2g}" for d in dfs]
    codes, labels = label_codes(variance)
    st.array("variance", codes, ("df",), integer=True)

    # ---- what moves
    st.line(ax, "ranked_plain", "frac", along="seed", color=PALETTE["raw"], ls="--", lw=2.0, z=3)
    st.line(ax, "ranked_clip", "frac", along="seed", color=PALETTE["good"], lw=2.0, z=4)
    st.line(axp, "step", "path_plain", along="k", color=PALETTE["raw"], lw=1.4, z=3)
    st.line(axp, "step", "path_clip", along="k", color=PALETTE["good"], lw=1.6, z=4)
    for name, ls in (("median", "-"), ("p99", "--")):
        st.line(axt, "thr_values", f"{name}_clip", along="threshold", color=PALETTE["good"], ls=ls,
                lw=1.6, marker="o", ms=3, z=3)
        st.hline(axt, at(f"{name}_plain"), color=PALETTE["raw"], ls=ls, lw=1.3)
    st.vline(axt, value("threshold"), color="0.3", lw=0.8)
    st.status("ν = {df:.2g}, {var} · final error (median/p99/max): plain {m0:.2g}/{p0:.2g}/{x0:.2g}"
              " · clipped {m1:.2g}/{p1:.2g}/{x1:.2g}",
              fields={"df": value("df"), "var": pick(at("variance"), labels), "c": value("threshold"),
                      "m0": at("median_plain"), "p0": at("p99_plain"), "x0": at("max_plain"),
                      "m1": at("median_clip"), "p1": at("p99_clip"), "x1": at("max_clip")},
              size=11.5)
    return st


def noise_explorer(df=1.5, threshold=1.0, steps=150, n_runs=200, preset=None):
    """Tail-index and threshold sliders over SGD with Student-t gradient noise, many seeds.

    SGD with ``lr = 0.1`` on ``||theta||^2 / 2`` from ``(5, 5)``; each step adds noise with
    independent Student-t coordinates of ``nu`` degrees of freedom (infinite variance for
    ``nu <= 2``). Left: the distribution of the final error over ``n_runs`` seeds, plain
    (dashed) and norm-clipped at ``c``. Top right: the error per step of the seed that ends
    worst without clipping, and the same seed clipped. Bottom right: the median and 99th
    percentile of the final error against the threshold (plain: horizontal lines).

    Parameters
    ----------
    df, threshold : float
        Initial tail index (one of :data:`DF_VALUES`) and threshold (:data:`THRESHOLDS`).
    steps : int
        Steps per run (20 to 300).
    n_runs : int
        Seeds (50 to 1000).
    preset : str, optional
        E.g. ``"df=1.1;threshold=1"``.

    Returns
    -------
    Explorer
    """
    steps = check_int("steps", steps, 20, 300)
    n_runs = check_int("n_runs", n_runs, 50, 1000)
    df, threshold = snap("df", DF_VALUES, df), snap("threshold", THRESHOLDS, threshold)
    stage = noise_stage(steps=steps, n_runs=n_runs)
    return stage.build({"df": df, "threshold": threshold}, preset)
