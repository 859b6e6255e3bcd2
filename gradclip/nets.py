"""Tiny numpy networks with hand-written backpropagation and per-layer diagnostics.

They make the real cause of exploding and vanishing gradients measurable: backpropagation
multiplies one Jacobian factor per layer, so the gradient reaching layer ``k`` of an
``L``-layer net scales like the product of ``L - k`` factors. Factors above 1 in magnitude
explode, below 1 vanish; the size of the gradient itself (near 0, near 1, large) is not
the cause. :func:`mlp_backward` is the backward pass of a batch of networks (the one
:class:`MLP` runs with a batch of one, and :func:`gradclip.gd_batch` with one network per
learning rate).
"""

from dataclasses import dataclass

import numpy as np

from . import validation as v
from .activations import ACTIVATIONS, check_activation, gaussian_moments, saturated
from .curvature import net_sharpness

__all__ = ["INITS", "LayerStats", "MLP", "chain_gradient", "mean_squared_factor", "variance_factors"]

_ACTIVATIONS = ACTIVATIONS  # the table lives in gradclip.activations

INITS = {
    "normal": lambda fan_in, fan_out: 1.0 / np.sqrt(fan_in),
    "xavier": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
    "small": lambda fan_in, fan_out: 0.01,
}
"""Initialisation name -> standard deviation of a layer's weights as a function of its fans."""


