"""Drive every control of every explorer headlessly; check what is drawn against gradclip.run."""

import base64
import json
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gradclip  # noqa: E402
from conftest import control_ends  # noqa: E402
from gradclip import widgets  # noqa: E402
from gradclip.plots import animation  # noqa: E402
from gradclip.widgets.live import LIVE_HINT, MIME  # noqa: E402

#: the spec of one explorer stays below this (a notebook with three explorers < 2 MB)
SPEC_LIMIT = 600_000


@pytest.fixture(scope="module")
def explorers():
    gradclip.setup(seed=0)
    return {"lr": widgets.learning_rate_explorer(), "condition": widgets.condition_explorer(),
            "clipping": widgets.clipping_explorer()}


# ---------------------------------------------------------------- every explorer

from conftest import EXPLORER_FACTORIES as FACTORIES, SMALL_SETTINGS as SMALL  # noqa: E402
#: The largest spec (bytes of JSON) each may store: a notebook with a few explorers < 2 MB.
SPEC_LIMITS = {"rnn_explorer": 200_000, "adam_explorer": 250_000, "toy_explorer": 250_000,
               "eos_explorer": 250_000, "cliff_explorer": 300_000, "smoothness_explorer": 300_000,
               "noise_explorer": 300_000, "bias_explorer": 300_000, "spike_explorer": 300_000,
               "momentum_explorer": 300_000, "depth_explorer": 400_000}


def _build(name):
    gradclip.setup(seed=0)
    if name == "player":
        prob, theta0 = widgets.demo_regression()
        runs = [gradclip.run(prob, theta0, lr, 20) for lr in (0.1, 0.5)]
        return widgets.player(animation.TrajectoryScene(prob, runs, ["a", "b"], (-2, 8), (-2, 8)))
    return getattr(widgets, name)(**SMALL.get(name, {}))


@pytest.fixture(scope="module")
def built():
    made = {}

    def get(name):
        if name not in made:
            made[name] = _build(name)
        return made[name]
    return get


def test_every_factory_is_listed():
    assert len(FACTORIES) == 18 and set(SMALL) | set(SPEC_LIMITS) <= set(FACTORIES)


def _samples(control, rng, n):
    """``n`` values anywhere in the control's range (uniform in log10 on a log slider)."""
    if control.kind == "toggle":
        return [str(x) for x in rng.choice(control.options, n)]
    if control.kind == "slider":
        lo, hi = control.values[[0, -1]]
        if control.log:
            return list(10 ** rng.uniform(np.log10(lo), np.log10(hi), n))
        return list(rng.uniform(lo, hi, n))
    return [int(x) for x in rng.integers(control.lo, control.hi + 1, n)]


def _nearest(control, x):
    """The grid value a slider shows for ``x``: the nearest, in log10 on a log slider."""
    f = np.log10 if control.log else (lambda v: v)
    return float(control.values[np.argmin(np.abs(f(control.values) - f(x)))])


def _rounded(values):
    """Numbers rounded to 6 decimals, NaN as None (so that equal drawings compare equal)."""
    return [None if np.isnan(x) else x
            for x in np.round(np.asarray(values, dtype=float), 6).ravel().tolist()]


def _drawing(ex):
    return [(d["type"], str(d.get("color")), str(d.get("marker")), _rounded(d.get("x", [])),
             _rounded(d.get("y", d.get("at", []))), d.get("text")) for d in ex.drawn()]


def _active(ex):
    """Which controls the page shows as active now (their ``active`` fields, as the page reads them)."""
    from gradclip.widgets import encoding
    from gradclip.widgets.evaluate import Evaluator

    spec = ex.to_spec()
    ev = Evaluator(spec, {k: encoding.decode_array(a) for k, a in spec["arrays"].items()}, ex.controls)
    pos = ev.positions(ex.values)
    return {c["name"]: bool(ev.field(c["active"], ex.values, pos)) if "active" in c else True
            for c in spec["controls"]}


def _activate(ex, key):
    """Set a toggle so that the control ``key`` is active (a rule's slider needs its rule)."""
    for name, c in ex.controls.items():
        if _active(ex)[key]:
            return
        if c.kind == "toggle" and name != key:
            for option in c.options:
                ex.update(**{name: option})
                if _active(ex)[key]:
                    return
    assert _active(ex)[key], f"{ex.name}: no toggle makes {key} active"


