"""A deep network's health, layer by layer, at initialisation and while it trains.

After Karpathy's diagnostics in "makemore part 3" (activations and gradients): for every
layer, the gradient that backpropagation carries down (:meth:`gradclip.MLP.backprop_norms`),
each hidden layer's activation histogram and share of saturated units, and the update:data
ratio ``||ΔW|| / ||W|| = lr * ||dL/dW|| / ||W||`` of a gradient step, whose healthy size is about ``1e-3``
(CS231n). :func:`depth_run` computes them (numpy only, shared by the depth explorer and the
GIF); :func:`depth_lab_figure` and :func:`depth_lab_animation` draw them.

References
----------
.. [1] A. Karpathy, "Building makemore Part 3: Activations & Gradients, BatchNorm", 2022.
   https://www.youtube.com/watch?v=P6sfmUTpUmc
.. [2] CS231n, "Neural Networks Part 3: Learning and Evaluation" (the ratio of the updates
   to the values, about 1e-3). https://cs231n.github.io/neural-networks-3/
"""

from dataclasses import dataclass

import numpy as np

from .. import validation as v
from ..activations import check_activation
from ..nets import MLP
from ..style import PALETTE

__all__ = ["INIT_CHOICES", "DepthRun", "depth_task", "depth_net", "depth_run", "hist_layers",
           "depth_lab_axes", "depth_lab_figure", "draw_depth_state", "depth_lab_animation", "REFERENCE_RATIO",
           "GIF_SETTING", "depth_lab_gif", "depth_lab_trained_figure"]

#: The initialisations of the depth lab: name -> ``init`` of :class:`~gradclip.MLP` as a
#: function of the width ``n`` (``"large"`` is three times Xavier's ``1/sqrt(n)``).
INIT_CHOICES = {"small": lambda n: "small", "xavier": lambda n: "xavier", "he": lambda n: "he",
                "large": lambda n: 3.0 / np.sqrt(n)}
#: The update:data ratio CS231n calls healthy.
REFERENCE_RATIO = 1e-3
SLOT_COLORS = ["#000000", PALETTE["slow"], PALETTE["good"], PALETTE["oscillating"],
               PALETTE["divergent"]]


def depth_task(n=64, width=32, seed=0):
    """Inputs ``X ~ N(0, 1)`` of shape ``(n, width)`` and targets ``tanh(X u / sqrt(width))``.

    A smooth target a healthy net learns in a few dozen full-batch steps; ``u ~ N(0, 1)`` is
    drawn after ``X`` from ``numpy.random.default_rng(seed)``.

    Examples
    --------
    >>> X, y = depth_task(n=8, width=4)
    >>> X.shape, y.shape, bool(np.all(np.abs(y) < 1))
    ((8, 4), (8, 1), True)
    """
    n, width = v.non_negative_int(n, "n"), v.non_negative_int(width, "width")
    if n < 1 or width < 1:
        raise ValueError(f"n and width must be positive, got n={n}, width={width}")
    rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
    X = rng.normal(size=(n, width))
    return X, np.tanh(X @ rng.normal(size=(width, 1)) / np.sqrt(width))


def depth_net(depth, activation, init, residual=False, width=32, seed=0):
    """The lab's net: ``depth`` weight layers of width ``width``, one output.

    ``init`` is a key of :data:`INIT_CHOICES`.

    Examples
    --------
    >>> depth_net(3, "relu", "he")
    MLP([32, 32, 32, 1], activation='relu', weight_scale=1.0, init='he')
    """
    depth = v.non_negative_int(depth, "depth")
    if depth < 2:
        raise ValueError(f"depth must be at least 2 weight layers, got {depth}")
    if init not in INIT_CHOICES:
        raise ValueError(f"init must be one of {sorted(INIT_CHOICES)}, got {init!r}")
    return MLP([width] * depth + [1], activation=check_activation(activation),
               init=INIT_CHOICES[init](width), residual=bool(residual), seed=seed)


def hist_layers(depth, slots=5):
    """Up to ``slots`` hidden layers (1-based), evenly spread from the first to the last.

    Examples
    --------
    >>> hist_layers(2).tolist(), hist_layers(20).tolist()
    ([1], [1, 6, 10, 14, 19])
    """
    depth = v.non_negative_int(depth, "depth")
    if depth < 2:
        raise ValueError(f"depth must be at least 2, got {depth}")
    return np.unique(np.linspace(1, depth - 1, v.non_negative_int(slots, "slots")).round().astype(int))


