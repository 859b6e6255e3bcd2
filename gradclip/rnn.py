"""A vanilla recurrent network with backpropagation through time, in numpy.

Backpropagation through time multiplies the gradient by one Jacobian per step,
``dL/dh_{t-1} = W_hh^T diag(act'(z_t)) dL/dh_t``, so the gradient that reaches the start of a
sequence of length ``T`` is a product of ``T - 1`` such factors. With a linear activation the
factor is ``W_hh^T`` itself, and the gradient shrinks or grows like ``rho(W_hh)^k`` over ``k``
steps, where ``rho`` is the spectral radius: this is where exploding and vanishing gradients in
recurrent nets come from.

References
----------
.. [1] Y. Bengio, P. Simard, P. Frasconi, "Learning long-term dependencies with gradient
   descent is difficult", IEEE Trans. Neural Networks 5(2), 1994.
.. [2] R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
   networks", ICML 2013. https://arxiv.org/abs/1211.5063
"""

import numpy as np

from . import validation as v
from .activations import ACTIVATIONS, check_activation
from .data import adding_problem

__all__ = ["RNN", "measured_factor", "measured_steps", "factor_survey"]


def _size(value, name):
    value = v.non_negative_int(value, name)
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def measured_steps(T):
    """Number of backward steps :func:`measured_factor` averages over for a sequence of length
    ``T``: ``T // 2 - 1`` (from ``h_{T//2}`` back to ``h_1``).

    Examples
    --------
    >>> measured_steps(10), measured_steps(25), measured_steps(100)
    (4, 11, 49)
    """
    T = _size(T, "T")
    if T < 4:
        raise ValueError(f"T must be at least 4, got {T}")
    return T // 2 - 1


def measured_factor(norms):
    """Geometric-mean factor per step over the half of the sequence furthest from the output.

    ``(n_1 / n_m) ** (1 / (m - 1))`` with ``m = T // 2`` and ``n_t = ||dL/dh_t||``: the
    transient near the output is left out. For a linear RNN it tends to the spectral radius as
    ``T`` grows, but slowly: the ``m - 1`` steps measured must be many (for ``T = 10`` they
    are 4, and the power of a random matrix has not yet settled). Batched over leading axes.

    Examples
    --------
    >>> float(measured_factor(0.9 ** np.arange(99, -1, -1)).round(6))
    0.9
    """
    n = np.asarray(norms, dtype=np.float64)
    m = n.shape[-1] // 2
    if m < 2:
        raise ValueError(f"norms must have at least 4 steps, got {n.shape[-1]}")
    with np.errstate(all="ignore"):
        return (n[..., 0] / n[..., m - 1]) ** (1.0 / (m - 1))


