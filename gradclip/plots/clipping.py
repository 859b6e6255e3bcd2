"""Pictures of clipping: box vs ball geometry, distances to the optimum, the cliff.

Same conventions as :mod:`gradclip.plots` (which re-exports these): take an ``ax`` and
results, draw, return the artists.
"""

import numpy as np
from matplotlib.patches import Arc, Circle, Rectangle

from .. import validation as v
from ..clipping import clip_angle, clip_by_norm, clip_by_value
from ._axes import REGIME_COLORS, check_ax
from .surfaces import plot_contour, plot_trajectory
from ..style import PALETTE

__all__ = ["plot_distances", "plot_clipping_geometry", "plot_cliff"]


def plot_distances(ax, trajs, point, labels=None, colors=None):
    """Distance of every iterate to ``point`` (e.g. the optimum), one line per run, log y.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import Quadratic, run
    >>> q = Quadratic.with_condition(4.0)
    >>> len(plot_distances(Figure().subplots(), [run(q, [1.0, 1.0], 0.5, 10)], q.solution()))
    1
    """
    check_ax(ax)
    if not trajs or not all(hasattr(t, "thetas") for t in trajs):
        raise ValueError("trajs must be a non-empty list of Trajectory")
    labels = labels or [f"lr = {t.lr:.3g}" for t in trajs]
    colors = colors or REGIME_COLORS
    lines = []
    for i, (t, lab) in enumerate(zip(trajs, labels)):
        d = t.distances(point)
        (ln,) = ax.semilogy(np.arange(len(d)), d, color=colors[i % len(colors)], label=lab)
        lines.append(ln)
    ax.set_xlabel("step")
    ax.set_ylabel("distance to optimum")
    ax.legend(fontsize="small")
    return lines


def plot_clipping_geometry(ax, g, threshold):
    """Value clipping (the box) vs norm clipping (the ball) of one 2-D gradient ``g``.

    Draws the box ``|g_i| <= threshold`` and the ball ``||g|| <= threshold``, the raw vector,
    both clipped vectors and the angle by which value clipping turns the direction.

    Returns
    -------
    dict
        ``"raw"``, ``"value"``, ``"norm"`` (arrows), ``"box"``, ``"ball"``, ``"arc"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> arts = plot_clipping_geometry(Figure().subplots(), [3.0, 1.0], 1.0)
    >>> float(arts["value"].U[0]), float(arts["value"].V[0])
    (1.0, 1.0)
    """
    check_ax(ax)
    g = v.as_float_array(g, "g")
    if g.shape != (2,) or not np.all(np.isfinite(g)):
        raise ValueError(f"g must be a finite 2-D vector, got {g.tolist()!r}")
    c = v.positive(threshold, "threshold")
    gv, gn = clip_by_value(g, c), clip_by_norm(g, c)
    box = ax.add_patch(Rectangle((-c, -c), 2 * c, 2 * c, fill=True, fc=PALETTE["clipped"],
                                 alpha=0.12, ec=PALETTE["clipped"], lw=1.5,
                                 label=f"value box |g_i| ≤ {c:g}"))
    ball = ax.add_patch(Circle((0, 0), c, fill=False, ec=PALETTE["good"], lw=1.5, ls="--",
                               label=f"norm ball ||g|| ≤ {c:g}"))
    kw = dict(angles="xy", scale_units="xy", scale=1, width=0.012, zorder=4)
    raw = ax.quiver(0, 0, *g, color=PALETTE["raw"], **kw)
    val = ax.quiver(0, 0, *gv, color=PALETTE["clipped"], **kw)
    nrm = ax.quiver(0, 0, *gn, color=PALETTE["good"], **kw)
    ang = clip_angle(g, c)
    a1, a2 = sorted(np.degrees([np.arctan2(g[1], g[0]), np.arctan2(gv[1], gv[0])]))
    arc = ax.add_patch(Arc((0, 0), 1.3 * c, 1.3 * c, theta1=a1, theta2=a2, color="black", lw=1.2))
    mid = np.radians((a1 + a2) / 2)
    ax.annotate(f"{ang:.1f}°", (0.65 * c * np.cos(mid), 0.65 * c * np.sin(mid)),
                xytext=(8, 4), textcoords="offset points", fontsize="small")
    for vec, txt, col, off in ((g, f"raw g = ({g[0]:.3g}, {g[1]:.3g})", PALETTE["raw"], (4, 6)),
                               (gv, "clip by value", PALETTE["clipped"], (4, 6)),
                               (gn, "clip by norm", PALETTE["good"], (6, -16))):
        ax.annotate(txt, vec, xytext=off, textcoords="offset points", color=col,
                    fontsize="small", fontweight="bold")
    lo = -1.35 * c
    ax.set_xlim(min(lo, g[0] * 1.2), max(g[0], c) * 1.45)
    ax.set_ylim(min(lo, g[1] * 1.2), max(g[1], c) * 1.6)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.7", lw=0.8, zorder=0)
    ax.axvline(0, color="0.7", lw=0.8, zorder=0)
    ax.set_xlabel(r"$g_0$")
    ax.set_ylabel(r"$g_1$")
    ax.legend(handles=[box, ball], loc="lower right", fontsize="small")
    return {"raw": raw, "value": val, "norm": nrm, "box": box, "ball": ball, "arc": arc}


def plot_cliff(ax, problem, raw, clipped, xlim=(0.0, 10.0), ylim=(-6.0, 5.0)):
    """The cliff loss with an unclipped and a clipped run from the same start.

    The longest single step of each run is printed in the legend: the unclipped step at the
    wall jumps far away, the clipped one stays near (Pascanu et al. 2013, Fig. 6).

    Returns
    -------
    dict
        ``"raw"`` and ``"clipped"`` (each a dict from :func:`plot_trajectory`), ``"contour"``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from gradclip import CliffRNN, run
    >>> cliff = CliffRNN()
    >>> raw = run(cliff, (5.0, -3.5), 1.0, 60)
    >>> clipped = run(cliff, (5.0, -3.5), 1.0, 60, clip="norm", threshold=0.5)
    >>> plot_cliff(Figure().subplots(), cliff, raw, clipped)["clipped"]["path"].get_label()
    'clip by norm ≤ 0.5 (longest step 0.5)'
    """
    check_ax(ax)
    for name, t in (("raw", raw), ("clipped", clipped)):
        if not hasattr(t, "step_lengths"):
            raise ValueError(f"{name} must be a Trajectory, got {type(t).__name__}")
    cont = plot_contour(ax, problem, xlim, ylim, optimum=False, n_levels=12, log=False)
    lab_r = f"no clipping (longest step {np.nanmax(raw.step_lengths):.3g})"
    lab_c = f"clip by norm ≤ {clipped.threshold:g} (longest step {np.nanmax(clipped.step_lengths):.3g})"
    a = plot_trajectory(ax, raw, color=PALETTE["divergent"], label=lab_r)
    b = plot_trajectory(ax, clipped, color=PALETTE["good"], label=lab_c)
    j = int(np.nanargmax(raw.step_lengths))
    p, q = raw.thetas[j], raw.thetas[j + 1]
    if np.all(np.isfinite(q)):
        ax.annotate(f"one step of length {raw.step_lengths[j]:.3g}", (p + q) / 2, xytext=(12, -4),
                    textcoords="offset points", color=PALETTE["divergent"], fontsize="small")
    ax.set_xlabel("w (recurrent weight)")
    ax.set_ylabel("b (bias)")
    ax.legend(loc="upper right", fontsize="small")
    return {"raw": a, "clipped": b, "contour": cont}