def _shown_ok(ex, key, control, value):
    assert ex.status_text or ex.spec["status"] is None  # a player has no status line
    shown = ex.values[key]
    assert shown == (_nearest(control, value) if control.kind == "slider" else value)
    for d in ex.drawn():
        if d["type"] == "line":
            assert len(d["x"]) == len(d["y"]) or 1 in (len(d["x"]), len(d["y"]))


@pytest.mark.parametrize("name", FACTORIES)
def test_every_control_across_its_range_and_both_ends_change_the_drawing(built, name):
    ex = built(name)
    start = ex.preset()
    rng = np.random.default_rng(1)
    for key, control in ex.controls.items():
        _activate(ex, key)
        lo, hi = control_ends(control)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ex.update(**{key: lo})
            before = (_drawing(ex), ex.status_text)
            ex.update(**{key: hi})
            assert (_drawing(ex), ex.status_text) != before, f"{name}: moving {key} changed nothing"
            _shown_ok(ex, key, control, hi)
            for value in _samples(control, rng, 4):
                ex.update(**{key: value})
                _shown_ok(ex, key, control, value)
        ex.apply_preset(start)
    assert ex.preset() == start


@pytest.mark.parametrize("name", FACTORIES)
def test_preset_round_trip_and_bad_presets_raise(built, name):
    ex = built(name)
    start, first = ex.preset(), ex.status_text
    rng = np.random.default_rng(2)
    for _ in range(4):
        ex.update(**{k: _samples(c, rng, 1)[0] for k, c in ex.controls.items()})
        text, status = ex.preset(), ex.status_text
        ex.apply_preset(start)
        ex.apply_preset(text)
        assert ex.preset() == text and ex.status_text == status
    for bad in ("nope=1", "", "lr", 3, f"{next(iter(ex.controls))}=1e9"):
        with pytest.raises(ValueError):
            ex.apply_preset(bad)
    with pytest.raises(ValueError, match="unknown"):
        ex.update(speed=1)
    assert ex.apply_preset(start).preset() == start and ex.status_text == first


@pytest.mark.parametrize("name", FACTORIES)
def test_display_bundle_is_small_and_complete(built, name):
    ex = built(name)
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and bundle["text/plain"] == LIVE_HINT
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == round(ex.spec["size"][0])
    size = len(json.dumps(bundle[MIME], separators=(",", ":")))
    assert size < SPEC_LIMITS.get(name, SPEC_LIMIT), f"{name}: spec of {size} bytes"
    assert [c["name"] for c in bundle[MIME]["controls"]] == list(ex.controls)
    assert ex.spec["size"][0] <= 950


# ---------------------------------------------------------------- the descent explorers

@pytest.mark.parametrize("bad", ["lr=abc", "nope=1", "lr=1e9", "", "steps=2.5", "clip=maybe",
                                 "lr", 3])
def test_bad_preset_raises(explorers, bad):
    with pytest.raises(ValueError):
        explorers["clipping"].apply_preset(bad)


def test_update_rejects_unknown_and_out_of_range(explorers):
    ex = explorers["lr"]
    with pytest.raises(ValueError, match="unknown"):
        ex.update(speed=1)
    with pytest.raises(ValueError, match="steps"):
        ex.update(steps=10_000)
    with pytest.raises(ValueError, match="lr"):
        ex.update(lr=-1.0)
    assert ex.update(steps=5) is ex


def test_factory_preset_argument():
    ex = widgets.condition_explorer(preset="condition=100;lr=0.1;steps=20", steps=20, max_steps=30)
    assert ex.preset() == "condition=100;lr=0.1;steps=20"


def test_lr_explorer_reports_divergence_like_run(explorers):
    ex = explorers["lr"]
    prob, theta0 = widgets.demo_regression()
    grid = ex.controls["lr"].values
    edge = prob.max_stable_lr()
    lrs = list(grid[grid > 0.8 * edge]) + list(grid[::10])
    for lr in lrs:
        for steps in (1, 20, 60, 100):
            ex.update(lr=float(lr), steps=steps)
            k = gradclip.run(prob, theta0, float(lr), steps).diverged_at
            shown = "diverged at step" in ex.status_text
            assert shown == (k is not None), (lr, steps, ex.status_text)
            if k is not None:
                assert f"diverged at step {k} " in ex.status_text + " "


def _path(ex, axes=0):
    """The drawn trajectory: the longest line on the trajectory axes."""
    lines = [d for d in ex.drawn() if d["type"] == "line" and d["axes"] == axes and d["marker"] == "o"]
    return max(lines, key=lambda d: len(d["x"]))


