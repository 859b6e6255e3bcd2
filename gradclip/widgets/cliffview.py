"""The cliff explorer: where CliffRNN's wall comes from, and how it steepens with T.

:class:`gradclip.CliffRNN` runs ``x_t = w sigmoid(x_{t-1}) + b`` from ``x_0 = 0.5``. On the
line ``b = x_0 - w sigmoid(x_0)`` (:func:`gradclip.plots.rnn.wall_b`) the start is a fixed
point of the map; where its slope ``w sigmoid'(x_0)`` exceeds 1 the fixed point is unstable
and the line separates two basins: a start just above it runs to the upper attractor, just
below to the lower one. That line is the wall. The learner picks ``w`` and the start's
distance from the line, and plays ``T``: the contour lines of the loss (left), the states
``x_t`` (right, top) and the per-step factors ``w sigmoid'(x_{t-1})`` with their running
product (right, bottom), all computed once with :class:`gradclip.CliffRNN`.
"""

import numpy as np
from matplotlib.figure import Figure

from .. import validation as v
from ..plots import contour_segments
from ..plots.rnn import plain_log_ticks, wall_b, wall_grid
from ..problems import CliffRNN
from ..style import PALETTE, is_presentation
from .controls import GridSlider, IntSlider
from .figure import PROJECTOR_DPI
from .stage import Stage, at, pick, switch, value

__all__ = ["cliff_explorer", "cliff_stage", "cliff_states", "WS", "OFFSETS", "T_MAX", "VIEW"]

WS = tuple(np.round(np.arange(2.0, 8.001, 0.25), 2))
OFFSETS = (-1.0, -0.1, -0.01, -1e-3, -1e-4, -1e-6, -1e-9, 0.0, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 1.0)
T_MAX = 60
VIEW = {"xlim": (0.0, 10.0), "ylim": (-6.0, 5.0)}
P_LIM, X_LIM, K_LIM = (1e-20, 1e20), (-7.0, 5.0), (0.0, 2.0)
REGIMES = ("vanishing", "about 1", "exploding")


def cliff_states(ws, offsets, t_max=T_MAX, x0=0.5, target=0.7):
    """Everything the cliff explorer shows, for starts ``(w, wall_b(w) + offset)``.

    Returns
    -------
    dict of numpy.ndarray
        ``b`` ``(w, offset)``; ``x`` states ``x_0..x_T``, ``f`` factors (``f[..., 0]`` NaN,
        ``f[..., t] = dx_t/dx_{t-1}``), ``prod`` their running product (``prod[..., 0] = 1``),
        ``fmin``/``fmax`` (running, NaN at 0), ``loss`` and ``grad`` (the norm of
        :meth:`CliffRNN.grad` for a sequence of length ``T``; NaN at ``T = 0``), each of shape
        ``(w, offset, t_max + 1)``.
    """
    ws = v.as_float_array(ws, "ws").ravel()
    offsets = v.as_float_array(offsets, "offsets").ravel()
    t_max = v.non_negative_int(t_max, "t_max")
    if t_max < 1:
        raise ValueError(f"t_max must be >= 1, got {t_max}")
    W, O = np.meshgrid(ws, offsets, indexing="ij")
    B = wall_b(W, x0) + O
    theta = np.stack([W, B], axis=-1)
    full = CliffRNN(t_max, x0, target)
    shape = W.shape + (t_max + 1,)
    out = {"b": B, "x": np.moveaxis(full.states(theta), 0, -1)}
    with np.errstate(all="ignore"):
        f = np.moveaxis(full.jacobian_factors(theta), 0, -1)
        out["f"] = np.concatenate([np.full(W.shape + (1,), np.nan), f], axis=-1)
        out["prod"] = np.concatenate([np.ones(W.shape + (1,)), np.cumprod(f, axis=-1)], axis=-1)
        out["fmin"] = np.concatenate([np.full(W.shape + (1,), np.nan), np.minimum.accumulate(f, axis=-1)], -1)
        out["fmax"] = np.concatenate([np.full(W.shape + (1,), np.nan), np.maximum.accumulate(f, axis=-1)], -1)
        out["loss"], out["grad"] = np.full(shape, np.nan), np.full(shape, np.nan)
        out["loss"][..., 1:] = np.moveaxis(full.losses(theta), 0, -1)  # every T from one pass
        for T in range(1, t_max + 1):
            out["grad"][..., T] = v.vector_norm(CliffRNN(T, x0, target).grad(theta), 2.0, axis=-1)
    return {k: np.ascontiguousarray(a) for k, a in out.items()}


def _figure():
    dpi = PROJECTOR_DPI if is_presentation() else 100.0
    fig = Figure(figsize=(9.4, 5.0), dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.05, rect=(0, 0, 1, 0.92))
    gs = fig.add_gridspec(2, 2, width_ratios=[1.1, 1.0])
    return fig, fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])


