"""The depth lab: depth, activation, initialisation and skip connections against a net's health.

After Karpathy's diagnostics ("makemore part 3"): the gradient reaching each layer, the
activation histograms of a few hidden layers with the share saturated, and the update:data
ratio of a gradient step per layer with the ``1e-3`` reference line (CS231n). Every setting
of the grid (6 depths x 3 activations x 4 initialisations x skip connections on / off) is
precomputed at initialisation; the play button steps full-batch training
(:func:`gradclip.plots.depth.depth_run`), computed in the kernel for the setting shown (a
few settings are stored with the explorer, so they play without a kernel too).

The runs of the default build (the grid at initialisation and the :data:`FEATURED` settings'
training, width 32, 64 samples, seed 0) are read from ``data/depth_runs.npz`` instead of
computed again at every build (0.6 s of the 0.9 s a build took); a test computes them again
with :func:`~gradclip.plots.depth.depth_run` and compares, and :func:`write_stored_runs`
rewrites the file.
"""

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..plots.depth import (INIT_CHOICES, SLOT_COLORS, DepthRun, depth_lab_axes, depth_net, depth_run,
                           depth_task)
from ..plots.rnn import plain_log_ticks
from ..style import PALETTE, is_presentation
from .controls import GridSlider, IntSlider, Toggle
from .figure import PROJECTOR_DPI
from .live import Explorer
from .stage import COVER, Stage, at, between, isin, position, switch, value, where

__all__ = ["depth_explorer", "depth_stage", "DepthExplorer", "DEPTHS", "ACTIVATIONS", "INITS", "FEATURED",
           "LR", "STEPS", "EVERY", "write_stored_runs", "read_stored_runs"]

DEPTHS = (2, 5, 10, 20, 30, 50)
ACTIVATIONS = ("tanh", "relu", "sigmoid")
INITS = tuple(INIT_CHOICES)
LR, STEPS, EVERY, BINS, SLOTS = 0.05, 40, 4, 24, 5
#: Settings whose training is stored with the explorer (they play without a kernel).
FEATURED = ({"depth": 20, "activation": "tanh", "init": "xavier", "residual": "off"},
            {"depth": 20, "activation": "sigmoid", "init": "xavier", "residual": "off"},
            {"depth": 20, "activation": "relu", "init": "he", "residual": "off"},
            {"depth": 50, "activation": "tanh", "init": "small", "residual": "on"})
G_LIM, R_LIM, H_TOP = (1e-20, 1e8), (1e-15, 1e3), 0.42
G_TICKS, R_TICKS = 10.0 ** np.arange(-20, 9, 4), 10.0 ** np.arange(-15, 4, 3)
CONFIG = ("depth", "activation", "init", "residual")
CAP = (1e-30, 1e30)  # stored values are capped here (the page computes in float32)
_GRID, _TRAINED = {}, {}  # the initial grid and the trained settings, kept per data set
STORED = Path(__file__).parent / "data" / "depth_runs.npz"
_STORED_DATA = (32, 64, 0)  # width, n, seed of the stored runs
_RUN_FIELDS = ("steps", "loss", "grad", "saturated", "ratios", "layers", "edges", "hist", "mean", "std")
_STORED_RUNS = []  # [{(steps, depth, activation, init, residual): DepthRun}] once read


def _config_id(depth, activation, init, residual):
    return ((DEPTHS.index(int(depth)) * len(ACTIVATIONS) + ACTIVATIONS.index(activation)) * len(INITS)
            + INITS.index(init)) * 2 + ("off", "on").index(residual)