class MLP:
    """A fully connected network ``x -> act(W_1 x + b_1) -> ... -> W_L h + b_L``.

    Weights use the PyTorch layout ``(out_features, in_features)`` and are drawn as
    ``N(0, (weight_scale * std)**2)`` with ``std`` given by ``init`` (biases start at 0). The
    default ``std = 1 / sqrt(fan_in)`` with ``linear`` keeps signals roughly the same size from
    layer to layer; larger scales make gradients explode, smaller ones make them vanish.
    ``"he"`` does the same for ReLU, ``"xavier"`` for tanh near 0.

    With ``residual=True`` every hidden-to-hidden layer adds its input to its output,
    ``h_{k+1} = h_k + act(W_k h_k + b_k)``, so backpropagation gets an identity path around
    each non-linearity.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths from input to output, e.g. ``[4, 16, 16, 1]`` (at least two entries).
    activation : {"tanh", "sigmoid", "relu", "linear"}
        Hidden-layer non-linearity (the output layer is linear).
    weight_scale : float
        Positive multiplier of the initial standard deviation.
    seed : int
        Seed for the weights.
    init : {"normal", "xavier", "he", "small"} or float
        Standard deviation of layer weights: ``"normal"`` ``1/sqrt(fan_in)`` (the default),
        ``"xavier"`` ``sqrt(2/(fan_in + fan_out))`` (Glorot & Bengio 2010), ``"he"``
        ``sqrt(2/fan_in)`` (He et al. 2015), ``"small"`` ``0.01``, or a positive number.
    residual : bool
        Skip connections around the hidden-to-hidden layers; their widths must be equal.

    References
    ----------
    .. [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward
       neural networks", AISTATS 2010.
    .. [2] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015.
       https://arxiv.org/abs/1502.01852
    .. [3] K. He, X. Zhang, S. Ren, J. Sun, "Deep residual learning for image recognition",
       CVPR 2016. https://arxiv.org/abs/1512.03385

    Examples
    --------
    >>> net = MLP([3, 8, 8, 1], activation="tanh", seed=0)
    >>> X = np.ones((5, 3)); y = np.zeros((5, 1))
    >>> loss, grads = net.loss_and_grads(X, y)
    >>> [g.shape for g in grads]
    [(8, 3), (8,), (8, 8), (8,), (1, 8), (1,)]
    >>> MLP([3, 8, 8, 1], activation="relu", init="he", residual=True)
    MLP([3, 8, 8, 1], activation='relu', weight_scale=1.0, init='he', residual=True)
    """

    def __init__(self, sizes, activation="tanh", weight_scale=1.0, seed=0, init="normal", residual=False):
        sizes = list(sizes) if not isinstance(sizes, (str, bytes)) else None
        if not sizes or len(sizes) < 2 or not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 1 for s in sizes):
            raise ValueError(f"sizes must be a list of at least two positive integers, got {sizes!r}")
        self.sizes = [int(s) for s in sizes]
        self.activation = check_activation(activation)
        self.weight_scale = v.positive(weight_scale, "weight_scale")
        if isinstance(init, str):
            if init not in INITS:
                raise ValueError(f"init must be one of {sorted(INITS)} or a positive number, got {init!r}")
            std = INITS[init]
        else:
            value = v.positive(init, "init")
            std = lambda fan_in, fan_out: value  # noqa: E731
        self.init = init
        if not isinstance(residual, (bool, np.bool_)):
            raise ValueError(f"residual must be True or False, got {residual!r}")
        if residual and len(set(self.sizes[1:-1])) > 1:
            raise ValueError(f"residual=True needs equal hidden widths, got sizes={self.sizes}")
        self.residual = bool(residual)
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        self.params = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            # weight_scale / sqrt(fan_in) for "normal", as always: the same seed gives the same bits
            scale = self.weight_scale / np.sqrt(n_in) if init == "normal" else self.weight_scale * std(n_in, n_out)
            self.params.append(rng.normal(scale=scale, size=(n_out, n_in)))
            self.params.append(np.zeros(n_out))

    @property
    def depth(self):
        """Number of weight layers."""
        return len(self.sizes) - 1

    def _params(self, params):
        if params is None:
            return self.params
        return v.param_list(params, self.params)

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
        """Layer inputs/outputs ``hs``, pre-activations ``zs`` and hidden activations ``acts``."""
        hs, zs, acts = mlp_forward([p[None] for p in params], X, self.activation, self.residual)
        return [X] + [h[0] for h in hs[1:]], [z[0] for z in zs], [a[0] for a in acts]

    def forward(self, X, params=None):
        """Network output for inputs ``X`` of shape ``(n, sizes[0])``."""
        X = self._inputs(X)
        return self._forward(X, self._params(params))[0][-1]

    def _backward(self, X, y, params):
        X, y = self._inputs(X, y)
        params = self._params(params)
        loss, grads, deltas, acts = mlp_backward([p[None] for p in params], X, y, self.activation, self.residual)
        return float(loss[0]), [g[0] for g in grads], [d[0] for d in deltas], [a[0] for a in acts]

    def loss_and_grads(self, X, y, params=None):
        """Mean squared error ``mean(||f(x) - y||^2) / 2`` and its gradients by backpropagation.

        Returns
        -------
        loss : float
        grads : list of numpy.ndarray
            One gradient per parameter, in the order of ``params``: ``[dW_1, db_1, ...]``.
        """
        loss, grads, _, _ = self._backward(X, y, params)
        return loss, grads

    def sharpness(self, X, y, params=None, iters=100, seed=0):
        """Sharpness ``lambda_max``: the largest eigenvalue of the Hessian of the loss on ``(X, y)``.

        Power iteration on Hessian-vector products formed by a central difference of
        backpropagated gradients; see :func:`gradclip.curvature.net_sharpness` (which this
        calls) and :func:`gradclip.curvature.sharpness`. Gradient descent with step ``lr`` is
        stable near ``params`` only if ``lr < 2 / lambda_max``. NaN for non-finite ``params``.

        Examples
        --------
        >>> X = np.linspace(-1, 1, 20).reshape(-1, 1)
        >>> round(MLP([1, 1], activation="linear").sharpness(X, 2 * X), 6)   # H = diag(mean x^2, 1)
        1.0
        """
        return net_sharpness(self, X, y, params=params, iters=iters, seed=seed)

    def backprop_norms(self, X, y, params=None):
        """Norm of the gradient with respect to each layer's pre-activation, first layer first.

        This is the signal that backpropagation carries down the network: each layer
        multiplies it by ``W^T`` and the activation's slope. Its growth or decay from the last
        layer to the first is what "exploding" and "vanishing" mean.
        """
        _, _, deltas, _ = self._backward(X, y, params)
        return v.vector_norms(deltas)

    def backprop_gains(self, X, y, params=None):
        """The two parts of each layer's backprop factor: the weights' gain and the slopes' share.

        Backpropagation passes the gradient from weight layer ``k + 1`` to layer ``k`` as
        ``delta_k = (delta_{k+1} W_{k+1}) * act'(z_k)`` (plus ``delta_{k+1}`` with skips). The
        weight gain is ``||delta_{k+1} W_{k+1}|| / ||delta_{k+1}||`` (about
        ``sqrt(n Var(w))`` for a random ``W``), the slope share
        ``||(delta_{k+1} W_{k+1}) * act'(z_k)|| / ||delta_{k+1} W_{k+1}||``; without skips
        their product is the factor
        ``backprop_norms()[k - 1] / backprop_norms()[k]``.

        Returns
        -------
        weight_gains, slope_shares : numpy.ndarray
            Shape ``(depth - 1,)`` each, the step into the first layer first.

        Examples
        --------
        >>> X, y = np.ones((4, 3)), np.zeros((4, 1))
        >>> w, s = MLP([3, 5, 5, 1], activation="linear").backprop_gains(X, y)
        >>> bool(np.allclose(s, 1.0)), w.shape
        (True, (2,))
        """
        _, _, deltas, acts = self._backward(X, y, params)
        params = self._params(params)
        zs = self._forward(self._inputs(X), params)[1]
        _, slope_of = ACTIVATIONS[self.activation]
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            back = [deltas[k + 1] @ params[2 * (k + 1)] for k in range(self.depth - 1)]
            through = [b * slope_of(z, a) for b, z, a in zip(back, zs, acts)]
            weight = v.vector_norms(back) / v.vector_norms(deltas[1:])
            slope = v.vector_norms(through) / v.vector_norms(back)
        return weight, slope

    def layer_stats(self, X, y, params=None, lr=None, bins=30, layers=None, return_grads=False):
        """Per-layer health of the net on one batch: activations, saturation, gradients, updates.

        Parameters
        ----------
        X, y : array_like
            A batch of inputs ``(n, sizes[0])`` and targets ``(n, sizes[-1])``.
        params : list of array_like, optional
            Parameters to use instead of ``self.params``.
        lr : float, optional
            Learning rate; when given, the update:data ratios ``lr * ||dL/dW|| / ||W||`` are
            computed (about ``1e-3`` is the usual rule of thumb for a healthy rate).
        bins : int
            Number of histogram bins, shared by all hidden layers: ``[-1, 1]`` for tanh,
            ``[0, 1]`` for the sigmoid, the range of the finite activations otherwise.
        layers : sequence of int, optional
            Hidden layers (1-based) whose histograms are counted (default: all); the bins
            are the same either way.
        return_grads : bool
            Also return the parameter gradients of that backward pass (what
            :meth:`loss_and_grads` returns), for a training loop that inspects its steps.

        Returns
        -------
        LayerStats
            With ``backprop_norms``, what :meth:`backprop_norms` returns, from the same
            backward pass; ``(LayerStats, grads)`` with ``return_grads``.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(64, 4)), rng.normal(size=(64, 1))
        >>> stats = MLP([4, 16, 16, 1], activation="tanh", weight_scale=4.0).layer_stats(X, y, lr=0.1)
        >>> stats.saturated.round(2)
        array([0.53, 0.54])
        >>> stats.counts.shape, stats.update_ratios.shape
        ((2, 30), (3,))
        >>> MLP([4, 16, 16, 1]).layer_stats(X, y, layers=[2]).counts.shape
        (1, 30)
        """
        if lr is not None:
            lr = v.positive(lr, "lr")
        bins = v.non_negative_int(bins, "bins")
        if bins < 1:
            raise ValueError(f"bins must be a positive integer, got {bins!r}")
        if layers is None:
            layers = np.arange(1, self.depth)
        else:
            layers = np.asarray(layers)
            if (layers.ndim != 1 or not np.issubdtype(layers.dtype, np.integer)
                    or np.any((layers < 1) | (layers > self.depth - 1))):
                raise ValueError(f"layers must be hidden layers 1 .. {self.depth - 1}, got {layers!r}")
        params = self._params(params)
        loss, grads, deltas, acts = self._backward(X, y, params)
        flat = [np.ravel(x) for x in acts]
        same = len({x.size for x in flat}) == 1  # equal widths: every layer in one numpy pass
        with np.errstate(over="ignore", invalid="ignore"):
            if same:
                stacked = np.stack(flat)
                mean, std = np.mean(stacked, axis=1), np.std(stacked, axis=1)
            else:
                mean = np.array([np.mean(x) for x in flat])
                std = np.array([np.std(x) for x in flat])
        if self.activation == "relu":  # dead units: zero for every sample of the batch
            share = (np.mean(np.all(saturated("relu", np.stack(acts)), axis=1), axis=1) if same
                     else np.array([np.mean(np.all(saturated("relu", x), axis=0)) for x in acts]))
        else:
            share = (np.mean(saturated(self.activation, stacked), axis=1) if same
                     else np.array([np.mean(saturated(self.activation, x)) for x in flat]))
        picked = [flat[i - 1] for i in layers]  # the layers whose histograms are counted
        values = np.concatenate(picked + [np.zeros(0)])
        finite = np.isfinite(values)
        lo_hi = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(self.activation)
        if lo_hi is None:  # the range of every hidden layer, counted or not
            every = values if len(picked) == len(flat) else np.concatenate(flat)
            every = every[np.isfinite(every)]
            lo_hi = (float(every.min()), float(every.max())) if every.size else (0.0, 1.0)
            if lo_hi[0] == lo_hi[1]:
                lo_hi = (lo_hi[0] - 0.5, lo_hi[1] + 0.5)
        edges = np.linspace(lo_hi[0], lo_hi[1], bins + 1)
        # numpy.histogram's bins for every layer at once: edges[i] <= a < edges[i + 1], the
        # last bin closed on the right, values outside the edges not counted
        layer = np.repeat(np.arange(len(picked)), [x.size for x in picked])
        with np.errstate(invalid="ignore", over="ignore"):
            b = np.floor((values - edges[0]) * (bins / (edges[-1] - edges[0])))
            b = np.clip(np.nan_to_num(b, nan=-1.0), -1, bins).astype(np.int64)
        b -= (b >= 0) & (values < edges[np.maximum(b, 0)])  # the estimate is off by at most
        b += (b < bins) & (values >= edges[np.minimum(b + 1, bins)])  # one bin: fix it exactly
        b[values == edges[-1]] = bins - 1
        keep = finite & (b >= 0) & (b < bins)
        counts = np.bincount(layer[keep] * bins + b[keep], minlength=len(picked) * bins).astype(np.int64)
        grad_norms, weight_norms = v.vector_norms(grads[0::2]), v.vector_norms(params[0::2])
        ratios = None
        if lr is not None:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                ratios = lr * grad_norms / weight_norms
        stats = LayerStats(loss, mean, std, share, edges, counts.reshape(len(picked), bins), grad_norms,
                           weight_norms, ratios, v.vector_norms(deltas))
        return (stats, grads) if return_grads else stats

    def __repr__(self):
        extra = "" if self.init == "normal" else f", init={self.init!r}"
        extra += ", residual=True" if self.residual else ""
        return f"MLP({self.sizes}, activation={self.activation!r}, weight_scale={self.weight_scale}{extra})"


