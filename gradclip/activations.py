"""Activation functions of the tiny networks: value, slope, and when a unit counts as saturated.

One table serves :class:`~gradclip.nets.MLP` and :class:`~gradclip.rnn.RNN`. Each entry holds
``act(z)`` and ``slope(z, a)``, the derivative written with the already computed ``a = act(z)``
(``1 - a**2`` for tanh, ``a (1 - a)`` for the sigmoid), as backpropagation uses it.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "check_activation", "saturated", "gaussian_moments"]


def _sigmoid(z):
    # 0.5 (1 + tanh(z / 2)) equals 1 / (1 + exp(-z)) and never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * z))


ACTIVATIONS = {
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a**2),
    "sigmoid": (_sigmoid, lambda z, a: a * (1.0 - a)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64)),
}
"""Name -> ``(act, slope)``: ``act(z)`` and its derivative ``slope(z, act(z))``."""


def check_activation(activation):
    """Return ``activation`` if it names an entry of :data:`ACTIVATIONS`, else raise ValueError.

    Examples
    --------
    >>> check_activation("tanh")
    'tanh'
    """
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    return activation


def saturated(activation, a):
    """Boolean mask of saturated outputs ``a`` of one activation, elementwise.

    A unit is saturated where its slope has all but vanished, so backpropagation through it
    passes almost nothing:

    * tanh: ``|a| > 0.97`` (slope ``1 - a**2 < 0.059``);
    * sigmoid: ``a < 0.03`` or ``a > 0.97`` (slope ``< 0.029``);
    * relu: ``a == 0`` (slope exactly 0; a unit that is 0 for every sample is *dead*);
    * linear: never.

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu", "linear"}
    a : array_like
        Outputs of that activation.

    Returns
    -------
    numpy.ndarray of bool
        Same shape as ``a``; NaN entries count as not saturated.

    Examples
    --------
    >>> saturated("tanh", [0.5, -0.99, 0.98]).tolist()
    [False, True, True]
    >>> saturated("relu", [0.0, 2.0]).tolist()
    [True, False]
    """
    check_activation(activation)
    a = np.asarray(a, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if activation == "tanh":
            return np.abs(a) > 0.97
        if activation == "sigmoid":
            return (a < 0.03) | (a > 0.97)
        if activation == "relu":
            return a == 0.0
    return np.zeros(a.shape, dtype=bool)


# E[f(xi)] for xi ~ N(0, 1) and a smooth f: the trapezoidal rule on [-10, 10], whose error falls
# exponentially with the ratio of f's distance to its nearest pole (tanh's at i pi / 2) to the step
_NODES = np.linspace(-10.0, 10.0, 4001)
_WEIGHTS = np.exp(-0.5 * _NODES**2) * (_NODES[1] - _NODES[0]) / np.sqrt(2.0 * np.pi)


def gaussian_moments(activation, q):
    """``E[act(z)**2]`` and ``E[act'(z)**2]`` for a pre-activation ``z ~ N(0, q)``.

    The two averages of the variance argument for a deep net at initialisation: the first
    carries the size of the signal forward (the next layer's pre-activations have variance
    ``n Var(w) E[act(z)**2]``), the second is the activation's share of the factor by which a
    layer passes the gradient back, ``sqrt(n Var(w) E[act'(z)**2])``.

    Closed forms for ``relu`` (``q / 2`` and ``1 / 2``) and ``linear`` (``q`` and ``1``);
    the trapezoidal rule over ``z / sqrt(q)`` in ``[-10, 10]`` (4001 nodes) for the smooth
    ``tanh`` and ``sigmoid`` (relative error below ``1e-9`` for ``q <= 100``).

    Parameters
    ----------
    activation : {"tanh", "sigmoid", "relu", "linear"}
    q : float or array_like
        Variance of the pre-activation, ``>= 0`` (0: ``z = 0`` exactly).

    Returns
    -------
    act_sq, slope_sq : numpy.ndarray
        ``E[act(z)**2]`` and ``E[act'(z)**2]``, each of the shape of ``q``.

    Examples
    --------
    >>> [float(m) for m in gaussian_moments("relu", 2.0)]
    [1.0, 0.5]
    >>> [round(float(m), 4) for m in gaussian_moments("sigmoid", 0.0)]   # sigma(0)^2, sigma'(0)^2
    [0.25, 0.0625]
    """
    check_activation(activation)
    q = np.asarray(q, dtype=np.float64)
    if not np.all(np.isfinite(q)) or np.any(q < 0):
        raise ValueError(f"q must be finite and >= 0, got {q!r}")
    if activation == "relu":
        return q / 2.0, np.full(q.shape, 0.5)
    if activation == "linear":
        return q.copy(), np.ones(q.shape)
    act, slope = ACTIVATIONS[activation]
    z = np.sqrt(q)[..., None] * _NODES
    a = act(z)
    return (a**2) @ _WEIGHTS, slope(z, a) ** 2 @ _WEIGHTS
