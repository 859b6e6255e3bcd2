"""Gradient clipping: by value, by norm, by global norm, and unit-wise adaptive (AGC).

:func:`agc_clip` is Brock et al.'s adaptive gradient clipping, a bound per unit relative to its
weights; ``adaptive_clip`` is its older name. The clipping rules that adapt a threshold over
time (AutoClip, ZClip) are in :mod:`gradclip.adaptive`.

All functions are pure: they take array-likes, work in float64 and return new arrays.

References
----------
.. [1] R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
   networks", ICML 2013. https://arxiv.org/abs/1211.5063
.. [2] A. Brock, S. De, S. L. Smith, K. Simonyan, "High-Performance Large-Scale Image
   Recognition Without Normalization", ICML 2021. https://arxiv.org/abs/2102.06171
"""

import numpy as np

from . import validation as v
from ._engine import clip_values, norm_scale

__all__ = ["clip_by_value", "clip_by_norm", "clip_by_global_norm", "agc_clip", "adaptive_clip",
           "clip_angle", "clip_factor"]


def clip_factor(norm, max_norm):
    """The factor norm clipping multiplies a gradient by: ``min(1, max_norm / norm)``.

    Parameters
    ----------
    norm : array_like
        Gradient norms (>= 0; NaN stays NaN, a zero norm gives 1).
    max_norm : float or array_like
        Positive thresholds, broadcast against ``norm``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> clip_factor([0.5, 2.0, 8.0], 2.0).tolist()
    [1.0, 1.0, 0.25]
    """
    norm = v.as_float_array(norm, "norm")
    if np.any(norm < 0):
        raise ValueError(f"norm must be >= 0, got {norm.tolist()!r}")
    return norm_scale(norm, v.positive_array(max_norm, "max_norm"))


def clip_by_value(g, threshold):
    """Limit every entry of ``g`` to the box ``[-threshold, threshold]``.

    This is the clipping of the seed article (its section 3.2): each coordinate is clipped on
    its own, so a gradient that sticks out of the box changes DIRECTION as well as length.

    Parameters
    ----------
    g : array_like
        The gradient.
    threshold : float or array_like
        Positive, finite half-width of the box. An array broadcasts against ``g`` (one
        threshold per configuration in a batched sweep).

    Returns
    -------
    numpy.ndarray
        A new float64 array with ``|entry| <= threshold``. NaN entries stay NaN.

    Examples
    --------
    >>> clip_by_value([3.0, -0.5, -7.0], 1.0)
    array([ 1. , -0.5, -1. ])
    """
    g = v.as_float_array(g, "g")
    t = v.positive_array(threshold, "threshold")
    return clip_values(g, t)


def clip_angle(g, threshold):
    r"""Angle in degrees between ``g`` and ``clip_by_value(g, threshold)``.

    .. math::

        \angle(g, c) = \arccos \frac{g \cdot c}{\lVert g \rVert \, \lVert c \rVert},
        \qquad c = \operatorname{clip}(g, -t, t)

    Value clipping turns a gradient that sticks out of the box ``[-t, t]^d``; norm clipping
    never does (its angle is always 0). The angle is 0 when no entry exceeds the threshold
    or when all entries are clipped by the same factor.

    Parameters
    ----------
    g : array_like
        The gradient (any shape; treated as one vector).
    threshold : float
        Positive half-width ``t`` of the box.

    Returns
    -------
    float
        The angle in degrees, in ``[0, 90)``; 0 for a zero gradient.

    See Also
    --------
    clip_by_value : the clipping whose turn this measures.
    clip_by_norm : keeps the direction.

    Examples
    --------
    >>> round(clip_angle([3.0, 1.0], 1.0), 2)     # (3, 1) -> (1, 1): 45 - atan(1/3) degrees
    26.57
    >>> round(clip_angle([3.0, 4.0], 1.0), 2)     # (3, 4) -> (1, 1)
    8.13
    >>> clip_angle([0.5, -0.2], 1.0)              # inside the box: unchanged
    0.0
    """
    g = v.as_float_array(g, "g")
    c = clip_by_value(g, threshold)
    ng, nc = np.linalg.norm(g), np.linalg.norm(c)
    if ng == 0:
        return 0.0
    cos = float(np.clip(g @ c / (ng * nc), -1.0, 1.0))
    return float(np.degrees(np.arccos(cos)))