def _summaries(run, width):
    """The arrays of one :class:`~gradclip.plots.depth.DepthRun`, rows = snapshots, layer axis
    padded to ``width``; histogram x positions in [-1, 1] (relu: a / largest a)."""
    S, d = run.grad.shape
    with np.errstate(all="ignore"):
        g = run.grad / run.grad[:, -1:]
    out = {"g": np.full((S, width), np.nan), "s": np.full((S, width), np.nan),
           "r": np.full((S, width), np.nan)}
    out["g"][:, :d], out["s"][:, :d - 1], out["r"][:, :d] = g, run.saturated, run.ratios
    centers = 0.5 * (run.edges[:, 1:] + run.edges[:, :-1])
    relu = np.nan_to_num(run.edges[:, :1]) >= 0
    relu &= np.nan_to_num(run.edges[:, -1:]) > 1
    with np.errstate(all="ignore"):
        out["hx"] = np.where(relu, centers / run.edges[:, -1:], centers)
        out["first"] = g[:, 0]
    out["loss"] = run.loss
    for name in ("g", "r", "first", "loss"):  # float32 in the page: cap the extremes
        out[name] = np.clip(out[name], CAP[0], CAP[1])
    for j in range(SLOTS):
        ok = j < len(run.layers)
        layer = run.layers[j] if ok else 0
        out[f"h{j}"] = run.hist[:, j] if ok else np.full((S, run.hist.shape[2]), np.nan)
        out[f"layer{j}"] = np.full(S, float(layer))
        out[f"std{j}"] = run.std[:, j] if ok else np.full(S, np.nan)
        out[f"sat{j}"] = 100 * run.saturated[:, layer - 1] if ok else np.full(S, np.nan)
    return out


def _setting(config):
    """``(depth, activation, init, residual)`` of a setting given as a dict."""
    return (int(round(float(config["depth"]))),) + tuple(str(config[k]) for k in CONFIG[1:])


def _compute_run(setting, steps, X, y, width, seed):
    """:func:`depth_run` of ``setting`` for ``steps`` training steps (0: at initialisation)."""
    d, act, init, res = setting
    net = depth_net(d, act, init, res == "on", width, seed)
    return depth_run(net, X, y, LR, steps, EVERY if steps else 1, BINS, SLOTS)


def _run(setting, steps, X, y, width, seed):
    """The run of ``setting``: stored (see :data:`STORED`) or computed."""
    if (width, len(X), seed) == _STORED_DATA:
        run = read_stored_runs().get((steps,) + tuple(setting))
        if run is not None:
            return run
    return _compute_run(setting, steps, X, y, width, seed)


def _stored_settings():
    """``(steps, setting)`` of every stored run: the grid at initialisation, the featured trained."""
    grid = [(0, (d, act, init, res)) for d in DEPTHS for act in ACTIVATIONS for init in INITS
            for res in ("off", "on") if not (res == "on" and d == 2)]
    return grid + [(STEPS, _setting(f)) for f in FEATURED]


def _meta():
    return np.array(_STORED_DATA + (LR, STEPS, EVERY, BINS, SLOTS), dtype=np.float64)


