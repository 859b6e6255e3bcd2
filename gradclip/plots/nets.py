"""Pictures for exploding and vanishing gradients: products of factors, per-layer signals.

Like :mod:`gradclip.plots`, every function takes the ``ax`` to draw on and data computed
elsewhere (:mod:`gradclip.nets`, :class:`gradclip.CliffRNN`), and returns its artists.
"""

import numpy as np

from .. import validation as v
from ..nets import chain_gradient
from ._axes import check_ax
from ..style import PALETTE

__all__ = ["plot_chains", "plot_layer_signals", "plot_factors", "plot_training"]

_CYCLE = [PALETTE["divergent"], PALETTE["oscillating"], PALETTE["good"], PALETTE["slow"],
          PALETTE["clipped"], PALETTE["raw"]]


def _check_series(series, name):
    if not isinstance(series, dict) or not series:
        raise ValueError(f"{name} must be a non-empty dict of label -> values, got {series!r}")
    return {str(k): v.as_float_array(val, f"{name}[{k!r}]") for k, val in series.items()}


def plot_chains(ax, factors, steps=50):
    """Gradient after ``k`` backward steps when every step multiplies by the same factor.

    Parameters
    ----------
    ax : matplotlib Axes
    factors : sequence of float
        One curve per factor (e.g. ``[0.9, 1.0, 1.1]``).
    steps : int
        Number of steps (>= 1).

    Returns
    -------
    list of Line2D
    """
    check_ax(ax)
    steps = v.non_negative_int(steps, "steps")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    fs = v.positive_array(factors, "factors").reshape(-1)
    lines = []
    k = np.arange(steps + 1)
    for i, f in enumerate(fs):
        (line,) = ax.semilogy(k, chain_gradient(np.full(steps, f)), color=_CYCLE[i % len(_CYCLE)],
                              label=f"factor {f:g}: {f**steps:.3g} after {steps}")
        lines.append(line)
    ax.axhline(1.0, color="0.6", lw=1, ls=":")
    ax.set_xlabel("steps back through the chain")
    ax.set_ylabel("gradient size (start = 1)")
    ax.set_title("A product of factors near 1 explodes or vanishes")
    ax.legend(loc="best")
    return lines


def plot_layer_signals(ax, signals):
    """Per-layer backpropagated gradient norms, one curve per network, on a log scale.

    Parameters
    ----------
    ax : matplotlib Axes
    signals : dict
        Label -> array of norms, first layer first (e.g. from ``MLP.backprop_norms``).

    Returns
    -------
    list of Line2D
    """
    check_ax(ax)
    series = _check_series(signals, "signals")
    lines = []
    for i, (label, norms) in enumerate(series.items()):
        norms = np.where(norms > 0, norms, np.nan)
        layers = np.arange(1, norms.size + 1)
        ratio = norms[0] / norms[-1]
        (line,) = ax.semilogy(layers, norms, "o-", ms=4, color=_CYCLE[i % len(_CYCLE)],
                              label=f"{label}  (first / last = {ratio:.2g})")
        lines.append(line)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer (1 = input side; backprop runs right to left)")
    ax.set_ylabel("‖∂loss/∂z‖ at the layer")
    ax.set_title("Gradient reaching each layer")
    ax.legend(loc="best")
    return lines


def plot_factors(ax, factors, label=None):
    """The per-step Jacobian factors of a recurrent run and their running product.

    Parameters
    ----------
    ax : matplotlib Axes
    factors : array_like, shape (T,)
        ``dx_t / dx_{t-1}`` for ``t = 1..T`` (e.g. ``CliffRNN.jacobian_factors``).

    Returns
    -------
    list of Line2D
        The factors and the product of the last ``k`` factors (what reaches step ``T - k``).
    """
    check_ax(ax)
    f = v.as_float_array(factors, "factors")
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"factors must be a non-empty 1-D array, got shape {f.shape}")
    back = chain_gradient(f[::-1])[1:]
    t = np.arange(1, f.size + 1)
    tag = f" ({label})" if label else ""
    (l1,) = ax.plot(t, np.abs(f), color=PALETTE["slow"], label=f"|factor| per step{tag}")
    ax.set_yscale("log")
    (l2,) = ax.plot(t[::-1], np.abs(back), color=PALETTE["divergent"],
                    label=f"|product| back to step t{tag}")
    ax.axhline(1.0, color="0.6", lw=1, ls=":")
    ax.set_xlabel("time step t")
    ax.set_ylabel("magnitude")
    ax.legend(loc="best")
    return [l1, l2]


def plot_training(ax_loss, ax_norm, runs, threshold=None):
    """Loss curves and raw gradient norms of several :class:`~gradclip.nets.Training` runs.

    Parameters
    ----------
    ax_loss, ax_norm : matplotlib Axes
        Where to draw the losses and the global gradient norms (log scales).
    runs : dict
        Label -> :class:`~gradclip.nets.Training`.
    threshold : float, optional
        Drawn as a horizontal line on the gradient-norm axes.

    Returns
    -------
    list of Line2D
    """
    check_ax(ax_loss)
    check_ax(ax_norm)
    if not isinstance(runs, dict) or not runs:
        raise ValueError(f"runs must be a non-empty dict of label -> Training, got {runs!r}")
    lines = []
    for i, (label, run) in enumerate(runs.items()):
        if not hasattr(run, "losses") or not hasattr(run, "grad_norms"):
            raise ValueError(f"runs[{label!r}] must be a Training result, got {run!r}")
        colour = _CYCLE[i % len(_CYCLE)]
        tail = " (diverged)" if run.diverged_at is not None else f": final {run.losses[-1]:.2g}"
        (a,) = ax_loss.semilogy(run.losses, color=colour, label=f"{label}{tail}")
        (b,) = ax_norm.semilogy(run.grad_norms, color=colour, label=label)
        lines += [a, b]
    if threshold is not None:
        ax_norm.axhline(v.positive(threshold, "threshold"), color="0.3", ls="--", lw=1,
                        label=f"threshold {threshold:g}")
    ax_loss.set(xlabel="step", ylabel="training loss", title="Loss")
    ax_norm.set(xlabel="step", ylabel="‖g‖ before clipping", title="Global gradient norm")
    ax_loss.legend(loc="best")
    ax_norm.legend(loc="best")
    return lines
