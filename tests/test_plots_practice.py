"""Figures of notebooks 05 and 06 draw what the core computed, and reject bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import gradclip as gc
from gradclip.plots import practice


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_phase_figure_one_panel_per_result_and_one_colour_bar():
    q = gc.Quadratic.with_condition(4.0)
    res = gc.sweep(q, [1.0, 1.0], [0.5, 1.5, 3.0], [0.1, 1.0], steps=30)
    fig = practice.phase_figure({"left": res, "right": res}, edge=2.0, vlim=(1e-8, 1.0))
    assert [ax.get_title() for ax in fig.axes[:2]] == ["left", "right"]
    assert fig.axes[2].get_ylabel() == "loss after 30 steps"
    assert fig.get_size_inches()[0] <= practice.COLUMN_WIDTH
    with pytest.raises(ValueError, match="results must be"):
        practice.phase_figure([res])


def test_two_cycle_points_lie_on_the_line_of_sum_lr_c():
    q = gc.Quadratic.with_condition(10.0)  # lambda_max = 1: cycles for e in (1, 1.5) at lr 2.5, c 1
    runs = [gc.run(q, s, 2.5, 400, clip="norm", threshold=1.0) for s in [(-4, 3), (3, 3), (0, 5)]]
    fig = practice.two_cycle_figure(q, runs, 2.5, 1.0)
    ax2 = fig.axes[1]
    x, y = ax2.lines[1].get_data()
    np.testing.assert_allclose(np.asarray(x) + np.asarray(y), 2.5, rtol=1e-9)
    assert np.all((np.asarray(x) > 1.0) & (np.asarray(y) < 1.5))
    assert len(fig.axes[0].lines) == 3
    with pytest.raises(ValueError, match="runs must be"):
        practice.two_cycle_figure(q, [], 2.5, 1.0)


def test_cv_figure_marks_the_chosen_pairs():
    prob, _ = gc.demo_regression()
    cv = gc.cross_validate(prob.X, prob.y, [0.1, 0.5, 1.0], [1.0, 100.0], steps=50)
    fig = practice.cv_figure(cv)
    markers = {ln.get_label(): ln.get_xydata()[0].tolist() for ln in fig.axes[1].lines}
    assert markers == {"chosen on training": list(cv.best_train), "chosen on validation": list(cv.best)}
    with pytest.raises(ValueError, match="CVResult"):
        practice.cv_figure(gc.cross_validate(prob.X, prob.y, [0.1, 0.5], steps=10))


def test_range_test_figure_draws_edge_and_blow_up():
    prob, theta0 = gc.demo_regression()
    res = gc.lr_range_test(prob, theta0, steps=100)
    fig = practice.range_test_figure([res], [prob.max_stable_lr()], ["regression"])
    ax = fig.axes[0]
    assert ax.lines[1].get_xdata()[0] == pytest.approx(prob.max_stable_lr())
    assert ax.lines[2].get_xdata()[0] == pytest.approx(res.blow_up_lr)
    assert "6 × 2/λmax" in ax.lines[2].get_label()
    with pytest.raises(ValueError, match="same length"):
        practice.range_test_figure([res], [], ["x"])


def test_threshold_map_figure_draws_each_threshold_and_the_target():
    res = gc.sweep(gc.CliffRNN(), [4.5, -2.8], [0.1, 1.0], [0.1, 1.0], steps=10)
    fig = practice.threshold_map_figure(res, {"median": 0.3}, band=(0.1, 2.0), target=(0.2, 1.5))
    ys = sorted(ln.get_ydata()[0] for ln in fig.axes[0].lines if len(ln.get_ydata()) == 2)
    assert ys == pytest.approx([0.2, 0.3, 1.5])
    with pytest.raises(ValueError, match="threshold"):
        practice.threshold_map_figure(res, {"bad": -1.0})


def test_agc_units_scatter_holds_norms_and_bounds_of_each_row(ax):
    rng = np.random.default_rng(0)
    g, w = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    arts = practice.plot_agc_units(ax, [g, np.ones(2)], [w, np.zeros(2)], 0.05)
    rows = arts[0].get_offsets()
    for i in range(4):  # each row by hand: bound 0.05 * max(|w_i|, 1e-3), norm |g_i|
        assert rows[i][0] == pytest.approx(0.05 * max(np.sqrt(np.sum(w[i] ** 2)), 1e-3))
        assert rows[i][1] == pytest.approx(np.sqrt(np.sum(g[i] ** 2)))
    bias = arts[1].get_offsets()
    assert bias.tolist() == [[pytest.approx(5e-5), pytest.approx(np.sqrt(2))]]
    with pytest.raises(ValueError, match="clipping"):
        practice.plot_agc_units(ax, [g], [w], 0.0)


def test_adding_figure_marks_the_divergence():
    X, y = gc.adding_problem(64, 10, seed=0)
    net = gc.RNN(2, 8, 1, spectral_radius=3.0, seed=0)
    runs = {"plain": gc.train(net, X, y, lr=3.0, steps=200, batch_size=16),
            "clipped": gc.train(net, X, y, lr=3.0, steps=200, clip="global_norm", threshold=1.0, batch_size=16)}
    assert runs["plain"].diverged_at is not None
    fig = practice.adding_figure(runs, 1.0)
    xs = [ln.get_xdata()[0] for ln in fig.axes[0].lines if ln.get_linestyle() == "--"]
    assert runs["plain"].diverged_at in xs
    assert any(ln.get_ydata()[0] == pytest.approx(1 / 12) for ln in fig.axes[0].lines)


def test_phase_steps_gif_writes_a_small_gif(tmp_path):
    path = tmp_path / "phase.gif"
    practice.phase_steps_gif(path, steps=(1, 2), dpi=30)
    data = path.read_bytes()
    assert data[:6] == b"GIF89a" and len(data) < 600_000


def test_adding_task_figure_draws_each_number_and_highlights_the_marked_two():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    from gradclip import adding_problem
    from gradclip.plots.practice import adding_task_figure
    from gradclip.style import PALETTE

    X, y = adding_problem(5, 12, seed=3)
    fig = adding_task_figure(X, y, n=2)
    try:
        axes = fig.axes
        assert len(axes) == 2
        for ax, x, target in zip(axes, X, y[:, 0]):
            bars = sorted(ax.patches, key=lambda b: b.get_x())
            assert [round(b.get_height(), 12) for b in bars] == [round(h, 12) for h in x[:, 0]]
            marked = [i for i, b in enumerate(bars) if to_hex(b.get_facecolor()) == PALETTE["divergent"].lower()]
            assert marked == np.flatnonzero(x[:, 1]).tolist()
            assert f"target {target:.2f}" in ax.get_title(loc="left")
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="n must"):
        adding_task_figure(X, y, n=9)
    with pytest.raises(ValueError, match="X must"):
        adding_task_figure(X[:, :, 0], y)
