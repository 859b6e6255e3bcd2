"""Drive every control of every explorer headlessly: ends, random values, presets, status."""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gradclip  # noqa: E402
from gradclip import widgets  # noqa: E402
from gradclip.plots import animation  # noqa: E402


@pytest.fixture(scope="module")
def explorers():
    gradclip.setup(seed=0)
    made = {
        "lr": widgets.learning_rate_explorer(),
        "condition": widgets.condition_explorer(),
        "clipping": widgets.clipping_explorer(),
    }
    yield made
    for ex in made.values():
        ex.close()


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _line_data(fig):
    """Data and visibility of every line (a toggle may only show or hide one)."""
    return [np.append(np.asarray(ln.get_xydata()).ravel(), float(ln.get_visible()))
            for ax in fig.axes for ln in ax.lines]


def _values(control, rng):
    if hasattr(control, "options"):
        return list(control.options) + list(rng.choice(list(control.options), 20))
    lo, hi = control.min, control.max
    if hasattr(control, "base"):  # log slider: min/max are exponents
        ends = [control.base**lo, control.base**hi]
        return ends + list(control.base ** rng.uniform(lo, hi, 20))
    return [lo, hi] + [int(x) for x in rng.integers(lo, hi + 1, 20)]


@pytest.mark.parametrize("name", ["lr", "condition", "clipping"])
def test_every_control_end_to_end(explorers, name):
    ex = explorers[name]
    rng = np.random.default_rng(1)
    for key, control in ex.controls.items():
        for value in _values(control, rng):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                ex.update(**{key: value})
            assert ex.status_text
            assert np.all(np.isfinite(ex.fig.axes[0].get_xlim()))


@pytest.mark.parametrize("name", ["lr", "condition", "clipping"])
def test_each_control_changes_the_figure(explorers, name):
    ex = explorers[name]
    for key, control in ex.controls.items():
        if hasattr(control, "options"):
            ends = [control.options[0], control.options[-1]]
        elif hasattr(control, "base"):
            ends = [control.base**control.min, control.base**control.max]
        else:
            ends = [control.min, control.max]
        ex.update(**{key: ends[0]})
        before, lines = _pixels(ex.fig), _line_data(ex.fig)
        ex.update(**{key: ends[1]})
        after = _pixels(ex.fig)
        assert not np.array_equal(before, after), f"{name}: moving {key} changed nothing"
        changed = [a.shape != b.shape or not np.array_equal(a, b, equal_nan=True)
                   for a, b in zip(lines, _line_data(ex.fig))]
        assert any(changed)


@pytest.mark.parametrize("name", ["lr", "condition", "clipping"])
def test_preset_round_trip(explorers, name):
    ex = explorers[name]
    rng = np.random.default_rng(2)
    for _ in range(5):
        ex.update(**{k: _values(c, rng)[-1] for k, c in ex.controls.items()})
        text, status = ex.preset(), ex.status_text
        ex.update(steps=1)
        ex.apply_preset(text)
        assert ex.preset() == text
        assert ex.status_text == status


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
    assert ex.update(steps=5) is ex


def test_factory_preset_argument():
    ex = widgets.condition_explorer(preset="condition=100;lr=0.1;steps=20")
    assert ex.preset() == "condition=100;lr=0.1;steps=20"
    ex.close()


def test_lr_explorer_reports_divergence_like_run(explorers):
    ex = explorers["lr"]
    prob, theta0 = widgets.demo_regression()
    grid = ex._grids["lr"].values
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


def test_edge_is_marked(explorers):
    ex = explorers["lr"]
    edge = widgets.demo_regression()[0].max_stable_lr()
    assert f"{edge:.3g}" in ex.controls["lr"].description
    assert any(f"{edge:.3g}" in t.get_text() for ax in ex.fig.axes for t in ax.texts)


