"""Controls and the Explorer wrapper shared by the explorers in :mod:`gradclip.widgets`."""

import ipywidgets as W

from ..style import is_presentation


#: Larger labels, readouts and buttons inside an explorer built in projector mode.
PRESENTATION_CSS = ("<style>.gradclip-presentation .widget-label, .gradclip-presentation "
                    ".widget-readout, .gradclip-presentation .widget-toggle-button "
                    "{font-size: 20px; line-height: 28px;}</style>")


def _sizes():
    big = is_presentation()
    return {"width": "560px" if big else "380px", "desc": "150px" if big else "100px",
            "font": "20px" if big else "14px"}


def _log_slider(name, grid, value, description):
    sz = _sizes()
    s = W.FloatLogSlider(value=grid.values[grid.index(value)], base=10, min=grid.lo, max=grid.hi,
                         step=grid.step, description=description, readout_format=".3g",
                         continuous_update=True, layout=W.Layout(width=sz["width"]),
                         style={"description_width": sz["desc"]})
    s.add_class(f"gradclip-slider-{name}")
    return s


def _int_slider(name, lo, hi, value, description):
    sz = _sizes()
    s = W.IntSlider(value=value, min=lo, max=hi, description=description,
                    layout=W.Layout(width=sz["width"]), style={"description_width": sz["desc"]})
    s.add_class(f"gradclip-slider-{name}")
    return s


class Explorer:
    """A figure, its controls and a status line; displays itself as its widget.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The one persistent figure, updated in place.
    widget : ipywidgets.VBox
        The root container (CSS class ``gradclip-explorer``).
    controls : dict
        Control name -> ipywidgets control.
    status_text : str
        The message currently shown (also drawn on the figure), e.g. "diverged at step 37".
    """

    def __init__(self, view, controls, grids, render):
        self._view, self.fig, self.controls = view, view.fig, controls
        self._grids, self._render, self._hold = grids, render, False
        # The figure draws the status line itself (it shows in screenshots, GIFs and the saved
        # notebook). This widget carries the same text for screen readers and page scripts,
        # kept out of sight so the line is not shown twice.
        self.status = W.HTML(layout=W.Layout(height="0px", min_height="0px", margin="0",
                                             overflow="hidden"))
        self.status.add_class("gradclip-status")
        sliders = [c for c in controls.values()]
        items = [W.HBox(sliders[i:i + 2]) for i in range(0, len(sliders), 2)]
        canvas = self.fig.canvas
        parts = items + [self.status] + ([canvas] if isinstance(canvas, W.DOMWidget) else [])
        if is_presentation():
            parts.insert(0, W.HTML(PRESENTATION_CSS))
        self.widget = W.VBox(parts)
        self.widget.add_class("gradclip-explorer")
        if is_presentation():
            self.widget.add_class("gradclip-presentation")
        for name, c in controls.items():
            c.observe(self._on_change, names="value")
        self.status_text = ""
        self._redraw()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _on_change(self, change):
        owner = change["owner"]
        name = next(k for k, c in self.controls.items() if c is owner)
        grid = self._grids.get(name)
        if grid is not None:
            snapped = float(grid.values[grid.index(change["new"])])
            if snapped != change["new"]:
                owner.value = snapped  # re-enters with the snapped value
                return
        if not self._hold:
            self._redraw()

    def _redraw(self):
        values = {k: c.value for k, c in self.controls.items()}
        idx = {k: self._grids[k].index(v) for k, v in values.items() if k in self._grids}
        self.status_text = self._render(values, idx)
        color = "#D55E00" if "diverged" in self.status_text else "#333333"
        self.status.value = (f"<span role='status' style='position:absolute;width:1px;height:1px;"
                             f"overflow:hidden;clip:rect(0,0,0,0);color:{color}'>"
                             f"{self.status_text}</span>")

    def _check(self, name, value):
        if name not in self.controls:
            raise ValueError(f"unknown control {name!r}; expected one of {sorted(self.controls)}")
        c = self.controls[name]
        if name in self._grids:
            return float(self._grids[name].values[self._grids[name].index(value)])
        if isinstance(c, W.ToggleButtons):
            opts = list(c.options)
            if value not in opts:
                raise ValueError(f"{name}={value!r} is not one of {opts}")
            return value
        try:
            ivalue = int(value)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be an integer, got {value!r}") from None
        if ivalue != value or not c.min <= ivalue <= c.max:
            raise ValueError(f"{name}={value!r} must be an integer in [{c.min}, {c.max}]")
        return ivalue

    def update(self, **values):
        """Set controls (snapped to the precomputed grid) and redraw once; returns self.

        Raises
        ------
        ValueError
            For an unknown control name or a value outside a control's range.
        """
        checked = {k: self._check(k, v) for k, v in values.items()}
        self._hold = True
        try:
            for k, v in checked.items():
                self.controls[k].value = v
        finally:
            self._hold = False
        self._redraw()
        return self

    def preset(self):
        """The current settings as ``"name=value;..."`` (restore with :meth:`apply_preset`)."""
        out = []
        for k, c in self.controls.items():
            val = c.value
            out.append(f"{k}={val:.4g}" if isinstance(val, float) else f"{k}={val}")
        return ";".join(out)

    def apply_preset(self, preset):
        """Restore settings from a :meth:`preset` string; raises ValueError naming a bad entry."""
        return self.update(**_parse(preset, self.controls))

    def close(self):
        """Close the figure (the explorer stops drawing)."""
        import matplotlib.pyplot as plt

        plt.close(self.fig)


def _parse(preset, controls):
    if not isinstance(preset, str) or not preset.strip():
        raise ValueError(f"preset must be a non-empty string like 'lr=0.1;steps=50', got {preset!r}")
    values = {}
    for part in preset.strip().strip(";").split(";"):
        key, sep, raw = part.partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or key not in controls:
            raise ValueError(f"preset entry {part!r}: unknown key {key!r}; expected {sorted(controls)}")
        c = controls[key]
        if isinstance(c, W.ToggleButtons):
            values[key] = raw
        else:
            try:
                num = float(raw)
            except ValueError:
                raise ValueError(f"preset entry {part!r}: {key} must be a number, got {raw!r}") from None
            values[key] = int(num) if isinstance(c, W.IntSlider) and num.is_integer() else num
    return values