def mlp_forward(params, X, activation="tanh", residual=False):
    """Forward pass of a batch of ``B`` MLPs of one architecture on the same inputs.

    The batch form of :meth:`MLP.forward` (whose own pass is this one with ``B = 1``): every
    weight carries a leading batch axis, ``W_k`` of shape ``(B, out, in)`` and ``b_k`` of shape
    ``(B, out)``, and each layer is one batched matrix product ``h W_k^T + b_k``.

    Parameters
    ----------
    params : list of numpy.ndarray
        ``[W_1, b_1, ..., W_L, b_L]``, each with the leading batch axis.
    X : numpy.ndarray
        Inputs ``(n, sizes[0])``, shared by the batch.
    activation : {"tanh", "sigmoid", "relu", "linear"}
        Hidden-layer non-linearity.
    residual : bool
        Skip connections ``h_{k+1} = h_k + act(W_k h_k + b_k)`` around the hidden-to-hidden layers.

    Returns
    -------
    hs, zs, acts : lists of numpy.ndarray
        Layer inputs and the output (``hs[0]`` is ``X``, the others ``(B, n, width)``),
        pre-activations ``(B, n, out)`` and hidden activations ``(B, n, width)``.

    Examples
    --------
    >>> nets = [MLP([2, 3, 1], seed=s) for s in range(4)]
    >>> params = [np.stack(ps) for ps in zip(*(net.params for net in nets))]
    >>> X = np.ones((5, 2))
    >>> out = mlp_forward(params, X)[0][-1]
    >>> out.shape, bool(np.array_equal(out[2], nets[2].forward(X)))
    ((4, 5, 1), True)
    """
    act, _ = ACTIVATIONS[check_activation(activation)]
    depth = len(params) // 2
    hs, zs, acts = [X], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in range(depth):
            W, b = params[2 * layer], params[2 * layer + 1]
            z = np.matmul(hs[-1], W.mT) + b[..., None, :]
            zs.append(z)
            if layer == depth - 1:
                hs.append(z)
            else:
                acts.append(act(z))
                hs.append(hs[-1] + acts[-1] if residual and layer >= 1 else acts[-1])
    return hs, zs, acts


