"""Training a network by (mini-batch) gradient descent, with every clipping method.

:func:`train` takes an :class:`~gradclip.MLP` or an :class:`~gradclip.RNN` and returns a
:class:`Training`: losses, gradient norms, which steps were clipped, and (on request)
snapshots of the parameters along the way. Divergence is a result (``diverged_at``).
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from .clipping import adaptive_clip, clip_by_global_norm, clip_by_norm, clip_by_value
from .curvature import SharpnessTrack, sharpness_along
from .nets import MLP
from .rnn import RNN

__all__ = ["Training", "train", "TRAIN_CLIPS", "gd_with_sharpness"]

TRAIN_CLIPS = (None, "value", "norm", "global_norm", "agc")


@dataclass(frozen=True)
class Training:
    """Result of :func:`train`: per-step losses and gradient norms, final parameters.

    With mini-batches, ``losses[k]`` for ``k < steps`` is the loss of the batch used at step
    ``k`` (what the update saw) and ``losses[steps]`` the loss on all the data at the end.
    """

    losses: np.ndarray  # (steps + 1,) loss before each step and after the last; NaN after divergence
    grad_norms: np.ndarray  # (steps,) global 2-norm of the raw gradient
    clipped: np.ndarray  # (steps,) bool: clipping changed the gradient
    params: list
    diverged_at: object
    snapshots: object = None  # [(step, params), ...] every record_every steps from step 0, or None

    @property
    def final_loss(self):
        return np.inf if self.diverged_at is not None else float(self.losses[-1])


def _batches(n, batch_size, seed):
    """Index arrays of seeded mini-batches: a fresh permutation of ``range(n)`` per epoch."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start:start + batch_size]


def train(net, X, y, lr, steps, clip=None, threshold=None, batch_size=None, seed=0, record_every=None):
    """Gradient descent on an :class:`MLP` or an :class:`~gradclip.rnn.RNN`, optionally clipped.

    Each step computes the gradient ``g`` on the data (or a mini-batch), clips it and updates
    ``params <- params - lr * clip(g)``.

    Parameters
    ----------
    net : MLP or RNN
        The network; its ``params`` are the starting point and are not modified.
    X, y : array_like
        Inputs and targets: ``(n, sizes[0])`` and ``(n, sizes[-1])`` for an MLP,
        ``(n, T, input_size)`` and ``(n, output_size)`` for an RNN.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates.
    clip : {None, "value", "norm", "global_norm", "agc"}
        ``"norm"`` clips every parameter array on its own (Keras ``clipnorm``, TensorFlow
        ``clip_by_norm`` per variable); ``"global_norm"`` clips all together (PyTorch
        ``clip_grad_norm_``); ``"agc"`` is :func:`~gradclip.adaptive_clip` with
        ``clipping=threshold`` on every layer except the output layer (the last weight and
        bias, ``W_L, b_L`` of an MLP, ``W_hy, b_y`` of an RNN), whose gradient is used as
        it is: Brock et al. (2021) found that AGC works best when the final linear layer is
        not clipped, and leave it out in their networks.
    threshold : float, optional
        The clipping threshold (required when ``clip`` is set).
    batch_size : int, optional
        ``None`` (default) uses all the data at every step. Otherwise mini-batch SGD: each
        epoch draws a fresh permutation from ``numpy.random.default_rng(seed)`` and walks
        through it in batches of ``batch_size`` (the last batch of an epoch may be smaller).
    seed : int
        Seed of the mini-batch order (unused for full batches).
    record_every : int, optional
        When set to ``k``, keep a copy of the parameters every ``k`` steps, step 0 included,
        in ``Training.snapshots`` as ``(step, params)`` pairs (params before that step).

    Returns
    -------
    Training
        Stops at the first non-finite loss or gradient and reports its step in ``diverged_at``;
        ``losses[diverged_at]`` is stored as NaN whatever that value was (an overflow gives
        ``inf``: ``net.loss(X, y, run.params)`` recomputes it at the returned parameters).

    References
    ----------
    Brock, De, Smith & Simonyan (2021), "High-Performance Large-Scale Image Recognition Without
    Normalization", ICML (adaptive gradient clipping, the final linear layer left unclipped).
    https://arxiv.org/abs/2102.06171

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 3)); y = X[:, :1] * 0.5
    >>> run = train(MLP([3, 8, 1], seed=0), X, y, lr=0.1, steps=200)
    >>> bool(run.losses[-1] < 0.05 * run.losses[0])
    True
    >>> run = train(MLP([3, 8, 1], seed=0), X, y, lr=0.1, steps=40, batch_size=8, record_every=20)
    >>> [step for step, _ in run.snapshots]
    [0, 20, 40]
    """
    if not isinstance(net, (MLP, RNN)):
        raise ValueError(f"net must be an MLP or an RNN, got {net!r}")
    X, y = net._inputs(X, y)
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    if clip not in TRAIN_CLIPS:
        raise ValueError(f"clip must be one of {TRAIN_CLIPS}, got {clip!r}")
    if (clip is None) != (threshold is None):
        raise ValueError(f"clip={clip!r} and threshold={threshold!r}: give both or neither")
    if threshold is not None:
        threshold = v.positive(threshold, "threshold")
    if batch_size is not None:
        batch_size = v.non_negative_int(batch_size, "batch_size")
        if not 1 <= batch_size <= len(X):
            raise ValueError(f"batch_size must be between 1 and n = {len(X)}, got {batch_size!r}")
        batches = _batches(len(X), batch_size, v.non_negative_int(seed, "seed"))
    else:
        v.non_negative_int(seed, "seed")
    if record_every is not None:
        record_every = v.non_negative_int(record_every, "record_every")
        if record_every < 1:
            raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    params = [p.copy() for p in net.params]
    losses = np.full(steps + 1, np.nan)
    grad_norms = np.full(steps, np.nan)
    clipped = np.zeros(steps, dtype=bool)
    snapshots = None if record_every is None else []
    diverged_at = None
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            if batch_size is None or k == steps:
                loss, grads = net.loss_and_grads(X, y, params)
            else:
                idx = next(batches)
                loss, grads = net.loss_and_grads(X[idx], y[idx], params)
            total = float(v.vector_norm(v.vector_norms(grads), 2.0))  # finite: so is every entry
            finite = np.isfinite(total) or np.isfinite(np.concatenate([np.ravel(g) for g in grads])).all()
            if not np.isfinite(loss) or not finite:
                diverged_at = k
                losses[k] = loss if k == 0 else np.nan
                break
            losses[k] = loss
            if record_every is not None and k % record_every == 0:
                snapshots.append((k, [p.copy() for p in params]))
            if k == steps:
                break
            grad_norms[k] = total
            if clip == "value":
                used = [clip_by_value(g, threshold) for g in grads]
            elif clip == "norm":
                used = [clip_by_norm(g, threshold) for g in grads]
            elif clip == "global_norm" and np.isfinite(total):  # clip_by_global_norm with its total
                used = [g * (threshold / total) for g in grads] if total > threshold else grads
            elif clip == "global_norm":
                used, _ = clip_by_global_norm(grads, threshold)
            elif clip == "agc":  # the output layer (last weight and bias) is not clipped
                used = adaptive_clip(grads[:-2], params[:-2], clipping=threshold) + grads[-2:]
            else:
                used = grads
            clipped[k] = used is not grads and any(not np.array_equal(a, b) for a, b in zip(used, grads))
            params = [p - lr * g for p, g in zip(params, used)]
    return Training(losses, grad_norms, clipped, params, diverged_at, snapshots)


