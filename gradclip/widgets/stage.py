"""Stage: build an explorer whose moving parts are drawn in the page from precomputed arrays.

Contract (``format`` ``"gradclip.explorer/1"``; written by :meth:`Stage.build`, read by
``static/explorer.js``, which exports ``default {render}`` for anywidget and
``mount(el, spec)`` for a page without a kernel; both run the same UI):

* ``size``: ``[width, height]`` of the figure in CSS px (figure inches x figure dpi);
  ``dpi`` (CSS px per inch: a point is ``dpi / 72`` px); ``presentation`` (projector mode).
* ``background``: ``{"src": "data:image/png;base64,...", "ratio": r}``, the static layer drawn
  once by matplotlib at ``r`` image px per CSS px, shown at ``size``.
* ``axes[i]`` (``fig.axes[i]``): ``{"bbox": [left, top, width, height]`` in CSS px from the
  image's top-left, ``"x": {"lim": [a, b], "log": bool}, "y": {...}}``. A data point maps to
  ``left + width * (X - A) / (B - A)`` and ``top + height * (1 - (Y - A') / (B' - A'))``,
  where for a log axis ``X = log10 x`` and ``A, B`` are the log10 limits. Axes index ``-1``
  is the figure itself in CSS px, y pointing down.
* ``controls``: ``{"name", "kind", "label", "position", ...}``; ``slider`` (``values``,
  ``labels``: the readouts), ``int`` and ``player`` (``min``, ``max``, player ``interval``),
  ``toggle`` (``options``). A control's *position* (grid index, integer value, option index)
  indexes the array axes named after it. Optional ``active``: a field; where it is 0 the
  page disables the control (``disabled``, ``aria-disabled="true"``, class ``gc-inactive``:
  greyed), e.g. a rule's parameter while another rule is chosen. Its value is kept.
* ``arrays``: name -> an encoding of :mod:`gradclip.widgets.encoding` plus ``axes`` (one name
  per dimension: a control, or the free axis a line runs along) and ``integer``.
* ``artists`` (drawn in order of ``z``): ``line`` (``x``, ``y``: array names or numbers,
  ``along``, ``cut`` + ``shift``: points ``0 .. position(cut) + shift``; ``only: "last"``:
  just the last finite point; ``fill_y``: y of points whose y is not finite; ``mask``: an
  array, points where it is 0 are skipped), ``vline`` /
  ``hline`` (``x`` / ``y``: number or field),
  ``text`` (``template``, ``fields``, ``coords``). Each has ``axes``, ``clip`` (axes index or
  null), ``visible`` (field or null) and ``style`` (``color``, ``lw``, ``ls``, ``alpha``,
  ``marker``, ``ms``, ``mfc``, ``mec``, ``mew``, ``size``, ``weight``, ``ha``, ``va``, in
  matplotlib units: points; colour and marker may be ``{"switch": field, "values": [...]}``).
* fields (numbers or strings computed from the state): ``value`` (a control's value),
  ``position``, ``at``
  (array entry at the controls' positions), ``reduce`` (``sum``/``max``/``min``/``count`` over the cut
  part of an ``along`` axis), ``between``, ``isin``, ``pick``, ``div``, ``where``, ``const``.
* ``status``: ``{"templates", "case", "fields", "color", "box", "size"}``; the text is
  ``templates[case]`` formatted like ``str.format`` (formats ``""``, ``.Ng``, ``.Nf``, ``d``),
  shown in ``.gc-status`` at ``box`` (CSS px) with font ``size`` (CSS px).
* ``covers``: boxes ``[left, top, width, height]`` (CSS px) of static texts tagged :data:`COVER`
  (keys, labels); after drawing the moving artists the page copies them back from the picture,
  so curves pass under them (:meth:`Stage.render_with` does the same for the stored picture).
* ``requests``: ``{name: {"controls": [...], "cache": {key: patch}}}``: a change of one of
  ``controls`` (on release) asks the kernel for a *patch* ``{"background"?, "arrays"?}``;
  ``key`` is the JSON of the controls' values. Without a kernel only cached keys work.

The page: ``div.gradclip-explorer[data-explorer=name]`` holding ``img.gc-background`` under
``canvas.gc-canvas``, ``input.gc-slider[data-name]`` (over positions) with
``output.gc-readout[data-name]``, ``button.gc-toggle[data-name][data-value]``,
``button.gc-play``, ``div.gc-status[role=status]`` and ``.gc-busy``. After each paint the root
carries ``data-frame`` (a counter) and ``data-last-paint-ms`` (input event to painted).
"""

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from . import encoding
from .controls import GridSlider, IntSlider, Player, Toggle

__all__ = ["Stage", "COVER", "covers", "value", "position", "at", "reduce", "between", "isin", "pick",
           "div", "where", "switch", "FORMAT"]