def mlp_backward(params, X, y, activation="tanh", residual=False):
    """Loss and backpropagated gradients of a batch of ``B`` MLPs of one architecture.

    The batch form of :meth:`MLP.loss_and_grads` (which is this function with ``B = 1``):
    ``loss_i = mean(||f_i(x) - y||^2) / 2`` of network ``i`` and its gradients, by the same
    backward pass, ``delta_k = (delta_{k+1} W_{k+1}) * act'(z_k)`` (plus ``dL/dh_{k+1}`` around
    a skip), ``dW_k = delta_k^T h_{k-1}``, ``db_k = sum_n delta_k``, every product batched.
    The inputs are not checked: :class:`MLP` and :func:`gradclip.gd_batch` do that once.

    Parameters
    ----------
    params : list of numpy.ndarray
        ``[W_1, b_1, ..., W_L, b_L]``, ``W_k`` of shape ``(B, out, in)``, ``b_k`` ``(B, out)``.
    X, y : numpy.ndarray
        The data ``(n, sizes[0])`` and targets ``(n, sizes[-1])``, shared by the batch.
    activation, residual :
        As in :func:`mlp_forward`.

    Returns
    -------
    loss : numpy.ndarray, shape (B,)
    grads : list of numpy.ndarray
        One gradient per parameter, shaped like it.
    deltas : list of numpy.ndarray
        ``dL/dz_k`` of every weight layer, ``(B, n, out)``, first layer first.
    acts : list of numpy.ndarray
        The hidden activations of the forward pass.

    Examples
    --------
    >>> nets = [MLP([2, 4, 4, 1], seed=s, residual=True) for s in range(3)]
    >>> params = [np.stack(ps) for ps in zip(*(net.params for net in nets))]
    >>> X, y = np.ones((5, 2)), np.zeros((5, 1))
    >>> loss, grads, _, _ = mlp_backward(params, X, y, "tanh", residual=True)
    >>> loss.shape, [g.shape for g in grads][:2]
    ((3,), [(3, 4, 2), (3, 4)])
    >>> bool(np.allclose(grads[2][1], nets[1].loss_and_grads(X, y)[1][2]))
    True
    """
    _, slope = ACTIVATIONS[check_activation(activation)]
    hs, zs, acts = mlp_forward(params, X, activation, residual)
    depth, n = len(zs), X.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        err = hs[-1] - y
        loss = 0.5 * np.sum(err**2, axis=(-2, -1)) / n
        dh = err / n  # dL/d(output of the current layer)
        grads, deltas = [None] * len(params), [None] * depth
        for layer in range(depth - 1, -1, -1):
            delta = dh if layer == depth - 1 else dh * slope(zs[layer], acts[layer])
            deltas[layer] = delta
            grads[2 * layer] = np.matmul(delta.mT, hs[layer])
            grads[2 * layer + 1] = delta.sum(axis=-2)
            if layer > 0:
                back = np.matmul(delta, params[2 * layer])
                dh = back + dh if residual and 1 <= layer <= depth - 2 else back
    return loss, grads, deltas, acts


