"""Sweep plots draw what the sweep computed and reject bad input."""

import matplotlib.pyplot as plt
import warnings

import numpy as np
import pytest

import gradclip as gc
from gradclip.plots import sweeps as sweepplots


@pytest.fixture
def problem():
    return gc.Quadratic.with_condition(5.0, lam_max=2.0, center=(1.0, 1.0))


def test_lr_sweep_marks_divergence_and_edge(problem):
    res = gc.sweep(problem, [3.0, -2.0], np.geomspace(0.01, 3.0, 30), steps=300)
    fig, ax = plt.subplots()
    warnings.simplefilter("error")
    line, crosses, edge = sweepplots.plot_lr_sweep(ax, res, edge=problem.max_stable_lr())
    assert len(line.get_xdata()) == (~res.diverged).sum() > 0
    assert len(crosses.get_offsets()) == res.diverged.sum() > 0
    # every diverged rate lies above the edge 2 / lambda_max = 1
    assert np.all(res.lrs[res.diverged] > 1.0)
    assert edge.get_xdata()[0] == pytest.approx(1.0)
    plt.close(fig)


def test_phase_mesh_holds_the_final_losses(problem):
    res = gc.sweep(problem, [3.0, -2.0], np.geomspace(0.05, 3.0, 8), np.geomspace(0.01, 10, 6), steps=100)
    fig, ax = plt.subplots()
    mesh = sweepplots.plot_phase(ax, res, edge=1.0)
    data = np.asarray(mesh.get_array()).reshape(6, 8)
    finite = np.isfinite(res.final_loss.T) & (res.final_loss.T > 0)
    np.testing.assert_allclose(data[finite], res.final_loss.T[finite])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    plt.close(fig)


def test_bad_input(problem):
    fig, ax = plt.subplots()
    one_d = gc.sweep(problem, [1.0, 1.0], [0.1, 0.2], steps=5)
    two_d = gc.sweep(problem, [1.0, 1.0], [0.1, 0.2], [1.0, 2.0], steps=5)
    with pytest.raises(ValueError, match="1-D"):
        sweepplots.plot_lr_sweep(ax, two_d)
    with pytest.raises(ValueError, match="2-D"):
        sweepplots.plot_phase(ax, one_d)
    with pytest.raises(ValueError, match="result"):
        sweepplots.plot_phase(ax, "sweep")
    with pytest.raises(ValueError, match="ax"):
        sweepplots.plot_phase(None, two_d)
    with pytest.raises(ValueError, match="edge"):
        sweepplots.plot_lr_sweep(ax, one_d, edge=-1)
    plt.close(fig)


def test_solved_level_is_one_percent_above_the_best_or_absolute():
    loss = np.array([[2.0, np.inf], [0.4, 0.9]])
    assert sweepplots.solved_level(loss, 0.01) == pytest.approx(0.404, rel=1e-15)
    assert sweepplots.solved_level(loss) == pytest.approx(0.404, rel=1e-15)
    assert sweepplots.solved_level(loss, 0.5) == pytest.approx(0.6, rel=1e-15)
    assert sweepplots.solved_level(loss, ("abs", 0.01)) == 0.01
    assert sweepplots.solved_level([[0.0, 3.0]], 0.01) == 1e-12
    assert sweepplots.solved_level(np.full((2, 2), np.inf), 0.01) is None
    assert sweepplots.solved_level(loss, 0) is None
    before = loss.copy()
    sweepplots.solved_level(loss, 0.01)
    np.testing.assert_array_equal(loss, before)
    with pytest.raises(ValueError, match="solved"):
        sweepplots.solved_level(loss, -0.1)
    with pytest.raises(ValueError, match="solved"):
        sweepplots.solved_level(loss, ("abs", -1.0))


def test_phase_contour_is_drawn_at_the_solved_level_only_when_it_splits_the_grid():
    res = gc.sweep(gc.Quadratic.with_condition(5.0, lam_max=2.0, center=(1.0, 1.0)), [3.0, -2.0],
                   np.geomspace(0.05, 3.0, 8), np.geomspace(0.01, 10, 6), steps=100)
    finite = res.final_loss[np.isfinite(res.final_loss)]
    best = finite.min()
    counts = {}
    for solved in (0, 0.5, ("abs", 10 * finite.max())):
        fig, ax = plt.subplots()
        sweepplots.plot_phase(ax, res, solved=solved)
        counts[str(solved)] = len(ax.collections)
        plt.close(fig)
    assert 0 < np.sum(finite <= best + 0.5 * abs(best)) < res.final_loss.size
    assert counts["0.5"] == counts["0"] + 2        # the white line and the dashed black one
    assert counts[str(("abs", 10 * finite.max()))] == counts["0"]  # every finite run solved: no line