def clip_by_norm(g, max_norm, norm_type=2, axis=None):
    """Rescale ``g`` so that its norm is at most ``max_norm``: ``g * min(1, max_norm / ||g||)``.

    Norm clipping (Pascanu et al. 2013, Algorithm 1) shortens a long gradient but keeps its
    direction. A zero gradient stays zero; the formula is exact, with no ``1e-6`` term.

    Libraries differ in small ways:

    * PyTorch ``torch.nn.utils.clip_grad_norm_`` multiplies by
      ``min(1, max_norm / (norm + 1e-6))``, so a clipped norm lands a hair below ``max_norm``
      (and a gradient whose norm is within about 1e-6 of ``max_norm`` is shrunk slightly).
    * TensorFlow ``tf.clip_by_norm`` computes ``g * max_norm / max(norm, max_norm)``, which is
      the same as here up to rounding.

    Parameters
    ----------
    g : array_like
        The gradient.
    max_norm : float or array_like
        Positive, finite bound on the norm. With ``axis`` set, an array broadcasts against the
        norms (one bound per row in a batched sweep).
    norm_type : {1, 2, np.inf}
        Which vector norm to bound.
    axis : int or tuple of int, optional
        Axes that form one vector. ``None`` (default) treats the whole array as one vector.

    Returns
    -------
    numpy.ndarray
        A new float64 array of the shape of ``g``. If the norm is not finite the result is all
        NaN, as TensorFlow's ``clip_by_global_norm`` gives. PyTorch differs: for an infinite
        norm its coefficient ``max_norm / (inf + 1e-6)`` is 0, so finite entries become 0 and
        infinite ones NaN (``0 * inf``); a NaN norm gives NaN everywhere. Use
        :func:`clip_by_global_norm` with ``error_if_nonfinite=True`` to raise instead.

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", ICML. https://arxiv.org/abs/1211.5063

    Examples
    --------
    >>> clip_by_norm([3.0, 4.0], 1.0)
    array([0.6, 0.8])
    >>> clip_by_norm([0.3, 0.4], 1.0)
    array([0.3, 0.4])
    """
    g = v.as_float_array(g, "g")
    m = v.positive_array(max_norm, "max_norm")
    order = v.norm_type(norm_type)
    if axis is None and m.ndim != 0:
        raise ValueError(f"max_norm must be a single number when axis is None, got {max_norm!r}")
    norm = v.vector_norm(g, order, axis=axis, keepdims=True)
    if axis is not None and m.ndim:
        m = np.expand_dims(m, axis) if np.ndim(axis) == 0 and m.ndim < g.ndim else m
    with np.errstate(invalid="ignore", over="ignore"):
        out = g * norm_scale(norm, m)
    return np.where(np.isfinite(norm), out, np.nan)


def clip_by_global_norm(grads, max_norm, norm_type=2, error_if_nonfinite=False):
    """Clip several gradient arrays together by their joint norm.

    The total norm is the norm of all entries of all arrays taken as one vector. When it
    exceeds ``max_norm`` every array is multiplied by the same factor ``max_norm / total``,
    so the update keeps its direction in the full parameter space. This is what PyTorch
    ``clip_grad_norm_`` (over ``model.parameters()``), TensorFlow ``tf.clip_by_global_norm``,
    Keras ``global_clipnorm`` and optax ``clip_by_global_norm`` do (PyTorch adds 1e-6 to the
    denominator).

    Parameters
    ----------
    grads : list or tuple of array_like
        The gradients of the parameter groups; scalars are allowed.
    max_norm : float
        Positive, finite bound on the total norm.
    norm_type : {1, 2, np.inf}
        Which norm to use for the total.
    error_if_nonfinite : bool
        If True, raise ``ValueError`` when the total norm is NaN or infinite.

    Returns
    -------
    clipped : list of numpy.ndarray
        New arrays, one per input, in the input shapes.
    total_norm : float
        The total norm BEFORE clipping.

    References
    ----------
    Pascanu, Mikolov & Bengio (2013). https://arxiv.org/abs/1211.5063

    Examples
    --------
    >>> clipped, total = clip_by_global_norm([[3.0], 4.0], 1.0)
    >>> total
    5.0
    >>> [c.round(12).tolist() for c in clipped]
    [[0.6], 0.8]
    """
    if not isinstance(grads, (list, tuple)):
        raise ValueError(f"grads must be a list or tuple of arrays, got {type(grads).__name__}")
    arrays = [v.as_float_array(g, f"grads[{i}]") for i, g in enumerate(grads)]
    m = v.positive(max_norm, "max_norm")
    order = v.norm_type(norm_type)
    if not arrays:
        return [], 0.0
    norms = np.array([v.vector_norm(a, order) for a in arrays])
    total = float(v.vector_norm(norms, order))
    if not np.isfinite(total):
        if error_if_nonfinite:
            raise ValueError(f"the total norm of grads is {total}; cannot clip a non-finite gradient")
        return [np.full_like(a, np.nan) for a in arrays], total
    scale = m / total if total > m else 1.0
    return [a * scale for a in arrays], total