FORMAT = "gradclip.explorer/1"
#: ``gid`` of a static text (a key entry, a label) that must stay readable over the moving
#: layer: the page copies its box back from the picture after drawing (spec ``covers``).
COVER = "gc-cover"
_LS = {"-": "-", "solid": "-", "--": "--", "dashed": "--", ":": ":", "dotted": ":",
       "-.": "-.", "dashdot": "-.", "none": "none", "": "none", "None": "none"}
MARKERS = ("o", "X", "x", "s", "D", "^", "v", "*", "+", "|", "_")


# ---- fields: numbers or strings the page computes from the state ------------------------

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


def covers(fig, pad=1.0):
    """Boxes ``[left, top, width, height]`` (CSS px, from the top-left) of the texts of ``fig``
    whose gid is :data:`COVER`, their background box included, padded by ``pad`` px and
    rounded outwards to whole pixels.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(4, 3), dpi=100)
    >>> ax = fig.add_axes((0, 0, 1, 1))
    >>> _ = ax.text(0.5, 0.5, "key", fontsize=10, transform=ax.transAxes, gid=COVER)
    >>> _ = ax.text(0.1, 0.1, "not a key")
    >>> covers(fig)       # the key's box, from the top-left corner, 1 px around the text
    [[199, 138, 27, 17]]
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer, stale = canvas.get_renderer(), fig.stale
    height = fig.get_size_inches()[1] * fig.dpi
    out = []
    for t in fig.findobj(lambda a: isinstance(a, Text) and a.get_gid() == COVER):
        if not t.get_visible() or not t.get_text():
            continue
        ext = t.get_window_extent(renderer)
        patch = t.get_bbox_patch()
        if patch is not None:
            t.update_bbox_position_size(renderer)
            ext = type(ext).union([ext, patch.get_window_extent(renderer)])
        left, right = math.floor(ext.x0 - pad), math.ceil(ext.x1 + pad)
        top, bottom = math.floor(height - ext.y1 - pad), math.ceil(height - ext.y0 + pad)
        out.append([left, top, right - left, bottom - top])
    fig.stale = stale  # measuring moved nothing: a picture drawn before stays valid
    return out



class Stage:
    """Declare controls, arrays and artists over a static matplotlib figure; build an explorer.

    Parameters
    ----------
    name : str
        The explorer's name (``data-explorer`` in the page).
    fig : matplotlib.figure.Figure
        The static layer: axes, labels, contours, keys. Its layout is frozen at build time.
    pixel_ratio : float
        Image pixels per CSS pixel of the static picture (2 for sharp HiDPI, 4x the bytes).

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

    def __init__(self, name, fig, pixel_ratio=1.0):
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if not hasattr(fig, "axes") or not hasattr(fig, "savefig"):
            raise ValueError(f"fig must be a matplotlib Figure, got {fig!r}")
        if not (np.isfinite(pixel_ratio) and 0.5 <= pixel_ratio <= 4):
            raise ValueError(f"pixel_ratio must be in [0.5, 4], got {pixel_ratio!r}")
        self.name, self.fig, self.pixel_ratio = name, fig, float(pixel_ratio)
        self.controls, self.arrays, self.artists = {}, {}, []
        self._raw, self._status, self.requests, self.handlers = {}, None, {}, {}

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
        spec = encoding.encode_array(a, quantum=quantum, log=log)
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
             mew=1.0, z=2, visible=None, clip=True):
        """A polyline (or markers) from arrays ``x`` and ``y`` along the axis ``along``.

        Points ``0 .. position(cut) + shift`` are drawn when ``cut`` names a control; NaN
        breaks the line. ``only="last"`` draws just the last finite point (a run's head);
        ``fill_y`` replaces a y that is not finite (e.g. a diverged run's marker at the top);
        ``mask`` (an array along the same axis) keeps only the points where it is non-zero.
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
                     mask=None if mask is None else self._ref(mask, along, "mask"), style=style)

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
        self._status = {"templates": [str(t) for t in templates], "case": case,
                        "fields": dict(fields or {}), "color": color, "at": list(at),
                        "points": float(size)}

    def request(self, name, controls, handler, cache=None):
        """A kernel-backed state: when one of ``controls`` changes, ``handler(values)`` returns
        a patch ``{"background": Figure or PNG bytes, "arrays": {name: values}}``.

        ``cache`` maps value dicts (the controls' values) to patches precomputed for a page
        without a kernel.
        """
        missing = [c for c in controls if c not in self.controls]
        if missing or not callable(handler):
            raise ValueError(f"request {name!r}: controls {missing} unknown or handler not callable")
        self.requests[name] = {"controls": list(controls), "cache": {}}
        self.handlers[name] = (handler, [dict(v) for v in (cache or [])])

    def build(self, values):
        """Freeze the layout, draw the static layer and return the :class:`Explorer`."""
        from .live import Explorer

        return Explorer(self, values)

    # ---- layout
    def freeze(self):
        """Lay the figure out once and switch its layout engine off (positions are final).

        The layout pass is a full draw at the picture's resolution, so :meth:`render` reuses
        its pixels while no artist changes (``fig.stale`` stays False) and its text metrics
        (matplotlib caches them per renderer and dpi) when something does.
        """
        if not getattr(self, "_frozen", False):
            self._draw()
            self.fig.set_layout_engine("none")
            self.fig.stale = False  # the positions just fixed are the ones drawn
            self._frozen = True

    def quantum(self, ax, axis, px=0.25):
        """Data units (decades on a log axis) per ``px`` CSS pixels of ``ax``'s x or y axis:
        the resolution at which an array drawn there can be stored."""
        self.freeze()
        ext = ax.get_window_extent()
        lo, hi = ax.get_xlim() if axis == "x" else ax.get_ylim()
        log = (ax.get_xscale() if axis == "x" else ax.get_yscale()) == "log"
        span = abs(np.log10(hi) - np.log10(lo)) if log else abs(hi - lo)
        return float(px * span / (ext.width if axis == "x" else ext.height))

    # ---- export
    def mapping(self):
        """Each axes' pixel box and data limits (CSS px; see the contract)."""
        w, h = self.size()
        out = []
        for ax in self.fig.axes:
            ext = ax.get_window_extent()
            d = {"bbox": [ext.x0, h - ext.y1, ext.width, ext.height]}
            if getattr(ax, "name", "") != "3d":
                d["x"] = {"lim": list(map(float, ax.get_xlim())), "log": ax.get_xscale() == "log"}
                d["y"] = {"lim": list(map(float, ax.get_ylim())), "log": ax.get_yscale() == "log"}
            out.append(d)
        return out

    def covers(self):
        """The boxes of the static layer's :data:`COVER` texts (CSS px, see :func:`covers`),
        measured once the layout is final."""
        self.freeze()
        if getattr(self, "_covers", None) is None:
            self._covers = covers(self.fig)
        return self._covers

    def size(self):
        w, h = self.fig.get_size_inches() * self.fig.dpi
        return float(w), float(h)

    def render(self):
        """RGBA pixels of the figure at ``pixel_ratio`` (the static layer when nothing moves)."""
        if self.fig.stale or getattr(self, "_pixels", None) is None:
            self._draw()
        return self._pixels.copy()

    def render_with(self, add):
        """RGBA pixels of the static layer with the artists that ``add()`` puts on the figure
        (and returns) drawn on top in their z order, as the page draws its canvas over the
        picture; the artists are removed again. Only they are rasterised over the cached static
        layer, with every 2-D axes kept at the limits the page maps; on a 3-D axes, where depth
        matters, the whole figure is drawn."""
        base = self.render()
        limits = [(ax, ax.get_xlim(), ax.get_ylim()) for ax in self.fig.axes
                  if getattr(ax, "name", "") != "3d"]
        made = add()
        canvas, dpi = self._canvas(), self.fig.dpi
        try:
            for ax, xlim, ylim in limits:
                ax.set_xlim(xlim)
                ax.set_ylim(ylim)
            if any(getattr(getattr(a, "axes", None), "name", "") == "3d" for a in made):
                self._draw()
                self._pixels, pixels = None, self._pixels
                return pixels
            self.fig.dpi = dpi * self.pixel_ratio
            renderer = canvas.get_renderer()
            out = np.asarray(renderer.buffer_rgba())
            out[...] = base
            for artist in sorted(made, key=lambda a: a.get_zorder()):
                artist.draw(renderer)
            out = out.copy()
            r = self.pixel_ratio
            for left, top, w, h in self.covers():  # the keys stay on top, as the page keeps them
                rows = slice(max(0, round(top * r)), max(0, round((top + h) * r)))
                cols = slice(max(0, round(left * r)), max(0, round((left + w) * r)))
                out[rows, cols] = base[rows, cols]
            return out
        finally:
            self.fig.dpi = dpi
            for artist in made:
                artist.remove()
            self.fig.stale = self._pixels is None  # the static layer is unchanged

    def _canvas(self):
        if not isinstance(self.fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(self.fig)
        return self.fig.canvas

    def _draw(self):
        dpi, canvas = self.fig.dpi, self._canvas()
        try:
            self.fig.dpi = dpi * self.pixel_ratio
            canvas.draw()
            self._pixels = np.asarray(canvas.buffer_rgba()).copy()
        finally:
            self.fig.dpi = dpi
            self.fig.stale = False  # restoring the dpi changes nothing drawn
