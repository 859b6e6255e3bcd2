"""Activation functions of the tiny networks: value, slope, and when a unit counts as saturated.

One table serves :class:`~gradclip.nets.MLP` and :class:`~gradclip.rnn.RNN`. Each entry holds
``act(z)`` and ``slope(z, a)``, the derivative written with the already computed ``a = act(z)``
(``1 - a**2`` for tanh, ``a (1 - a)`` for the sigmoid), as backpropagation uses it.
"""

import numpy as np

__all__ = ["ACTIVATIONS", "check_activation", "saturated"]


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