def _contour_arrays(t_max, n=80):
    """Contour lines per ``T`` (index 0: none) as x and y arrays, NaN between segments."""
    # the lines of plots.rnn.cliff_contours (its grid along the wall and its levels), with the
    # loss of every T from one forward pass (CliffRNN.losses) instead of one pass per T
    W, B = wall_grid(VIEW["xlim"], VIEW["ylim"], n, 121)
    losses = CliffRNN(t_max, 0.5, 0.7).losses(np.stack([W, B], axis=-1))
    levels = np.linspace(0.01, 0.31, 11)
    rows = [(np.zeros(0), np.zeros(0))]
    with np.errstate(all="ignore"):
        for T in range(1, t_max + 1):
            segs = contour_segments(W, B, losses[T - 1], levels)
            gap = [np.full(1, np.nan)] * len(segs)
            xs = [a for s, g in zip(segs, gap) for a in (s[:, 0], g)]
            ys = [a for s, g in zip(segs, gap) for a in (s[:, 1], g)]
            rows.append((np.concatenate(xs) if xs else np.zeros(0), np.concatenate(ys) if ys else np.zeros(0)))
    width = max(max(len(r[0]) for r in rows), 1)
    X, Y = np.full((t_max + 1, width), np.nan), np.full((t_max + 1, width), np.nan)
    for T, (xs, ys) in enumerate(rows):
        X[T, :len(xs)], Y[T, :len(ys)] = xs, ys
    return X, Y


