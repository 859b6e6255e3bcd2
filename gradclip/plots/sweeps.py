"""Pictures of sweeps: final loss against the learning rate, and (lr, threshold) phase diagrams.

Functions take an ``ax`` and a :class:`~gradclip.SweepResult`, draw, and return artists.
"""

import numpy as np

from .. import validation as v
from ._axes import check_ax
from ..style import PALETTE

__all__ = ["plot_lr_sweep", "plot_phase", "solved_level"]


def _check(ax, result):
    check_ax(ax)
    if not hasattr(result, "final_loss") or not hasattr(result, "diverged"):
        raise ValueError(f"result must be a SweepResult, got {result!r}")


def plot_lr_sweep(ax, result, edge=None, label=None):
    """Final loss against the learning rate (1-D sweep), divergent rates marked with crosses.

    Parameters
    ----------
    ax : matplotlib Axes
    result : SweepResult
        From ``gradclip.sweep`` without thresholds, or one column of a 2-D sweep.
    edge : float, optional
        The predicted stability edge ``2 / lambda_max``, drawn as a vertical line.

    Returns
    -------
    list of artists
    """
    _check(ax, result)
    loss = np.asarray(result.final_loss)
    if loss.ndim != 1:
        raise ValueError(f"result must be a 1-D sweep (no thresholds), got shape {loss.shape}")
    lrs, div = result.lrs, np.asarray(result.diverged)
    ok = loss[~div]
    (line,) = ax.plot(lrs[~div], ok, "o-", ms=3, color=PALETTE["good"], label=label or "final loss")
    artists = [line]
    ax.set_xscale("log")
    if ok.size and np.all(ok > 0):
        ax.set_yscale("log")
    if div.any():
        top = np.nanmax(ok) if ok.size else 1.0
        artists.append(ax.scatter(lrs[div], np.full(div.sum(), top), marker="x",
                                  color=PALETTE["divergent"], label="diverged", zorder=3))
    if edge is not None:
        artists.append(ax.axvline(v.positive(edge, "edge"), color="k", ls="--", lw=1,
                                  label=f"2/λmax = {edge:.3g}"))
    ax.set(xlabel="learning rate", ylabel=f"loss after {result.steps} steps")
    ax.legend(loc="best")
    return artists


def plot_phase(ax, result, edge=None, title=None, vmin=None, vmax=None, solved=None):
    """Phase diagram of a 2-D sweep: colour = final loss (log), hatched grey = diverged.

    A white contour outlines the "solved" region, the runs whose final loss is within
    ``solved`` (relative, default 1 %) of the best loss on the grid, so the band of good
    (learning rate, threshold) pairs is visible whatever the colours.

    Parameters
    ----------
    ax : matplotlib Axes
    result : SweepResult
        From ``gradclip.sweep`` with thresholds.
    edge : float, optional
        The stability edge ``2 / lambda_max``, drawn as a vertical line.
    vmin, vmax : float, optional
        Colour limits (share them between panels to compare).
    solved : float or None
        Relative margin above the best final loss that counts as solved (default 0.01);
        ``0`` turns the contour off. An absolute level can be given as ``("abs", level)``.

    Returns
    -------
    QuadMesh
        The colour mesh (pass it to ``fig.colorbar``).
    """
    _check(ax, result)
    loss = np.asarray(result.final_loss, dtype=float)
    if loss.ndim != 2:
        raise ValueError(f"result must be a 2-D sweep (with thresholds), got shape {loss.shape}")
    from matplotlib.colors import LogNorm

    positive = np.where(np.isfinite(loss) & (loss > 0), loss, np.nan)
    if np.all(np.isnan(positive)):
        positive = np.ones_like(loss)
    lo = v.positive(vmin, "vmin") if vmin is not None else float(np.nanmin(positive))
    hi = v.positive(vmax, "vmax") if vmax is not None else float(np.nanmax(positive))
    # a loss of exactly 0 is drawn in the lowest colour rather than left blank
    shown = np.where(np.isfinite(loss), np.maximum(loss, lo), np.nan)
    mesh = ax.pcolormesh(result.lrs, result.thresholds, shown.T, shading="nearest",
                         norm=LogNorm(vmin=lo, vmax=max(hi, lo * 1.0001)), cmap="viridis")
    div = np.asarray(result.diverged, dtype=float).T
    if div.any():
        ax.contourf(result.lrs, result.thresholds, div, levels=[0.5, 1.5], colors="none",
                    hatches=["xx"])
        ax.pcolormesh(result.lrs, result.thresholds, np.where(div > 0, 1.0, np.nan),
                      shading="nearest", cmap="Greys", vmin=0, vmax=2, alpha=0.6)
    level = solved_level(loss, solved)
    if level is not None:
        ok = np.where(np.isfinite(loss), (loss <= level).astype(float), 0.0).T
        if 0 < ok.sum() < ok.size:
            ax.contour(result.lrs, result.thresholds, ok, levels=[0.5], colors="white",
                       linewidths=2.0)
            ax.contour(result.lrs, result.thresholds, ok, levels=[0.5], colors="black",
                       linewidths=0.8, linestyles="--")
    if edge is not None:
        ax.axvline(v.positive(edge, "edge"), color="black", ls="--", lw=1.5)
        ax.text(edge, result.thresholds[-1], "2/λmax ", color="black", va="top", ha="right",
                bbox=dict(fc="white", ec="none", alpha=0.85, pad=1.5))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="learning rate", ylabel="clipping threshold",
           title=title or f"loss after {result.steps} steps (grey: diverged)")
    return mesh


def solved_level(final_loss, solved=None):
    """The loss at or below which a run counts as solved, or None when nothing can be.

    A run is solved when its final loss is within ``solved`` (relative) of the best finite
    loss of the grid: ``level = best + solved * |best|``; when the best loss is 0 (or
    below) the level is ``1e-12`` above it. ``solved = ("abs", level)`` gives the level
    directly. :func:`plot_phase` outlines the runs with ``final_loss <= level``; the phase
    explorer marks the same runs.

    Parameters
    ----------
    final_loss : array_like
        Final losses of a grid of runs (``inf`` / NaN where diverged).
    solved : float, ("abs", float) or None
        Relative margin, ``>= 0`` (default 0.01); ``0`` means no contour.

    Returns
    -------
    float or None
        None when ``solved`` is 0 or no loss is finite.

    Examples
    --------
    >>> solved_level([[0.5, 2.0], [np.inf, 0.6]], 0.01)
    0.505
    >>> solved_level([[1e-9, 0.3]], ("abs", 0.01))
    0.01
    >>> solved_level([np.inf, np.nan]) is None
    True
    """
    if isinstance(solved, tuple) and len(solved) == 2 and solved[0] == "abs":
        return v.positive(solved[1], "solved")
    rel = 0.01 if solved is None else float(v.as_float_array(solved, "solved"))
    if not rel >= 0:
        raise ValueError(f"solved must be >= 0, got {solved!r}")
    loss = v.as_float_array(final_loss, "final_loss")
    if rel == 0 or not np.any(np.isfinite(loss)):
        return None
    best = float(np.min(loss[np.isfinite(loss)]))
    return best + rel * abs(best) if best > 0 else max(best, 0.0) + 1e-12
