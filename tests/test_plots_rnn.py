"""Plots of gradients through time (gradclip.plots.rnn) and of the depth lab (gradclip.plots.depth)."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

import gradclip as gc
from gradclip.plots import depth as dplots
from gradclip.plots import rnn as rplots


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def test_plain_log_ticks_label_decades_in_plain_text(ax):
    ax.set_yscale("log")
    ax.set_ylim(1e-8, 1e4)
    rplots.plain_log_ticks(ax)
    fmt = ax.yaxis.get_major_formatter()
    assert [fmt(x) for x in (1e-8, 0.01, 1.0, 100.0, 1e4, 3.0)] == ["10⁻⁸", "0.01", "1", "100", "10⁴", ""]
    with pytest.raises(ValueError, match="ax"):
        rplots.plain_log_ticks("not an axes")


def test_panel_figure_calls_the_plot_function():
    fig = rplots.panel_figure(gc.plots.plot_chains, [0.9, 1.1], steps=10, width=20)
    assert fig.get_size_inches()[0] == gc.plots.COLUMN_WIDTH
    np.testing.assert_allclose(fig.axes[0].lines[1].get_ydata(), 1.1 ** np.arange(11))
    plt.close(fig)
    with pytest.raises(ValueError, match="draw"):
        rplots.panel_figure("plot_chains")


def test_wall_b_makes_x0_a_fixed_point():
    for w in (2.0, 4.8195, 9.0):
        b = float(rplots.wall_b(w))
        assert w * sigmoid(0.5) + b == pytest.approx(0.5)
    assert float(rplots.wall_b(3.0, x0=-1.0)) == pytest.approx(-1.0 - 3.0 * sigmoid(-1.0))


def test_cliff_slices_are_cliffrnn_loss_and_gradient():
    ws = np.array([3.0, 4.8, 6.0])
    loss, gn = rplots.cliff_slices([5, 30], ws, b=-2.5)
    for i, T in enumerate([5, 30]):
        p = gc.CliffRNN(T=T)
        for j, w in enumerate(ws):
            assert loss[i, j] == pytest.approx(float(p.loss([w, -2.5])))
            assert gn[i, j] == pytest.approx(float(np.linalg.norm(p.grad([w, -2.5]))))
    with pytest.raises(ValueError, match="Ts"):
        rplots.cliff_slices([0], ws)


def test_cliff_contours_tighten_at_the_wall():
    w_wall = (0.5 + 2.5) / sigmoid(0.5)
    near = []
    for segs in rplots.cliff_contours([5, 60], n=60):  # level lines crossing b = -2.5 near the wall
        crossings = [seg[k, 0] for seg in segs for k in np.flatnonzero(np.diff(np.sign(seg[:, 1] + 2.5)))]
        near.append(sum(abs(w - w_wall) < 0.15 for w in crossings))
    assert near[0] <= 3 and near[1] >= 8
    with pytest.raises(ValueError, match="xlim"):
        rplots.cliff_contours([5], xlim=(1, 0))


def test_wall_grid_covers_the_view_and_crowds_at_the_wall():
    W, B = rplots.wall_grid((0, 10), (-6, 5), n=30, m=61)
    assert W.shape == B.shape == (61, 30)
    np.testing.assert_allclose(B[30], rplots.wall_b(W[30]))          # the middle row is the wall
    assert (B[0] <= -6 + 1e-9).all() and (B[-1] >= 5 - 1e-9).all()    # every column spans the view
    gaps = np.diff(B[:, 15])
    assert (gaps > 0).all() and gaps[30] < gaps[-1] / 5               # rows crowd at the wall
    with pytest.raises(ValueError, match="m"):
        rplots.wall_grid(m=2)


def test_plot_hidden_grads_draws_norms_rho_line_and_marks(ax):
    norms = 0.8 ** np.arange(9, -1, -1)
    lines = rplots.plot_hidden_grads(ax, norms, marks=[2, 7], rho=0.8)
    np.testing.assert_allclose(lines[0].get_ydata(), norms)
    np.testing.assert_allclose(lines[1].get_ydata(), norms)  # exactly rho^(T - t)
    assert lines[2].get_xdata().tolist() == [2] and lines[3].get_ydata()[0] == pytest.approx(norms[6])
    with pytest.raises(ValueError, match="marks"):
        rplots.plot_hidden_grads(ax, norms, marks=[11])
    with pytest.raises(ValueError, match="norms"):
        rplots.plot_hidden_grads(ax, [1.0])


def test_figure_builders():
    fig = rplots.hidden_grads_figure({"a": [1.0, 0.5, 0.25], "b": [1.0, 2.0, 4.0]}, marks={"a": [1]})
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == "a"
    plt.close(fig)
    p = gc.CliffRNN(T=20)
    fig = rplots.cliff_wall_figure(p, np.linspace(3, 6, 50), -2.5, [4.7, -2.5])
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), np.abs(p.jacobian_factors([4.7, -2.5])))
    plt.close(fig)
    fig = rplots.through_time_figure(rhos=(0.9,), T=20)
    X, y = gc.adding_problem(16, 20, 0)
    norms = gc.RNN(2, 32, 1, activation="linear", spectral_radius=0.9, seed=0).hidden_grad_norms(X, y)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), norms)
    plt.close(fig)
    with pytest.raises(ValueError, match="curves"):
        rplots.hidden_grads_figure({})


def test_cliff_growth_animation_frames():
    anim = rplots.cliff_growth_animation(Ts=(3, 40))
    assert anim.frame_list.tolist() == [3, 40]
    anim._func(0)
    _, axl, axg = anim.fig.axes
    ws = axl.lines[0].get_xdata()
    loss, gn = rplots.cliff_slices([3], ws)
    np.testing.assert_allclose(axl.lines[0].get_ydata(), loss[0])
    assert "T = 3 steps" in anim.fig._suptitle.get_text()
    anim._func(1)
    assert np.nanmax(axg.lines[0].get_ydata()) > 100  # the wall, sampled finely, at T = 40
    anim._draw_was_started = True  # drawn by hand here: no "deleted without rendering" warning
    plt.close(anim.fig)


# ---- the depth lab

def test_depth_task_and_net():
    X, y = dplots.depth_task(n=10, width=6, seed=3)
    rng = np.random.default_rng(3)
    X2 = rng.normal(size=(10, 6))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_allclose(y, np.tanh(X2 @ rng.normal(size=(6, 1)) / np.sqrt(6)))
    net = dplots.depth_net(4, "relu", "large", residual=True, width=8)
    assert net.sizes == [8, 8, 8, 8, 1] and net.residual and net.init == pytest.approx(3 / np.sqrt(8))
    for bad in ({"depth": 1}, {"init": "orthogonal"}, {"activation": "gelu"}):
        kw = dict({"depth": 3, "activation": "tanh", "init": "he"}, **bad)
        with pytest.raises(ValueError):
            dplots.depth_net(**kw)
    assert dplots.hist_layers(50).tolist() == [1, 13, 25, 37, 49]
    assert dplots.hist_layers(3).tolist() == [1, 2]


def test_depth_run_matches_train_and_the_nets_diagnostics():
    X, y = dplots.depth_task(n=32, width=8)
    net = dplots.depth_net(6, "tanh", "he", width=8)
    run = dplots.depth_run(net, X, y, lr=0.1, steps=6, record_every=3, bins=10, slots=3)
    ref = gc.train(net, X, y, lr=0.1, steps=6, record_every=3)
    assert run.steps.tolist() == [0, 3, 6] and run.diverged_at is None
    for i, (step, params) in enumerate(ref.snapshots):
        assert run.loss[i] == ref.losses[step]  # the same steps, bit for bit
        np.testing.assert_allclose(run.grad[i], net.backprop_norms(X, y, params))
        stats = net.layer_stats(X, y, params, lr=0.1, bins=10)
        np.testing.assert_allclose(run.ratios[i], stats.update_ratios)
        np.testing.assert_allclose(run.saturated[i], stats.saturated)
        counts = stats.counts[run.layers - 1]
        np.testing.assert_allclose(run.hist[i], counts / counts.sum(axis=1, keepdims=True))
        np.testing.assert_allclose(run.hist[i].sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="multiple"):
        dplots.depth_run(net, X, y, lr=0.1, steps=5, record_every=3)
    with pytest.raises(ValueError, match="MLP"):
        dplots.depth_run("net", X, y, lr=0.1)


def test_depth_run_reports_divergence():
    X, y = dplots.depth_task()
    net = dplots.depth_net(20, "relu", "large")
    run = dplots.depth_run(net, X, y, lr=0.05, steps=8, record_every=4)
    assert run.diverged_at == 1 == gc.train(net, X, y, lr=0.05, steps=8).diverged_at
    assert np.isfinite(run.loss[0]) and np.all(np.isnan(run.loss[1:]))


def test_depth_lab_figure_and_animation():
    X, y = dplots.depth_task(n=16, width=8)
    run = dplots.depth_run(dplots.depth_net(5, "sigmoid", "xavier", width=8), X, y, 0.05, 4, 2)
    fig = dplots.depth_lab_figure(run, 2, title="t")
    ax_g = fig.axes[0]
    np.testing.assert_allclose(ax_g.lines[-1].get_ydata(), run.grad[2] / run.grad[2, -1])  # after the line at 1
    assert ax_g.get_yscale() == "log" and fig.axes[3].get_yscale() == "log"
    plt.close(fig)
    anim = dplots.depth_lab_animation(run, title="t")
    made = anim._func(1)
    assert anim.frame_list.tolist() == [0, 1, 2]
    assert "step 2" in anim.fig._suptitle.get_text() and made
    anim._draw_was_started = True
    plt.close(anim.fig)