def gd_with_sharpness(net, X, y, lr, steps, every=10, clip=None, threshold=None, iters=100,
                      warm_iters=20, seed=0, tol=1e-3):
    """Full-batch gradient descent with :func:`train`, sharpness every ``every`` steps.

    Runs ``train(net, X, y, lr, steps, clip, threshold, record_every=every)`` and measures
    :func:`~gradclip.curvature.sharpness_along` its snapshots. On the edge of stability the
    track rises to ``2 / lr`` and hovers there
    (:meth:`~gradclip.curvature.SharpnessTrack.edge_ratio` near 1).

    Parameters
    ----------
    net, X, y, lr, steps, clip, threshold :
        As in :func:`train` (full batch).
    every : int
        Measure the sharpness every ``every`` steps, step 0 and the last multiple included.
    iters, warm_iters, seed, tol :
        As in :func:`~gradclip.curvature.sharpness_along`.

    Returns
    -------
    ~gradclip.curvature.SharpnessTrack
        With the run in ``training``.

    Examples
    --------
    >>> from gradclip import MLP
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2)); y = np.sin(X[:, :1])
    >>> track = gd_with_sharpness(MLP([2, 16, 1], seed=0), X, y, lr=0.5, steps=100, every=50)
    >>> track.steps.tolist(), track.training.losses.shape
    ([0, 50, 100], (101,))
    """
    every = v.non_negative_int(every, "every")
    if every < 1:
        raise ValueError(f"every must be a positive integer, got {every!r}")
    run = train(net, X, y, lr, steps, clip=clip, threshold=threshold, record_every=every)
    track = sharpness_along(net, X, y, run.snapshots, iters=iters, warm_iters=warm_iters, seed=seed, tol=tol)
    return SharpnessTrack(track.steps, track.sharpness, track.hvps, run)

