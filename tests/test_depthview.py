"""The depth lab: its grid and its training against gradclip.MLP and gradclip.train run directly."""

import numpy as np
import pytest

import gradclip as gc
from gradclip import widgets
from gradclip.plots.depth import INIT_CHOICES, depth_run, depth_task
from gradclip.widgets import depthview
from gradclip.widgets.live import Explorer


@pytest.fixture(scope="module")
def ex():
    gc.setup(seed=0)
    return widgets.depth_explorer()


def net_of(depth, activation, init, residual):
    std = {"small": "small", "xavier": "xavier", "he": "he", "large": 3 / np.sqrt(32)}[init]
    return gc.MLP([32] * depth + [1], activation=activation, init=std, residual=residual == "on", seed=0)


def panels(ex):
    """The visible lines per panel: 0 gradient, 1 histograms, 2 saturation, 3 update ratios."""
    out = {}
    for d in ex.drawn():
        if d["type"] == "line":
            out.setdefault(d["axes"], []).append(d)
    return out


def finite(line):
    ok = np.isfinite(line["y"])
    return line["x"][ok], line["y"][ok]


@pytest.mark.parametrize("setting", [(5, "tanh", "small", "off"), (20, "relu", "he", "off"),
                                     (30, "sigmoid", "large", "on"), (2, "relu", "xavier", "on")])
def test_the_grid_at_initialisation_is_the_nets_diagnostics(ex, setting):
    depth, act, init, res = setting
    Explorer.update(ex, depth=depth, activation=act, init=init, residual=res, step=0)  # no training
    assert "step 0:" in ex.status_text
    Explorer.update(ex, step=3)  # the grid holds step 0 only: the page says so, shows step 0
    assert "step 0 shown" in ex.status_text
    assert any("runs in the kernel" in d.get("text", "") for d in ex.drawn())
    X, y = depth_task()
    net = net_of(*setting)
    norms = net.backprop_norms(X, y)
    stats = net.layer_stats(X, y, lr=depthview.LR, bins=depthview.BINS)
    lines = panels(ex)
    x, g = finite(lines[0][0])
    assert x.tolist() == list(range(1, depth + 1))
    np.testing.assert_allclose(np.log10(g), np.log10(np.clip(norms / norms[-1], 1e-30, 1e30)), atol=0.02)
    x, s = finite(lines[2][0])
    np.testing.assert_allclose(s, stats.saturated, atol=0.01)
    x, r = finite(lines[3][0])
    np.testing.assert_allclose(np.log10(r), np.log10(np.clip(stats.update_ratios, 1e-30, 1e30)), atol=0.02)
    first_hist = lines[1][0]["y"]
    np.testing.assert_allclose(first_hist, stats.counts[0] / stats.counts[0].sum(), atol=0.003)
    assert f"loss {stats.loss:.3g}" in ex.status_text or f"loss {stats.loss:.2g}" in ex.status_text


def test_training_frames_are_the_trained_nets_diagnostics(ex):
    ex.update(depth=10, activation="tanh", init="he", residual="off", step=5)
    assert "step 20:" in ex.status_text
    X, y = depth_task()
    net = net_of(10, "tanh", "he", "off")
    run = gc.train(net, X, y, lr=depthview.LR, steps=40, record_every=4)
    step, params = run.snapshots[5]
    assert step == 20
    norms = net.backprop_norms(X, y, params)
    x, g = finite(panels(ex)[0][0])
    np.testing.assert_allclose(np.log10(g), np.log10(norms / norms[-1]), atol=0.02)
    assert f"loss {run.losses[20]:.3g}" in ex.status_text
    ex.update(step=10)
    assert f"step 40: loss {run.losses[40]:.3g}" in ex.status_text


def test_divergence_is_reported_like_train(ex):
    ex.update(depth=20, activation="relu", init="large", residual="off", step=3)
    X, y = depth_task()
    k = gc.train(net_of(20, "relu", "large", "off"), X, y, lr=depthview.LR, steps=40).diverged_at
    assert k is not None
    assert f"diverged at step {k}" in ex.status_text
    ex.update(step=0)
    assert "diverged" not in ex.status_text


