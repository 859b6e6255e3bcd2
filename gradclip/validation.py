"""Argument checks shared by the public functions of every layer.

Each raises ``ValueError`` naming the argument and the value received.
"""

import numbers

import numpy as np


def as_float_array(value, name):
    """Return a new float64 array from an array-like, or raise ValueError naming ``name``."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a numeric array-like, got {value!r}") from None
    return arr


def positive(value, name):
    """Check that ``value`` is one positive, finite number and return it as float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 0 or not np.isfinite(arr) or arr <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return float(arr)


def positive_array(value, name):
    """Check that every entry of an array-like is positive and finite; return a float64 array."""
    if isinstance(value, (bool, np.bool_)) or np.asarray(value).dtype == bool:
        raise ValueError(f"{name} must hold positive finite numbers, got {value!r}")
    arr = as_float_array(value, name)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty, got {value!r}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise ValueError(f"{name} must hold positive finite numbers, got {value!r}")
    return arr


def non_negative_int(value, name):
    """Check that ``value`` is an integer >= 0 and return it as int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    return int(value)


def positive_int(value, name):
    """Check that ``value`` is an integer >= 1 and return it as int."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def norm_type(value):
    """Check ``norm_type`` is 1, 2 or inf and return it as a float."""
    if isinstance(value, str) and value.lower() == "inf":
        return np.inf
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(f"norm_type must be 1, 2 or np.inf, got {value!r}")
    if float(value) not in (1.0, 2.0, np.inf):
        raise ValueError(f"norm_type must be 1, 2 or np.inf, got {value!r}")
    return float(value)


def vector_norm(a, order=2.0, axis=None, keepdims=False):
    """Overflow-safe vector norm of ``a`` over ``axis`` (all axes when None).

    The 2-norm is ``sqrt(sum(a**2))`` where that is safe; where the squares overflow (a norm
    above about 1e154) or may underflow (below 1e-150) it is computed as
    ``s * sqrt(sum((a / s)**2))`` with ``s`` the largest magnitude, so gradients of size 1e200
    do not overflow to inf and tiny ones do not round to 0.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.size == 0:
        shape = np.sum(a, axis=axis, keepdims=keepdims).shape
        return np.zeros(shape)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore", under="ignore"):
        if order == np.inf:
            return np.max(np.abs(a), axis=axis, keepdims=keepdims)
        if order == 1.0:
            return np.sum(np.abs(a), axis=axis, keepdims=keepdims)
        out = np.sqrt(np.sum(a * a, axis=axis, keepdims=True))
        bad = ~(out < 1e154) | (out < 1e-150)  # overflow, NaN, or squares that may underflow
        if bad.any():
            mag = np.abs(a)
            scale = np.max(mag, axis=axis, keepdims=True)
            safe = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
            scaled = scale * np.sqrt(np.sum((mag / safe) ** 2, axis=axis, keepdims=True))
            scaled = np.where(np.isinf(scale), np.inf, scaled)
            out = np.where(bad, scaled, out)
    if not keepdims:
        out = np.squeeze(out, axis=axis) if axis is not None else out.reshape(())
    return out


def vector_norms(arrays, order=2.0):
    """``[vector_norm(a, order) for a in arrays]`` as an array: the arrays of one shape are
    stacked and normed in one call (the same values: each is reduced alone, in its own order).

    Examples
    --------
    >>> vector_norms([np.ones((2, 2)), np.array([3.0, 4.0]), np.zeros((2, 2))]).tolist()
    [2.0, 5.0, 0.0]
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    out = np.empty(len(arrays))
    shapes = [a.shape for a in arrays]
    for shape in dict.fromkeys(shapes):
        idx = [i for i, s in enumerate(shapes) if s == shape]
        if len(idx) == 1 or 0 in shape:
            out[idx] = [vector_norm(arrays[i], order) for i in idx]
        else:
            out[idx] = vector_norm(np.stack([arrays[i] for i in idx]).reshape(len(idx), -1), order, axis=1)
    return out


def param_list(params, reference, layout=""):
    """``params`` as float arrays shaped like ``reference`` (a network's own parameter list).

    ``layout`` names the arrays in the message (e.g. ``"[W_xh, W_hh, b_h, W_hy, b_y]"``).
    """
    if not isinstance(params, (list, tuple)) or len(params) != len(reference):
        raise ValueError(f"params must be a list of {len(reference)} arrays {layout}".rstrip()
                         + f", got {type(params).__name__}")
    out = []
    for i, (p, ref) in enumerate(zip(params, reference)):
        p = as_float_array(p, f"params[{i}]")
        if p.shape != ref.shape:
            raise ValueError(f"params[{i}] must have shape {ref.shape}, got {p.shape}")
        out.append(p)
    return out