def write_stored_runs(path=None):
    """Compute the runs of the default build (the grid at initialisation, the :data:`FEATURED`
    settings trained; width 32, 64 samples, seed 0) and write them to ``path`` (default
    :data:`STORED`): every field of each :class:`~gradclip.plots.depth.DepthRun`, float64 as
    computed, stacked over the runs of one depth and length."""
    width, n, seed = _STORED_DATA
    X, y = depth_task(n, width, seed)
    groups = {}
    for steps, setting in _stored_settings():
        run = _compute_run(setting, steps, X, y, width, seed)
        groups.setdefault((steps, setting[0]), []).append((setting, run))
    arrays = {"meta": _meta()}
    for (steps, d), items in groups.items():
        head = f"{steps}/{d}/"
        arrays[head + "settings"] = np.array([" ".join(map(str, setting[1:])) for setting, _ in items])
        for field in _RUN_FIELDS:
            arrays[head + field] = np.stack([getattr(run, field) for _, run in items])
        arrays[head + "diverged_at"] = np.array([-1 if run.diverged_at is None else run.diverged_at
                                                 for _, run in items])
    path = Path(STORED if path is None else path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def read_stored_runs(path=None):
    """The stored runs, ``{(steps, depth, activation, init, residual): DepthRun}`` (empty when
    the file is absent or was written for other constants); read once."""
    if path is None and _STORED_RUNS:
        return _STORED_RUNS[0]
    out = {}
    if Path(STORED if path is None else path).exists():
        with np.load(STORED if path is None else path) as f:
            if np.array_equal(f["meta"], _meta()):
                heads = sorted({name.rsplit("/", 1)[0] for name in f.files if name.count("/") == 2})
                for head in heads:
                    steps, d = map(int, head.split("/"))
                    fields = {field: f[f"{head}/{field}"] for field in _RUN_FIELDS}
                    for i, (setting, k) in enumerate(zip(f[f"{head}/settings"], f[f"{head}/diverged_at"])):
                        run = DepthRun(diverged_at=None if k < 0 else int(k),
                                       **{field: a[i] for field, a in fields.items()})
                        out[(steps, d) + tuple(str(setting).split(" "))] = run
    if path is None:
        _STORED_RUNS.append(out)
    return out


def _train(config, X, y, width, seed):
    run = _run(_setting(config), STEPS, X, y, width, seed)
    arrays = _summaries(run, DEPTHS[-1])
    k = run.diverged_at
    arrays["div"] = np.where(run.steps >= (np.inf if k is None else k), 1.0, 0.0)
    arrays["divstep"] = np.full(len(run.steps), np.nan if k is None else float(k))
    arrays["id"] = np.full(len(run.steps), float(_config_id(**config)))
    return {"arrays": {f"{name}_t": a for name, a in arrays.items()}}


def _figure():
    dpi = PROJECTOR_DPI if is_presentation() else 100.0
    fig = Figure(figsize=(9.4, 6.4), dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(h_pad=0.06, rect=(0, 0, 1, 0.93))
    return fig, fig.subplots(2, 2).ravel()


def _static(axes, width):
    ax_g, ax_h, ax_s, ax_r = depth_lab_axes(axes, width, LR, note_gid=COVER,
                                            ylims=(G_LIM, (0, H_TOP), (-0.03, 1.03), R_LIM))
    plain_log_ticks(ax_g, ax_r)
    ax_g.set_yticks(G_TICKS)
    ax_r.set_yticks(R_TICKS)


def _draw(st, axes, tag, visible):
    """The moving artists of one data set (``tag`` "0": the grid, "t": the trained setting)."""
    ax_g, ax_h, ax_s, ax_r = axes
    st.line(ax_g, "layers", f"g_{tag}", along="layer", color=PALETTE["slow"], lw=1.6, marker="o",
            ms=3, visible=visible)
    st.line(ax_s, "layers", f"s_{tag}", along="layer", color=PALETTE["divergent"], lw=1.6,
            marker="o", ms=3, visible=visible)
    st.line(ax_r, "layers", f"r_{tag}", along="layer", color=PALETTE["good"], lw=1.6, marker="o",
            ms=3, visible=visible)
    for j in range(SLOTS):
        shown = visible if j == 0 else where(visible, between(at(f"layer{j}_{tag}"), 1, 1e9), 0)
        color = SLOT_COLORS[j]
        st.line(ax_h, f"hx_{tag}", f"h{j}_{tag}", along="bin", color=color, lw=1.5, visible=shown)
        st.text(ax_h, 0.9, 0.97 - 0.075 * j, "layer {L}: std {s:.2g}, saturated {p:.0f} %",
                {"L": at(f"layer{j}_{tag}"), "s": at(f"std{j}_{tag}"), "p": at(f"sat{j}_{tag}")},
                color=color, size=8.5, ha="right", visible=shown)


def _initial_grid(X, y, width, seed):
    """Every setting of the grid at initialisation (:func:`depth_run` with no training),
    computed once per data set and kept (the explorer's arrays copy them)."""
    key = (X.shape, width, seed)
    if key not in _GRID:
        shape = (len(DEPTHS), len(ACTIVATIONS), len(INITS), 2)
        grid, ids = {}, np.zeros(shape)
        for i, d in enumerate(DEPTHS):
            for a, act in enumerate(ACTIVATIONS):
                for k, init in enumerate(INITS):
                    for r, res in enumerate(("off", "on")):
                        if res == "on" and d == 2:  # no hidden-to-hidden layer to skip
                            rows = grid_rows
                        else:
                            run = _run((d, act, init, res), 0, X, y, width, seed)
                            rows = {name: a_[0] for name, a_ in _summaries(run, DEPTHS[-1]).items()}
                        grid_rows = rows
                        for name, val in rows.items():
                            if name not in grid:
                                grid[name] = np.full(shape + np.shape(val), np.nan)
                            grid[name][i, a, k, r] = val
                        ids[i, a, k, r] = _config_id(d, act, init, res)
        _GRID[key] = (grid, ids)
    return _GRID[key]


def depth_stage(width=32, n=64, seed=0, featured=FEATURED):
    """A :class:`Stage` over the grid of depths, activations, initialisations and skips."""
    X, y = depth_task(n, width, seed)
    fig, axes = _figure()
    st = Stage("depth", fig)
    st.slider("depth", DEPTHS, label="depth (weight layers)", fmt="d")
    st.toggle("activation", list(ACTIVATIONS), label="activation")
    st.toggle("init", list(INITS), label="init")
    st.toggle("residual", ["off", "on"], label="skip connections")
    st.player("step", 0, STEPS // EVERY, label=f"training (×{EVERY} steps)", interval=400)
    _static(axes, DEPTHS[-1])
    st.freeze()

    grid, ids = _initial_grid(X, y, width, seed)
    memo = _TRAINED.setdefault((width, n, seed), {})

    def train_setting(vals):
        key = _setting(vals)
        if key not in memo:
            if len(memo) > 64:
                memo.clear()
            memo[key] = _train(vals, X, y, width, seed)
        return memo[key]

    start = dict(featured[0]) if featured else dict(zip(CONFIG, (20, "tanh", "xavier", "off")))
    trained = train_setting(start)["arrays"]
    _arrays(st, axes, grid, ids, trained)

    # ---- what moves
    match = between(at("cfg"), at("id_t"), at("id_t"))
    _draw(st, axes, "0", where(match, 0, 1))
    _draw(st, axes, "t", match)
    diverged = where(match, at("div_t"), 0)
    ax_g = axes[0]
    waiting = where(match, 0, where(between(position("step"), 0, 0), 0, 1))
    for i, line in enumerate(("▶ training this setting runs in the kernel:", "run the notebook (step 0 shown)")):
        st.text(ax_g, 0.97, 0.95 - 0.09 * i, line, color=PALETTE["divergent"], size=9.5, ha="right",
                va="top", visible=waiting)
    head = "{act}, {init}, {depth} layers{skip}, "
    tail = "loss {loss:.3g} · layer 1 ÷ last layer gradient {first:.2g}"
    fields = {"act": value("activation"), "init": value("init"), "depth": value("depth"),
              "skip": where(isin("residual", ["on"]), " + skips", ""),
              "k": where(match, at("steps_t"), 0), "kd": at("divstep_t")}
    for name in ("loss", "first"):
        fields[name] = where(match, at(f"{name}_t"), at(f"{name}_0"))
    case = where(diverged, 1, where(match, 0, where(between(position("step"), 0, 0), 0, 2)))
    st.status([head + "step {k}: " + tail,
               head + "diverged at step {kd}: the loss overflowed",
               head + "step 0 shown: " + tail],
              case=case, fields=fields, color=switch(diverged, ["#333333", PALETTE["divergent"]]),
              size=10.0)
    st.request("train", list(CONFIG), train_setting, cache=featured[1:], computed=start)
    return st, start


class DepthExplorer(Explorer):
    """The depth lab's :class:`~gradclip.widgets.live.Explorer`: a change of the setting
    (depth, activation, init, skips) trains it in the kernel, as the page asks on release."""

    def update(self, **values):
        before = {k: self._values[k] for k in CONFIG}
        super().update(**values)
        now = {k: self._values[k] for k in CONFIG}
        if now != before:
            self.request("train", **now)
        return self


def _arrays(st, axes, grid, ids, trained):
    ax_g, ax_h, ax_s, ax_r = axes
    lead = CONFIG
    qg, qr = st.quantum(ax_g, "y"), st.quantum(ax_r, "y")
    qs, qh = st.quantum(ax_s, "y"), st.quantum(ax_h, "y")
    qx = st.quantum(ax_h, "x")
    st.array("layers", np.arange(1, DEPTHS[-1] + 1), ("layer",), integer=True)
    st.array("cfg", ids, lead, integer=True)
    for tag, data, axes_ in (("0", grid, lead), ("t", trained, ("step",))):
        get = (lambda name: data[name]) if tag == "0" else (lambda name: data[name + "_t"])
        st.array(f"g_{tag}", get("g"), axes_ + ("layer",), quantum=qg, log=True)
        st.array(f"s_{tag}", get("s"), axes_ + ("layer",), quantum=qs)
        st.array(f"r_{tag}", get("r"), axes_ + ("layer",), quantum=qr, log=True)
        st.array(f"hx_{tag}", get("hx"), axes_ + ("bin",), quantum=qx)
        for j in range(SLOTS):
            st.array(f"h{j}_{tag}", get(f"h{j}"), axes_ + ("bin",), quantum=qh)
            st.array(f"layer{j}_{tag}", get(f"layer{j}"), axes_, integer=True)
            st.array(f"std{j}_{tag}", get(f"std{j}"), axes_, quantum=0.002, log=True)
            st.array(f"sat{j}_{tag}", get(f"sat{j}"), axes_, quantum=0.5)
        for name in ("loss", "first"):
            st.array(f"{name}_{tag}", get(name), axes_, quantum=0.002, log=True)
    st.array("id_t", trained["id_t"], ("step",), integer=True)
    st.array("div_t", trained["div_t"], ("step",), integer=True)
    st.array("divstep_t", trained["divstep_t"], ("step",), integer=True)
    st.array("steps_t", np.arange(STEPS // EVERY + 1) * EVERY, ("step",), integer=True)


def depth_explorer(depth=20, activation="tanh", init="xavier", residual="off", step=0,
                   preset=None):
    """The depth lab: a deep net's gradients, activations and updates, layer by layer.

    Controls: depth (2 to 50 weight layers of width 32), activation (tanh, relu, sigmoid),
    initialisation (``small`` 0.01, ``xavier`` sqrt(2/(fan_in + fan_out)): 1/sqrt(n) for the
    hidden layers, sqrt(2/33) for the 32 -> 1 output layer; ``he`` sqrt(2/n), ``large``
    3/sqrt(n)), skip connections (``h + act(W h + b)`` around every hidden layer) and a play
    button that steps full-batch training (lr 0.05, 4 steps per frame, 40 steps). Panels:
    the back-propagated gradient per layer (relative to the last layer's), the activation
    histograms of up to five hidden layers (std and share saturated in the key), the share
    of saturated (tanh, sigmoid) or dead (relu) units per layer, and the update:data ratio
    ``||ΔW|| / ||W|| = lr ||dL/dW|| / ||W||`` per layer with the 1e-3 reference line.

    Parameters
    ----------
    depth : int
        One of 2, 5, 10, 20, 30, 50 (snapped to the nearest).
    activation, init, residual : str
        ``"tanh"``/``"relu"``/``"sigmoid"``, ``"small"``/``"xavier"``/``"he"``/``"large"``,
        ``"off"``/``"on"``.
    step : int
        Training frame, 0 to 10 (step 4 x frame).
    preset : str, optional
        E.g. ``"depth=50;activation=sigmoid;init=xavier;residual=on;step=10"``.

    Returns
    -------
    Explorer
        The setting shown is trained (``explorer.request("train", ...)`` for another one).

    References
    ----------
    Karpathy, "Building makemore Part 3" (2022); CS231n, "Neural Networks Part 3".
    """
    checks = (GridSlider("depth", DEPTHS), Toggle("activation", ACTIVATIONS), Toggle("init", INITS),
              Toggle("residual", ["off", "on"]), IntSlider("step", 0, STEPS // EVERY))
    for control, val in zip(checks, (depth, activation, init, residual, step)):
        control.check(val)  # before the build, which takes a few seconds
    stage, _ = depth_stage()
    return stage.build({"depth": depth, "activation": activation, "init": init, "residual": residual,
                        "step": step}, preset, explorer=DepthExplorer)