@dataclass(frozen=True)
class LayerStats:
    """Result of :meth:`MLP.layer_stats`.

    Hidden-layer arrays have one entry per hidden layer (the output of weight layer ``k``
    is hidden layer ``k``, first first); weight-layer arrays one per weight layer, the
    output layer last.
    """

    loss: float
    mean: np.ndarray  # (depth - 1,) mean activation act(z) of each hidden layer over batch and units
    std: np.ndarray  # (depth - 1,) its standard deviation
    saturated: np.ndarray  # (depth - 1,) share saturated (tanh, sigmoid) or dead units (relu); 0 for linear
    bin_edges: np.ndarray  # (bins + 1,) histogram edges shared by all hidden layers
    counts: np.ndarray  # (depth - 1, bins) histogram counts of each hidden layer's activations
    # (one row per layer asked for, in that order, when layer_stats was given ``layers``)
    grad_norms: np.ndarray  # (depth,) 2-norm of each weight gradient dW
    weight_norms: np.ndarray  # (depth,) 2-norm of each weight matrix W
    update_ratios: object = None  # (depth,) lr * ||dL/dW|| / ||W|| when lr was given, else None
    backprop_norms: object = None  # (depth,) ||dL/dz|| per weight layer, as MLP.backprop_norms


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


def variance_factors(activation, std, width, depth, input_var=1.0):
    """Predicted backprop factor of each layer of a random net: ``sqrt(n Var(w) E[act'(z)**2])``.

    The variance argument (Glorot & Bengio 2010, He et al. 2015) for an MLP at initialisation
    with ``depth`` weight layers, every layer (input included) of width ``n = width``, weights
    drawn independently with mean 0 and standard deviation ``std``, zero biases. Each of the ``n`` entries of
    ``delta_{k+1} W_{k+1}`` is a sum of ``n`` independent terms, with expected square
    ``Var(w) ||delta_{k+1}||**2``; so its squared norm is, in expectation, ``n Var(w)`` times
    that of ``delta_{k+1}``. The slopes multiply each entry by ``act'(z_k)``, which does not
    depend on ``W_{k+1}``. So in expectation

    ``E ||delta_k||**2 = n Var(w) E[act'(z_k)**2] ||delta_{k+1}||**2``.

    The pre-activations ``z_k`` are taken Gaussian with variance ``q_k`` (mean-field, wide
    layers): ``q_1 = n Var(w) input_var``, ``q_{k+1} = n Var(w) E[act(z_k)**2]``, with the
    averages of :func:`gradclip.activations.gaussian_moments`. A single draw of a net of
    finite width scatters around these values.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu", "linear"}
    std : float
        Standard deviation of every weight, ``> 0``.
    width, depth : int
        Width ``n`` of every layer and number of weight layers (``>= 2``).
    input_var : float
        Mean squared input entry, ``E[x_i**2] >= 0``.

    Returns
    -------
    numpy.ndarray
        Shape ``(depth - 1,)``: the factor from weight layer ``k + 1`` back to layer ``k``,
        ``k = 1 .. depth - 1``, the first layer's first (as ``MLP.backprop_norms`` orders).

    References
    ----------
    .. [1] X. Glorot, Y. Bengio, "Understanding the difficulty of training deep feedforward
       neural networks", AISTATS 2010.
    .. [2] K. He, X. Zhang, S. Ren, J. Sun, "Delving deep into rectifiers", ICCV 2015.

    Examples
    --------
    >>> variance_factors("relu", np.sqrt(2 / 32), 32, 4).round(6).tolist()    # He: 1 per layer
    [1.0, 1.0, 1.0]
    >>> variance_factors("relu", 1 / np.sqrt(32), 32, 3).round(4).tolist()    # 1/sqrt(2)
    [0.7071, 0.7071]
    """
    check_activation(activation)
    std = v.positive(std, "std")
    width = v.positive_int(width, "width")
    depth = v.positive_int(depth, "depth")
    if depth < 2:
        raise ValueError(f"depth must be at least 2 weight layers, got {depth}")
    input_var = float(v.as_float_array(input_var, "input_var"))
    if not np.isfinite(input_var) or input_var < 0:
        raise ValueError(f"input_var must be finite and >= 0, got {input_var!r}")
    gain = width * std**2  # n Var(w)
    q = gain * input_var
    factors = np.empty(depth - 1)
    for k in range(depth - 1):
        act_sq, slope_sq = gaussian_moments(activation, q)
        factors[k] = np.sqrt(gain * slope_sq)
        q = gain * float(act_sq)
    return factors