def test_featured_settings_are_stored_for_a_page_without_kernel(ex):
    cache = ex.spec["requests"]["train"]["cache"]
    assert len(cache) == len(depthview.FEATURED) - 1
    ex.update(**depthview.FEATURED[-1], step=10)
    assert "50 layers + skips, step 40" in ex.status_text
    key = ex._key("train", depthview.FEATURED[-1])
    assert key in cache


def test_skips_with_small_branches_rescue_depth_50(ex):
    ex.update(depth=50, activation="tanh", init="small", residual="off", step=0)
    x, g = finite(panels(ex)[0][0])
    assert g[0] < 1e-29  # vanished below the stored floor
    ex.update(residual="on", step=10)
    x, g = finite(panels(ex)[0][0])
    assert 0.1 < g.min() and g.max() < 10  # within a decade of the last layer, 50 layers down
    loss = float(ex.status_text.split("loss ")[1].split(" ")[0])
    assert loss < 0.02


def test_presets_and_bad_input(ex):
    ex.apply_preset("depth=5;activation=sigmoid;init=he;residual=on;step=2")
    assert ex.preset() == "depth=5;activation=sigmoid;init=he;residual=on;step=2"
    assert "sigmoid, he, 5 layers + skips, step 8" in ex.status_text
    for bad in ("depth=100", "init=huge", "activation=gelu", "step=11", "residual=yes"):
        with pytest.raises(ValueError):
            ex.apply_preset(bad)
    with pytest.raises(ValueError, match="init"):
        widgets.depth_explorer(init="orthogonal")
    assert len(ex.spec_json()) < 400_000


def test_stored_runs_are_the_runs_computed_again(tmp_path):
    """The file the explorer reads for its default build cannot go stale: every run in it (the
    grid at initialisation, the featured settings trained) is computed again here with
    depth_run on the MLP and compared, float fields to 1e-9 relative (a change of the rounding
    of a matrix product passes, a change of the computation does not), the rest exactly.
    ``depthview.write_stored_runs()`` rewrites it."""
    stored = depthview.read_stored_runs(depthview.STORED)
    X, y = depth_task(64, 32, 0)
    expected = depthview._stored_settings()
    assert sorted(stored) == sorted((steps,) + setting for steps, setting in expected)
    assert len(stored) == 6 * 3 * 4 * 2 - 3 * 4 + len(depthview.FEATURED)
    for steps, (d, act, init, res) in expected:
        net = gc.MLP([32] * d + [1], activation=act, init=INIT_CHOICES[init](32),
                     residual=res == "on", seed=0)
        run = depth_run(net, X, y, depthview.LR, steps, depthview.EVERY if steps else 1, depthview.BINS,
                        depthview.SLOTS)
        got = stored[(steps, d, act, init, res)]
        assert got.diverged_at == run.diverged_at
        for field in ("steps", "layers"):
            assert np.array_equal(getattr(got, field), getattr(run, field))
        for field in ("loss", "grad", "saturated", "ratios", "edges", "hist", "mean", "std"):
            np.testing.assert_allclose(getattr(got, field), getattr(run, field), rtol=1e-9, atol=0,
                                       err_msg=f"{field} of {(steps, d, act, init, res)}")
    again = depthview.read_stored_runs(depthview.write_stored_runs(tmp_path / "runs.npz"))  # written as read
    assert sorted(again) == sorted(stored)


def test_a_build_on_other_data_computes_its_runs():
    stage, start = depthview.depth_stage(width=8, n=16, seed=1, featured=depthview.FEATURED[:1])
    assert start == depthview.FEATURED[0]
    X, y = depth_task(16, 8, 1)
    grid, _ = depthview._GRID[(X.shape, 8, 1)]
    net = gc.MLP([8] * 5 + [1], activation="relu", init="he", seed=1)
    norms = net.backprop_norms(X, y)
    i, a, k = depthview.DEPTHS.index(5), depthview.ACTIVATIONS.index("relu"), depthview.INITS.index("he")
    np.testing.assert_allclose(grid["g"][i, a, k, 0, :5], np.clip(norms / norms[-1], 1e-30, 1e30), rtol=1e-9)
