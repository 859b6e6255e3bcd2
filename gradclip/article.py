"""The seed article's two functions, with its signatures and its numbers, but pure.

The article's ``gradient_descent`` and ``gradient_clipping`` subtract in place
(``theta -= alpha * gradient``) and so change the caller's array; these return a new array.
Use :func:`gradclip.run` for everything else (divergence steps, norm clipping, batches).
"""

import numpy as np

from . import validation as v
from .clipping import clip_by_value

__all__ = ["gradient_descent", "gradient_clipping"]


def _article_inputs(X, y, theta, alpha, iterations):
    X = v.as_float_array(X, "X")
    y = v.as_float_array(y, "y")
    theta_arr = v.as_float_array(theta, "theta")
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (m, d), got shape {X.shape}")
    y_flat = y.reshape(-1) if (y.ndim == 2 and y.shape[1] == 1) or y.ndim == 1 else None
    if y_flat is None or y_flat.shape[0] != X.shape[0]:
        raise ValueError(f"X and y must have the same number of rows: X has {X.shape[0]}, y has shape {y.shape}")
    if theta_arr.size != X.shape[1] or theta_arr.ndim > 2 or (theta_arr.ndim == 2 and theta_arr.shape[1] != 1):
        raise ValueError(f"theta must have {X.shape[1]} entries (one per column of X), got shape {theta_arr.shape}")
    if theta_arr.ndim == 2 and y.ndim == 1 or theta_arr.ndim == 1 and y.ndim == 2:
        raise ValueError(f"theta {theta_arr.shape} and y {y.shape} must both be vectors or both be columns")
    alpha = v.positive(alpha, "alpha")
    iterations = v.non_negative_int(iterations, "iterations")
    return X, y_flat, theta_arr.reshape(-1), theta_arr.shape, alpha, iterations


def gradient_descent(X, y, theta, alpha, iterations):
    """The seed article's gradient descent , without mutating ``theta``.

    Repeats ``theta <- theta - alpha * X^T (X theta - y) / m``. Same signature and the same
    numbers as the article's code; the article's version subtracts in place and so changes the
    caller's array, this one returns a new array.

    Returns
    -------
    numpy.ndarray
        The final ``theta`` in the shape of the input. If the iteration diverges its entries
        are inf or NaN (no warning is raised); use :func:`~gradclip.run` to get the divergence step.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> gradient_descent(X, y, np.zeros(2), 0.1, 2000).round(6).tolist()
    [1.0, 2.0]
    """
    X, y, theta, shape, alpha, iterations = _article_inputs(X, y, theta, alpha, iterations)
    m = len(y)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
            theta = theta - alpha * gradient
    return theta.reshape(shape)


def gradient_clipping(X, y, theta, alpha, iterations, clip_threshold):
    """The seed article's gradient descent with value clipping.

    Each step clips every gradient entry to ``[-clip_threshold, clip_threshold]`` and updates
    with the CLIPPED gradient, as the article's code does (the article's prose for the update step writes the raw
    gradient, which would make the clipping a no-op). ``theta`` is not modified.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> gradient_clipping(X, y, np.zeros(2), 0.1, 1, 0.5).tolist()
    [0.05, 0.05]
    """
    X, y, theta, shape, alpha, iterations = _article_inputs(X, y, theta, alpha, iterations)
    c = v.positive(clip_threshold, "clip_threshold")
    m = len(y)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
            theta = theta - alpha * clip_by_value(gradient, c)
    return theta.reshape(shape)
