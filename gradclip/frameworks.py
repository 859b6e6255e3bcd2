"""The clipping conventions of PyTorch, TensorFlow, Keras, optax and timm, in numpy.

Each function follows the library's source formula by formula (order of operations, epsilons,
non-finite cases), so its output can be compared with gradclip's own functions. They are pure:
new arrays are returned where the libraries modify gradients in place. Versions read:

* PyTorch 2.13.0, ``torch/nn/utils/clip_grad.py``;
* TensorFlow 2.21.0, ``tensorflow/python/ops/clip_ops.py``;
* Keras 3.15.1, ``keras/src/optimizers/base_optimizer.py``;
* optax 0.2.8, ``optax/transforms/_clipping.py`` and ``optax/tree_utils/_tree_math.py``;
* timm 1.0.31, ``timm/utils/agc.py``.

Differences worth knowing (all checked in ``tests/test_frameworks.py``):

* PyTorch divides by ``total_norm + 1e-6`` and always multiplies (by 1.0 when not clipped). Its
  norms are computed without rescaling, so entries above about 1e154 square to inf (except in a
  tensor of one entry, whose norm is ``|x|``): the total is inf and the coefficient 0 ZEROES a
  large but finite gradient. An infinite entry gives a
  coefficient 0 (finite entries become 0, infinite ones NaN); a NaN gives NaN everywhere.
* TensorFlow and Keras multiply by ``clip_norm * min(1 / norm, 1 / clip_norm)``: below the
  threshold the factor is ``clip_norm * (1 / clip_norm)``, which is not exactly 1 for some
  thresholds (0.09: ``1 - 2**-53``). A non-finite global norm gives NaN everywhere.
* optax keeps the gradient when ``norm < max_norm`` and otherwise computes
  ``(g / norm) * max_norm`` (no epsilon): at ``norm == max_norm`` it rescales.
* Unit-wise (AGC) norms: optax assumes the JAX layout, a Dense kernel ``(in, out)``, and sums
  over axis 0 for 2-D and 3-D arrays (a unit is a COLUMN, one output), over axes (0, 1, 2) for
  4-D ``HWIO`` kernels and (0, 1, 2, 3) for 5-D; an array that is a vector after ``squeeze``
  (e.g. ``(1, n)`` or ``(n, 1)``) is ONE unit. timm assumes the PyTorch layout ``(out, in, ...)``:
  a unit is a slice along axis 0 (a ROW), its norm over all other axes; 0-D and 1-D arrays are
  one unit. Both clip when ``not g_norm < max_norm`` and divide by ``max(g_norm, 1e-6)``.
  :func:`gradclip.adaptive_clip` follows timm's layout.
"""

import numpy as np

from . import validation as v

__all__ = ["torch_clip_grad_norm_", "torch_clip_grad_value_", "tf_clip_by_global_norm",
           "tf_clip_by_norm", "keras_clip_gradients", "optax_clip_by_global_norm",
           "optax_adaptive_grad_clip", "timm_adaptive_clip_grad"]


def _arrays(grads, name="grads", allow_none=True):
    """A list of float64 arrays (None kept where allowed) from a list/tuple."""
    if not isinstance(grads, (list, tuple)):
        raise ValueError(f"{name} must be a list or tuple of arrays, got {type(grads).__name__}")
    out = []
    for i, g in enumerate(grads):
        if g is None and allow_none:
            out.append(None)
        else:
            out.append(v.as_float_array(g, f"{name}[{i}]"))
    return out


def _torch_norm(a, p):
    """``torch.linalg.vector_norm``: no rescaling, so squares overflow as in PyTorch; like
    PyTorch it returns ``|x|`` for a single entry (checked against 2.13.0)."""
    a = np.abs(a)
    if a.size <= 1:
        return np.float64(a.ravel()[0]) if a.size else np.float64(0.0)
    if p == np.inf:
        return np.max(a)
    if p == 1.0:
        return np.sum(a)
    return np.sqrt(np.sum(a * a))