def factor_survey(rho, T, activation="linear", seeds=range(30), hidden=32, n=16, data_seed=0):
    """The gradient through time of one RNN per seed on the adding problem.

    Parameters
    ----------
    rho : float
        Spectral radius of every ``W_hh`` (each seed draws its own matrix).
    T : int
        Sequence length (>= 4).
    activation : {"tanh", "sigmoid", "relu", "linear"}
    seeds : iterable of int
        Weight seeds, one net each.
    hidden, n, data_seed : int
        Units, sequences and the seed of :func:`gradclip.data.adding_problem` (shared).

    Returns
    -------
    measured : numpy.ndarray, shape (S,)
        :func:`measured_factor` of each net.
    steps : numpy.ndarray, shape (S, T - 1)
        Per-step factors ``||dL/dh_t|| / ||dL/dh_{t+1}||``, ``t = 1..T-1``.

    Examples
    --------
    >>> measured, steps = factor_survey(0.9, 100, seeds=range(3))
    >>> measured.shape, steps.shape, bool(np.all(np.abs(measured - 0.9) < 0.01))
    ((3,), (3, 99), True)
    """
    measured_steps(T)
    seeds = [v.non_negative_int(s, "seeds") for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty, got no seed")
    X, y = adding_problem(_size(n, "n"), T, seed=data_seed)
    norms = np.array([RNN(2, hidden, 1, activation, spectral_radius=rho, seed=s).hidden_grad_norms(X, y)
                      for s in seeds])
    with np.errstate(all="ignore"):
        return measured_factor(norms), norms[:, :-1] / norms[:, 1:]


def _mse(err):
    """``0.5 * sum(err**2) / n`` for errors ``(n, O)``: the loss of :class:`RNN`."""
    return float(0.5 * np.sum(err**2) / err.shape[0])


class RNN:
    r"""A one-layer recurrent net read out at the last step.

    .. math::

        h_0 = 0, \qquad h_t = \mathrm{act}(W_{xh} x_t + W_{hh} h_{t-1} + b_h), \qquad
        \hat y = W_{hy} h_T + b_y

    and the loss is ``0.5 * sum((y_hat - y)**2) / n`` over a batch of ``n`` sequences (the
    convention of :class:`~gradclip.nets.MLP`).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        ``I``, ``H`` and ``O``: sizes of ``x_t``, ``h_t`` and the output.
    activation : {"tanh", "sigmoid", "relu", "linear"}
        The recurrent non-linearity (the read-out is linear).
    weight_scale : float
        Positive multiplier of the standard deviations of ``W_xh ~ N(0, weight_scale**2 / I)``
        and ``W_hh ~ N(0, weight_scale**2 / H)``. ``W_hy ~ N(0, 1 / H)``; biases start at 0.
    spectral_radius : float, optional
        When given, the drawn ``W_hh`` is rescaled so that its spectral radius (largest
        ``|eigenvalue|``) is exactly this positive number; ``weight_scale`` then only scales
        ``W_xh``.
    seed : int
        Seed for the weights (drawn in the order ``W_xh, W_hh, W_hy``).

    Attributes
    ----------
    params : list of numpy.ndarray
        ``[W_xh (H, I), W_hh (H, H), b_h (H,), W_hy (O, H), b_y (O,)]`` (PyTorch layout).

    See Also
    --------
    gradclip.nets.MLP : the feed-forward net with the same loss and conventions.
    gradclip.training.train : trains either.
    gradclip.data.adding_problem : a long-range task for this net.

    References
    ----------
    Bengio, Simard & Frasconi (1994); Pascanu, Mikolov & Bengio (2013), see the module.

    Examples
    --------
    >>> net = RNN(2, 8, 1, spectral_radius=0.9, seed=0)
    >>> round(float(np.max(np.abs(np.linalg.eigvals(net.params[1])))), 12)
    0.9
    >>> X = np.ones((4, 10, 2)); y = np.zeros((4, 1))
    >>> loss, grads = net.loss_and_grads(X, y)
    >>> [g.shape for g in grads]
    [(8, 2), (8, 8), (8,), (1, 8), (1,)]
    >>> net.hidden_grad_norms(X, y).shape
    (10,)
    """

    def __init__(self, input_size, hidden_size, output_size, activation="tanh", weight_scale=1.0,
                 spectral_radius=None, seed=0):
        self.input_size = _size(input_size, "input_size")
        self.hidden_size = _size(hidden_size, "hidden_size")
        self.output_size = _size(output_size, "output_size")
        self.activation = check_activation(activation)
        self.weight_scale = v.positive(weight_scale, "weight_scale")
        self.spectral_radius = None if spectral_radius is None else v.positive(spectral_radius, "spectral_radius")
        rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
        I, H, O = self.input_size, self.hidden_size, self.output_size
        W_xh = rng.normal(scale=self.weight_scale / np.sqrt(I), size=(H, I))
        W_hh = rng.normal(scale=self.weight_scale / np.sqrt(H), size=(H, H))
        W_hy = rng.normal(scale=1.0 / np.sqrt(H), size=(O, H))
        if self.spectral_radius is not None:
            W_hh = W_hh * (self.spectral_radius / np.max(np.abs(np.linalg.eigvals(W_hh))))
        self.params = [W_xh, W_hh, np.zeros(H), W_hy, np.zeros(O)]

    # ---- checks

    def _params(self, params):
        if params is None:
            return self.params
        return v.param_list(params, self.params, "[W_xh, W_hh, b_h, W_hy, b_y]")

    def _inputs(self, X, y=None):
        X = v.as_float_array(X, "X")
        if X.ndim != 3 or X.shape[2] != self.input_size or X.shape[1] < 1:
            raise ValueError(f"X must have shape (n, T, {self.input_size}) with T >= 1, got {X.shape}")
        if y is None:
            return X
        y = v.as_float_array(y, "y")
        if y.shape != (X.shape[0], self.output_size):
            raise ValueError(f"y must have shape ({X.shape[0]}, {self.output_size}), got {y.shape}")
        return X, y

    # ---- forward and backward

    def _forward(self, X, params):
        """Time-major hidden states ``(T + 1, n, H)`` (``h_0 = 0`` first) and pre-activations ``(T, n, H)``."""
        W_xh, W_hh, b_h, _, _ = params
        act, _ = ACTIVATIONS[self.activation]
        n, T, _ = X.shape
        hs = np.zeros((T + 1, n, self.hidden_size))
        step = np.empty((n, self.hidden_size))
        W_hh_T = W_hh.T
        with np.errstate(over="ignore", invalid="ignore"):
            zs = X.transpose(1, 0, 2) @ W_xh.T + b_h  # the input part of every step at once
            for t in range(T):
                zs[t] += np.matmul(hs[t], W_hh_T, out=step)
                if isinstance(act, np.ufunc):  # tanh: written in place, the same numbers
                    act(zs[t], out=hs[t + 1])
                else:
                    hs[t + 1] = act(zs[t])
        return hs, zs

    def forward(self, X, params=None):
        """Output ``W_hy h_T + b_y``, shape ``(n, O)``, for sequences ``X`` of shape ``(n, T, I)``."""
        X = self._inputs(X)
        params = self._params(params)
        hs, _ = self._forward(X, params)
        with np.errstate(over="ignore", invalid="ignore"):
            return hs[-1] @ params[3].T + params[4]

    def loss(self, X, y, params=None):
        """The loss ``0.5 * sum((y_hat - y)**2) / n`` of :meth:`loss_and_grads`, from a forward
        pass only (no backpropagation).

        Examples
        --------
        >>> net = RNN(1, 4, 1, seed=0)
        >>> X, y = np.ones((3, 5, 1)), np.zeros((3, 1))
        >>> net.loss(X, y) == net.loss_and_grads(X, y)[0]
        True
        """
        X, y = self._inputs(X, y)
        params = self._params(params)
        hs, _ = self._forward(X, params)
        with np.errstate(over="ignore", invalid="ignore"):
            return _mse(hs[-1] @ params[3].T + params[4] - y)

    def hidden_states(self, X, params=None):
        """Hidden states ``h_0 .. h_T``, shape ``(n, T + 1, H)``; ``h_0 = 0``."""
        X = self._inputs(X)
        return self._forward(X, self._params(params))[0].transpose(1, 0, 2).copy()

    def _backward(self, X, y, params, weight_grads=True):
        """Loss, parameter gradients (None unless ``weight_grads``) and ``dL/dh_t`` (time-major)."""
        X, y = self._inputs(X, y)
        params = self._params(params)
        W_xh, W_hh, _, W_hy, _ = params
        _, slope = ACTIVATIONS[self.activation]
        hs, zs = self._forward(X, params)
        n, T, I = X.shape
        H = self.hidden_size
        dh = np.empty_like(zs)  # dL/dh_t for t = 1..T (index t - 1), time-major
        with np.errstate(over="ignore", invalid="ignore"):
            err = hs[-1] @ W_hy.T + params[4] - y
            loss = _mse(err)
            dout = err / n
            dz = slope(zs, hs[1:])  # act'(z_t), turned into dL/dz_t below
            dh[T - 1] = dout @ W_hy
            for t in range(T - 1, -1, -1):
                dz[t] *= dh[t]
                if t:
                    np.matmul(dz[t], W_hh, out=dh[t - 1])
            if not weight_grads:
                return loss, None, dh
            flat = dz.reshape(T * n, H).T  # sums over steps and sequences as one matrix product
            grads = [flat @ X.transpose(1, 0, 2).reshape(T * n, I), flat @ hs[:-1].reshape(T * n, H),
                     flat.sum(axis=1), dout.T @ hs[-1], dout.sum(axis=0)]
        return loss, grads, dh

    def loss_and_grads(self, X, y, params=None):
        """Loss ``0.5 * sum((y_hat - y)**2) / n`` and its gradients by backpropagation through time.

        Parameters
        ----------
        X : array_like
            Sequences, shape ``(n, T, I)``.
        y : array_like
            Targets, shape ``(n, O)``.
        params : list of array_like, optional
            Parameters to use instead of ``self.params``.

        Returns
        -------
        loss : float
        grads : list of numpy.ndarray
            ``[dW_xh, dW_hh, db_h, dW_hy, db_y]``, in the order of ``params``.
        """
        loss, grads, _ = self._backward(X, y, params)
        return loss, grads

    def hidden_grad_norms(self, X, y, params=None):
        """Norm of the total gradient reaching each hidden state, ``||dL/dh_t||`` for ``t = 1..T``.

        The norm is the Frobenius norm over the batch, ``sqrt(sum_i ||dL/dh_t^(i)||^2)``. It is
        the signal that backpropagation through time carries back from the output: read from
        the last entry to the first, each step multiplies it by ``W_hh^T diag(act'(z_t))``.

        Returns
        -------
        numpy.ndarray
            Shape ``(T,)``, first step first.
        """
        _, _, dh = self._backward(X, y, params, weight_grads=False)
        return v.vector_norm(dh, 2.0, axis=(1, 2))

    def __repr__(self):
        rho = "" if self.spectral_radius is None else f", spectral_radius={self.spectral_radius}"
        return (f"RNN({self.input_size}, {self.hidden_size}, {self.output_size}, activation={self.activation!r}, "
                f"weight_scale={self.weight_scale}{rho})")
