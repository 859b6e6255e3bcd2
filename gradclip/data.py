"""Data sets and task generators: the demo regression and the long-range tasks.

Every generator takes a ``seed`` and draws from ``numpy.random.default_rng(seed)``, so two
calls with the same arguments return the same arrays.
"""

import numpy as np

from . import validation as v
from .problems import LinearRegression

__all__ = ["adding_problem", "demo_regression"]


def demo_regression(seed=0, m=100):
    """The article-style regression data: ``y = 4 + 3 x + noise``, ``x ~ U(0, 2)``.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; ``x`` is drawn first, then the N(0, 1) noise.
    m : int
        Number of samples (at least 2).

    Returns
    -------
    problem : LinearRegression
        Mean-squared-error regression with a bias column: design ``[1, x]``.
    theta0 : ndarray
        The start ``(0, 0)``.

    Examples
    --------
    >>> problem, theta0 = demo_regression()
    >>> problem.solution().round(2)
    array([3.99, 2.93])
    >>> float(round(problem.max_stable_lr(), 4))
    0.8271
    """
    seed = v.non_negative_int(seed, "seed")
    m = v.non_negative_int(m, "m")
    if m < 2:
        raise ValueError(f"m must be at least 2, got {m!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, m)
    y = 4 + 3 * x + rng.normal(0, 1, m)
    return LinearRegression(np.column_stack([np.ones(m), x]), y), np.zeros(2)


def adding_problem(n, T, seed=0):
    """The adding problem: remember two marked numbers in a long sequence and add them.

    Each of the ``n`` sequences has ``T`` steps of two channels. Channel 0 holds numbers drawn
    from ``U(0, 1)``; channel 1 is 0 except for exactly two 1-markers, one at a position drawn
    uniformly from the first half (steps ``0 .. T//2 - 1``) and one from the second half
    (steps ``T//2 .. T - 1``). The target is the sum of the two marked numbers, so the first
    marked number has to be carried across about ``T / 2`` steps.

    This is the usual formulation of the task (Le, Jaitly & Hinton 2015; Arjovsky, Shah &
    Bengio 2016). The original of Hochreiter & Schmidhuber (1997) differs in details: values
    in ``[-1, 1]``, other rules for the marker positions and a rescaled target.

    Predicting the constant 1 gives a mean squared error of ``Var(u_1 + u_2) = 1/6``, i.e. a
    loss of ``1/12 = 0.083`` in the ``0.5 * mean`` convention of :class:`~gradclip.nets.MLP`
    and :class:`~gradclip.rnn.RNN`: a model has learned something only below that.

    Parameters
    ----------
    n : int
        Number of sequences (at least 1).
    T : int
        Sequence length (at least 2).
    seed : int
        Seed of ``numpy.random.default_rng``; values are drawn first, then the first-half and
        the second-half marker positions.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, T, 2)``.
    y : numpy.ndarray
        Shape ``(n, 1)``: the sum of the two marked values.

    References
    ----------
    .. [1] S. Hochreiter, J. Schmidhuber, "Long short-term memory", Neural Computation 9(8),
       1997.
    .. [2] Q. V. Le, N. Jaitly, G. E. Hinton, "A simple way to initialize recurrent networks of
       rectified linear units", 2015. https://arxiv.org/abs/1504.00941
    .. [3] M. Arjovsky, A. Shah, Y. Bengio, "Unitary evolution recurrent neural networks",
       ICML 2016. https://arxiv.org/abs/1511.06464

    Examples
    --------
    >>> X, y = adding_problem(3, 10, seed=0)
    >>> X.shape, y.shape
    ((3, 10, 2), (3, 1))
    >>> X[:, :, 1].sum(axis=1).tolist()
    [2.0, 2.0, 2.0]
    >>> bool(np.allclose(y[:, 0], (X[:, :, 0] * X[:, :, 1]).sum(axis=1)))
    True
    """
    n = v.non_negative_int(n, "n")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n!r}")
    T = v.non_negative_int(T, "T")
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T!r}")
    rng = np.random.default_rng(v.non_negative_int(seed, "seed"))
    values = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    rows = np.arange(n)
    markers = np.zeros((n, T))
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = (values[rows, first] + values[rows, second])[:, None]
    return np.stack([values, markers], axis=-1), y
