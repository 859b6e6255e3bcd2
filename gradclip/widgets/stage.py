"""Stage: declare an explorer's controls, arrays and artists over a static figure; build it.

A :class:`Stage` is the one way to build an explorer: the factories in
:mod:`gradclip.widgets` compute every state their controls reach, declare them here and call
:meth:`Stage.build`. It writes the spec described in :mod:`gradclip.widgets.spec`; the
fields it uses come from :mod:`gradclip.widgets.fields`, the static layer's pixels and axes
from :class:`~gradclip.widgets.picture.Picture` (its base class), the covers from
:mod:`gradclip.widgets.covers`.
"""

import numpy as np

from . import encoding
from .controls import GridSlider, IntSlider, Player, Toggle
from .covers import COVER, covers
from .fields import at, between, div, isin, pick, position, reduce, switch, value, where
from .live import Explorer
from .picture import Picture
from .spec import FORMAT

__all__ = ["Stage", "COVER", "covers", "value", "position", "at", "reduce", "between", "isin", "pick",
           "div", "where", "switch", "FORMAT"]

_LS = {"-": "-", "solid": "-", "--": "--", "dashed": "--", ":": ":", "dotted": ":",
       "-.": "-.", "dashdot": "-.", "none": "none", "": "none", "None": "none"}
MARKERS = ("o", "X", "x", "s", "D", "^", "v", "*", "+", "|", "_")