def mean_squared_factor(norms, layers=None):
    """Mean squared backprop factor of some layers over many weight draws, with its standard error.

    Layer ``k``'s factor in one draw is ``norms[k - 1] / norms[k]``, the gradient's growth from
    weight layer ``k + 1`` back to layer ``k`` (as :func:`variance_factors` numbers them). Each
    draw's squared factors are averaged over ``layers``; the result is the mean of these
    per-draw averages and its standard error ``std(ddof=1) / sqrt(draws)``. The variance
    argument predicts the squares' expectation, ``n Var(w) E[act'(z)**2]``, when
    ``delta_{k+1}`` does not depend on ``W_{k+1}``.

    Parameters
    ----------
    norms : array_like
        Shape ``(draws, depth)``, ``draws >= 2``, ``depth >= 2``: one row of
        :meth:`MLP.backprop_norms` per weight draw, first layer first; finite and positive.
    layers : iterable of int, optional
        Layers ``k`` in ``1 .. depth - 1`` to average over (default: all).

    Returns
    -------
    mean, standard_error : float

    Examples
    --------
    >>> norms = [[4.0, 2.0, 1.0], [2.0, 2.0, 1.0]]        # squared factors 4, 4 and 1, 4
    >>> [round(x, 6) for x in mean_squared_factor(norms)]  # per draw 4 and 2.5
    [3.25, 0.75]
    >>> mean_squared_factor(norms, layers=[2])
    (4.0, 0.0)
    """
    norms = v.as_float_array(norms, "norms")
    if norms.ndim != 2 or norms.shape[0] < 2 or norms.shape[1] < 2:
        raise ValueError(f"norms must have shape (draws, depth) with draws >= 2 and depth >= 2, got {norms.shape}")
    if not np.all(np.isfinite(norms) & (norms > 0)):
        raise ValueError("norms must be finite and positive")
    depth = norms.shape[1]
    layers = np.arange(1, depth) if layers is None else np.asarray(list(layers))
    if (layers.ndim != 1 or layers.size == 0 or not np.issubdtype(layers.dtype, np.integer)
            or np.any((layers < 1) | (layers > depth - 1))):
        raise ValueError(f"layers must be integers in 1 .. {depth - 1}, got {layers!r}")
    squares = (norms[:, layers - 1] / norms[:, layers]) ** 2
    per_draw = squares.mean(axis=1)
    return float(per_draw.mean()), float(per_draw.std(ddof=1) / np.sqrt(len(per_draw)))