@dataclass(frozen=True)
class DepthRun:
    """Result of :func:`depth_run`: one row per snapshot (step ``steps[i]``), NaN after divergence."""

    steps: np.ndarray  # (S,) training step of each snapshot
    loss: np.ndarray  # (S,)
    grad: np.ndarray  # (S, depth) ||dL/dz|| at every weight layer (MLP.backprop_norms), first first
    saturated: np.ndarray  # (S, depth - 1) share saturated (tanh, sigmoid) or dead (relu) per hidden layer
    ratios: np.ndarray  # (S, depth) update:data ratio lr ||dL/dW|| / ||W|| per weight layer
    layers: np.ndarray  # (slots,) hidden layers (1-based) whose histograms are kept
    edges: np.ndarray  # (S, bins + 1) histogram edges (shared by the layers of a snapshot)
    hist: np.ndarray  # (S, slots, bins) share of the layer's activations in each bin
    mean: np.ndarray  # (S, slots) mean activation of those layers
    std: np.ndarray  # (S, slots) their standard deviation
    diverged_at: object  # first step whose loss or gradient was not finite, or None


def depth_run(net, X, y, lr, steps=0, record_every=1, bins=24, slots=5):
    """Train ``net`` by full-batch gradient descent and take its diagnostics every few steps.

    At step 0 and every ``record_every`` steps (the parameters before that step):
    ``net.layer_stats`` with ``lr`` (activation histograms, saturation, update:data ratios,
    and the gradient norms of ``net.backprop_norms``).

    Parameters
    ----------
    net : MLP
    X, y : array_like
        The training data (``(n, sizes[0])``, ``(n, sizes[-1])``).
    lr : float
        Learning rate of the training and of the update:data ratios.
    steps, record_every : int
        Training steps (0: the initial state only) and the snapshot spacing; ``steps`` must be
        a multiple of ``record_every``.
    bins, slots : int
        Histogram bins, and the number of hidden layers whose histograms are kept
        (:func:`hist_layers`).

    Returns
    -------
    DepthRun

    Examples
    --------
    >>> X, y = depth_task(n=16, width=8)
    >>> r = depth_run(depth_net(4, "tanh", "xavier", width=8), X, y, lr=0.05, steps=4, record_every=2)
    >>> r.steps.tolist(), r.grad.shape, r.hist.shape, r.diverged_at
    ([0, 2, 4], (3, 4), (3, 3, 24), None)
    """
    if not isinstance(net, MLP):
        raise ValueError(f"net must be an MLP, got {net!r}")
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    record_every = v.non_negative_int(record_every, "record_every")
    if record_every < 1 or steps % record_every:
        raise ValueError(f"steps ({steps}) must be a multiple of record_every ({record_every!r} >= 1)")
    bins = v.non_negative_int(bins, "bins")
    layers = hist_layers(net.depth, slots)
    S, d = steps // record_every + 1, net.depth
    out = dict(loss=np.full(S, np.nan), grad=np.full((S, d), np.nan), saturated=np.full((S, d - 1), np.nan),
               ratios=np.full((S, d), np.nan), edges=np.full((S, bins + 1), np.nan),
               hist=np.full((S, len(layers), bins), np.nan), mean=np.full((S, len(layers)), np.nan),
               std=np.full((S, len(layers)), np.nan))
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    # gradient descent as gradclip.train (no clipping, full batch, stopping at the first
    # non-finite loss or gradient); a recorded step's backward pass gives its statistics too
    params, diverged_at = net.params, None
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            i, record = divmod(k, record_every)
            if record == 0:
                s, grads = net.layer_stats(X, y, params, lr=lr, bins=bins, layers=layers, return_grads=True)
                loss = s.loss
            else:
                loss, grads = net.loss_and_grads(X, y, params)
            if steps and (not np.isfinite(loss) or not all(np.isfinite(g).all() for g in grads)):
                diverged_at = k
                break
            if k < steps:
                params = [p - lr * g for p, g in zip(params, grads)]
            if record:
                continue
            out["loss"][i] = s.loss
            out["grad"][i] = s.backprop_norms  # MLP.backprop_norms, from the same backward pass
            out["saturated"][i], out["ratios"][i], out["edges"][i] = s.saturated, s.update_ratios, s.bin_edges
            counts = s.counts.astype(np.float64)  # the rows of ``layers``
            out["hist"][i] = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
            out["mean"][i], out["std"][i] = s.mean[layers - 1], s.std[layers - 1]
    return DepthRun(steps=np.arange(S) * record_every, layers=layers, diverged_at=diverged_at, **out)


