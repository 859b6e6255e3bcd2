"""Plots return artists, draw what they are given and reject bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import gradclip
from gradclip import plots


@pytest.fixture
def quad():
    return gradclip.Quadratic.with_condition(10.0)


def test_contour_returns_artists(ax, quad):
    arts = plots.plot_contour(ax, quad, (-3, 3), (-3, 3))
    assert len(arts["lines"].get_segments()) > 5
    assert arts["optimum"].get_xydata().tolist() == [[0.0, 0.0]]


def test_trajectory_matches_run(ax, quad):
    traj = gradclip.run(quad, [2.0, 1.0], 0.5, 20)
    plots.plot_contour(ax, quad, (-3, 3), (-3, 3))
    arts = plots.plot_trajectory(ax, traj)
    np.testing.assert_array_equal(arts["path"].get_xydata(), traj.thetas)


def test_diverged_trajectory_is_cut(ax, quad):
    traj = gradclip.run(quad, [2.0, 1.0], 2.5, 500)
    assert traj.diverged
    x, y = plots.trajectory_xy(traj.thetas, (-3, 3), (-3, 3))
    assert np.all(np.isfinite(x)) and np.max(np.abs(x)) < 1e3
    assert len(x) < traj.diverged_at


def test_regimes_and_loss_curves(quad):
    fig, axes = plt.subplots(1, 5)
    trajs = [gradclip.run(quad, [2.0, 1.0], f, 40) for f in (0.1, 0.8, 1.8, 2.6)]
    assert trajs[3].diverged
    out = plots.plot_regimes(list(axes), quad, trajs)
    assert len(out) == 4 and all({"path", "start", "loss"} <= set(o) for o in out)
    floor = quad.loss(quad.solution())
    for o, t in zip(out[:3], trajs[:3]):  # the loss curves are the excess loss of each run
        np.testing.assert_allclose(o["loss"].get_ydata(), np.maximum(t.losses - floor, 1e-16))
    texts = [t.get_text() for t in axes[-1].texts]
    assert texts == [f"diverged at step {trajs[3].diverged_at}"]
    assert axes[-1].get_yscale() == "log"
    plt.close(fig)


def test_clipping_geometry_vectors(ax):
    g = np.array([3.0, 1.0])
    arts = plots.plot_clipping_geometry(ax, g, 1.0)
    assert (arts["value"].U[0], arts["value"].V[0]) == (1.0, 1.0)
    np.testing.assert_allclose([arts["norm"].U[0], arts["norm"].V[0]], g / np.sqrt(10))
    assert g.tolist() == [3.0, 1.0]  # input not mutated


def test_surface_and_distances():
    fig = plt.figure()
    ax3 = fig.add_subplot(1, 2, 1, projection="3d")
    ax = fig.add_subplot(1, 2, 2)
    quad = gradclip.Quadratic.with_condition(4.0)
    surf = plots.plot_surface(ax3, quad, (-2, 2), (-2, 2))
    assert len(ax3.collections) == 1 and surf is ax3.collections[0]
    # log height: the surface spans four decades below its top, no deeper
    zmin, zmax = ax3.get_zlim()
    assert 3.5 <= zmax - zmin <= 5.0
    trajs = [gradclip.run(quad, [1.0, 1.0], 0.5, 10)]
    lines = plots.plot_distances(ax, trajs, quad.solution())
    assert len(lines) == 1
    np.testing.assert_allclose(lines[0].get_ydata(), np.linalg.norm(trajs[0].thetas, axis=1))
    plt.close(fig)


def test_cliff_plot(ax):
    prob = gradclip.CliffRNN()
    raw = gradclip.run(prob, (5.0, -3.5), 1.0, 60)
    clipped = gradclip.run(prob, (5.0, -3.5), 1.0, 60, clip="norm", threshold=0.5)
    arts = plots.plot_cliff(ax, prob, raw, clipped)
    assert "no clipping" in arts["raw"]["path"].get_label()
    assert ax.get_xlim() == (0.0, 10.0) and ax.get_ylim() == (-6.0, 5.0)
    np.testing.assert_allclose(arts["clipped"]["path"].get_xydata()[:5], clipped.thetas[:5])


@pytest.mark.parametrize("call, match", [
    (lambda ax, q: plots.plot_contour("ax", q, (-1, 1), (-1, 1)), "ax"),
    (lambda ax, q: plots.plot_contour(ax, q, (1, -1), (-1, 1)), "xlim"),
    (lambda ax, q: plots.loss_grid(q, (-1, 1), (-1, 1), n=1), "n"),
    (lambda ax, q: plots.plot_surface(ax, q, (-1, 1), (-1, 1)), "ax3d"),
    (lambda ax, q: plots.plot_trajectory(ax, [[1, 2, 3]]), "thetas"),
    (lambda ax, q: plots.plot_loss_curve(ax, [1, 2]), "traj"),
    (lambda ax, q: plots.plot_regimes([ax], q, []), "trajs"),
    (lambda ax, q: plots.plot_clipping_geometry(ax, [1.0, 2.0, 3.0], 1.0), "g"),
    (lambda ax, q: plots.plot_clipping_geometry(ax, [1.0, 2.0], -1.0), "threshold"),
    (lambda ax, q: plots.plot_cliff(ax, q, None, None), "raw"),
    (lambda ax, q: plots.view_box([0, 0, 0], [1, 1]), "theta0"),
])
def test_bad_input_raises(ax, quad, call, match):
    with pytest.raises(ValueError, match=match):
        call(ax, quad)


def test_plot_contour_lines_on_a_given_grid(ax):
    """The square grid passed as lines_grid gives the default lines; a sheared grid is used as
    given (its points lie on the levels); a bad grid is named."""
    from gradclip.plots.surfaces import loss_grid, plot_contour
    from gradclip.plots.rnn import wall_grid

    cliff = gradclip.CliffRNN()
    X, Y, _ = loss_grid(cliff, (0, 10), (-6, 5), 60)
    plain = plot_contour(ax, cliff, (0, 10), (-6, 5), n=60, log=False)["lines"].get_segments()
    same = plot_contour(ax, cliff, (0, 10), (-6, 5), n=60, log=False, lines_grid=(X, Y))["lines"].get_segments()
    assert len(plain) == len(same) and all(np.array_equal(a, b) for a, b in zip(plain, same))
    W, B = wall_grid((0, 10), (-6, 5), 60, 81)
    segs = plot_contour(ax, cliff, (0, 10), (-6, 5), n=60, log=False, lines_grid=(W, B))["lines"].get_segments()
    pts = np.concatenate(segs)
    pts = pts[(pts[:, 1] >= -6) & (pts[:, 1] <= 5)]
    Z = cliff.loss(np.stack([W, B], -1))
    levels = np.linspace(np.nanmin(Z), np.nanmax(Z), 16)[1:-1]
    assert np.median(np.abs(cliff.loss(pts)[:, None] - levels).min(axis=1)) < 1e-3
    with pytest.raises(ValueError, match="lines_grid"):
        plot_contour(ax, cliff, (0, 10), (-6, 5), lines_grid=(W, B[:-1]))
