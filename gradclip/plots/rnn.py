"""Pictures of gradients through time: a recurrent net's per-step factors and the cliff.

Figure builders for notebooks 02 and 03 (each returns a new pyplot figure, at most
:data:`~gradclip.plots.COLUMN_WIDTH` wide), the data of the cliff as the sequence grows
(:func:`cliff_slices`, :func:`cliff_contours`, shared with the cliff explorers), and its
animation (:func:`cliff_growth_animation`, saved as a GIF by :mod:`gradclip.figures`).
"""

import numpy as np

from .. import validation as v
from ..problems import CliffRNN
from ..style import PALETTE
from ._axes import check_ax, check_lim
from ._axes import COLUMN_WIDTH
from .surfaces import contour_segments

__all__ = ["plain_log_ticks", "panel_figure", "wall_b", "wall_grid", "cliff_slices", "cliff_contours",
           "plot_hidden_grads", "cliff_wall_figure", "hidden_grads_figure",
           "cliff_growth_animation", "cliff_growth_gif", "through_time_figure"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(x, _pos=None):
    if not np.isfinite(x) or x <= 0:
        return ""
    e = int(np.round(np.log10(x)))
    if abs(np.log10(x) - e) > 1e-6:
        return ""
    if -2 <= e <= 2:
        return f"{x:g}"
    return "10" + str(e).translate(_SUPERSCRIPT)


def plain_log_ticks(*axes, numticks=6):
    """Log-scale y axes (x too when log) labelled ``0.01 .. 100`` and ``10⁻⁶`` in plain text.

    Plain text needs no mathtext, whose first use costs about a second; at most ``numticks``
    labelled decades, no minor ticks.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots(); ax.set_yscale("log"); ax.set_ylim(1e-6, 1e3)
    (1e-06, 1000.0)
    >>> plain_log_ticks(ax)
    >>> ax.yaxis.get_major_formatter()(1e-6), ax.yaxis.get_major_formatter()(10.0)
    ('10⁻⁶', '10')
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

    for ax in axes:
        check_ax(ax)
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=numticks))
                axis.set_minor_locator(NullLocator())
                axis.set_major_formatter(FuncFormatter(_power))


def panel_figure(draw, *args, width=7.5, height=4.0, **kwargs):
    """A one-panel figure: ``draw(ax, *args, **kwargs)`` on a new ``width x height`` figure.

    Lets a notebook call any ``plot_*`` function in one line, e.g.
    ``panel_figure(plots.plot_chains, [0.9, 1.1])``. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if not callable(draw):
        raise ValueError(f"draw must be a plotting function taking an ax, got {draw!r}")
    fig, ax = plt.subplots(figsize=(min(v.positive(width, "width"), COLUMN_WIDTH),
                                    v.positive(height, "height")), layout="constrained")
    draw(ax, *args, **kwargs)
    plain_log_ticks(ax)
    return fig


def wall_b(w, x0=0.5):
    """The bias ``b`` that makes ``x0`` a fixed point of ``x -> w sigmoid(x) + b``.

    On this line the state never moves, so every per-step factor of
    :class:`~gradclip.CliffRNN` is ``w sigmoid'(x0)``; where that exceeds 1 (``w > 4.26`` for
    ``x0 = 0.5``) the fixed point is unstable and the line is the wall between two basins.

    Examples
    --------
    >>> float(round(wall_b(4.8196), 4))   # the wall of CliffRNN(T=50) on the line b = -2.5
    -2.5
    """
    w = v.as_float_array(w, "w")
    return x0 - w * 0.5 * (1.0 + np.tanh(0.5 * float(x0)))


def _Ts(Ts):
    Ts = np.atleast_1d(np.asarray(Ts))
    if Ts.ndim != 1 or Ts.size == 0 or not all(float(t).is_integer() and t >= 1 for t in Ts):
        raise ValueError(f"Ts must be a non-empty list of integers >= 1, got {Ts!r}")
    return [int(t) for t in Ts]


def cliff_slices(Ts, ws, b=-2.5, x0=0.5, target=0.7):
    """Loss and gradient norm of :class:`~gradclip.CliffRNN` along ``w`` at a fixed ``b``.

    Returns
    -------
    loss, grad_norm : numpy.ndarray
        Shape ``(len(Ts), len(ws))``: one row per sequence length ``T``.

    Examples
    --------
    >>> loss, gn = cliff_slices([10, 50], np.linspace(4.7, 4.9, 401))
    >>> bool(gn[1].max() > 10 * gn[0].max())   # the wall is steeper at T = 50
    True
    """
    ws = v.as_float_array(ws, "ws").ravel()
    theta = np.stack([ws, np.full_like(ws, float(b))], axis=-1)
    loss, gn = [], []
    with np.errstate(all="ignore"):
        for T in _Ts(Ts):
            p = CliffRNN(T, x0, target)
            loss.append(p.loss(theta))
            gn.append(v.vector_norm(p.grad(theta), 2.0, axis=-1))
    return np.array(loss), np.array(gn)


def wall_grid(xlim=(0.0, 10.0), ylim=(-6.0, 5.0), n=80, m=121, x0=0.5, share=0.3):
    """A ``(w, b)`` grid sheared along the wall ``b = wall_b(w, x0)``: ``n`` columns of ``w``
    over ``xlim``; ``m`` rows of ``b - wall_b(w)`` that cover ``ylim`` and crowd near 0, where
    the loss of a long run jumps and every contour level crowds in (on a square grid its lines
    are drawn as staircases there). Row offsets are ``share * u + (1 - share) * u^3`` of each
    side's span, ``u`` evenly spaced in [0, 1]. Returns ``(W, B)``, shape ``(m, n)`` (odd ``m``;
    an even one gets one row more).

    Examples
    --------
    >>> W, B = wall_grid(n=5, m=5)
    >>> W.shape, bool(np.allclose(B[2], wall_b(W[2])))   # the middle row is the wall
    ((5, 5), True)
    """
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n, m = v.non_negative_int(n, "n"), v.non_negative_int(m, "m")
    if n < 2 or m < 3:
        raise ValueError(f"n must be >= 2 and m >= 3, got n={n!r}, m={m!r}")
    w = np.linspace(*xlim, n)
    wall = wall_b(w, x0)
    below = ylim[0] - wall.max()          # the view's bottom, seen from the highest wall point
    above = ylim[1] - wall.min()
    u = np.linspace(0.0, 1.0, m // 2 + 1)
    side = share * u + (1.0 - share) * u ** 3
    off = np.concatenate([below * side[:0:-1], above * side])
    return np.broadcast_to(w, (off.size, n)).copy(), wall[None, :] + off[:, None]


def cliff_contours(Ts, xlim=(0.0, 10.0), ylim=(-6.0, 5.0), n=120, levels=None, x0=0.5, target=0.7):
    """Contour segments of :class:`~gradclip.CliffRNN`'s loss over ``(w, b)``, one list per ``T``.

    ``levels`` default to ten even steps between the two plateaus' losses; the same levels
    serve every ``T``, so the bundle of lines at the wall tightens as ``T`` grows. The grid is
    square (``n`` x ``n``); :func:`wall_grid` gives smoother lines where they crowd.
    """
    xlim, ylim = check_lim(xlim, "xlim"), check_lim(ylim, "ylim")
    n = v.non_negative_int(n, "n")
    W, B = np.meshgrid(np.linspace(*xlim, n), np.linspace(*ylim, n))
    theta = np.stack([W, B], axis=-1)
    if levels is None:
        levels = np.linspace(0.01, 0.31, 11)
    out = []
    with np.errstate(all="ignore"):
        for T in _Ts(Ts):
            out.append(contour_segments(W, B, CliffRNN(T, x0, target).loss(theta), levels))
    return out


def plot_hidden_grads(ax, norms, marks=(), rho=None, label=None, color=None):
    """``||dL/dh_t||`` against ``t`` on a log scale (e.g. :meth:`gradclip.RNN.hidden_grad_norms`).

    Parameters
    ----------
    ax : matplotlib Axes
    norms : array_like, shape (T,)
        First step first.
    marks : sequence of int
        Steps (1-based) to mark, e.g. the adding problem's marked inputs.
    rho : float, optional
        Draw ``norms[-1] * rho ** (T - t)`` dashed beside the curve.

    Returns
    -------
    list of Line2D
    """
    check_ax(ax)
    n = v.as_float_array(norms, "norms")
    if n.ndim != 1 or n.size < 2:
        raise ValueError(f"norms must be a 1-D array of at least 2 entries, got shape {n.shape}")
    T = n.size
    t = np.arange(1, T + 1)
    color = color or PALETTE["slow"]
    lines = ax.semilogy(t, n, color=color, label=label or "‖∂L/∂h_t‖")
    if rho is not None:
        rho = v.positive(rho, "rho")
        lines += ax.semilogy(t, n[-1] * rho ** (T - t), "--", color=color, lw=1.0, alpha=0.7,
                             label=f"ρ^(T−t), ρ = {rho:g}")
    for k, m in enumerate(marks):
        m = v.non_negative_int(int(m), "marks")
        if not 1 <= m <= T:
            raise ValueError(f"marks must lie in 1..{T}, got {m}")
        lines += ax.semilogy([m], [n[m - 1]], "o", ms=8, color=PALETTE["divergent"],
                             label="marked steps" if k == 0 else None)
    ax.set_xlabel("time step t (the output reads h_T)")
    ax.set_ylabel("‖∂L/∂h_t‖")
    ax.legend(loc="best", fontsize="small")
    return lines


def hidden_grads_figure(curves, marks=None, title=None):
    """One panel per curve: ``||dL/dh_t||`` of recurrent nets side by side.

    Parameters
    ----------
    curves : dict
        Panel title -> norms ``(T,)``.
    marks : dict, optional
        Panel title -> steps to mark.
    """
    import matplotlib.pyplot as plt

    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"curves must be a non-empty dict of title -> norms, got {curves!r}")
    fig, axes = plt.subplots(1, len(curves), figsize=(COLUMN_WIDTH, 3.6), layout="constrained",
                             squeeze=False)
    for ax, (name, norms) in zip(axes[0], curves.items()):
        plot_hidden_grads(ax, norms, (marks or {}).get(name, ()))
        ax.set_title(name, fontsize="medium")
    plain_log_ticks(*axes[0])
    if title:
        fig.suptitle(title)
    return fig


def cliff_wall_figure(problem, ws, b, wall):
    """Left: the loss along ``w`` at bias ``b``, the wall dashed. Right: the per-step factors
    at the wall and their product (:func:`gradclip.plots.plot_factors`)."""
    import matplotlib.pyplot as plt
    from .nets import plot_factors

    ws = v.as_float_array(ws, "ws").ravel()
    wall = v.as_float_array(wall, "wall")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(COLUMN_WIDTH, 3.8), layout="constrained")
    theta = np.stack([ws, np.full_like(ws, float(b))], axis=-1)
    ax1.plot(ws, problem.loss(theta), color="k")
    ax1.axvline(wall[0], color=PALETTE["divergent"], ls="--", label="the wall")
    ax1.set(xlabel=f"w  (b = {b:g})", ylabel="loss", title=f"CliffRNN's loss, T = {problem.T}")
    ax1.legend(loc="best")
    plot_factors(ax2, problem.jacobian_factors(wall), label="at the wall")
    ax2.set_title("factors and their product", fontsize="medium")
    plain_log_ticks(ax2)
    return fig


