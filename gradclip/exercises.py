"""Self-checking exercises: each ``check_*`` compares a learner's answer with a computed truth.

Every check returns a :class:`Feedback` that shows "✓ ..." or "✗ ... hint" in a notebook and
is truthy exactly when the answer is right, so an exercise cell is one line::

    exercises.check_edge(problem, answer=0.3)

Messages are in the reader's language (:func:`gradclip.i18n.language`): each is an English
template translated by :func:`gradclip.i18n.message` (``gradclip/locale/zh/exercises.json``);
a ``name``, ``what`` or ``hint`` given by a notebook is translated when the catalog has it
(the Chinese notebooks pass Chinese ones already).
"""

import numpy as np

from . import i18n
from . import validation as v
from .clipping import clip_angle, clip_by_global_norm, clip_by_norm, clip_by_value
from .solvers import REGIMES, classify_rate

__all__ = [
    "Feedback",
    "regime",
    "REGIMES",
    "check_number",
    "check_edge",
    "check_regime",
    "check_clip",
    "check_angle",
    "check_global_norm",
    "check_array",
    "check_function",
    "check_range",
]


class Feedback:
    """The verdict on one answer: truthy when correct, displays as a short message.

    ``correct`` is True, False, or None while no answer has been entered yet (``answer =
    None``): then the message invites an answer instead of showing a failure mark.
    """

    def __init__(self, correct, message):
        self.correct = None if correct is None else bool(correct)
        self.message = str(message)

    @property
    def mark(self):
        return {True: "✓", False: "✗", None: "✎"}[self.correct]

    def __bool__(self):
        return bool(self.correct)

    def __repr__(self):
        return f"{self.mark} {self.message}"

    def _repr_html_(self):
        colour = {True: "#007a5a", False: "#b34700", None: "#444444"}[self.correct]
        text = self.message.replace("&", "&amp;").replace("<", "&lt;")
        return (f'<p class="gradclip-feedback" data-correct="{self.correct}" '
                f'style="color:{colour};font-weight:bold">{self.mark} {text}</p>')


def _waiting(template, **fields):
    """Feedback for an exercise that has no answer yet: ``template`` says what to enter."""
    what = i18n.message(template, **fields)
    return Feedback(None, i18n.message("enter your answer: replace None with {what}", what=what))


def _shown(text):
    """``text`` (a name or hint given to a check) in the current language when the catalog
    has it; otherwise as given (a variable name, or a hint already translated)."""
    lang = i18n.language()
    if lang == "en" or not text:
        return text
    return i18n.catalog(lang)[0].get(text, text)


def _extra(hint):
    """`` (hint)`` after a wrong answer, or nothing."""
    return i18n.message(" ({hint})", hint=_shown(hint)) if hint else ""


