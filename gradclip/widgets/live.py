"""The explorer object: Python state, the anywidget view, the stored picture and the spec.

The page draws everything that moves (``static/explorer.js``); the kernel keeps the chosen
values (reported by the page, never written back while a control is dragged), the status
text, presets, and answers the named requests that need new computation. Every word it shows
is in the explorer's language (see :mod:`gradclip.widgets.words`).
"""

import json
from pathlib import Path

from . import encoding, esm, words
from .evaluate import Evaluator, draw_state
from .picture import Picture
from .spec import FORMAT
from .. import i18n
from ..style import is_presentation

__all__ = ["Explorer", "MIME", "LIVE_HINT"]

#: Mimetype of the explorer's full spec in a notebook output (read by the static site).
MIME = "application/vnd.gradclip.explorer+json"
#: The plain-text output: what to do to make the explorer live.
LIVE_HINT = words.LIVE_HINT
STATIC = Path(__file__).parent / "static"
_WIDGET = None


def _widget_class():
    """The anywidget class, defined on first use (importing ``gradclip.widgets`` stays light)."""
    global _WIDGET
    if _WIDGET is None:
        import anywidget
        import traitlets

        class ExplorerWidget(anywidget.AnyWidget):
            """The page side of an :class:`Explorer` (``spec``, ``values``, ``patch``)."""

            _esm = esm.joined(STATIC / "explorer.js")  # one module: see gradclip.widgets.esm
            _css = STATIC / "explorer.css"
            spec = traitlets.Unicode("{}").tag(sync=True)
            values = traitlets.Dict().tag(sync=True)
            patch = traitlets.Unicode("").tag(sync=True)

        _WIDGET = ExplorerWidget
    return _WIDGET


def _cover(ax):
    """A grey box over ``ax`` (an outcome the static picture shows, hidden while predicting)."""
    from matplotlib.patches import Rectangle

    return Rectangle((0, 0), 1, 1, transform=ax.transAxes, facecolor="#ececec", edgecolor="none",
                     zorder=10, clip_on=False)


def _png(fig_or_bytes, stage):
    if isinstance(fig_or_bytes, (bytes, bytearray)):
        return bytes(fig_or_bytes)
    return encoding.png_bytes(Picture(fig_or_bytes, stage.pixel_ratio, stage.lang).render())