def agc_clip(grads, params, clipping=0.01, eps=1e-3):
    """Adaptive gradient clipping (AGC, Brock et al. 2021), unit-wise; also ``adaptive_clip``.

    Each unit's gradient is rescaled to ``clipping * max(||w||, eps)`` when its norm exceeds
    that bound, where ``w`` is the unit's weights. The layout follows PyTorch: a weight of
    ``ndim >= 2`` has shape ``(out_features, in_features, ...)`` and each slice along the first
    axis (one output unit, a ROW of a matrix) is a unit, its norm taken over all other axes;
    a 1-D array (a bias) or a scalar is one unit.

    Parameters
    ----------
    grads : list or tuple of array_like
        Gradients, one per parameter array.
    params : list or tuple of array_like
        The parameters, same length and shapes as ``grads``.
    clipping : float
        Positive ratio of gradient norm to weight norm allowed per unit (0.01 in the paper for
        large batches).
    eps : float
        Positive floor on the weight norm, so zero-initialised units can still move.

    Returns
    -------
    list of numpy.ndarray
        New clipped gradients, in the input shapes.

    References
    ----------
    Brock, De, Smith & Simonyan (2021), "High-Performance Large-Scale Image Recognition Without
    Normalization", ICML. https://arxiv.org/abs/2102.06171

    Examples
    --------
    >>> out = agc_clip([[[3.0, 4.0], [0.01, 0.0]]], [[[1.0, 0.0], [1.0, 0.0]]], clipping=0.1)
    >>> out[0].round(3).tolist()
    [[0.06, 0.08], [0.01, 0.0]]
    """
    for name, seq in (("grads", grads), ("params", params)):
        if not isinstance(seq, (list, tuple)):
            raise ValueError(f"{name} must be a list or tuple of arrays, got {type(seq).__name__}")
    if len(grads) != len(params):
        raise ValueError(f"grads and params must have the same length, got {len(grads)} and {len(params)}")
    c = v.positive(clipping, "clipping")
    e = v.positive(eps, "eps")
    out = []
    for i, (g, w) in enumerate(zip(grads, params)):
        g = v.as_float_array(g, f"grads[{i}]")
        w = v.as_float_array(w, f"params[{i}]")
        if g.shape != w.shape:
            raise ValueError(f"grads[{i}] has shape {g.shape} but params[{i}] has shape {w.shape}")
        axes = tuple(range(1, g.ndim)) if g.ndim >= 2 else None
        g_norm = v.vector_norm(g, 2.0, axis=axes, keepdims=True)
        w_norm = v.vector_norm(w, 2.0, axis=axes, keepdims=True)
        bound = c * np.maximum(w_norm, e)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = g * (bound / np.where(g_norm > 0, g_norm, 1.0))
        out.append(np.where(g_norm > bound, scaled, g))
    return out


#: The older name of :func:`agc_clip` (the same function). "Adaptive" here means relative to
#: each unit's weights; the thresholds that adapt over time are in :mod:`gradclip.adaptive`.
adaptive_clip = agc_clip