class Stage(Picture):
    """Declare controls, arrays and artists over a static matplotlib figure; build an explorer.

    Parameters
    ----------
    name : str
        The explorer's name (``data-explorer`` in the page).
    fig : matplotlib.figure.Figure
        The static layer: axes, labels, contours, keys. Its layout is frozen at build time.
    pixel_ratio : float
        Image pixels per CSS pixel of the static picture (2 for sharp HiDPI, 4x the bytes).
    lang : {'en', 'zh'} or None
        The language of every word the explorer shows (default: the current one,
        ``gradclip.setup(lang=...)``; :meth:`build` can also choose it). Written in English,
        translated at build (:mod:`gradclip.widgets.words`); control names and option values
        stay English, so a preset works in every language.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(3, 2)); ax = fig.add_subplot()
    >>> st = Stage("demo", fig)
    >>> st.slider("a", [0.5, 1.0, 2.0], label="slope")
    >>> st.array("ys", [[0, 0.5], [0, 1.0], [0, 2.0]], ("a", "pt"))
    >>> st.line(ax, x=0.0, y="ys", along="pt")
    >>> st.status(["slope {a:.2g}"], fields={"a": value("a")})
    >>> ex = st.build({"a": 1.0})
    >>> ex.update(a=2.0).status_text
    'slope 2'
    """

    def __init__(self, name, fig, pixel_ratio=1.0, lang=None):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        super().__init__(fig, pixel_ratio, lang)
        self.name = name
        self.controls, self.arrays, self.artists = {}, {}, []
        self.page_values = {}  # name -> the values the page decodes from arrays[name]
        self._raw, self.status_line, self.requests, self.handlers = {}, None, {}, {}
        self.computed = {}

    # ---- controls
    def _add(self, control, active=None):
        if control.name in self.controls:
            raise ValueError(f"a control named {control.name!r} already exists")
        if active is not None:
            if not (isinstance(active, dict) and isinstance(active.get("kind"), str)):
                raise ValueError(f"active must be a field (e.g. isin('rule', ['fixed'])) or None, "
                                 f"got {active!r}")
            control.active = active
        self.controls[control.name] = control

    def slider(self, name, values, label=None, fmt=".3g", log=True, active=None):
        """A slider over a grid of values (log-spaced by default); ``active``: a field, the
        slider is disabled where it is 0 (see the contract)."""
        self._add(GridSlider(name, values, label, fmt, log), active)

    def int_slider(self, name, lo, hi, label=None, active=None):
        """An integer slider ``lo..hi``."""
        self._add(IntSlider(name, lo, hi, label), active)

    def toggle(self, name, options, label=None, active=None):
        """Toggle buttons over string options."""
        self._add(Toggle(name, options, label), active)

    def player(self, name, lo, hi, label=None, interval=120, active=None):
        """A play/pause button stepping an integer ``lo..hi`` every ``interval`` ms."""
        self._add(Player(name, lo, hi, label, interval), active)

    # ---- data
    def array(self, name, values, axes, quantum=None, log=False, integer=False):
        """Register ``values`` with one axis name per dimension (controls or a free axis).

        ``quantum`` (data units, decades when ``log``) quantizes for size; ``integer`` marks
        exact integers (stored with quantum 1, shown without a decimal point).
        """
        if name in self._raw:
            raise ValueError(f"an array named {name!r} already exists")
        a = np.array(values, dtype=np.float64, order="C")
        axes = tuple(axes)
        if a.ndim != len(axes) or a.ndim == 0:
            raise ValueError(f"array {name!r}: {a.ndim} dimensions but axes {axes!r}")
        for ax_name, n in zip(axes, a.shape):
            c = self.controls.get(ax_name)
            need = (len(c) if isinstance(c, GridSlider) else len(c.options) if isinstance(c, Toggle)
                    else c.hi + 1 if c is not None else None)
            if need is not None and (n < need if isinstance(c, IntSlider) else n != need):
                raise ValueError(f"array {name!r}: axis {ax_name!r} has {n} entries, "
                                 f"control {ax_name!r} needs {need}")
        if integer:
            quantum, log = 1.0, False
        spec, self.page_values[name] = encoding.encode_and_decode(a, quantum=quantum, log=log)
        spec.update(axes=list(axes), integer=bool(integer))
        self.arrays[name], self._raw[name] = spec, a

    # ---- artists
    def _axes(self, ax):
        if ax is None:
            return -1
        if ax not in self.fig.axes:
            raise ValueError(f"ax must be one of the stage figure's axes (or None), got {ax!r}")
        return self.fig.axes.index(ax)

    def _ref(self, ref, along, arg):
        if isinstance(ref, str):
            if ref not in self.arrays:
                raise ValueError(f"{arg}: unknown array {ref!r}")
            extra = [a for a in self.arrays[ref]["axes"] if a not in self.controls and a != along]
            if extra:
                raise ValueError(f"{arg}: array {ref!r} has axes {extra} that are neither "
                                 f"controls nor along={along!r}")
            return ref
        try:
            return float(ref)
        except (TypeError, ValueError):
            raise ValueError(f"{arg} must be an array name or a number, got {ref!r}") from None

    def _style(self, **kw):
        ls = kw.get("ls", "-")
        if ls not in _LS:
            raise ValueError(f"ls must be one of {sorted(_LS)}, got {ls!r}")
        kw["ls"] = _LS[ls]
        m = kw.get("marker")
        if m is not None and not isinstance(m, dict) and m not in MARKERS:
            raise ValueError(f"marker must be one of {MARKERS} or None, got {m!r}")
        return {k: v for k, v in kw.items() if v is not None}

    def _artist(self, kind, ax, z, visible, clip, **rest):
        index = self._axes(ax)
        clip_index = index if clip is True else (None if clip is False else self._axes(clip))
        self.artists.append(dict(type=kind, axes=index, clip=clip_index, z=float(z),
                                 visible=visible, **rest))

    def line(self, ax, x, y, along=None, cut=None, shift=0, only=None, fill_y=None, mask=None,
             color="#333333", lw=1.5, ls="-", alpha=1.0, marker=None, ms=6.0, mfc=None, mec=None,
             mew=1.0, z=2, visible=None, clip=True, xname=None, yname=None):
        """A polyline (or markers) from arrays ``x`` and ``y`` along the axis ``along``.

        Points ``0 .. position(cut) + shift`` are drawn when ``cut`` names a control; NaN
        breaks the line. ``only="last"`` draws just the last finite point (a run's head);
        ``fill_y`` replaces a y that is not finite (e.g. a diverged run's marker at the top);
        ``mask`` (an array along the same axis) keeps only the points where it is non-zero.
        ``xname`` / ``yname`` name its values in the page's readout (default: the axes' labels).
        """
        if cut is not None and cut not in self.controls:
            raise ValueError(f"cut must be a control name, got {cut!r}")
        if only not in (None, "last"):
            raise ValueError(f"only must be None or 'last', got {only!r}")
        style = self._style(color=color, lw=float(lw), ls=ls, alpha=float(alpha), marker=marker,
                            ms=float(ms), mfc=mfc, mec=mec, mew=float(mew))
        self._artist("line", ax, z, visible, clip, x=self._ref(x, along, "x"),
                     y=self._ref(y, along, "y"), along=along, cut=cut, shift=int(shift),
                     only=only, fill_y=None if fill_y is None else float(fill_y),
                     mask=None if mask is None else self._ref(mask, along, "mask"), style=style,
                     **{k: str(v) for k, v in (("xname", xname), ("yname", yname)) if v is not None})

    def markers(self, ax, x, y, along=None, marker="o", ms=6.0, **kw):
        """Markers without a connecting line (see :meth:`line`)."""
        self.line(ax, x, y, along=along, marker=marker, ms=ms, ls="none", **kw)

    def vline(self, ax, x, color="#333333", lw=1.5, ls="-", alpha=1.0, z=2, visible=None):
        """A vertical line across ``ax`` at ``x`` (a number or a field)."""
        self._artist("vline", ax, z, visible, True, x=x,
                     style=self._style(color=color, lw=float(lw), ls=ls, alpha=float(alpha)))

    def hline(self, ax, y, color="#333333", lw=1.5, ls="-", alpha=1.0, z=2, visible=None):
        """A horizontal line across ``ax`` at ``y`` (a number or a field)."""
        self._artist("hline", ax, z, visible, True, y=y,
                     style=self._style(color=color, lw=float(lw), ls=ls, alpha=float(alpha)))

    def text(self, ax, x, y, template, fields=None, coords="axes", color="#333333", size=10.0,
             weight="normal", ha="left", va="top", z=5, visible=None):
        """Text from a ``str.format`` template at ``(x, y)`` in ``coords`` (data/axes/figure)."""
        if coords not in ("data", "axes", "figure"):
            raise ValueError(f"coords must be 'data', 'axes' or 'figure', got {coords!r}")
        self._artist("text", ax, z, visible, False, x=float(x), y=float(y), coords=coords,
                     template=str(template), fields=dict(fields or {}),
                     style=self._style(color=color, size=float(size), weight=weight, ha=ha, va=va))

    def status(self, templates, case=None, fields=None, color="#333333", size=13.0, at=(0.01, 0.005)):
        """The status line: ``templates[case]`` with ``fields``, at figure fraction ``at``
        (from the top-left), ``size`` in points."""
        if isinstance(templates, str):
            templates = [templates]
        self.status_line = {"templates": [str(t) for t in templates], "case": case,
                        "fields": dict(fields or {}), "color": color, "at": list(at),
                        "points": float(size)}

    def request(self, name, controls, handler, cache=None, computed=None):
        """A kernel-backed state: when one of ``controls`` changes, ``handler(values)`` returns
        a patch ``{"background": Figure or PNG bytes, "arrays": {name: values}}``.

        ``cache`` lists value dicts (the controls' values) whose patches are precomputed for a
        page without a kernel; ``computed`` is the value dict the stage's own arrays and
        picture show (:meth:`build` answers the request when the explorer starts elsewhere).
        """
        missing = [c for c in controls if c not in self.controls]
        if missing or not callable(handler):
            raise ValueError(f"request {name!r}: controls {missing} unknown or handler not callable")
        if computed is not None and set(computed) != set(controls):
            raise ValueError(f"request {name!r}: computed must give the values of {list(controls)}, "
                             f"got {computed!r}")
        self.requests[name] = {"controls": list(controls), "cache": {}}
        self.handlers[name] = (handler, [dict(v) for v in (cache or [])])
        if computed is not None:
            self.computed[name] = {k: self.controls[k].check(computed[k]) for k in controls}

    def mapping(self):
        """Each axes' pixel box and limits (see the contract), with ``name``: the axis label,
        else the label of an axes in line with it (a stacked panel: the same limits and pixel
        span along that axis), else ``"x"`` / ``"y"``; the page's readout shows it."""
        out = super().mapping()
        for ax, d in zip(self.fig.axes, out):
            for axis, i in (("x", 0), ("y", 1)):
                if axis not in d:
                    continue
                names = [(a.get_xlabel() if axis == "x" else a.get_ylabel()).strip()
                         for a, e in zip(self.fig.axes, out) if a is ax or (
                             axis in e and e[axis]["lim"] == d[axis]["lim"]
                             and np.allclose(e["bbox"][i::2], d["bbox"][i::2]))]
                own = (ax.get_xlabel() if axis == "x" else ax.get_ylabel()).strip()
                d[axis]["name"] = next((n for n in [own] + names if n), axis)
        return out

    def build(self, values, preset=None, explorer=Explorer, lang=None):
        """Freeze the layout, draw the static layer and return the explorer at ``values``, then
        at ``preset`` (a :meth:`~gradclip.widgets.live.Explorer.preset` string, optional).

        Every explorer is built here. ``explorer`` is the class (an
        :class:`~gradclip.widgets.live.Explorer` or a subclass). A kernel-backed request whose
        controls then differ from the values its arrays were computed for (``computed`` of
        :meth:`request`) is answered, so what is drawn is what the controls say. ``lang``
        (default: the stage's) is the language of every word shown: the figure's texts and the
        spec's (see :mod:`gradclip.widgets.words`).
        """
        if lang is not None:
            self.localize(lang)
        ex = explorer(self, values)
        if preset is not None:
            ex.apply_preset(preset)
        return ex.answer_stale()