def cliff_stage(ws=WS, offsets=OFFSETS, t_max=T_MAX):
    """A :class:`Stage` with ``w``, offset and a ``T`` player over CliffRNN's wall."""
    data = cliff_states(ws, offsets, t_max)
    fig, ax, axx, axf = _figure()
    st = Stage("cliff", fig)
    st.slider("w", ws, label="w", fmt=".2f", log=False)
    st.slider("offset", offsets, label="b − wall", fmt=".1g", log=False)
    st.player("T", 1, t_max, label="T (steps)", interval=150)

    # ---- static layer
    wline = np.linspace(*VIEW["xlim"], 200)
    edge = 1.0 / 0.2350037122015945  # w sigmoid'(0.5) = 1: the fixed point turns unstable
    ax.text(9.8, 4.8, "dashed: the wall, where x₀ = 0.5\nis an unstable fixed point\n(dotted: a stable one)",
            ha="right", va="top", fontsize="small", color=PALETTE["divergent"])
    ax.text(9.8, 0.6, "above: $x_t$ rises to the\nupper attractor, low loss", ha="right", va="center",
            fontsize="small", color="0.3")
    ax.text(0.3, -5.2, "below: $x_t$ falls to the lower\nattractor, loss ≈ 0.3", ha="left", va="center",
            fontsize="small", color="0.3")
    ax.set(xlim=VIEW["xlim"], ylim=VIEW["ylim"], xlabel="w (recurrent weight)", ylabel="b (bias)")
    ax.set_title("loss contours of CliffRNN", fontsize="medium")
    axx.set(xlim=(0, t_max), ylim=X_LIM, ylabel="state $x_t$")
    axx.axhline(0.5, color="0.75", lw=0.8, ls=":")
    axx.set_title("states: which attractor?", fontsize="medium")
    axf.set_yscale("log")
    axf.set(xlim=(0, t_max), ylim=P_LIM, xlabel="time step $t$")
    # the curves move on the page's canvas, over anything drawn here: the coloured axis labels
    # are the key, so no text sits where a curve can cross it
    axf.set_ylabel("product 1..t (log)", color=PALETTE["divergent"])
    axf.axhline(1.0, color="0.6", lw=0.9, ls=":")
    plain_log_ticks(axf)
    axf.set_yticks(10.0 ** np.arange(-20, 21, 10))
    axk = axf.twinx()
    axk.set_ylim(*K_LIM)
    axk.set_ylabel(r"factor $w\,\sigma'(x_{t-1})$", color=PALETTE["slow"])
    axk.spines["right"].set_visible(True)
    st.freeze()

    # ---- arrays
    lead = ("w", "offset")
    CX, CY = _contour_arrays(t_max)
    st.array("cx", CX, ("T", "pts"), quantum=st.quantum(ax, "x"))
    st.array("cy", CY, ("T", "pts"), quantum=st.quantum(ax, "y"))
    # the wall and the stable branch: drawn on the canvas above the T-dependent contours
    qx, qy = st.quantum(ax, "x"), st.quantum(ax, "y")
    for name, part in (("stable", wline <= edge), ("wall", wline >= edge)):
        st.array(f"{name}_w", wline[part], (f"{name}_pts",), quantum=qx)
        st.array(f"{name}_b", wall_b(wline[part]), (f"{name}_pts",), quantum=qy)
    st.array("w_at", np.repeat(np.asarray(ws, float)[:, None], len(offsets), 1), lead, quantum=1e-3)
    st.array("b_at", data["b"], lead, quantum=1e-4)
    st.array("steps", np.arange(t_max + 1), ("T",), integer=True)
    st.array("x", data["x"], lead + ("T",), quantum=st.quantum(axx, "y"))
    qf = st.quantum(axf, "y")
    st.array("f", np.abs(data["f"]), lead + ("T",), quantum=min(st.quantum(axk, "y"), 0.0005))
    prod = np.clip(np.abs(data["prod"]), 1e-30, 1e30)
    st.array("prod", prod, lead + ("T",), quantum=min(qf, 0.002), log=True)
    for name in ("fmin", "fmax"):
        st.array(name, data[name], lead + ("T",), quantum=0.0005, log=True)
    st.array("loss", data["loss"], lead + ("T",), quantum=0.002, log=True)
    st.array("grad", np.clip(data["grad"], 1e-30, 1e30), lead + ("T",), quantum=0.002, log=True)
    with np.errstate(all="ignore"):
        code = np.where(prod < 0.5, 0, np.where(prod <= 2.0, 1, 2))
    st.array("regime", code, lead + ("T",), integer=True)
    # the stored product is held within 1e-30 .. 1e30: beyond, the status says "< 1e-30" / "> 1e+30"
    side = np.where(np.abs(data["prod"]) < 1e-30, 1, np.where(np.abs(data["prod"]) > 1e30, 2, 0))
    st.array("beyond", side, lead + ("T",), integer=True)

    # ---- what moves
    st.line(ax, "cx", "cy", along="pts", color="#737373", lw=0.8, z=1)
    st.line(ax, "stable_w", "stable_b", along="stable_pts", color="0.45", lw=1.2, ls=":", z=2)
    st.line(ax, "wall_w", "wall_b", along="wall_pts", color=PALETTE["divergent"], lw=2.2, ls="--", z=2)
    st.markers(ax, "w_at", "b_at", ms=9, mfc="white", mec="#222222", mew=2, z=5)
    st.line(axx, "steps", "x", along="T", cut="T", color=PALETTE["good"], lw=1.6, marker="o", ms=2.5, z=3)
    st.line(axk, "steps", "f", along="T", cut="T", color=PALETTE["slow"], lw=1.5, z=3)
    st.line(axf, "steps", "prod", along="T", cut="T", color=PALETTE["divergent"], lw=1.8, z=4)
    st.vline(axx, value("T"), color="0.6", lw=0.8)
    st.vline(axf, value("T"), color="0.6", lw=0.8)
    st.status("T = {T}: the factors ({fmin:.3g} … {fmax:.3g}) multiply to {beyond}{P:.3g}, {regime} · "
              "‖∇L‖ = {g:.3g} · loss {loss:.3g}",
              fields={"T": value("T"), "regime": pick(at("regime"), REGIMES), "fmin": at("fmin"),
                      "fmax": at("fmax"), "P": at("prod"), "beyond": pick(at("beyond"), ["", "< ", "> "]), "g": at("grad"), "loss": at("loss"),
                      "w": value("w"), "b": at("b_at")},
              color=switch(at("regime"), [PALETTE["slow"], "#333333", PALETTE["divergent"]]), size=10.5)
    return st


def cliff_explorer(w=5.0, offset=1e-3, T=50, preset=None):
    """Pick a start near CliffRNN's wall and play the sequence length T.

    Sliders: ``w`` (2 to 8) and the start's offset in ``b`` from the line where ``x_0 = 0.5``
    is a fixed point (``-1`` to ``1``, with ``0`` exactly on it); a player steps ``T`` from 1
    to 60. Left: the loss contours for that ``T`` (the wall tightens as ``T`` grows) and the
    start. Right: the states ``x_t`` (which attractor the start falls to) and the per-step
    factors ``w sigmoid'(x_{t-1})`` with their running product, the size of ``dx_T/dx_0``.
    On the wall every factor is ``w sigmoid'(0.5)`` (1.18 at ``w = 5``), and the product
    explodes; the further the start from the wall, the sooner the state leaves the unstable
    point and the factors drop below 1.

    Parameters
    ----------
    w, offset : float
        Initial start (snapped to the grids).
    T : int
        Initial sequence length, 1 to 60.
    preset : str, optional
        E.g. ``"w=5;offset=0;T=60"``.

    Returns
    -------
    Explorer
    """
    values = {"w": GridSlider("w", WS, log=False).check(w),  # checked before the build
              "offset": GridSlider("offset", OFFSETS, log=False).check(offset),
              "T": IntSlider("T", 1, T_MAX).check(T)}
    return cliff_stage().build(values, preset)
