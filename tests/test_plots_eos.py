"""Figures of the edge-of-stability notebook: what is drawn equals the data it was given."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from gradclip.catapult import edge_scan
from gradclip.eos import ClippedEdge, EdgeRuns
from gradclip.plots import eos as E
from gradclip.problems import ScalarFactorization
from gradclip.solvers import run


def _ax():
    return Figure().subplots()


def _runs():
    steps = np.arange(0, 31, 10)
    lam = np.array([[1.0, 5.0, 9.0, 10.0], [1.0, 3.0, 4.0, 4.1]])
    losses = np.vstack([np.linspace(1, 0.1, 31), np.linspace(1, 0.2, 31)])
    return EdgeRuns(np.array([0.2, 0.5]), losses, steps, lam, np.array([-1, -1]), [], np.ones((2, 30)))


def test_minima_curve_lies_on_xy_1_and_is_coloured_by_x2_plus_y2():
    ax = _ax()
    ax.set_xlim(-1, 3.5)
    ax.set_ylim(-2, 3.5)
    coll = E.plot_minima(ax, (-1.0, 3.5), (-2.0, 3.5))
    segs = np.concatenate(coll.get_segments())
    np.testing.assert_allclose(segs[:, 0] * segs[:, 1], 1.0, rtol=1e-12)
    assert segs[:, 0].max() <= 3.5 and segs[:, 1].max() <= 3.5 and segs[:, 1].min() >= -2.0
    assert (segs[:, 0] < 0).any() and (segs[:, 0] > 0).any()  # both branches in this view
    mids = np.array([0.5 * (s[0] + s[1]) for s in coll.get_segments()])
    np.testing.assert_allclose(coll.get_array(), mids[:, 0] ** 2 + 1 / mids[:, 0] ** 2, rtol=1e-3)
    assert coll.norm.vmin == 2.0 and coll.norm.vmax == 12.0


def test_toy_paths_are_the_iterates():
    f = ScalarFactorization()
    trajs = [run(f, [3.0, 0.05], lr, 20) for lr in (0.1, 0.4)]
    ax = _ax()
    arts = E.plot_toy(ax, f, trajs, ["a", "b"])
    for line, t in zip(arts["paths"], trajs):
        np.testing.assert_allclose(line.get_xdata(), t.thetas[:, 0])
        np.testing.assert_allclose(line.get_ydata(), t.thetas[:, 1])
    assert [tx.get_text() for tx in ax.get_legend().get_texts()] == ["a", "b"]


def test_sharpness_and_loss_traces_and_edges():
    runs = _runs()
    ax = _ax()
    lines = E.plot_sharpness(ax, runs)
    for line, i in zip(lines, range(2)):
        np.testing.assert_array_equal(line.get_xdata(), runs.steps)
        np.testing.assert_array_equal(line.get_ydata(), runs.sharpness[i])
    edges = sorted(ln.get_ydata()[0] for ln in ax.lines if ln.get_linestyle() == "--")
    assert edges == pytest.approx([4.0, 10.0])
    ax2 = _ax()
    (l1,) = E.plot_losses(ax2, runs, [1])
    np.testing.assert_array_equal(l1.get_ydata(), runs.losses[1])
    assert ax2.get_yscale() == "log"


def test_catapult_panel_classifies_and_marks_the_bounds():
    f = ScalarFactorization()
    scan = edge_scan(f, [2.0, 0.49], [0.3, 0.6, 1.0])
    ax = _ax()
    arts = E.plot_catapult(ax, scan, 4.0)
    settle, cat, div = arts["points"]
    np.testing.assert_allclose(settle.get_xdata(), [0.3])
    np.testing.assert_allclose(cat.get_ydata(), scan.final_sharpness[1:2])
    np.testing.assert_allclose(div.get_xdata(), [1.0])
    assert [b.get_xdata()[0] for b in arts["bounds"]] == pytest.approx([0.5, 1.0])
    np.testing.assert_allclose(arts["edge"].get_ydata(), 2 / arts["edge"].get_xdata())
    with pytest.raises(ValueError, match="lam0"):
        E.plot_catapult(_ax(), scan, -1.0)


def test_clipped_edge_panel():
    ce = ClippedEdge(np.array([0, 10, 20]), np.array([0.001, 0.1, 0.3]), np.array([2000.0, 12.0, 8.0]), None)
    arts = E.plot_clipped_edge(_ax(), ce, 0.3)
    np.testing.assert_allclose(arts["taken"].get_ydata(), [0.001, 0.1, 0.3])
    np.testing.assert_allclose(arts["edge"].get_ydata(), [0.001, 2 / 12, 0.25])
    assert arts["lr"].get_ydata()[0] == 0.3


def test_whole_figures_fit_a_column(tmp_path):
    import matplotlib.pyplot as plt

    f = ScalarFactorization()
    trajs = [run(f, [3.0, 0.05], lr, 20) for lr in (0.1, 0.25)]
    figs = [E.toy_figure(f, trajs, ["a", "b"]), E.eos_figure(_runs()),
            E.catapult_figure(edge_scan(f, [2.0, 0.49], [0.3, 0.6, 1.0]), 4.0),
            E.clipped_figure(ClippedEdge(np.array([0, 10]), np.array([0.01, 0.3]), np.array([300.0, 8.0]), None), 0.3)]
    np.testing.assert_allclose(figs[-1].axes[1].lines[0].get_ydata(), [1.5, 1.2])
    for fig in figs:
        assert fig.get_size_inches()[0] <= 9.0
        fig.savefig(tmp_path / "x.png")
        plt.close(fig)
    anim = E.sharpening_animation(_runs(), [0, 1], frames=3)
    anim._draw_was_started = True  # drawn by hand here: no "deleted without rendering" warning
    anim._func(int(anim.frame_list[1]))
    np.testing.assert_array_equal(anim.fig.axes[0].lines[0].get_ydata(), _runs().sharpness[0, :3])
    plt.close(anim.fig)
