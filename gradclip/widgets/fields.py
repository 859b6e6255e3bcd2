"""Fields: numbers or strings the page computes from the state (see :mod:`~gradclip.widgets.spec`).

A field is a small dict the spec carries; :mod:`~gradclip.widgets.evaluate` and the page
evaluate it for the current control values. Artists use fields for what they show
(``visible``, a rule's position, a text), the status line for its case and its numbers.
"""

__all__ = ["value", "position", "at", "reduce", "between", "isin", "pick", "div", "where", "switch"]


def value(control):
    """The current value of ``control`` (grid value, integer or option)."""
    return {"kind": "value", "control": control}


def position(control):
    """The current position of ``control`` (grid index, integer value or option index)."""
    return {"kind": "position", "control": control}


def at(array):
    """The entry of ``array`` at the current positions (every axis must be a control)."""
    return {"kind": "at", "array": array}


def reduce(array, op, along, cut, shift=0):
    """``op`` (sum, max, min, count: finite entries) of ``array`` along ``along`` over points
    ``0 .. position(cut) + shift``; NaN entries are skipped."""
    if op not in ("sum", "max", "min", "count"):
        raise ValueError(f"op must be 'sum', 'max', 'min' or 'count', got {op!r}")
    return {"kind": "reduce", "array": array, "op": op, "along": along, "cut": cut,
            "shift": int(shift)}


def between(field, lo, hi):
    """1 when ``lo <= field <= hi`` (each a field or a number), else 0."""
    return {"kind": "between", "field": field, "lo": lo, "hi": hi}


def isin(control, options):
    """1 when the control's value is one of ``options``, else 0."""
    return {"kind": "isin", "control": control, "options": list(options)}


def pick(field, labels):
    """``labels[int(field)]``: a name for a code (e.g. a regime)."""
    return {"kind": "pick", "field": field, "labels": [str(s) for s in labels]}


def div(a, b, scale=1.0):
    """``scale * a / b`` (0 when ``b`` is 0); ``a``, ``b`` fields or numbers."""
    return {"kind": "div", "a": a, "b": b, "scale": float(scale)}


def where(cond, a, b):
    """``a`` when the field ``cond`` is non-zero, else ``b`` (fields or constants)."""
    return {"kind": "where", "cond": cond, "a": a, "b": b}


def switch(field, values):
    """A style (colour, marker) chosen by an integer field: ``values[int(field)]``."""
    return {"switch": field, "values": list(values)}
