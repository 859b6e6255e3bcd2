"""The threshold explorer: a clipping threshold picked from measured gradient norms.

One slider, the threshold c, on a log grid over the norms' range; the norms per step (log y),
the threshold line and the steps whose norm exceeds it (the steps clipping at c would
shorten). The norms are replayed as measured: a run clipped at another c would take other
steps. Every state is computed here (:func:`gradclip.selection.clipped_share`); the page only
looks them up.

By default the norms are those notebook 06's training explorer stores
(:data:`~gradclip.widgets.trainview.STORED_CELL`: the RNN on the adding problem, lr 0.3, T 30,
seed 0, 500 steps): the raw global gradient norms, before clipping, of the run clipped at 1
(the unclipped run overflows at step 170, so its norms give no threshold).
"""

import numpy as np

from ..selection import clipped_share
from ..style import PALETTE
from ..validation import as_float_array
from .figure import LogGrid, PROJECTOR_DPI, few_ticks, key
from .stage import Stage, at, value

__all__ = ["threshold_explorer", "default_norms", "SHARE"]

#: The share of steps the question asks to clip (``predict="p90"``).
SHARE = 0.1
#: Slider positions per decade: 20 (a step of 12 %).
GRID_STEP = 0.05


def default_norms():
    """The raw gradient norms (500 steps) of the clipped run the training explorer stores."""
    from .trainview import read_stored_runs

    runs = read_stored_runs()
    if runs is None:
        raise ValueError("the stored training runs were written for another cell; "
                         "rewrite them with trainview.write_stored_runs()")
    return np.array(runs["global_norm"][0].grad_norms, dtype=float)


def threshold_explorer(norms=None, threshold=1.0, preset=None):
    """A threshold slider over measured gradient norms: which steps would clipping at c shorten?

    Parameters
    ----------
    norms : array_like, 1-D, optional
        Finite positive gradient norms, one per step (at least 10; default
        :func:`default_norms`).
    threshold : float
        Initial threshold (snapped to the slider's log grid, 20 values per decade, spanning the
        norms' range).
    preset : str, optional
        E.g. ``"threshold=0.5"``.

    Returns
    -------
    Explorer
        Its status: ``c = …: clips k of n steps (… %) · the largest norm …``. With
        ``predict="p90"`` it asks for the smallest threshold on the slider that clips at most
        10 % of the steps (:func:`gradclip.selection.threshold_for_share` over the slider's
        values) and hides the clipped steps until the learner commits.
    """
    g = default_norms() if norms is None else as_float_array(norms, "norms")
    if g.ndim != 1 or g.size < 10 or not np.all(np.isfinite(g)) or np.any(g <= 0):
        raise ValueError(f"norms must be a 1-D array of at least 10 finite norms > 0, got {norms!r}")
    lo, hi = np.log10(g.min()), np.log10(g.max())
    grid = LogGrid("threshold", lo - GRID_STEP, hi + GRID_STEP, GRID_STEP).values
    if not np.isfinite(threshold) or threshold <= 0:
        raise ValueError(f"threshold must be a finite positive number, got {threshold!r}")
    n = g.size
    from matplotlib.figure import Figure

    from ..style import is_presentation

    fig = Figure(figsize=(9.4, 3.6), dpi=PROJECTOR_DPI if is_presentation() else 100.0)
    ax = fig.add_axes((0.08, 0.15, 0.9, 0.72))
    st = Stage("threshold", fig)
    st.slider("threshold", grid, label="threshold c", fmt=".3g")

    # ---- static layer
    ax.set_yscale("log")
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(grid[0] / 1.5, grid[-1] * 1.5)
    ax.set_xlabel("step")
    ax.set_ylabel("‖g‖ before clipping")
    ax.set_title(f"measured gradient norms, {n} steps", fontsize="medium")
    key(ax, [("— ‖g‖ raw", PALETTE["raw"]), ("-- threshold", PALETTE["clipped"]),
             ("● clipped step", PALETTE["clipped"])])
    few_ticks(ax)
    st.freeze()

    # ---- arrays: every slider position precomputed
    over = (g[None, :] > grid[:, None]).astype(float)
    st.array("step", np.arange(n), ("k",), integer=True)
    st.array("norm", g, ("k",), quantum=st.quantum(ax, "y"), log=True)
    st.array("clipped", over, ("threshold", "k"), integer=True)
    st.array("count", over.sum(axis=1), ("threshold",), integer=True)
    st.array("share", [100.0 * clipped_share(g, c) for c in grid], ("threshold",), quantum=0.01)

    # ---- what moves
    st.line(ax, "step", "norm", along="k", color=PALETTE["raw"], lw=0.9, z=2, yname="gradient norm")
    st.markers(ax, "step", "norm", along="k", mask="clipped", ms=3.5, color=PALETTE["clipped"], z=4,
               yname="gradient norm")
    st.hline(ax, value("threshold"), color=PALETTE["clipped"], ls="--", lw=1.3, z=5)
    st.status("c = {c:.3g}: clips {k} of {n} steps ({pct:.1f} %) · the largest norm {top:.3g}",
              fields={"c": value("threshold"), "k": at("count"), "n": n, "pct": at("share"),
                      "top": float(g.max())}, size=11.5)
    start = grid[int(np.argmin(np.abs(np.log(grid / float(threshold)))))]
    ex = st.build({"threshold": start}, preset)
    return ex

