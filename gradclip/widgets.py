"""Interactive explorers: sliders over precomputed runs, one persistent figure each.

Every explorer is built the same way: all the runs its sliders can reach are computed once
with :func:`gradclip.run_batch`; a slider move snaps to that grid, looks the run up and
updates the figure's artists in place (``set_data`` + ``draw_idle``). Use them with the ipympl
backend (``%matplotlib widget``); with any other backend (Agg in tests) they work headlessly.

>>> import matplotlib; matplotlib.use("Agg")
>>> from gradclip import widgets
>>> ex = widgets.condition_explorer(preset="condition=10;lr=1;steps=30")
>>> ex.preset()
'condition=10;lr=1;steps=30'
>>> "oscillating" in ex.update(lr=1.9).status_text
True
"""

import ipywidgets as W
import numpy as np

from . import _explorer as core
from .problems import CliffRNN, LinearRegression, Quadratic
from .style import is_presentation

__all__ = ["Explorer", "learning_rate_explorer", "condition_explorer", "clipping_explorer",
           "demo_regression", "player"]

from ._player import player  # noqa: E402


def demo_regression(seed=0, m=100):
    """The article-style regression data: ``y = 4 + 3 x + noise``, ``x ~ U(0, 2)``.

    Returns ``(problem, theta0)`` with ``theta0 = (0, 0)``; the data come from
    ``numpy.random.default_rng(seed)`` (uniform ``x`` first, then normal noise).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 2, m)
    y = 4 + 3 * x + rng.normal(0, 1, m)
    return LinearRegression(np.column_stack([np.ones(m), x]), y), np.zeros(2)


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
        self.status = W.HTML(layout=W.Layout(margin="0 0 0 8px"))
        self.status.add_class("gradclip-status")
        sliders = [c for c in controls.values()]
        items = [W.HBox(sliders[i:i + 2]) for i in range(0, len(sliders), 2)]
        canvas = self.fig.canvas
        parts = items + [self.status] + ([canvas] if isinstance(canvas, W.DOMWidget) else [])
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
        self.status.value = (f"<span style='font-size:{_sizes()['font']};color:{color}'>"
                             f"<b>{self.status_text}</b></span>")

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


def _start(explorer, preset):
    if preset is not None:
        explorer.apply_preset(preset)
    return explorer


def learning_rate_explorer(problem=None, theta0=None, lr=None, steps=40, max_steps=100,
                           preset=None):
    """Learning-rate slider (log scale, slow to divergent) over the loss surface.

    Shows the trajectory on the contour plot, the loss per step, and the loss after the run
    against the learning rate with the edge ``2 / lambda_max`` marked. A run that blows up
    says "diverged at step k".

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem with ``solution`` and ``hessian`` (default: :func:`demo_regression`).
    theta0 : array_like, optional
        Start (default ``(0, 0)`` for the demo).
    lr : float, optional
        Initial learning rate (default: 0.4 x the edge).
    steps, max_steps : int
        Initial and maximum number of steps.
    preset : str, optional
        Start from a preset string such as ``"lr=0.5;steps=40"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem, default0 = demo_regression()
        theta0 = default0 if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if not hasattr(problem, "max_stable_lr"):
        raise ValueError(f"problem must define max_stable_lr (a curvature edge), got {problem!r}")
    max_steps = _steps_range(steps, max_steps)
    edge = problem.max_stable_lr()
    e = np.log10(edge)
    grid = core.LogGrid("lr", e - 2.4, e + 0.3, 0.025, anchor=edge)
    view = core.DescentView([{"problem": problem, "theta0": theta0, "label": ""}], grid, max_steps)
    lr = edge * 0.4 if lr is None else lr
    controls = {"lr": _log_slider("lr", grid, lr, f"lr (edge {edge:.3g})"),
                "steps": _int_slider("steps", 1, max_steps, steps, "steps")}
    ex = Explorer(view, controls, {"lr": grid},
                  lambda vals, idx: view.render(idx["lr"], vals["steps"]))
    return _start(ex, preset)


