"""Data sets and task generators: the demo regression and the long-range tasks.

Every generator takes a ``seed`` and draws from ``numpy.random.default_rng(seed)``, so two
calls with the same arguments return the same arrays.
"""

import numpy as np

from . import _validate as v
from .problems import LinearRegression

__all__ = ["demo_regression"]


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
