"""Predict first in a real browser: an explorer that asks hides its outcome until the learner
commits, then says how far the guess was, in the words and numbers Python gives.

:func:`predict_problems` takes the first explorer of a page that asks (``div.gc-predict``),
checks it hides (``data-predicting="true"``, an empty status line), moves the asked control to
a guess (a quarter of its range away from the truth), commits, compares ``output.gc-verdict``
with :func:`gradclip.widgets.predict.spec_verdict` and its numbers with the spec's truth,
then tries again and commits once more (the explorer is left revealed for the drives that
follow). Screenshots: ``<tag>_predict_before.png`` and ``<tag>_predict_after.png``.
"""

import re

from gradclip.widgets.controls import format_value
from gradclip.widgets.predict import spec_verdict

ASKS = ".gradclip-explorer:has(.gc-predict)"
SHOWN = """r => ({predicting: r.dataset.predicting || '', frame: +(r.dataset.frame || 0),
  status: (r.querySelector('.gc-status') || {}).textContent || '',
  verdict: (r.querySelector('.gc-verdict') || {}).textContent || '',
  locked: Array.from(r.querySelectorAll('.gc-slider:disabled, .gc-toggle:disabled')).length})"""
SET = """(r, [name, p]) => { const s = r.querySelector(`.gc-slider[data-name="${name}"]`);
  s.value = p; s.dispatchEvent(new Event('input', {bubbles: true}));
  s.dispatchEvent(new Event('change', {bubbles: true})); }"""


def _guess(spec):
    """A position a quarter of the control's range below (or above) the truth."""
    q = spec["predict"]
    c = next(d for d in spec["controls"] if d["name"] == q["control"])
    if c["kind"] == "slider":
        lo, hi = 0, len(c["values"]) - 1
        t = min(range(hi + 1), key=lambda i: abs(c["values"][i] - q["truth"]))
    else:
        lo, hi, t = c["min"], c["max"], int(round(q["truth"]))
    step = max(1, (hi - lo) // 4)
    return t - step if t - step >= lo else t + step


def _wait_frame(root, after):
    root.page.wait_for_function("([r, n]) => +(r.dataset.frame || 0) > n",
                                arg=[root.element_handle(), after], timeout=5_000, polling=50)


def predict_problems(page, spec, artifacts, tag):
    """The problems of the first asking explorer of ``page`` (``spec``: its stored spec)."""
    roots = page.locator(ASKS)
    if roots.count() == 0:
        return ["no explorer asks a question (div.gc-predict)"]
    root = roots.first
    root.scroll_into_view_if_needed()
    problems = []
    shown = root.evaluate(SHOWN)
    if shown["predicting"] != "true" or shown["status"] or shown["verdict"]:
        problems.append(f"before committing: {shown} (want predicting, no status, no verdict)")
    if shown["locked"] < len(spec["controls"]) - 1 - sum(c["kind"] == "toggle" for c in spec["controls"]):
        problems.append(f"before committing only {shown['locked']} controls are locked")
    q = spec["predict"]
    p = _guess(spec)
    root.evaluate(SET, [q["control"], p])
    _wait_frame(root, shown["frame"])
    if root.evaluate(SHOWN)["status"]:
        problems.append("the status line shows while predicting")
    root.screenshot(path=artifacts / f"{tag}_predict_before.png")
    frame = root.evaluate(SHOWN)["frame"]
    root.locator(".gc-commit").click()
    _wait_frame(root, frame)
    after = root.evaluate(SHOWN)
    want = spec_verdict(spec, p)
    if after["verdict"] != want:
        problems.append(f"verdict {after['verdict']!r}, Python says {want!r}")
    numbers = re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?", after["verdict"])
    c = next(d for d in spec["controls"] if d["name"] == q["control"])
    g = c["values"][p] if c["kind"] == "slider" else p
    truth, pct = format_value(q["truth"], q["fmt"]), format_value(100 * abs(g - q["truth"]) / abs(q["truth"]), ".0f")
    if truth not in numbers or pct not in numbers:
        problems.append(f"verdict {after['verdict']!r} lacks the truth {truth} or the distance {pct} %")
    if after["predicting"] != "false" or not after["status"] or after["locked"]:
        problems.append(f"after committing: {after} (want revealed, a status line, nothing locked)")
    root.screenshot(path=artifacts / f"{tag}_predict_after.png")
    root.locator(".gc-again").click()
    again = root.evaluate(SHOWN)
    if again["predicting"] != "true" or again["verdict"]:
        problems.append(f"try again: {again} (want predicting, no verdict)")
    root.locator(".gc-commit").click()  # revealed again for the drives that follow
    return [f"predict first ({spec['name']}): {m}" for m in problems]