def test_drawn_runs_agree_with_run(explorers):
    """Sample grid points: the drawn path and loss curve are gradclip.run's, within a pixel."""
    ex = explorers["lr"]
    prob, theta0 = widgets.demo_regression()
    floor = float(prob.loss(prob.solution()))
    for i in (0, 40, 80, len(ex.controls["lr"].values) - 1):
        lr = float(ex.controls["lr"].values[i])
        ex.update(lr=lr, steps=60)
        ref = gradclip.run(prob, theta0, lr, 60)
        path = _path(ex)
        n = int(np.isfinite(path["x"]).sum())  # NaN after a run left for good
        px = np.ptp(ex.fig.axes[0].get_xlim()) / ex.spec["axes"][0]["bbox"][2]  # one pixel
        ref_x, ref_y = ref.thetas[:, 0], ref.thetas[:, 1]
        inside = n if ref.diverged_at is None else n - 1  # a run leaving for good is cut
        assert np.allclose(path["x"][:inside], ref_x[:inside], atol=px)
        assert np.allclose(path["y"][:inside], ref_y[:inside], atol=px)
        if inside < n:  # the last point lies on the segment towards the next iterate
            d1 = np.array([path["x"][n - 1] - ref_x[n - 2], path["y"][n - 1] - ref_y[n - 2]])
            d2 = np.array([ref_x[n - 1] - ref_x[n - 2], ref_y[n - 1] - ref_y[n - 2]])
            assert abs(d1[0] * d2[1] - d1[1] * d2[0]) < 1e-3 * np.linalg.norm(d1) * np.linalg.norm(d2)
        loss = [d for d in ex.drawn() if d["axes"] == 1][0]
        good = np.isfinite(ref.losses)
        expect = np.maximum(ref.losses[good] - floor, 1e-16)
        assert np.allclose(loss["y"][: good.sum()], expect, rtol=0.006)


def test_condition_explorer_runs_agree_with_run(explorers):
    ex = explorers["condition"]
    for kappa, lr in ((1.0, 0.5), (100.0, 1.9), (1000.0, 2.11)):
        ex.update(condition=kappa, lr=lr, steps=150)
        kappa, lr = ex.values["condition"], ex.values["lr"]
        ref = gradclip.run(gradclip.Quadratic.with_condition(kappa), (-4.0, 3.0), lr, 150)
        path = _path(ex)
        finite = np.all(np.isfinite(ref.thetas), axis=1) & (np.abs(ref.thetas).max(axis=1) < 20)
        m = min(len(path["x"]), int(np.argmin(finite)) if not finite.all() else len(finite))
        assert np.allclose(path["x"][:m], ref.thetas[:m, 0], atol=0.03)
        assert np.allclose(path["y"][:m], ref.thetas[:m, 1], atol=0.03)
        assert ("diverged at step" in ex.status_text) == (ref.diverged_at is not None)
        assert ex.status_text.startswith(f"κ = {kappa:.3g}")


def test_clipping_explorer_reports_divergence_like_run():
    quad = gradclip.Quadratic.with_condition(10.0)
    ex = widgets.clipping_explorer(problem=quad, theta0=(-4.0, 3.0), xlim=(-5, 5), ylim=(-5, 5),
                                   max_steps=40, steps=40)
    for lr in (0.5, 2.5, 10.0):
        for clip in ("none", "value", "norm"):
            ex.update(lr=lr, clip=clip, threshold=1.0)
            mode = None if clip == "none" else clip
            lr_used, thr = ex.values["lr"], ex.values["threshold"]
            ref = gradclip.run(quad, (-4.0, 3.0), lr_used, 40, clip=mode,
                               threshold=None if mode is None else thr)
            k = ref.diverged_at
            assert ("diverged at step" in ex.status_text) == (k is not None)
            if k is not None:
                assert f"diverged at step {k} " in ex.status_text
            else:
                n = int(ref.clipped.sum())
                assert ex.status_text.startswith("no clipping" if mode is None else f"clipped {n}/40 ")


def test_clipping_explorer_marks_the_clipped_steps(explorers):
    ex = explorers["clipping"]
    ex.update(lr=1.0, threshold=0.5, clip="norm", steps=60)
    ref = gradclip.run(gradclip.CliffRNN(), (5.0, -3.5), ex.values["lr"], 60, clip="norm",
                       threshold=ex.values["threshold"])
    marks = [d for d in ex.drawn() if d["type"] == "line" and d["axes"] == 1 and d["marker"] == "o"][0]
    drawn = np.asarray(marks["x"])[np.isfinite(marks["y"])]
    assert drawn.tolist() == np.flatnonzero(ref.clipped).tolist()
    gn = [d for d in ex.drawn() if d["type"] == "line" and d["axes"] == 1 and d["marker"] is None][0]
    assert np.allclose(gn["y"], ref.grad_norms, rtol=0.07)  # a quarter pixel on a log axis
    thr = [d for d in ex.drawn() if d["type"] == "hline"][0]
    assert thr["at"] == ex.values["threshold"]


