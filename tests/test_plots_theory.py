"""The plots of notebook 07: what each function draws, against hand computations."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import gradclip
from gradclip.plots import COLUMN_WIDTH, text_overlaps
from gradclip.plots import theory, theoryfigs


def test_steps_to_target_leaves_out_runs_that_never_arrive(ax):
    lines = theory.plot_steps_to_target(ax, [2, 5, 10], {"fixed": [31, -1, 800], "clipped": [3, 5, 10]}, 1e-3)
    assert lines["fixed"].get_xdata().tolist() == [2.0, 10.0]
    assert lines["fixed"].get_ydata().tolist() == [31.0, 800.0]
    assert lines["clipped"].get_ydata().tolist() == [3.0, 5.0, 10.0]
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert "0.001" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "5", "10"]


def test_steps_to_target_rejects_bad_input(ax):
    with pytest.raises(ValueError, match="series"):
        theory.plot_steps_to_target(ax, [1, 2], {"a": [1]})
    with pytest.raises(ValueError, match="series"):
        theory.plot_steps_to_target(ax, [1, 2], {})
    with pytest.raises(ValueError, match="x0s"):
        theory.plot_steps_to_target(ax, [-1, 2], {"a": [1, 2]})
    with pytest.raises(ValueError, match="ax"):
        theory.plot_steps_to_target("no axes", [1, 2], {"a": [1, 2]})


def test_error_distribution_is_the_empirical_cdf(ax):
    e = np.random.default_rng(0).exponential(size=50)
    line = theory.plot_error_distribution(ax, {"plain": e})["plain"]
    x, y = line.get_xdata(), line.get_ydata()
    assert np.all(np.diff(x) >= 0) and sorted(x.tolist()) == sorted(e.tolist())
    for xi, yi in zip(x, y):  # share of samples below, counted by hand at the midpoint
        assert yi == pytest.approx((np.sum(e < xi) + 0.5) / 50)


def test_clipped_gradient_curves_and_intervals(ax):
    arts = theory.plot_clipped_gradient(ax, [-3.0, 3.0], [0.5, 1.0, 4.0])
    for c, curve, seg in zip((0.5, 1.0, 4.0), arts["curves"], arts["sets"]):
        xs = curve.get_xdata()
        hand = 0.5 * (np.clip(xs + 3, -c, c) + np.clip(xs - 3, -c, c))
        np.testing.assert_allclose(curve.get_ydata(), hand, atol=1e-12)
        lo, hi = (-(3 - c), 3 - c) if c < 3 else (0.0, 0.0)
        np.testing.assert_allclose(seg.get_xdata(), [lo, hi], atol=1e-12)
    assert [seg.get_ydata().tolist() for seg in arts["sets"]] == [[0.0, 0.0]] * 3
    z = [seg.get_zorder() for seg in arts["sets"]]
    assert z == sorted(z) and z[0] > arts["curves"][-1].get_zorder()  # the smallest interval on top


def test_path_gaps_are_distances_with_a_floor(ax):
    q = gradclip.Quadratic.with_condition(10.0)
    base = gradclip.adam(q, [-4.0, 3.0], 0.1, 30, eps=0.0)
    clipped = gradclip.adam(q, [-4.0, 3.0], 0.1, 30, eps=0.0, clip="norm", threshold=1.0)
    scaled = gradclip.adam(q, [-4.0, 3.0], 0.1, 30, eps=0.0, grad_scale=8.0)
    lines = theory.plot_path_gaps(ax, base, {"clipped": clipped, "scaled": scaled})
    hand = np.sqrt(np.sum((clipped.thetas - base.thetas) ** 2, axis=1))
    np.testing.assert_allclose(lines["clipped"].get_ydata(), np.maximum(hand, 1e-17))
    assert np.all(lines["scaled"].get_ydata() < 1e-14)


def test_adam_paths_on_the_contour(ax):
    q = gradclip.Quadratic.with_condition(10.0)
    runs = {"a": gradclip.adam(q, [-4.0, 3.0], 0.1, 20), "b": gradclip.adam(q, [-4.0, 3.0], 0.2, 20)}
    lines = theory.plot_adam_paths(ax, q, runs, (-5, 5), (-4, 5))
    np.testing.assert_allclose(lines["b"].get_xdata(), runs["b"].thetas[:, 0])


def test_log_axes_labels_in_plain_text(ax):
    ax.set_xscale("log")
    ax.set_xlim(0.25, 8)
    ax.set_yscale("log")
    ax.set_ylim(1e-6, 1e3)
    theory.log_axes(ax)
    fx, fy = ax.xaxis.get_major_formatter(), ax.yaxis.get_major_formatter()
    assert [fx(x) for x in (0.3, 1.0, 3.0)] == ["0.3", "1", "3"]
    assert fy(1e-6) == "10⁻⁶" and fy(10.0) == "10"
    assert "$" not in "".join(fy(x) for x in ax.yaxis.get_majorticklocs())


@pytest.mark.parametrize("projector", [False, True])
def test_figures_fit_the_column_without_collisions(projector):
    gradclip.setup(seed=0, presentation=projector)
    try:
        errors = {"plain": np.random.default_rng(0).lognormal(size=100), "clipped": np.ones(100)}
        fig = theoryfigs.theory_figure([2, 5, 10, 20], {"fixed": [31, 197, 795, 3190], "clipped": [3, 7, 10, 17]},
                                       errors)
        q = gradclip.Quadratic.with_condition(10.0)
        runs = {"Adam": gradclip.adam(q, [-4.0, 3.0], 0.1, 40, eps=0.0),
                "x 1000": gradclip.adam(q, [-4.0, 3.0], 0.1, 40, eps=0.0, grad_scale=1e3)}
        fig2 = theoryfigs.adam_figure(q, runs, (-5, 5), (-4, 5))
        for f, n in ((fig, 3), (fig2, 2)):
            assert f.get_size_inches()[0] <= COLUMN_WIDTH and len(f.axes) == n
            assert text_overlaps(f) == []
            plt.close(f)
    finally:
        gradclip.presentation(False)


def test_smoothness_animation_frames_and_heads():
    f = gradclip.Power(p=4)
    runs = {"fixed": gradclip.run(f, [10.0], 0.004, 200),
            "clipped": gradclip.run(f, [10.0], 1.0, 200, clip="norm", threshold=1.0)}
    anim = theoryfigs.smoothness_animation(10.0, runs, max_frames=12)
    anim._draw_was_started = True  # drawn by hand here: no "deleted without rendering" warning
    frames = anim.frame_list
    assert frames[0] == 0 and frames[-1] == 200 and len(frames) <= 12
    assert np.all(np.diff(np.log(frames[1:])) > 0)  # log-spaced
    heads = [line for line in anim.fig.axes[0].lines if line.get_marker() in ("o", "D")]
    x_fixed = abs(runs["fixed"].thetas[-1, 0])
    assert heads[0].get_xdata()[0] == pytest.approx(x_fixed)
    assert heads[0].get_ydata()[0] == pytest.approx(x_fixed ** 4)
    assert "step 200 of 200" in anim.fig._suptitle.get_text()
    plt.close(anim.fig)
    with pytest.raises(ValueError, match="runs"):
        theoryfigs.smoothness_animation(10.0, {})