class Explorer:
    """An explorer: controls over precomputed states, drawn in the page.

    Built by :meth:`~gradclip.widgets.stage.Stage.build` (every factory in
    :mod:`gradclip.widgets` uses it). Displays itself as a live view, a PNG of the current
    state, a one-line hint and its full spec.

    Attributes
    ----------
    name : str
    lang : str
        The language of every word it shows (the stage's: control labels, option labels,
        status and label templates, the figure's texts, ``spec["strings"]``).
    fig : matplotlib.figure.Figure
        The static layer (its layout frozen).
    controls : dict
        Control name -> :class:`~gradclip.widgets.controls.Control`.
    spec : dict
        The JSON spec (see :mod:`gradclip.widgets.spec`).
    """

    def __init__(self, stage, values):
        self.name, self.fig, self.controls = stage.name, stage.fig, dict(stage.controls)
        self._stage, self._widget, self._patches = stage, None, {}
        self.lang = stage.lang
        self._answered = {name: dict(vals) for name, vals in stage.computed.items()}
        if set(values) != set(self.controls):
            raise ValueError(f"values must give every control {sorted(self.controls)}, "
                             f"got {sorted(values)}")
        self._values = {k: self.controls[k].check(v) for k, v in values.items()}
        stage.freeze()
        w, h = stage.size()
        dpi = float(self.fig.dpi)
        st = stage.status_line
        if st is not None:
            st = dict(st, box=[st["at"][0] * w, st["at"][1] * h], size=st["points"] * dpi / 72)
        self.spec = {"format": FORMAT, "name": self.name, "size": [w, h], "dpi": dpi,
                     "background": self._background(encoding.png_bytes(stage.render()), stage),
                     "axes": stage.mapping(), "controls": [], "arrays": stage.arrays,
                     "artists": stage.artists, "status": st, "requests": stage.requests,
                     "covers": stage.covers(), "presentation": is_presentation()}
        toggles = {k: c.options for k, c in self.controls.items() if c.kind == "toggle"}
        self.spec = words.translate_spec(self.spec, self.lang, toggles)
        self.spec.update(lang=self.lang, strings=words.page_strings(self.name, self.lang))
        self._shown = {k: words.shown_control(c, self.lang) for k, c in self.controls.items()}
        decoded = {k: stage.page_values[k] if k in stage.page_values else encoding.decode_array(a)
                   for k, a in stage.arrays.items()}
        self._ev = Evaluator(self.spec, decoded, self.controls)
        self._refresh()
        for name, (handler, cached) in stage.handlers.items():
            for vals in cached:
                key = self._key(name, vals)
                with words.speaking(self.lang):
                    patch = handler(dict(vals))
                self.spec["requests"][name]["cache"][key] = self._make_patch(patch)

    @staticmethod
    def _background(png, stage):
        return {"src": "data:image/png;base64," + encoding.b64(png), "ratio": stage.pixel_ratio}

    def _refresh(self):
        self.spec["controls"] = [dict(c.to_json(self._values[k]), **self._shown[k])
                                 for k, c in self.controls.items()]
        self._status_text, self._status_color = self._ev.status(self._values)

    # ---- Python API
    @property
    def values(self):
        """The current value of every control (a new dict)."""
        return dict(self._values)

    @property
    def status_text(self):
        """The status line the page shows for the current values."""
        return self._status_text

    def update(self, **values):
        """Set controls (grid values snap to the nearest entry) and show them; returns self.

        Raises
        ------
        ValueError
            For an unknown control or a value outside a control's range.
        """
        return self._set(values, push=True)

    def _set(self, values, push):
        for k in values:
            if k not in self.controls:
                raise ValueError(f"unknown control {k!r}; expected one of {sorted(self.controls)}")
        checked = {k: self.controls[k].check(v) for k, v in values.items()}
        self._values.update(checked)
        self._refresh()
        if push and self._widget is not None:
            self._widget.values = dict(self._values)  # Python -> page: the page moves its controls
        return self

    def preset(self):
        """The current settings as ``"name=value;..."`` (restore with :meth:`apply_preset`)."""
        out = []
        for k, val in self._values.items():
            out.append(f"{k}={val:.4g}" if isinstance(val, float) else f"{k}={val}")
        return ";".join(out)

    def apply_preset(self, preset):
        """Restore settings from a :meth:`preset` string; raises ValueError naming a bad entry."""
        if not isinstance(preset, str) or not preset.strip():
            raise ValueError(f"preset must be a non-empty string like 'lr=0.1;steps=50', got {preset!r}")
        values = {}
        for part in preset.strip().strip(";").split(";"):
            key, sep, raw = part.partition("=")
            key, raw = key.strip(), raw.strip()
            if not sep or key not in self.controls:
                raise ValueError(f"preset entry {part!r}: unknown key {key!r}; "
                                 f"expected {sorted(self.controls)}")
            try:
                values[key] = self.controls[key].parse(raw)
            except ValueError as err:
                raise ValueError(f"preset entry {part!r}: {err}") from None
        return self.update(**values)

    # ---- the page
    @property
    def widget(self):
        """The anywidget view (made on first use; needs ``anywidget``)."""
        if self._widget is None:
            w = _widget_class()(spec=self.spec_json(), values=dict(self._values))
            w.observe(self._from_page, names="values")
            w.on_msg(self._on_request)
            self._widget = w
        return self._widget

    def _from_page(self, change):
        """The page reports values: keep them (never written back into the controls)."""
        try:
            checked = {k: self.controls[k].check(v) for k, v in change["new"].items()
                       if k in self.controls}
        except ValueError:
            return
        self._values.update(checked)
        self._refresh()

    def _key(self, name, vals):
        """The cache key of a request: ``"control=position;..."`` in the request's order."""
        wanted = self.spec["requests"][name]["controls"]
        return ";".join(f"{k}={self.controls[k].position(self.controls[k].check(vals[k]))}"
                        for k in wanted)

    def _make_patch(self, patch):
        out = {}
        if patch.get("background") is not None:
            out["background"] = self._background(_png(patch["background"], self._stage), self._stage)
        for name, values in (patch.get("arrays") or {}).items():
            old = self.spec["arrays"][name]
            enc = encoding.encode_array(values, quantum=old.get("quantum"), log=old.get("log", False))
            enc.update(axes=old["axes"], integer=old["integer"])
            if enc["shape"] != old["shape"]:
                raise ValueError(f"patch array {name!r} has shape {enc['shape']}, expected {old['shape']}")
            out.setdefault("arrays", {})[name] = enc
        return out

    def request(self, name, push=True, **values):
        """Answer the kernel-backed request ``name`` for ``values`` (as the page would ask):
        compute the patch, show it, and return it."""
        if name not in self._stage.handlers:
            raise ValueError(f"unknown request {name!r}; expected {sorted(self._stage.handlers)}")
        wanted = self.spec["requests"][name]["controls"]
        self._set({k: v for k, v in values.items() if k in wanted}, push=push)
        vals = {k: self._values[k] for k in wanted}
        with words.speaking(self.lang):
            patch = self._make_patch(self._stage.handlers[name][0](dict(vals)))
        self._apply_patch(patch)
        self._answered[name] = vals
        if push and self._widget is not None:
            self._widget.patch = json.dumps({"seq": None, "patch": patch}, separators=(",", ":"))
        return patch

    def answer_stale(self):
        """Answer every kernel-backed request whose controls moved away from the values its
        arrays were last computed for (a preset moved them, say); returns self."""
        for name, done in self._answered.items():
            now = {k: self._values[k] for k in done}
            if now != done:
                self.request(name, **now)
        return self

    def _apply_patch(self, patch):
        if "background" in patch:
            self.spec["background"] = patch["background"]
        for name, enc in patch.get("arrays", {}).items():
            self.spec["arrays"][name] = enc
            self._ev.arrays[name] = encoding.decode_array(enc)
        self._refresh()

    def _on_request(self, _widget, content, _buffers):
        if not isinstance(content, dict) or content.get("kind") != "request":
            return
        try:
            patch = self.request(content["name"], push=False, **content.get("values", {}))
            reply = {"seq": content.get("seq"), "patch": patch, "values": self.values}
        except Exception as err:  # the page shows the message instead of hanging busy
            reply = {"seq": content.get("seq"), "error": f"{type(err).__name__}: {err}"}
        self._widget.patch = json.dumps(reply, separators=(",", ":"))

    def drawn(self):
        """What the page draws now: one dict per visible artist (``type``, ``axes``, ``x``,
        ``y`` for lines; ``at`` for rules; ``text``), plus the status line."""
        ev, vals = self._ev, self._values
        pos = ev.positions(vals)
        out = []
        for art in self.spec["artists"]:
            if not ev.visible(art, vals, pos):
                continue
            d = {"type": art["type"], "axes": art["axes"],
                 "color": ev.resolve(art["style"].get("color"), vals, pos),
                 "marker": ev.resolve(art["style"].get("marker"), vals, pos)}
            if art["type"] == "line":
                d["x"], d["y"] = ev.points(art, vals, pos)
            elif art["type"] == "text":
                from .evaluate import format_template

                d["text"] = format_template(art["template"], ev.fields(art["fields"], vals, pos))
            else:
                d["at"] = float(ev.field(art["x" if art["type"] == "vline" else "y"], vals, pos))
            out.append(d)
        return out

    # ---- outputs
    def to_spec(self):
        """The spec for the current values (a JSON-serialisable dict)."""
        self._refresh()
        return self.spec

    def spec_json(self):
        """:meth:`to_spec` as compact JSON text."""
        return json.dumps(self.to_spec(), separators=(",", ":"))

    def picture(self):
        """PNG bytes of the current state drawn entirely by matplotlib (the stored picture)."""
        return encoding.png_bytes(self._stage.render_with(self._draw_state))

    def _draw_state(self):
        st, asks = self.spec["status"], self.spec.get("predict")
        if asks:  # predict first: the picture shows what the page shows before the learner commits
            made = draw_state(self.fig, self._ev, self._values, skip=asks["hide"])
            for i in asks["cover"]:
                made.append(self.fig.axes[i].add_patch(_cover(self.fig.axes[i])))
            return made
        made = draw_state(self.fig, self._ev, self._values)
        if st is not None and self._status_text:
            x, y = st["at"]
            made.append(self.fig.text(x, 1 - y, self._status_text, ha="left", va="top",
                                      fontsize=st["points"], fontweight="bold",
                                      color=self._status_color))
        return made

    def _repr_mimebundle_(self, include=None, exclude=None):
        hint = i18n.translate(LIVE_HINT, self.lang)
        data = {"text/plain": hint,
                "image/png": encoding.b64(self.picture()),
                MIME: self.to_spec()}
        try:
            data.update(self.widget._repr_mimebundle_()[0])
            data["text/plain"] = hint
        except ImportError:  # without anywidget: the picture and the spec only
            pass
        return data

    def close(self):
        """Close the page view (the explorer stops reporting values)."""
        if self._widget is not None:
            self._widget.close()
            self._widget = None
