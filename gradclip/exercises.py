"""Self-checking exercises: each ``check_*`` compares a learner's answer with a computed truth.

Every check returns a :class:`Feedback` that shows "✓ ..." or "✗ ... hint" in a notebook and
is truthy exactly when the answer is right, so an exercise cell is one line::

    exercises.check_edge(problem, answer=0.3)
"""

import numpy as np

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


def _waiting(what):
    """Feedback for an exercise that has no answer yet."""
    return Feedback(None, f"enter your answer: replace None with {what}")


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
        return _waiting(f"your {name}")
    a = _number(answer, name)
    e = _number(expected, "expected")
    rtol = v.positive(rtol, "rtol")
    if not np.isfinite(a):
        return Feedback(False, f"{name} must be finite, got {a}")
    if abs(a - e) <= rtol * max(abs(e), 1e-300):
        return Feedback(True, f"{name} = {a:.4g} is right (exact: {e:.6g})")
    off = abs(a - e) / abs(e) * 100 if e != 0 else np.inf
    extra = f" ({hint})" if hint else ""
    return Feedback(False, f"{name} = {a:.4g} is off by {off:.2g} %{extra}")


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
        return _waiting(f"one of {REGIMES}")
    if answer not in REGIMES:
        return Feedback(False, f"answer must be one of {REGIMES}, got {answer!r}")
    if answer == truth:
        return Feedback(True, f"lr = {lr:.4g} is {truth}: lr * lambda_max = "
                              f"{2 * lr / problem.max_stable_lr():.3g}")
    return Feedback(False, f"not {answer!r}: compare lr * lambda_max with 0.25, 1 and 2")


def check_clip(g, threshold, mode, answer):
    """Check a hand-clipped gradient (``mode`` "value" or "norm") to 1e-3."""
    if mode not in ("value", "norm"):
        raise ValueError(f"mode must be 'value' or 'norm', got {mode!r}")
    truth = clip_by_value(g, threshold) if mode == "value" else clip_by_norm(g, threshold)
    if answer is None:
        return _waiting("your clipped vector")
    a = v.as_float_array(answer, "answer")
    if a.shape != truth.shape:
        return Feedback(False, f"answer must have shape {truth.shape}, got {a.shape}")
    if np.allclose(a, truth, rtol=1e-3, atol=1e-3):
        return Feedback(True, f"clip by {mode}: {np.round(truth, 4).tolist()}")
    hint = ("clip each entry to [-threshold, threshold]" if mode == "value"
            else "multiply the whole vector by threshold / ||g|| when ||g|| > threshold")
    return Feedback(False, f"not quite: {hint}")


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
        return Feedback(True, f"value clipping turns the gradient by {truth:.2f} degrees")
    return Feedback(False, f"{a:.3g} degrees is not it: use cos(angle) = g·c / (|g| |c|)")


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
    if answer is None:
        return _waiting(f"your {name}")
    e = v.as_float_array(expected, "expected")
    try:
        a = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return Feedback(False, f"{name} must be numbers, got {answer!r}")
    if a.shape != e.shape:
        return Feedback(False, f"{name} must have shape {e.shape}, got {a.shape}")
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return Feedback(True, f"{name} = {np.round(a, 6).tolist()} is right")
    worst = int(np.argmax(np.abs(a - e).ravel()))
    extra = f" ({hint})" if hint else ""
    return Feedback(False, f"{name} differs from the truth most at entry {worst}: "
                           f"{a.ravel()[worst]:.4g} instead of {e.ravel()[worst]:.4g}{extra}")


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
    if answer is None:
        return _waiting(f"your {name}")
    a = _number(answer, name)
    low, high = _number(low, "low"), _number(high, "high")
    if not callable(measure):
        raise ValueError(f"measure must be callable, got {measure!r}")
    if not np.isfinite(a):
        return Feedback(False, f"{name} must be finite, got {a}")
    try:
        with np.errstate(all="ignore"):
            got = _number(measure(a), "measure(answer)")
    except ValueError as exc:
        return Feedback(False, f"{name} = {a:.4g} cannot be used: {exc}")
    extra = f" ({hint})" if hint else ""
    if low <= got <= high:
        return Feedback(True, f"{name} = {a:.4g} gives {what} {got:.3g}, between {low:g} and {high:g}")
    return Feedback(False, f"{name} = {a:.4g} gives {what} {got:.3g}, not between {low:g} and {high:g}{extra}")


def check_function(fn, reference, cases, name="your function", rtol=1e-6, atol=1e-10, hint=""):
    """Check code a learner wrote: call ``fn`` and ``reference`` on each case and compare.

    ``fn = None`` (the exercise's starting point) waits for an answer. An exception raised by
    ``fn`` is reported with the case that raised it, not re-raised.

    Parameters
    ----------
    fn : callable or None
        The learner's function.
    reference : callable
        The truth, usually a gradclip function.
    cases : list of tuple
        Positional arguments for each call.
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
    if fn is None:
        return _waiting(f"a function ({name})")
    if not callable(fn):
        return Feedback(False, f"{name} must be a function, got {fn!r}")
    if not callable(reference):
        raise ValueError(f"reference must be callable, got {reference!r}")
    if not isinstance(cases, (list, tuple)) or not cases:
        raise ValueError(f"cases must be a non-empty list of argument tuples, got {cases!r}")
    extra = f" ({hint})" if hint else ""
    for args in cases:
        args = tuple(args) if isinstance(args, (list, tuple)) else (args,)
        shown = ", ".join(repr(np.asarray(a).tolist()) if isinstance(a, (list, np.ndarray)) else repr(a)
                          for a in args)
        truth = np.asarray(reference(*args), dtype=np.float64)
        try:
            with np.errstate(all="ignore"):
                got = np.asarray(fn(*(np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                                      for a in args)), dtype=np.float64)
        except Exception as exc:  # the learner's code may fail in any way: report, do not raise
            return Feedback(False, f"{name}({shown}) raised {type(exc).__name__}: {exc}{extra}")
        if got.shape != truth.shape or not np.allclose(got, truth, rtol=rtol, atol=atol, equal_nan=True):
            return Feedback(False, f"{name}({shown}) gave {np.round(got, 6).tolist()}, "
                                   f"expected {np.round(truth, 6).tolist()}{extra}")
    return Feedback(True, f"{name} agrees with the reference on all {len(cases)} cases")
