"""The per-example clipping explorer: the bias of clipping before averaging, and DP noise.

For ``f(x) = mean_i (x - a_i)^2 / 2`` the average of per-example clipped gradients
(:func:`gradclip.dp.mean_clipped_gradient`) vanishes on a whole interval
(:func:`gradclip.dp.stationary_set`), while clipping the mean gradient keeps the minimum as
its only zero. Every (threshold, noise multiplier) setting is run once for many seeds with
:func:`gradclip.dp.per_example_clipped_sweep`: the page shows the two clipped gradients, a few
runs, and the final distance to the minimum against the threshold (the DP trade-off: a small
threshold biases, a large one lets the noise ``sigma * c`` grow).
"""

import numpy as np

from ..clipping import clip_by_value
from ..dp import mean_clipped_gradient, per_example_clipped_sweep, stationary_set
from ..plots.theory import log_axes
from ..style import PALETTE
from .arrays import label_codes
from .controls import check_int, snap
from .figure import LogGrid, explorer_figure, key
from .stage import Stage, at, between, pick, value, where

__all__ = ["bias_explorer", "bias_stage", "SIGMAS"]

#: Noise multipliers of the sigma slider (0: no privacy noise).
SIGMAS = (0.0, 0.5, 1.0, 2.0, 4.0)
N_SHOWN = 5  # runs drawn per setting


def _finals(a, x0, lr, steps, thresholds, sigmas, n_runs, seed):
    """Iterates ``(threshold, sigma, N_SHOWN, steps + 1)`` and final points
    ``(threshold, sigma, n_runs)``."""
    runs = per_example_clipped_sweep(a, [x0], lr, steps, thresholds, sigmas, seed=seed,
                                     n_runs=n_runs)[..., 0]  # every setting in one pass
    paths, finals = runs[:, :, :N_SHOWN].copy(), runs[:, :, :, -1].copy()
    return paths, finals