def test_css_classes_and_display(explorers):
    ex = explorers["clipping"]
    assert "gradclip-explorer" in ex.widget._dom_classes
    for name in ("lr", "threshold", "steps"):
        assert f"gradclip-slider-{name}" in ex.controls[name]._dom_classes
    assert "gradclip-toggle-clip" in ex.controls["clip"]._dom_classes
    assert "gradclip-status" in ex.status._dom_classes
    assert "gradclip-slider-condition" in explorers["condition"].controls["condition"]._dom_classes
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_presentation_mode_makes_bigger_figures():
    gradclip.setup(seed=0)
    small = widgets.condition_explorer(max_steps=20, steps=10)
    gradclip.presentation(True)
    try:
        big = widgets.condition_explorer(max_steps=20, steps=10)
    finally:
        gradclip.presentation(False)
    assert big.fig.get_figwidth() > small.fig.get_figwidth()
    assert big.controls["lr"].layout.width != small.controls["lr"].layout.width
    small.close()
    big.close()


def test_factories_reject_bad_arguments():
    with pytest.raises(ValueError, match="steps"):
        widgets.learning_rate_explorer(steps=0)
    with pytest.raises(ValueError, match="clip"):
        widgets.clipping_explorer(clip="sometimes")
    with pytest.raises(ValueError, match="max_stable_lr"):
        widgets.learning_rate_explorer(problem=gradclip.CliffRNN(), theta0=(1.0, 1.0))


def test_player_steps_through_frames():
    prob, theta0 = widgets.demo_regression()
    traj = gradclip.run(prob, theta0, 0.5, 10)
    scene = animation.TrajectoryScene(prob, [traj], ["run"], (-2, 8), (-2, 8))
    pl = widgets.player(scene)
    before = _pixels(pl.fig)
    pl.update(10)
    assert not np.array_equal(before, _pixels(pl.fig))
    assert "gradclip-player" in pl.widget._dom_classes
    with pytest.raises(ValueError, match="step"):
        pl.update(11)
    with pytest.raises(ValueError, match="scene"):
        widgets.player("not a scene")


@pytest.mark.parametrize("name", ["lr", "condition", "clipping"])
def test_cached_redraw_matches_a_full_redraw(explorers, name, tmp_path):
    ex = explorers[name]
    rng = np.random.default_rng(3)
    for _ in range(3):
        ex.update(**{k: _values(c, rng)[-1] for k, c in ex.controls.items()})
        cached = _pixels(ex.fig)
        ex.fig.invalidate()
        full = _pixels(ex.fig)
        assert np.array_equal(cached, full)
    ex.fig.savefig(tmp_path / "big.png", dpi=150)  # another size rebuilds the cache
    assert np.array_equal(_pixels(ex.fig), full)


def test_clipping_explorer_reports_divergence_like_run():
    quad = gradclip.Quadratic.with_condition(10.0)
    ex = widgets.clipping_explorer(problem=quad, theta0=(-4.0, 3.0), xlim=(-5, 5), ylim=(-5, 5),
                                   max_steps=40, steps=40)
    for lr in (0.5, 2.5, 10.0):
        for clip in ("none", "value", "norm"):
            ex.update(lr=lr, clip=clip, threshold=1.0)
            mode = None if clip == "none" else clip
            lr_used, thr = ex.controls["lr"].value, ex.controls["threshold"].value
            k = gradclip.run(quad, (-4.0, 3.0), lr_used, 40, clip=mode,
                             threshold=None if mode is None else thr).diverged_at
            assert ("diverged at step" in ex.status_text) == (k is not None)
            if k is not None:
                assert f"diverged at step {k} " in ex.status_text
    ex.close()


def test_zoom_refreshes_the_cached_background(explorers):
    ex = explorers["clipping"]
    ax = ex.fig.axes[0]
    before = _pixels(ex.fig)
    lim = ax.get_xlim()
    ax.set_xlim(lim[0], (lim[0] + lim[1]) / 2)
    zoomed = _pixels(ex.fig)
    ex.fig.invalidate()
    assert np.array_equal(zoomed, _pixels(ex.fig))
    assert not np.array_equal(before, zoomed)
    ax.set_xlim(*lim)