def draw_depth_state(axes, run, i, title=""):
    """Draw snapshot ``i`` of a :class:`DepthRun` on four axes (gradient, histograms,
    saturation, update:data ratio); returns the artists made."""
    ax_g, ax_h, ax_s, ax_r = axes
    d = run.grad.shape[1]
    layers = np.arange(1, d + 1)
    made = []
    with np.errstate(all="ignore"):
        g = run.grad[i] / run.grad[i, -1]
    made += ax_g.plot(layers, g, "o-", ms=3, color=PALETTE["slow"])
    lo, hi = run.edges[i, 0], run.edges[i, -1]
    centers = 0.5 * (run.edges[i, 1:] + run.edges[i, :-1])
    x = centers / hi if lo >= 0 and hi > 1 else centers  # relu: a / (largest a)
    for j, layer in enumerate(run.layers):
        made += ax_h.plot(x, run.hist[i, j], color=SLOT_COLORS[j % len(SLOT_COLORS)],
                          label=f"layer {layer}: std {run.std[i, j]:.2g}")
    made += ax_s.plot(layers[:-1], run.saturated[i], "o-", ms=3, color=PALETTE["divergent"])
    made += ax_r.plot(layers, run.ratios[i], "o-", ms=3, color=PALETTE["good"])
    if title:
        made.append(ax_g.figure.suptitle(title, fontsize="medium"))
    return made


def depth_lab_axes(axes, depth, lr=None, note_gid=None, ylims=None):
    """Label the depth lab's four axes (gradient, histograms, saturation, update:data ratio)
    for nets of up to ``depth`` weight layers: scales, labels, titles, the reference lines.

    ``ylims``: the y limits of the four panels (None: the histograms' and the log panels'
    are the caller's, from the data). ``lr`` goes into the ratio panel's title; ``note_gid``
    is the ``gid`` of the reference line's note: the explorer keeps it readable over its
    moving layer; without one, the note sits on a white box above the curves.
    """
    ax_g, ax_h, ax_s, ax_r = axes
    for ax in (ax_g, ax_s, ax_r):
        ax.set_xlim(0, depth + 1)
        ax.set_xlabel("layer (1 = input side; backprop runs right to left)", fontsize="small")
    lims = dict(zip(("g", "h", "s", "r"), ylims or (None, None, (-0.03, 1.03), None)))
    ax_g.set_yscale("log")
    if lims["g"] is not None:
        ax_g.set_ylim(*lims["g"])
    ax_g.axhline(1.0, color="0.7", lw=0.8, ls=":")
    ax_g.set_ylabel("‖∂L/∂z‖ ÷ last layer's")
    ax_g.set_title("gradient reaching each layer", fontsize="medium")
    ax_h.set_xlim(-1.05, 1.05)
    if lims["h"] is not None:
        ax_h.set_ylim(*lims["h"])
    ax_h.set_xlabel("activation value (relu: a ÷ largest a)", fontsize="small")
    ax_h.set_ylabel("share of values per bin")
    ax_h.set_title("activation histograms", fontsize="medium")
    ax_s.set_ylim(*lims["s"])
    ax_s.set_ylabel("share saturated (relu: dead)")
    ax_s.set_title("saturated units per hidden layer", fontsize="medium")
    ax_r.set_yscale("log")
    if lims["r"] is not None:
        ax_r.set_ylim(*lims["r"])
    ax_r.axhline(REFERENCE_RATIO, color="0.35", ls="--", lw=1.2)
    box = {} if note_gid else {"bbox": dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85),
                               "zorder": 5}
    ax_r.text(0.98, REFERENCE_RATIO * 1.6, "≈ 1e-3: healthy (CS231n)", ha="right", va="bottom",
              fontsize="small", color="0.3", transform=ax_r.get_yaxis_transform(), gid=note_gid, **box)
    ax_r.set_ylabel("‖ΔW‖ ÷ ‖W‖, ΔW = lr ∂L/∂W")
    step = "update:data ratio of a step"
    ax_r.set_title(step if lr is None else f"{step} (lr = {lr:g})", fontsize="medium")
    return ax_g, ax_h, ax_s, ax_r