def bias_stage(a=(-3.0, 3.0), thr_grid=None, sigmas=SIGMAS, x0=6.0, lr=0.5, steps=120,
               n_runs=80, seed=0, xlim=(-8.0, 8.0)):
    """A :class:`Stage` with threshold and noise-multiplier sliders over per-example clipping."""
    a = np.asarray(a, dtype=np.float64)
    thrs = (thr_grid or LogGrid("threshold", -0.6, 0.9, 0.1)).values
    sig = np.asarray(sigmas, float)
    xs = np.linspace(*xlim, 321)
    per_example = np.array([mean_clipped_gradient(a, xs, c) for c in thrs])
    of_mean = np.array([clip_by_value(xs - a.mean(), c) for c in thrs])  # 1-D: norm = value clip
    sets = np.array([stationary_set(a, c) for c in thrs])
    paths, finals = _finals(a, x0, lr, steps, thrs, sig, n_runs, seed)
    star = float(a.mean())
    sq = (finals - star) ** 2
    rms = np.sqrt(np.mean(sq, axis=-1))
    # the lowest RMS over n_runs seeds is noisy: the status calls the curve flat over every c
    # within two standard errors of it (standard error of an RMS: std of the squares /
    # (2 RMS sqrt(n)); 0.005: the shown precision)
    se = np.std(sq, axis=-1) / (2 * np.maximum(rms, 1e-12) * np.sqrt(sq.shape[-1]))
    low = np.argmin(rms, axis=0)
    cols = np.arange(rms.shape[1])
    tied = rms <= rms[low, cols] + 2 * se[low, cols] + 0.005

    fig, ax, axp, axe = explorer_figure(height=4.6)
    st = Stage("bias", fig)
    st.slider("threshold", thrs, label="threshold c", fmt=".2g")
    st.slider("sigma", sig, label="noise σ", fmt=".2g", log=False)

    # ---- static layer
    ax.axhline(0, color="0.6", lw=0.8)
    ax.plot(xs, xs - star, color="0.6", lw=1.0, ls=":")
    ax.plot(a, np.zeros_like(a), "o", ms=7, mfc="white", mec="0.2", mew=1.5, zorder=6)
    ax.set_xlim(*xlim)
    ax.set_ylim(-4.5, 4.5)
    ax.set_xlabel("x")
    ax.set_ylabel("averaged gradient")
    ax.set_title(f"f(x) = mean (x − aᵢ)²/2, a = {np.round(a, 3).tolist()}", fontsize="medium")
    key(ax, [("clip each example, then average", PALETTE["good"]),
             ("average, then clip", PALETTE["slow"]), ("no clipping", "0.5"),
             ("where it stops", PALETTE["clipped"])])
    axp.set_xlim(0, steps)
    axp.set_ylim(*xlim)
    axp.set_ylabel("x")
    axp.set_xlabel(f"step (lr = {lr:g}, from x0 = {x0:g})")
    axp.axhline(star, color="0.6", lw=0.8)
    axe.set_xscale("log")
    axe.set_yscale("log")
    axe.set_xlim(thrs[0] / 1.2, thrs[-1] * 1.2)
    axe.set_ylim(1e-2, 30)
    axe.set_xlabel("threshold c")
    axe.set_ylabel(f"RMS distance to {star:g}")
    key(axe, [("this σ", PALETTE["good"]), ("σ = 0: the bias", "0.45")], horizontal=True)
    log_axes(ax, axp, axe)
    st.freeze()

    # ---- arrays
    qx, qy = st.quantum(ax, "x"), st.quantum(ax, "y")
    st.array("xs", xs, ("pt",), quantum=qx)
    st.array("g_example", per_example, ("threshold", "pt"), quantum=qy)
    st.array("g_mean", of_mean, ("threshold", "pt"), quantum=qy)
    st.array("set", sets, ("threshold", "end"), quantum=1e-4)
    st.array("zero", np.zeros(2), ("end",))
    st.array("step", np.arange(steps + 1), ("k",), integer=True)
    for r in range(N_SHOWN):
        st.array(f"path{r}", paths[:, :, r], ("threshold", "sigma", "k"), quantum=st.quantum(axp, "y"))
    st.array("thr_values", thrs, ("threshold",))
    st.array("rms", np.maximum(rms, 1e-2), ("threshold", "sigma"), quantum=0.002, log=True)
    st.array("rms_none", np.maximum(rms[:, 0], 1e-2), ("threshold",), quantum=0.002, log=True)
    st.array("lo", sets[:, 0], ("threshold",), quantum=1e-4)
    st.array("hi", sets[:, 1], ("threshold",), quantum=1e-4)
    bands = [thrs[tied[:, j]] for j in cols]
    codes, labels = label_codes([f"lowest at c = {thrs[low[j]]:.2g}" if len(b) == 1 else
                                 f"flat for c {b.min():.2g}–{b.max():.2g}"
                                 for j, b in enumerate(bands)])
    st.array("best", codes, ("sigma",), integer=True)

    # ---- what moves
    st.line(ax, "set", "zero", along="end", color=PALETTE["clipped"], lw=6, alpha=0.7, z=2)
    st.line(ax, "xs", "g_mean", along="pt", color=PALETTE["slow"], ls="--", lw=1.6, z=3)
    st.line(ax, "xs", "g_example", along="pt", color=PALETTE["good"], lw=2.0, z=4)
    st.hline(axp, at("lo"), color=PALETTE["clipped"], ls="--", lw=1.2)
    st.hline(axp, at("hi"), color=PALETTE["clipped"], ls="--", lw=1.2)
    for r in range(N_SHOWN):
        st.line(axp, "step", f"path{r}", along="k", color=PALETTE["good"], lw=1.0, alpha=0.8, z=3)
    st.line(axe, "thr_values", "rms_none", along="threshold", color="0.45", ls="--", lw=1.4, z=2)
    st.line(axe, "thr_values", "rms", along="threshold", color=PALETTE["good"], lw=1.8, z=3)
    st.markers(axe, "thr_values", "rms", ms=7, color=PALETTE["good"], z=4)
    point = between(at("hi"), at("lo"), at("lo"))
    st.status(["c = {c:.2g}: stops anywhere in [{lo:.3g}, {hi:.3g}] · "
               "σ = {s:.2g}: RMS distance {rms:.2g} " + f"({n_runs} seeds)" + ", {best}",
               "c = {c:.2g}: the only stationary point is {lo:.3g} · "
               "σ = {s:.2g}: RMS distance {rms:.2g} " + f"({n_runs} seeds)" + ", {best}"],
              case=where(point, 1, 0),
              fields={"c": value("threshold"), "lo": at("lo"), "hi": at("hi"), "s": value("sigma"),
                      "rms": at("rms"), "best": pick(at("best"), labels)}, size=12)
    return st


def bias_explorer(threshold=1.0, sigma=0.0, a=(-3.0, 3.0), preset=None, steps=120, n_runs=80):
    """Threshold and DP-noise sliders over per-example clipping on ``mean_i (x - a_i)^2 / 2``.

    Left: the average of the per-example clipped gradients (zero on a whole interval, drawn
    on the axis) against the clipped average gradient (zero only at the minimum). Top right:
    five runs of :func:`gradclip.dp.per_example_clipped_gd` from ``x0 = 6`` with noise of
    standard deviation ``sigma * c`` on the sum of the clipped gradients. Bottom right: the
    RMS distance of the final point to the minimum over ``n_runs`` seeds, against ``c``.

    Parameters
    ----------
    threshold : float
        Initial per-example threshold (0.25 to 8, snapped).
    sigma : float
        Initial noise multiplier (one of :data:`SIGMAS`).
    a : sequence of float
        The examples (scalars).
    preset : str, optional
        E.g. ``"threshold=1;sigma=1"``.
    steps, n_runs : int
        Steps per run (20 to 500) and seeds (10 to 500).

    Returns
    -------
    Explorer
    """
    steps = check_int("steps", steps, 20, 500)
    n_runs = check_int("n_runs", n_runs, 10, 500)
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 1 or a.size < 1 or not np.all(np.isfinite(a)) or np.ptp(a) > 12:
        raise ValueError(f"a must be finite scalars spanning at most 12, got {a.tolist()!r}")
    grid = LogGrid("threshold", -0.6, 0.9, 0.1)
    threshold, sigma = snap("threshold", grid.values, threshold), snap("sigma", SIGMAS, sigma, log=False)
    stage = bias_stage(a=a, thr_grid=grid, steps=steps, n_runs=n_runs)
    return stage.build({"threshold": threshold, "sigma": sigma}, preset)