def torch_clip_grad_norm_(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """``torch.nn.utils.clip_grad_norm_`` (PyTorch 2.13.0).

    ``total = ||(||g_1||, ..., ||g_n||)||``; every gradient is multiplied by
    ``min(max_norm / (total + 1e-6), 1)`` (NaN stays NaN through the clamp).

    Parameters
    ----------
    grads : array_like or list of (array_like or None)
        The gradients (``p.grad`` of each parameter); one array is accepted, as in PyTorch.
        None entries (parameters without a gradient) are skipped and returned as None.
    max_norm : float
    norm_type : {1, 2, np.inf}
    error_if_nonfinite : bool
        Raise when the total is NaN or infinite (PyTorch raises RuntimeError; here ValueError).

    Returns
    -------
    clipped : numpy.ndarray or list
        In the form of ``grads``.
    total_norm : float
        The total norm before clipping (0.0 for no gradients).

    Examples
    --------
    >>> clipped, total = torch_clip_grad_norm_([[3.0, 4.0]], 1.0)
    >>> total, clipped[0].tolist()
    (5.0, [0.599999880000024, 0.799999840000032])
    >>> torch_clip_grad_norm_([[np.inf, 1.0], [2.0]], 1.0)[0]
    [array([nan,  0.]), array([0.])]
    """
    single = isinstance(grads, np.ndarray)
    arrays = _arrays([grads] if single else grads)
    m = v.positive(max_norm, "max_norm")
    p = v.norm_type(norm_type)
    present = [a for a in arrays if a is not None]
    if not present:
        return (arrays[0] if single else arrays), 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        total = _torch_norm(np.array([_torch_norm(a, p) for a in present]), p)
        if error_if_nonfinite and not np.isfinite(total):
            raise ValueError(f"the total norm of order {p} of grads is {total}, so it cannot be clipped")
        coef = m / (total + 1e-6)
        coef = coef if np.isnan(coef) else min(coef, 1.0)
        out = [None if a is None else a * coef for a in arrays]
    return (out[0] if single else out), float(total)


def torch_clip_grad_value_(grads, clip_value):
    """``torch.nn.utils.clip_grad_value_`` (PyTorch 2.13.0): ``clamp_min(-c)`` then
    ``clamp_max(c)`` on every gradient; NaN stays NaN. PyTorch does not check the sign of
    ``clip_value``; here it must be positive.

    Examples
    --------
    >>> torch_clip_grad_value_(np.array([np.nan, -5.0, 0.5, np.inf]), 1.0).tolist()
    [nan, -1.0, 0.5, 1.0]
    """
    single = isinstance(grads, np.ndarray)
    arrays = _arrays([grads] if single else grads)
    c = v.positive(clip_value, "clip_value")
    out = [None if a is None else np.minimum(np.maximum(a, -c), c) for a in arrays]
    return out[0] if single else out


def _tf_scale(use_norm, clip_norm):
    """TF's and Keras' factor ``clip_norm * min(1 / norm, 1 / clip_norm) + (norm - norm)``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return clip_norm * np.minimum(1.0 / use_norm, 1.0 / clip_norm) + (use_norm - use_norm)


def tf_clip_by_global_norm(t_list, clip_norm, use_norm=None):
    """``tf.clip_by_global_norm`` (TensorFlow 2.21.0): ``t * clip_norm / max(global_norm, clip_norm)``.

    ``global_norm = sqrt(2 * sum_i l2_loss(t_i))`` with ``l2_loss(t) = sum(t**2) / 2`` (no
    rescaling; None entries are ignored). Each tensor is multiplied by
    ``clip_norm * min(1 / global_norm, 1 / clip_norm)``; a non-finite global norm makes that
    factor NaN, so every entry becomes NaN. No epsilon.

    Returns
    -------
    list_clipped : list
        The clipped tensors (None kept).
    global_norm : float

    Examples
    --------
    >>> clipped, norm = tf_clip_by_global_norm([[3.0], [4.0], None], 1.0)
    >>> [None if c is None else c.round(12).tolist() for c in clipped], norm
    ([[0.6], [0.8], None], 5.0)
    """
    arrays = _arrays(t_list, "t_list")
    c = v.positive(clip_norm, "clip_norm")
    with np.errstate(over="ignore", invalid="ignore"):
        if use_norm is None:
            half = np.array([np.sum(a * a) / 2.0 for a in arrays if a is not None])
            use_norm = np.sqrt(np.sum(half) * 2.0)
        use_norm = np.float64(use_norm)
        scale = _tf_scale(use_norm, c)
        return [None if a is None else a * scale for a in arrays], float(use_norm)


def _keras_clip_by_norm(values, clip_norm, axes=None):
    """The clip_by_norm of TF and of Keras' ``clipnorm``: ``t * c / max(norm, c)``."""
    with np.errstate(over="ignore", invalid="ignore"):
        l2sum = np.sum(values * values, axis=axes, keepdims=True)
        l2norm = np.where(l2sum > 0, np.sqrt(np.where(l2sum > 0, l2sum, 1.0)), l2sum)
        return (values * clip_norm) / np.maximum(l2norm, clip_norm)


def tf_clip_by_norm(t, clip_norm, axes=None):
    """``tf.clip_by_norm`` (TensorFlow 2.21.0): ``t * clip_norm / max(l2norm(t), clip_norm)``.

    One tensor, its own norm (over ``axes``, all by default). Computed as written, the
    unclipped case is ``(t * c) / c``, exact up to rounding. An infinite norm gives 0 for finite
    entries and NaN for infinite ones; a NaN norm gives NaN (``np.maximum`` propagates NaN).

    Examples
    --------
    >>> tf_clip_by_norm([3.0, 4.0], 1.0).round(12).tolist()
    [0.6, 0.8]
    >>> tf_clip_by_norm([[3.0, 4.0], [0.3, 0.4]], 1.0, axes=1).round(12).tolist()
    [[0.6, 0.8], [0.3, 0.4]]
    """
    values = v.as_float_array(t, "t")
    return _keras_clip_by_norm(values, v.positive(clip_norm, "clip_norm"), axes)


def keras_clip_gradients(grads, clipnorm=None, global_clipnorm=None, clipvalue=None):
    """What a Keras 3 optimizer does to its gradients (``BaseOptimizer._clip_gradients``).

    * ``clipnorm``: EACH variable's gradient clipped by its own norm (``tf.clip_by_norm``'s
      formula), so the update may change direction and its total norm can reach
      ``clipnorm * sqrt(number of variables)``;
    * ``global_clipnorm``: all together, factor ``c * min(1 / norm, 1 / c) + (norm - norm)``
      with ``norm = sqrt(sum of squares)``;
    * ``clipvalue``: every entry clipped to ``[-clipvalue, clipvalue]``.

    At most one may be set, as in Keras (which raises ValueError otherwise). None entries
    are kept.

    Examples
    --------
    >>> grads = [np.array([3.0, 4.0]), np.array([0.0, 12.0])]
    >>> [g.round(4).tolist() for g in keras_clip_gradients(grads, clipnorm=1.0)]
    [[0.6, 0.8], [0.0, 1.0]]
    >>> [g.round(4).tolist() for g in keras_clip_gradients(grads, global_clipnorm=1.0)]
    [[0.2308, 0.3077], [0.0, 0.9231]]
    """
    arrays = _arrays(grads)
    given = [(n, x) for n, x in (("clipnorm", clipnorm), ("global_clipnorm", global_clipnorm),
                                 ("clipvalue", clipvalue)) if x is not None]
    if len(given) > 1:
        raise ValueError(f"only one of clipnorm, clipvalue and global_clipnorm can be set, got {given}")
    if not given:
        return arrays
    name, c = given[0][0], v.positive(given[0][1], given[0][0])
    if name == "clipnorm":
        return [None if a is None else _keras_clip_by_norm(a, c) for a in arrays]
    if name == "clipvalue":
        return [None if a is None else np.clip(a, -c, c) for a in arrays]
    with np.errstate(over="ignore", invalid="ignore"):
        norm = np.sqrt(np.sum([np.sum(a * a) for a in arrays if a is not None]))
        scale = _tf_scale(norm, c)
        return [None if a is None else a * scale for a in arrays]


def optax_clip_by_global_norm(updates, max_norm):
    """``optax.clip_by_global_norm`` (optax 0.2.8): keep the updates if ``norm < max_norm``,
    else ``(u / norm) * max_norm``. ``norm = sqrt(sum of squares)``, no epsilon.

    Examples
    --------
    >>> [u.round(12).tolist() for u in optax_clip_by_global_norm([[3.0], [4.0]], 1.0)]
    [[0.6], [0.8]]
    """
    arrays = _arrays(updates, "updates", allow_none=False)
    m = v.positive(max_norm, "max_norm")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        norm = np.sqrt(sum(np.sum(a * a) for a in arrays)) if arrays else 0.0
        if norm < m:
            return [a.copy() for a in arrays]
        return [(a / norm) * m for a in arrays]


def _optax_unitwise_norm(x, axis=None):
    if axis is not None:
        sq = np.sum(x * x, axis=axis, keepdims=True)
    elif np.squeeze(x).ndim <= 1:
        sq = np.sum(x * x, keepdims=True)
    elif x.ndim in (2, 3):
        sq = np.sum(x * x, axis=0, keepdims=True)
    elif x.ndim in (4, 5):
        sq = np.sum(x * x, axis=tuple(range(x.ndim - 1)), keepdims=True)
    else:
        raise ValueError(f"optax's unit-wise norm expects 1 to 5 dimensions, got shape {x.shape}")
    return np.broadcast_to(np.sqrt(sq), x.shape)


def _agc_pairs(grads, params):
    g = _arrays(grads, "grads", allow_none=False)
    p = _arrays(params, "params", allow_none=False)
    if len(g) != len(p) or any(a.shape != b.shape for a, b in zip(g, p)):
        raise ValueError("grads and params must have the same length and shapes, got "
                         f"{[a.shape for a in g]} and {[b.shape for b in p]}")
    return g, p


def _unitwise_clip(g, g_norm, max_norm):
    with np.errstate(over="ignore", invalid="ignore"):
        clipped = g * (max_norm / np.maximum(g_norm, 1e-6))
        return np.where(g_norm < max_norm, g, clipped)


def optax_adaptive_grad_clip(updates, params, clipping, eps=1e-3, axis=None):
    """``optax.adaptive_grad_clip`` (optax 0.2.8), unit-wise in the JAX layout.

    ``max_norm = clipping * max(||w_unit||, eps)``; a unit is kept if its gradient norm is below
    ``max_norm`` and otherwise multiplied by ``max_norm / max(||g_unit||, 1e-6)``. Units: see the
    module docstring (a 2-D ``(in, out)`` kernel: one unit per column); ``axis`` overrides.

    Examples
    --------
    >>> w = [[1.0, 0.0], [0.0, 2.0]]           # (in, out): columns of norm 1 and 2
    >>> g = [[3.0, 0.3], [4.0, 0.4]]           # columns of norm 5 and 0.5
    >>> optax_adaptive_grad_clip([g], [w], clipping=0.1)[0].round(12).tolist()
    [[0.06, 0.12], [0.08, 0.16]]
    """
    g, p = _agc_pairs(updates, params)
    c, e = v.positive(clipping, "clipping"), v.positive(eps, "eps")
    return [_unitwise_clip(gi, _optax_unitwise_norm(gi, axis), c * np.maximum(_optax_unitwise_norm(pi, axis), e))
            for gi, pi in zip(g, p)]


def _timm_unitwise_norm(x):
    if x.ndim <= 1:
        return np.sqrt(np.sum(x * x))
    return np.sqrt(np.sum(x * x, axis=tuple(range(1, x.ndim)), keepdims=True))


def timm_adaptive_clip_grad(grads, params, clip_factor=0.01, eps=1e-3):
    """``timm.utils.adaptive_clip_grad`` (timm 1.0.31, 2-norm), unit-wise in the PyTorch layout.

    ``max_norm = max(||w_unit||, eps) * clip_factor`` with a unit a slice along axis 0 (a row of
    an ``(out, in)`` weight); kept if ``||g_unit|| < max_norm``, else multiplied by
    ``max_norm / max(||g_unit||, 1e-6)``. When ``max_norm < 1e-6`` that floor shrinks a unit
    whose norm lies between the two BELOW ``max_norm``.

    Examples
    --------
    >>> w = [[1.0, 0.0], [0.0, 2.0]]           # (out, in): rows of norm 1 and 2
    >>> g = [[3.0, 4.0], [0.3, 0.4]]           # rows of norm 5 and 0.5
    >>> timm_adaptive_clip_grad([g], [w], clip_factor=0.1)[0].round(12).tolist()
    [[0.06, 0.08], [0.12, 0.16]]
    """
    g, p = _agc_pairs(grads, params)
    c, e = v.positive(clip_factor, "clip_factor"), v.positive(eps, "eps")
    return [_unitwise_clip(gi, _timm_unitwise_norm(gi), np.maximum(_timm_unitwise_norm(pi), e) * c)
            for gi, pi in zip(g, p)]
