"""The controls of an explorer: what they hold, how a value snaps, how it indexes arrays.

Every control has a *position*, the integer that indexes the explorer's arrays along the axis
named after it: a grid slider's index in its value grid, an integer slider's (or a player's)
value itself (an array axis named after one has an entry for every value up to the maximum),
a toggle's option index. No ipywidgets here: the page draws the controls.
"""

import numpy as np

__all__ = ["Control", "GridSlider", "IntSlider", "Toggle", "Player", "format_value", "check_int", "snap"]


def format_value(value, fmt):
    """``format(value, fmt)`` for the formats the page also implements (``""``, ``.Ng``,
    ``.Nf``, ``d``); whole numbers print without a decimal point (give other numbers a
    format: without one, the page and Python may spell them differently)."""
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if isinstance(value, (float, np.floating)) and fmt in ("", "d") and float(value).is_integer() \
            and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, (int, np.integer)) and fmt in ("", "d"):
        return str(int(value))
    return format(value, fmt)


def _name(name):
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"name must be an identifier string, got {name!r}")
    return name


class Control:
    """Base: a named control with a label; see the subclasses.

    ``active`` (set by :class:`~gradclip.widgets.stage.Stage`) is None or a field of the
    state (e.g. ``isin("rule", ["fixed"])``): where it is 0 the page shows the control as
    inactive (disabled and greyed). An inactive control keeps its value.
    """

    kind = "control"
    active = None

    def __init__(self, name, label=None):
        self.name = _name(name)
        self.label = self.name if label is None else str(label)

    def to_json(self, value):
        out = {"name": self.name, "kind": self.kind, "label": self.label,
               "position": self.position(value)}
        if self.active is not None:
            out["active"] = self.active
        return out


class GridSlider(Control):
    """A slider over a fixed grid of values (log-spaced for rates and thresholds).

    ``index(x)`` snaps a value to the nearest grid entry (nearest in ``log10`` when ``log``);
    values more than 0.1 % outside the grid raise ValueError naming the control.
    """

    kind = "slider"

    def __init__(self, name, values, label=None, fmt=".3g", log=True):
        super().__init__(name, label)
        v = np.array(values, dtype=np.float64).ravel()
        if v.size < 2 or not np.all(np.isfinite(v)) or np.any(np.diff(v) <= 0):
            raise ValueError(f"{name}: values must be >= 2 increasing finite numbers, got {values!r}")
        if log and v[0] <= 0:
            raise ValueError(f"{name}: a log slider needs positive values, got {v[0]!r}")
        self.values, self.fmt, self.log = v, fmt, bool(log)
        self.labels = [format_value(float(x), fmt) for x in v]

    def __len__(self):
        return len(self.values)

    def index(self, x):
        try:
            x = float(x)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name} must be a number, got {x!r}") from None
        lo, hi = self.values[0], self.values[-1]
        tol = 1e-3 * (abs(hi - lo) if not self.log else 0)
        ok = lo * (1 - 1e-3) <= x <= hi * (1 + 1e-3) if self.log else lo - tol <= x <= hi + tol
        if not np.isfinite(x) or not ok:
            raise ValueError(f"{self.name}={x!r} is outside the slider range [{lo:.4g}, {hi:.4g}]")
        if self.log:
            return int(np.argmin(np.abs(np.log10(self.values) - np.log10(x))))
        return int(np.argmin(np.abs(self.values - x)))

    def check(self, x):
        return float(self.values[self.index(x)])

    def position(self, value):
        return self.index(value)

    def value_at(self, position):
        return float(self.values[position])

    def parse(self, raw):
        return _number(self.name, raw)

    def to_json(self, value):
        return dict(super().to_json(value), values=self.values.tolist(), labels=self.labels,
                    log=self.log)


class IntSlider(Control):
    """An integer slider ``lo..hi``; its position is its value."""

    kind = "int"

    def __init__(self, name, lo, hi, label=None):
        super().__init__(name, label)
        for arg, val in (("lo", lo), ("hi", hi)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 0:
                raise ValueError(f"{name}: {arg} must be a non-negative integer, got {val!r}")
        if hi <= lo:
            raise ValueError(f"{name}: hi ({hi}) must be > lo ({lo})")
        self.lo, self.hi = int(lo), int(hi)

    def check(self, x):
        try:
            ix = int(x)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{self.name} must be an integer, got {x!r}") from None
        if isinstance(x, bool) or ix != x or not self.lo <= ix <= self.hi:
            raise ValueError(f"{self.name}={x!r} must be an integer in [{self.lo}, {self.hi}]")
        return ix

    def position(self, value):
        return int(value)

    def value_at(self, position):
        return int(position)

    def parse(self, raw):
        num = _number(self.name, raw)
        return int(num) if num.is_integer() else num

    def to_json(self, value):
        return dict(super().to_json(value), min=self.lo, max=self.hi)


class Player(IntSlider):
    """An integer slider with a play/pause button that steps it every ``interval`` ms."""

    kind = "player"

    def __init__(self, name, lo, hi, label=None, interval=120):
        super().__init__(name, lo, hi, label)
        if isinstance(interval, bool) or not isinstance(interval, (int, np.integer)) or interval < 10:
            raise ValueError(f"interval must be an integer number of milliseconds >= 10, got {interval!r}")
        self.interval = int(interval)

    def to_json(self, value):
        return dict(super().to_json(value), interval=self.interval)


class Toggle(Control):
    """Toggle buttons over a few string options; its position is the option index."""

    kind = "toggle"

    def __init__(self, name, options, label=None):
        super().__init__(name, label)
        opts = list(options)
        if len(opts) < 2 or not all(isinstance(o, str) for o in opts) or len(set(opts)) != len(opts):
            raise ValueError(f"{name}: options must be >= 2 distinct strings, got {options!r}")
        self.options = opts

    def check(self, x):
        if x not in self.options:
            raise ValueError(f"{self.name}={x!r} is not one of {self.options}")
        return x

    def position(self, value):
        return self.options.index(value)

    def value_at(self, position):
        return self.options[position]

    def parse(self, raw):
        return raw

    def to_json(self, value):
        return dict(super().to_json(value), options=self.options)


def _number(name, raw):
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {raw!r}") from None


def check_int(name, value, lo, hi):
    """``value`` as an int in ``[lo, hi]``; else ValueError naming ``name``: a factory's step
    counts and sizes, checked before anything is computed.

    Examples
    --------
    >>> check_int("steps", 40, 1, 100)
    40
    >>> check_int("steps", 0, 1, 100)
    Traceback (most recent call last):
    ...
    ValueError: steps must be an integer in [1, 100], got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    return int(value)


def snap(name, values, value, log=True):
    """``value`` snapped to the grid ``values`` of a slider, checked before anything is
    computed (ValueError naming ``name`` outside the grid's range)."""
    return GridSlider(name, values, log=log).check(value)