def test_edge_is_marked(explorers):
    ex = explorers["lr"]
    edge = widgets.demo_regression()[0].max_stable_lr()
    assert f"{edge:.3g}" in ex.controls["lr"].label
    assert any(f"{edge:.3g}" in t.get_text() for ax in ex.fig.axes for t in ax.texts)


def test_presentation_mode_makes_bigger_figures_with_bigger_fonts():
    gradclip.setup(seed=0)
    small = widgets.condition_explorer(max_steps=20, steps=10)
    gradclip.presentation(True)
    try:
        big = widgets.condition_explorer(max_steps=20, steps=10)
    finally:
        gradclip.presentation(False)
    assert big.spec["size"][0] > small.spec["size"][0] <= 1000
    assert big.spec["size"][0] <= 1200  # fits a 1280 px projector
    assert big.spec["status"]["size"] > small.spec["status"]["size"]
    assert big.spec["presentation"] and not small.spec["presentation"]


def test_factories_reject_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        widgets.learning_rate_explorer(steps=0)
    with pytest.raises(ValueError, match="clip"):
        widgets.clipping_explorer(clip="sometimes")
    with pytest.raises(ValueError, match="max_stable_lr"):
        widgets.learning_rate_explorer(problem=gradclip.CliffRNN(), theta0=(1.0, 1.0))
    with pytest.raises(ValueError, match="threshold"):
        widgets.clipping_explorer(threshold=1e6)


def test_player_steps_through_frames():
    prob, theta0 = widgets.demo_regression()
    traj = gradclip.run(prob, theta0, 0.5, 10)
    scene = animation.TrajectoryScene(prob, [traj], ["run"], (-2, 8), (-2, 8))
    pl = widgets.player(scene)
    assert len(_path(pl)["x"]) == 1
    pl.update(10)
    assert len(_path(pl)["x"]) == 11
    assert np.allclose(_path(pl)["x"], traj.thetas[:, 0], atol=0.01)
    assert any(d.get("text") == "step 10 / 10" for d in pl.drawn())
    assert pl.spec["controls"][0]["kind"] == "player"
    with pytest.raises(ValueError, match="step"):
        pl.update(11)
    with pytest.raises(ValueError, match="scene"):
        widgets.player("not a scene")


def test_paths_match_trajectory_xy_run_by_run():
    from gradclip.plots import trajectory_xy
    from gradclip.widgets.figure import paths

    rng = np.random.default_rng(3)
    thetas = rng.normal(scale=20.0, size=(60, 12, 2))  # many points far outside a (-1, 1) view
    thetas[5, 4:] = np.nan
    thetas[6, 0] = np.inf
    thetas[7] = rng.normal(scale=0.5, size=(12, 2))
    xlim, ylim, factor = (-1.0, 1.0), (-2.0, 2.0), 4.0
    X, Y = paths(thetas, xlim, ylim, factor)
    lo, hi = np.array([-9.0, -18.0]), np.array([9.0, 18.0])
    for i in range(len(thetas)):
        px, py = trajectory_xy(thetas[i], xlim, ylim, factor)
        k = len(px)
        want_x, want_y = np.full(12, np.nan), np.full(12, np.nan)
        want_x[:k], want_y[:k] = px, py
        if k >= 2 and not (lo[0] <= px[-1] <= hi[0] and lo[1] <= py[-1] <= hi[1]):
            a, b = np.array([px[-2], py[-2]]), np.array([px[-1], py[-1]])
            t = min(((hi if d > 0 else lo)[c] - a[c]) / d for c, d in enumerate(b - a) if d != 0)
            want_x[k - 1], want_y[k - 1] = a + min(max(t, 0.0), 1.0) * (b - a)
        np.testing.assert_allclose(X[i], want_x, rtol=1e-15, atol=0, equal_nan=True)
        np.testing.assert_allclose(Y[i], want_y, rtol=1e-15, atol=0, equal_nan=True)
    assert np.isnan(X[6]).all() and np.isnan(X[5, 4:]).all()