def depth_lab_figure(run, i=0, title="", lr=None):
    """The four panels of the depth lab for snapshot ``i`` of ``run`` (a new pyplot figure;
    ``lr``, the run's learning rate, named in the ratio panel's title)."""
    import matplotlib.pyplot as plt

    from .rnn import plain_log_ticks

    fig = plt.figure(figsize=(9.0, 6.0), layout="constrained")
    axes = depth_lab_axes(fig.subplots(2, 2).ravel(), run.grad.shape[1], lr)
    draw_depth_state(axes, run, i, title)
    axes[1].legend(fontsize="small", loc="upper right")
    _limits(axes, run)
    plain_log_ticks(axes[0], axes[3])
    return fig


def _limits(axes, run):
    ax_g, ax_h, ax_s, ax_r = axes
    with np.errstate(all="ignore"):
        g = run.grad / run.grad[:, -1:]
    for ax, a in ((ax_g, g), (ax_r, run.ratios)):
        a = a[np.isfinite(a) & (a > 0)]
        if a.size:
            ax.set_ylim(max(a.min(), 1e-40) / 3, min(a.max(), 1e40) * 3)
    h = run.hist[np.isfinite(run.hist)]
    ax_h.set_ylim(0, max(float(h.max()) if h.size else 0.1, 0.05) * 1.1)


def depth_lab_animation(run, title="", interval=250, lr=None):
    """The depth lab over training: one frame per snapshot of ``run`` (``lr`` as in
    :func:`depth_lab_figure`).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.fig`` and ``.frame_list`` (the snapshot indices).
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    from .rnn import plain_log_ticks

    fig = plt.figure(figsize=(9.0, 6.0), layout="constrained")
    axes = depth_lab_axes(fig.subplots(2, 2).ravel(), run.grad.shape[1], lr)
    _limits(axes, run)
    plain_log_ticks(axes[0], axes[3])
    head = fig.suptitle(f"{title} · step 0 · loss 0", fontsize="medium")
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    made = []

    def frame(i):
        for a in made:
            a.remove()
        made.clear()
        head.set_text(f"{title} · step {run.steps[i]} · loss {run.loss[i]:.3g}".lstrip(" ·"))
        made.extend(draw_depth_state(axes, run, i))
        return made + [head]

    frames = np.arange(len(run.steps))
    anim = FuncAnimation(fig, frame, frames=frames, interval=interval, blit=False, repeat=True)
    anim.fig, anim.frame_list = fig, frames
    return anim


#: The setting of the GIF: 50 tanh layers with skips and small branches, which train.
GIF_SETTING = {"depth": 50, "activation": "tanh", "init": "small", "residual": True}
GIF_LR = 0.05


def _gif_run():
    X, y = depth_task()
    return depth_run(depth_net(**GIF_SETTING), X, y, lr=GIF_LR, steps=40, record_every=4)


def depth_lab_gif(path, fps=3, dpi=64):
    """Write the depth lab's training of :data:`GIF_SETTING` as a GIF (11 frames, 40 steps)."""
    import matplotlib.pyplot as plt
    from .animation import save_gif

    anim = depth_lab_animation(_gif_run(), title="tanh, init 0.01, 50 layers with skips, lr 0.05",
                               lr=GIF_LR)
    save_gif(anim, path, fps=fps, dpi=dpi)
    plt.close(anim.fig)


def depth_lab_trained_figure():
    """The depth lab of :data:`GIF_SETTING` after its 40 training steps (a new figure)."""
    run = _gif_run()
    return depth_lab_figure(run, len(run.steps) - 1,
                            title=f"tanh, init 0.01, 50 layers with skips: after {run.steps[-1]} steps "
                                  f"the loss is {run.loss[-1]:.3g} (from {run.loss[0]:.3g})",
                            lr=GIF_LR)