def _steps_range(steps, max_steps):
    for name, val in (("steps", steps), ("max_steps", max_steps)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{name} must be a positive integer, got {val!r}")
    if steps > max_steps or max_steps > 2000:
        raise ValueError(f"steps ({steps}) must be <= max_steps ({max_steps}) <= 2000")
    return int(max_steps)


def condition_explorer(theta0=(-4.0, 3.0), condition=10.0, lr=1.0, steps=40, max_steps=150,
                       preset=None):
    """A 2-D quadratic with a condition-number slider: the zig-zag of ill-conditioning.

    ``Quadratic.with_condition(kappa)`` has ``lambda_max = 1`` for every ``kappa``, so the edge
    ``2 / lambda_max = 2`` stays put while the slow direction ``lambda_min = 1 / kappa`` gets
    ever flatter: the largest eigenvalue caps the learning rate, the smallest sets the pace.

    Parameters
    ----------
    theta0 : array_like
        Start.
    condition, lr : float
        Initial condition number (1 to 1000) and learning rate (0.002 to 2.5; the grid
        steps by 6 %, so 1.995 and 2.11 straddle the edge 2).
    steps, max_steps : int
    preset : str, optional
        E.g. ``"condition=100;lr=1.9;steps=60"``.

    Returns
    -------
    Explorer
    """
    max_steps = _steps_range(steps, max_steps)
    kgrid = core.LogGrid("condition", 0.0, 3.0, 0.1)
    grid = core.LogGrid("lr", -2.7, 0.4, 0.025)  # 0.002 .. 2.5, with 1, 0.5, 0.1 on the grid
    scenes = [{"problem": Quadratic.with_condition(k), "theta0": theta0, "label": f"κ = {k:.3g}"}
              for k in kgrid.values]
    view = core.DescentView(scenes, grid, max_steps, xlim=(-5.0, 5.0), ylim=(-5.0, 5.0))
    controls = {"condition": _log_slider("condition", kgrid, condition, "condition κ"),
                "lr": _log_slider("lr", grid, lr, "lr (edge 2)"),
                "steps": _int_slider("steps", 1, max_steps, steps, "steps")}
    ex = Explorer(view, controls, {"lr": grid, "condition": kgrid},
                  lambda vals, idx: view.render(idx["lr"], vals["steps"], idx["condition"]))
    return _start(ex, preset)


def clipping_explorer(problem=None, theta0=None, lr=1.0, threshold=0.5, clip="norm",
                      steps=60, max_steps=100, xlim=(0.0, 10.0), ylim=(-6.0, 5.0), preset=None):
    """Learning rate AND threshold sliders (log scale) and a clip-mode toggle.

    The trajectory (with the unclipped run at the same rate dashed), the raw gradient norm
    per step with the threshold line and the clipped steps marked, and the step length.
    The default stage is the cliff of :class:`~gradclip.CliffRNN` (Pascanu et al. 2013).

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem (default ``CliffRNN()`` from ``theta0 = (5, -3.5)``).
    lr, threshold : float
        Initial values (lr 0.01 to 10, threshold 0.01 to 30).
    clip : {"none", "value", "norm"}
    steps, max_steps : int
    xlim, ylim : pair of float
        The view.
    preset : str, optional
        E.g. ``"lr=1;threshold=0.5;clip=norm;steps=60"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem = CliffRNN()
        theta0 = (5.0, -3.5) if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if clip not in core.ClippingView.MODES:
        raise ValueError(f"clip must be 'none', 'value' or 'norm', got {clip!r}")
    max_steps = _steps_range(steps, max_steps)
    lgrid = core.LogGrid("lr", -2.0, 1.0, 0.05)
    tgrid = core.LogGrid("threshold", -2.01, 1.5, 0.05, anchor=0.5)
    view = core.ClippingView(problem, theta0, lgrid, tgrid, max_steps, xlim, ylim)
    toggle = W.ToggleButtons(options=list(core.ClippingView.MODES), value=clip,
                             description="clip", style={"description_width": _sizes()["desc"]})
    toggle.add_class("gradclip-toggle-clip")
    controls = {"lr": _log_slider("lr", lgrid, lr, "lr"),
                "threshold": _log_slider("threshold", tgrid, threshold, "threshold"),
                "clip": toggle,
                "steps": _int_slider("steps", 1, max_steps, steps, "steps")}
    ex = Explorer(view, controls, {"lr": lgrid, "threshold": tgrid},
                  lambda vals, idx: view.render(vals["clip"], idx["lr"], idx["threshold"],
                                                vals["steps"]))
    return _start(ex, preset)
