"""Tiny numpy networks with hand-written backpropagation and per-layer diagnostics.

They make the real cause of exploding and vanishing gradients measurable: backpropagation
multiplies one Jacobian factor per layer, so the gradient reaching layer ``k`` of an
``L``-layer net scales like the product of ``L - k`` factors. Factors above 1 in magnitude
explode, below 1 vanish; the size of the gradient itself (near 0, near 1, large) is not
the cause.
"""

from dataclasses import dataclass

import numpy as np

from . import _validate as v
from .clipping import adaptive_clip, clip_by_global_norm, clip_by_norm, clip_by_value

__all__ = ["MLP", "Training", "chain_gradient", "train"]

TRAIN_CLIPS = (None, "value", "norm", "global_norm", "agc")

_ACTIVATIONS = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a**2),
    "sigmoid": (lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), lambda z, a: a * (1.0 - a)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64)),
}


class MLP:
    """A fully connected network ``x -> act(W_1 x + b_1) -> ... -> W_L h + b_L``.

    Weights use the PyTorch layout ``(out_features, in_features)`` and are drawn as
    ``N(0, (weight_scale**2) / in_features)``; ``weight_scale = 1`` with ``linear`` keeps
    signals roughly the same size from layer to layer, larger scales make gradients explode,
    smaller ones make them vanish.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[4, 16, 16, 1]`` (at least two entries).
    activation : {"tanh", "sigmoid", "relu", "linear"}
        Hidden-layer non-linearity (the output layer is linear).
    weight_scale : float
        Positive multiplier of the standard initialisation.
    seed : int
        Seed for the weights.

    Examples
    --------
    >>> net = MLP([3, 8, 8, 1], activation="tanh", seed=0)
    >>> X = np.ones((5, 3)); y = np.zeros((5, 1))
    >>> loss, grads = net.loss_and_grads(X, y)
    >>> [g.shape for g in grads]
    [(8, 3), (8,), (8, 8), (8,), (1, 8), (1,)]
    """

    def __init__(self, sizes, activation="tanh", weight_scale=1.0, seed=0):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else None
        if not sizes or len(sizes) < 2 or not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(f"sizes must be a list of at least two positive integers, got {sizes!r}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.sizes = [int(s) for s in sizes]
        self.activation = activation
        self.weight_scale = v.positive(weight_scale, "weight_scale")
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        self.params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            self.params.append(rng.normal(scale=self.weight_scale / np.sqrt(n_in), size=(n_out, n_in)))
            self.params.append(np.zeros(n_out))

    @property
    def depth(self):
        """Number of weight layers."""
        return len(self.sizes) - 1

    def _params(self, params):
        if params is None:
            return self.params
        if not isinstance(params, (list, tuple)) or len(params) != len(self.params):
            raise ValueError(f"params must be a list of {len(self.params)} arrays")
        out = []
        for i, (p, ref) in enumerate(zip(params, self.params)):
            p = v.as_float_array(p, f"params[{i}]")
            if p.shape != ref.shape:
                raise ValueError(f"params[{i}] must have shape {ref.shape}, got {p.shape}")
            out.append(p)
        return out

    def _inputs(self, X, y=None):
        X = v.as_float_array(X, "X")
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        if y is None:
            return X
        y = v.as_float_array(y, "y")
        if y.shape != (X.shape[0], self.sizes[-1]):
            raise ValueError(f"y must have shape ({X.shape[0]}, {self.sizes[-1]}), got {y.shape}")
        return X, y

    def _forward(self, X, params):
        act, _ = _ACTIVATIONS[self.activation]
        hs, zs = [X], []
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in range(self.depth):
                W, b = params[2 * layer], params[2 * layer + 1]
                z = hs[-1] @ W.T + b
                zs.append(z)
                hs.append(z if layer == self.depth - 1 else act(z))
        return hs, zs

    def forward(self, X, params=None):
        """Network output for inputs ``X`` of shape ``(n, sizes[0])``."""
        X = self._inputs(X)
        return self._forward(X, self._params(params))[0][-1]

    def _backward(self, X, y, params):
        X, y = self._inputs(X, y)
        params = self._params(params)
        _, dact = _ACTIVATIONS[self.activation]
        hs, zs = self._forward(X, params)
        n = X.shape[0]
        with np.errstate(over="ignore", invalid="ignore"):
            err = hs[-1] - y
            loss = float(0.5 * np.sum(err**2) / n)
            delta = err / n
            grads = [None] * len(params)
            deltas = [None] * self.depth
            for layer in range(self.depth - 1, -1, -1):
                deltas[layer] = delta
                grads[2 * layer] = delta.T @ hs[layer]
                grads[2 * layer + 1] = delta.sum(axis=0)
                if layer > 0:
                    delta = (delta @ params[2 * layer]) * dact(zs[layer - 1], hs[layer])
        return loss, grads, deltas

    def loss_and_grads(self, X, y, params=None):
        """Mean squared error ``mean(||f(x) - y||^2) / 2`` and its gradients by backpropagation.

        Returns
        -------
        loss : float
        grads : list of numpy.ndarray
            One gradient per parameter, in the order of ``params``: ``[dW_1, db_1, ...]``.
        """
        loss, grads, _ = self._backward(X, y, params)
        return loss, grads

    def backprop_norms(self, X, y, params=None):
        """Norm of the gradient with respect to each layer's pre-activation, first layer first.

        This is the signal that backpropagation carries down the network: each layer
        multiplies it by ``W^T`` and the activation's slope. Its growth or decay from the last
        layer to the first is what "exploding" and "vanishing" mean.
        """
        _, _, deltas = self._backward(X, y, params)
        return np.array([v.vector_norm(d, 2.0) for d in deltas])

    def layer_grad_norms(self, X, y, params=None):
        """2-norm of each layer's weight gradient, first layer first, shape ``(depth,)``."""
        _, grads = self.loss_and_grads(X, y, params)
        return np.array([v.vector_norm(g, 2.0) for g in grads[0::2]])

    def __repr__(self):
        return f"MLP({self.sizes}, activation={self.activation!r}, weight_scale={self.weight_scale})"


def chain_gradient(factors):
    """Gradient reaching each depth of a chain: cumulative products of per-step factors.

    ``out[k] = factors[0] * ... * factors[k-1]`` with ``out[0] = 1``: what backpropagation
    multiplies together on its way back through ``k`` steps. With every factor 1.1 the
    gradient after 50 steps is 117 (explodes); with every factor 0.9 it is 0.0052 (vanishes),
    although no single factor is large or small.

    Examples
    --------
    >>> chain_gradient([1.1] * 50)[-1].round(1)
    np.float64(117.4)
    >>> chain_gradient([0.9] * 50)[-1].round(4)
    np.float64(0.0052)
    """
    f = v.as_float_array(factors, "factors")
    if f.ndim != 1:
        raise ValueError(f"factors must be a 1-D sequence, got shape {f.shape}")
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.concatenate([[1.0], np.cumprod(f)])


@dataclass(frozen=True)
class Training:
    """Result of :func:`train`: per-step losses and gradient norms, final parameters."""

    losses: np.ndarray  # (steps + 1,) loss before each step and after the last; NaN after divergence
    grad_norms: np.ndarray  # (steps,) global 2-norm of the raw gradient
    clipped: np.ndarray  # (steps,) bool: clipping changed the gradient
    params: list
    diverged_at: object

    @property
    def final_loss(self):
        return np.inf if self.diverged_at is not None else float(self.losses[-1])


def train(net, X, y, lr, steps, clip=None, threshold=None):
    """Full-batch gradient descent on an :class:`MLP`, optionally with clipping.

    Parameters
    ----------
    net : MLP
        The network; its ``params`` are the starting point and are not modified.
    X, y : array_like
        Inputs ``(n, sizes[0])`` and targets ``(n, sizes[-1])``.
    lr : float
        Positive learning rate.
    steps : int
        Number of updates.
    clip : {None, "value", "norm", "global_norm", "agc"}
        ``"norm"`` clips every parameter array on its own (Keras ``clipnorm``, TensorFlow
        ``clip_by_norm`` per variable); ``"global_norm"`` clips all together (PyTorch
        ``clip_grad_norm_``); ``"agc"`` is :func:`~gradclip.adaptive_clip` with
        ``clipping=threshold``.
    threshold : float, optional
        The clipping threshold (required when ``clip`` is set).

    Returns
    -------
    Training
        Stops at the first non-finite loss and reports it in ``diverged_at``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 3)); y = X[:, :1] * 0.5
    >>> run = train(MLP([3, 8, 1], seed=0), X, y, lr=0.1, steps=200)
    >>> bool(run.losses[-1] < 0.05 * run.losses[0])
    True
    """
    if not isinstance(net, MLP):
        raise ValueError(f"net must be an MLP, got {net!r}")
    X, y = net._inputs(X, y)
    lr = v.positive(lr, "lr")
    steps = v.non_negative_int(steps, "steps")
    if clip not in TRAIN_CLIPS:
        raise ValueError(f"clip must be one of {TRAIN_CLIPS}, got {clip!r}")
    if (clip is None) != (threshold is None):
        raise ValueError(f"clip={clip!r} and threshold={threshold!r}: give both or neither")
    if threshold is not None:
        threshold = v.positive(threshold, "threshold")
    params = [p.copy() for p in net.params]
    losses = np.full(steps + 1, np.nan)
    grad_norms = np.full(steps, np.nan)
    clipped = np.zeros(steps, dtype=bool)
    diverged_at = None
    with np.errstate(all="ignore"):
        for k in range(steps + 1):
            loss, grads = net.loss_and_grads(X, y, params)
            if not np.isfinite(loss) or not all(np.all(np.isfinite(g)) for g in grads):
                diverged_at = k
                losses[k] = loss if k == 0 else np.nan
                break
            losses[k] = loss
            if k == steps:
                break
            total = float(v.vector_norm(np.array([v.vector_norm(g, 2.0) for g in grads]), 2.0))
            grad_norms[k] = total
            if clip == "value":
                used = [clip_by_value(g, threshold) for g in grads]
            elif clip == "norm":
                used = [clip_by_norm(g, threshold) for g in grads]
            elif clip == "global_norm":
                used, _ = clip_by_global_norm(grads, threshold)
            elif clip == "agc":
                used = adaptive_clip(grads, params, clipping=threshold)
            else:
                used = grads
            clipped[k] = any(not np.array_equal(a, b) for a, b in zip(used, grads))
            params = [p - lr * g for p, g in zip(params, used)]
    return Training(losses, grad_norms, clipped, params, diverged_at)