def _number(answer, name):
    if isinstance(answer, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {answer!r}")
    arr = v.as_float_array(answer, name)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number, got {answer!r}")
    return float(arr)


def check_number(answer, expected, rtol=0.01, name="answer", hint=""):
    """Check ``answer`` against ``expected`` to relative tolerance ``rtol``.

    Examples
    --------
    >>> bool(check_number(3.14, np.pi))
    True
    >>> check_number(3.0, np.pi, hint="more digits")
    ✗ answer = 3 is off by 4.5 % (more digits)
    """
    if answer is None:
        return _waiting("your {name}", name=_shown(name))
    a = _number(answer, name)
    e = _number(expected, "expected")
    rtol = v.positive(rtol, "rtol")
    shown = _shown(name)
    if not np.isfinite(a):
        return Feedback(False, i18n.message("{name} must be finite, got {value}", name=shown, value=a))
    if abs(a - e) <= rtol * max(abs(e), 1e-300):
        return Feedback(True, i18n.message("{name} = {value} is right (exact: {exact})", name=shown,
                                           value=f"{a:.4g}", exact=f"{e:.6g}"))
    off = abs(a - e) / abs(e) * 100 if e != 0 else np.inf
    return Feedback(False, i18n.message("{name} = {value} is off by {off} %{extra}", name=shown,
                                        value=f"{a:.4g}", off=f"{off:.2g}", extra=_extra(hint)))


def regime(problem, lr):
    """Classify gradient descent with rate ``lr`` on a quadratic problem.

    With ``r = lr * lambda_max``: ``r < 0.25`` slow, ``r <= 1`` good (no overshoot along any
    eigen-direction), ``r < 2`` oscillating (the steepest direction overshoots and flips sign
    each step), ``r = 2`` on the edge (it neither grows nor shrinks), ``r > 2`` divergent.
    The classifier is :func:`gradclip.solvers.classify_rate`.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic.with_condition(10.0)   # lambda_max = 1
    >>> [regime(q, lr) for lr in (0.1, 0.8, 1.5, 2.5)]
    ['slow', 'good', 'oscillating', 'divergent']
    """
    lr = v.positive(lr, "lr")
    if not hasattr(problem, "max_stable_lr"):
        raise ValueError(f"problem must define max_stable_lr(), got {problem!r}")
    return classify_rate(lr, 2.0 / problem.max_stable_lr())


def check_edge(problem, answer):
    """Check a learner's stability edge ``2 / lambda_max`` (1 % tolerance)."""
    return check_number(answer, problem.max_stable_lr(), name="edge",
                        hint="compute 2 / the largest eigenvalue of the Hessian")


def check_regime(problem, lr, answer):
    """Check which of :data:`REGIMES` (``"slow"``, ``"good"``, ``"oscillating"``, ``"on the edge"``,
    ``"divergent"``) ``lr`` gives."""
    truth = regime(problem, lr)
    if answer is None:
        return _waiting("one of {choices}", choices=REGIMES)
    given = answer
    answer = {i18n.translate(r): r for r in REGIMES}.get(answer, answer)  # a translated name too
    if answer not in REGIMES:
        return Feedback(False, i18n.message("answer must be one of {choices}, got {answer}",
                                            choices=REGIMES, answer=repr(answer)))
    if answer == truth:
        return Feedback(True, i18n.message("lr = {lr} is {regime}: lr * lambda_max = {product}",
                                           lr=f"{lr:.4g}", regime=i18n.translate(truth),
                                           product=f"{2 * lr / problem.max_stable_lr():.3g}"))
    return Feedback(False, i18n.message("not {answer}: compare lr * lambda_max with 0.25, 1 and 2",
                                        answer=repr(given)))  # in the words the learner used


def check_clip(g, threshold, mode, answer):
    """Check a hand-clipped gradient (``mode`` "value" or "norm") to 1e-3."""
    if mode not in ("value", "norm"):
        raise ValueError(f"mode must be 'value' or 'norm', got {mode!r}")
    truth = clip_by_value(g, threshold) if mode == "value" else clip_by_norm(g, threshold)
    if answer is None:
        return _waiting("your clipped vector")
    a = v.as_float_array(answer, "answer")
    if a.shape != truth.shape:
        return Feedback(False, i18n.message("{name} must have shape {expected}, got {shape}", name="answer",
                                            expected=truth.shape, shape=a.shape))
    if np.allclose(a, truth, rtol=1e-3, atol=1e-3):
        return Feedback(True, i18n.message("clip by value: {vector}" if mode == "value" else
                                           "clip by norm: {vector}", vector=np.round(truth, 4).tolist()))
    hint = ("clip each entry to [-threshold, threshold]" if mode == "value"
            else "multiply the whole vector by threshold / ||g|| when ||g|| > threshold")
    return Feedback(False, i18n.message("not quite: {hint}", hint=i18n.message(hint)))


def check_angle(g, threshold, answer):
    """Check the angle (degrees) between ``g`` and ``clip_by_value(g, threshold)`` (0.1 deg)."""
    g = v.as_float_array(g, "g")
    if not np.any(g):
        raise ValueError("g must not be zero")
    truth = clip_angle(g, threshold)
    if answer is None:
        return _waiting("your angle in degrees")
    a = _number(answer, "answer")
    if abs(a - truth) <= 0.1:
        return Feedback(True, i18n.message("value clipping turns the gradient by {angle} degrees",
                                           angle=f"{truth:.2f}"))
    return Feedback(False, i18n.message("{answer} degrees is not it: use cos(angle) = g·c / (|g| |c|)",
                                        answer=f"{a:.3g}"))


def check_global_norm(grads, answer):
    """Check the total 2-norm over all arrays in ``grads`` (0.1 %)."""
    _, total = clip_by_global_norm(grads, 1.0)
    return check_number(answer, total, rtol=1e-3, name="global norm",
                        hint="square every entry of every array, sum, then take the root")


def check_array(answer, expected, rtol=1e-3, atol=1e-8, name="answer", hint=""):
    """Check an array answer against ``expected`` (same shape, ``np.allclose``).

    Examples
    --------
    >>> check_array([0.6, 0.8], [0.6, 0.8])
    ✓ answer = [0.6, 0.8] is right
    >>> check_array(None, [1.0])
    ✎ enter your answer: replace None with your answer
    """
    shown = _shown(name)
    if answer is None:
        return _waiting("your {name}", name=shown)
    e = v.as_float_array(expected, "expected")
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback(False, i18n.message("{name} must be numbers, got {answer}", name=shown,
                                            answer=repr(answer)))
    if a.shape != e.shape:
        return Feedback(False, i18n.message("{name} must have shape {expected}, got {shape}", name=shown,
                                            expected=e.shape, shape=a.shape))
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return Feedback(True, i18n.message("{name} = {value} is right", name=shown,
                                           value=np.round(a, 6).tolist()))
    worst = int(np.argmax(np.abs(a - e).ravel()))
    return Feedback(False, i18n.message(
        "{name} differs from the truth most at entry {index}: {got} instead of {expected}{extra}",
        name=shown, index=worst, got=f"{a.ravel()[worst]:.4g}", expected=f"{e.ravel()[worst]:.4g}",
        extra=_extra(hint)))


def check_range(answer, measure, low, high, name="answer", what="the result", hint=""):
    """Check a criterion: ``low <= measure(answer) <= high``, computed for the answer given.

    For exercises whose right answers form a range set by the data (not a number plus a
    tolerance): the verdict is exactly the stated criterion.

    Examples
    --------
    >>> check_range(3.0, lambda a: a**2, 1.0, 10.0, name="x", what="x squared")
    ✓ x = 3 gives x squared 9, between 1 and 10
    >>> check_range(4.0, lambda a: a**2, 1.0, 10.0, name="x", what="x squared")
    ✗ x = 4 gives x squared 16, not between 1 and 10
    """
    shown = _shown(name)
    if answer is None:
        return _waiting("your {name}", name=shown)
    a = _number(answer, name)
    low, high = _number(low, "low"), _number(high, "high")
    if not callable(measure):
        raise ValueError(f"measure must be callable, got {measure!r}")
    if not np.isfinite(a):
        return Feedback(False, i18n.message("{name} must be finite, got {value}", name=shown, value=a))
    try:
        with np.errstate(all="ignore"):
            got = _number(measure(a), "measure(answer)")
    except ValueError as exc:
        return Feedback(False, i18n.message("{name} = {value} cannot be used: {error}", name=shown,
                                            value=f"{a:.4g}", error=exc))
    fields = dict(name=shown, value=f"{a:.4g}", what=_shown(what), got=f"{got:.3g}", low=f"{low:g}",
                  high=f"{high:g}")
    if low <= got <= high:
        return Feedback(True, i18n.message("{name} = {value} gives {what} {got}, between {low} and {high}",
                                           **fields))
    return Feedback(False, i18n.message(
        "{name} = {value} gives {what} {got}, not between {low} and {high}{extra}", extra=_extra(hint),
        **fields))


def _plain(value):
    """``value`` with its arrays as nested lists, for a message (a list of arrays of
    different shapes too)."""
    if isinstance(value, (list, tuple)):
        return [_plain(part) for part in value]
    return np.asarray(value).tolist()


def _copied(value):
    """A copy of each array in ``value`` (an array, or a list or tuple of them), so that a
    learner's function cannot change the cases; anything else as it is."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)) and any(isinstance(part, np.ndarray) for part in value):
        return type(value)(_copied(part) for part in value)
    return value


def _result(value):
    """A function's result as one float64 array, or, when its parts differ in shape (a list
    of gradient arrays), as a list of float64 arrays."""
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value, dtype=np.float64)
        except ValueError:
            return [_result(part) for part in value]
    return np.asarray(value, dtype=np.float64)


def _agrees(got, truth, rtol, atol):
    """Same structure, same shapes, ``np.allclose`` values (NaN equal to NaN)."""
    if isinstance(truth, list) or isinstance(got, list):
        return (isinstance(truth, list) and isinstance(got, list) and len(got) == len(truth)
                and all(_agrees(g, t, rtol, atol) for g, t in zip(got, truth)))
    return got.shape == truth.shape and np.allclose(got, truth, rtol=rtol, atol=atol, equal_nan=True)


def _rounded(value):
    return [_rounded(part) for part in value] if isinstance(value, list) else np.round(value, 6).tolist()


def check_function(fn, reference, cases, name="your function", rtol=1e-6, atol=1e-10, hint=""):
    """Check code a learner wrote: call ``fn`` and ``reference`` on each case and compare.

    ``fn = None`` (the exercise's starting point) waits for an answer. An exception raised by
    ``fn`` is reported with the case that raised it, not re-raised.

    Parameters
    ----------
    fn : callable or None
        The learner's function.
    reference : callable
        The truth, usually a gradclip function. Its result is a number, an array, or a list
        of arrays of different shapes (one per parameter group), compared array by array.
    cases : list of tuple
        Positional arguments for each call. Arrays in them (also inside a list) are copied
        before ``fn`` gets them.
    name : str
        How to call ``fn`` in the messages.
    rtol, atol : float
        Tolerances of ``np.allclose``.
    hint : str
        Shown after a wrong result.

    Examples
    --------
    >>> from gradclip import clip_by_norm
    >>> def mine(g, c):
    ...     g = np.asarray(g, float); n = np.linalg.norm(g)
    ...     return g * min(1.0, c / n) if n > 0 else g
    >>> check_function(mine, clip_by_norm, [([3.0, 4.0], 1.0), ([0.1, 0.0], 1.0)], name="clip")
    ✓ clip agrees with the reference on all 2 cases
    >>> check_function(lambda g, c: g, clip_by_norm, [([3.0, 4.0], 1.0)], name="clip")
    ✗ clip([3.0, 4.0], 1.0) gave [3.0, 4.0], expected [0.6, 0.8]
    """
    label = _shown(name)
    if fn is None:
        return _waiting("a function ({name})", name=label)
    if not callable(fn):
        return Feedback(False, i18n.message("{name} must be a function, got {fn}", name=label, fn=repr(fn)))
    if not callable(reference):
        raise ValueError(f"reference must be callable, got {reference!r}")
    if not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError(f"cases must be a non-empty list of argument tuples, got {cases!r}")
    extra = _extra(hint)
    for args in cases:
        args = tuple(args) if isinstance(args, (list, tuple)) else (args,)
        shown = ", ".join(repr(_plain(a)) if isinstance(a, (list, np.ndarray)) else repr(a) for a in args)
        truth = _result(reference(*args))
        try:
            with np.errstate(all="ignore"):
                got = _result(fn(*(_copied(a) for a in args)))
        except Exception as exc:  # the learner's code may fail in any way: report, do not raise
            return Feedback(False, i18n.message("{name}({args}) raised {error}{extra}", name=label, args=shown,
                                                error=f"{type(exc).__name__}: {exc}", extra=extra))
        if not _agrees(got, truth, rtol, atol):
            return Feedback(False, i18n.message("{name}({args}) gave {got}, expected {expected}{extra}",
                                                name=label, args=shown, got=_rounded(got),
                                                expected=_rounded(truth), extra=extra))
    return Feedback(True, i18n.message("{name} agrees with the reference on all {count} cases",
                                       name=label, count=len(cases)))