def cliff_growth_animation(Ts=tuple(range(1, 61)), b=-2.5, xlim=(0.0, 10.0), ylim=(-6.0, 5.0),
                           interval=150):
    """The cliff forming as the sequence grows: one frame per ``T``.

    Left: contour lines of the loss over ``(w, b)`` with the line ``b`` dashed. Right, top:
    the loss along that line; bottom: the gradient norm along it (log), whose peak at the
    wall grows at least like ``1.13 ** T`` (the factors there start at 1.13 and grow).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.fig`` and ``.frame_list`` (the ``T`` values).
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation
    from matplotlib.collections import LineCollection

    Ts = _Ts(Ts)
    xlim = check_lim(xlim, "xlim")
    w_wall = float((0.5 - b) / (0.5 * (1.0 + np.tanh(0.25))))  # where x0 = 0.5 is a fixed point
    near = np.geomspace(1e-13, 0.3, 120)
    ws = np.unique(np.concatenate([np.linspace(*xlim, 300), w_wall - near, w_wall + near]))
    ws = ws[(ws >= xlim[0]) & (ws <= xlim[1])]
    loss, gn = cliff_slices(Ts, ws, b)
    contours = cliff_contours(Ts, xlim, ylim, n=90)
    fig = plt.figure(figsize=(COLUMN_WIDTH, 4.2), layout="constrained")
    gs = fig.add_gridspec(2, 2, width_ratios=[1.1, 1.0])
    ax, axl, axg = fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
    lines = LineCollection([], colors="0.4", linewidths=0.8)
    ax.add_collection(lines)
    ax.axhline(b, color=PALETTE["divergent"], ls="--", lw=1.2)
    ax.set(xlim=xlim, ylim=ylim, xlabel="w (recurrent weight)", ylabel="b (bias)")
    (l_loss,) = axl.plot([], [], color="k")
    axl.set(xlim=xlim, ylim=(-0.01, float(np.nanmax(loss)) * 1.1), ylabel=f"loss at b = {b:g}")
    (l_gn,) = axg.semilogy([], [], color=PALETTE["divergent"])
    finite = gn[np.isfinite(gn) & (gn > 0)]
    axg.set(xlim=xlim, ylim=(max(finite.min(), 1e-8), finite.max() * 3), xlabel="w",
            ylabel="‖gradient‖")
    plain_log_ticks(axg)
    title = fig.suptitle("T = 0 steps: largest gradient on the line 0", fontsize="medium")
    fig.draw_without_rendering()
    fig.set_layout_engine("none")

    def frame(i):
        lines.set_segments(contours[i])
        l_loss.set_data(ws, loss[i])
        l_gn.set_data(ws, gn[i])
        title.set_text(f"T = {Ts[i]} steps: the largest gradient along b = {b:g} is {np.nanmax(gn[i]):.3g}")
        return [lines, l_loss, l_gn, title]

    frame(len(Ts) - 1)
    anim = FuncAnimation(fig, frame, frames=np.arange(len(Ts)), interval=interval, blit=False,
                         repeat=True)
    anim.fig, anim.frame_list = fig, np.array(Ts)
    return anim


def cliff_growth_gif(path, Ts=tuple(range(2, 61, 2)), fps=6, dpi=60):
    """Write :func:`cliff_growth_animation` as a GIF (about 230 kB)."""
    import matplotlib.pyplot as plt
    from .animation import save_gif

    anim = cliff_growth_animation(Ts)
    save_gif(anim, path, fps=fps, dpi=dpi)
    plt.close(anim.fig)


def through_time_figure(rhos=(0.9, 1.0, 1.1), T=100, activation="linear", hidden=32, n=16, seed=0):
    """``||dL/dh_t||`` of one RNN per spectral radius on the adding problem, with ``rho^(T-t)``.

    The nets share the seed, so their recurrent matrices are the same Gaussian draw rescaled.
    """
    import matplotlib.pyplot as plt
    from ..data import adding_problem
    from ..rnn import RNN

    X, y = adding_problem(n, T, seed)
    fig, ax = plt.subplots(figsize=(COLUMN_WIDTH * 0.8, 4.0), layout="constrained")
    colors = [PALETTE["slow"], "#333333", PALETTE["divergent"], PALETTE["good"]]
    for i, rho in enumerate(rhos):
        net = RNN(2, hidden, 1, activation=activation, spectral_radius=rho, seed=seed)
        plot_hidden_grads(ax, net.hidden_grad_norms(X, y), rho=rho, color=colors[i % len(colors)],
                          label=f"ρ = {rho:g}")
    ax.set_title(f"{activation} RNN, {hidden} units, T = {T}: the gradient reaching step t", fontsize="medium")
    ax.legend(loc="center left", fontsize="small")
    plain_log_ticks(ax)
    return fig
