"""The cliff explorer: the wall as a basin boundary, checked with a plain loop and bisection."""

import math

import numpy as np
import pytest

import gradclip as gc
from gradclip import widgets
from gradclip.plots.rnn import wall_b
from gradclip.widgets import cliffview


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def run_by_hand(w, b, T, x0=0.5):
    """States and per-step factors of x_t = w sigmoid(x_{t-1}) + b, written plainly."""
    xs, fs = [x0], []
    for _ in range(T):
        s = sigmoid(xs[-1])
        fs.append(w * s * (1 - s))
        xs.append(w * s + b)
    return np.array(xs), np.array(fs)


def fixed_points(w, b, lo=-10.0, hi=10.0, n=20001):
    """Roots of w sigmoid(x) + b - x by bisection between sign changes on a grid."""
    g = lambda x: w * sigmoid(x) + b - x  # noqa: E731
    grid = np.linspace(lo, hi, n)
    vals = np.array([g(x) for x in grid])
    roots = []
    for i in np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:])):
        a, c = grid[i], grid[i + 1]
        for _ in range(100):
            m = 0.5 * (a + c)
            a, c = (m, c) if np.sign(g(m)) == np.sign(g(a)) else (a, m)
        roots.append(0.5 * (a + c))
    return roots


def shown(ex):
    """The drawn lines: contours, start marker (left axes), states, product, factors."""
    lines = [d for d in ex.drawn() if d["type"] == "line"]
    by_axes = {}
    for d in lines:
        by_axes.setdefault(d["axes"], []).append(d)
    (contours, stable, wall, marker), (states,), (prod,), (factors,) = (by_axes[i] for i in range(4))
    return {"contours": contours, "stable": stable, "wall": wall, "marker": marker, "x": states,
            "prod": prod, "f": factors}


def test_the_wall_is_drawn_above_the_contours_where_x0_is_a_fixed_point(ex):
    """The dashed wall and the dotted stable branch: points where x0 = 0.5 is a fixed point of
    x -> w sigmoid(x) + b, split at w sigmoid'(0.5) = 1, drawn after (above) the contours."""
    lines = shown(ex)
    for name, unstable in (("stable", False), ("wall", True)):
        w, b = lines[name]["x"], lines[name]["y"]
        assert len(w) > 50
        np.testing.assert_allclose(w * sigmoid(0.5) + b, 0.5, atol=0.02)  # quantised to 1/4 px
        assert np.all((w * sigmoid(0.5) * (1 - sigmoid(0.5)) > 1) == unstable)
    left = [d for d in ex.drawn() if d["axes"] == 0]
    assert [d["color"] for d in left].index(lines["wall"]["color"]) > 0  # drawn after the contours


@pytest.fixture(scope="module")
def ex():
    gc.setup(seed=0)
    return widgets.cliff_explorer()


def test_the_wall_is_an_unstable_fixed_point_between_two_attractors():
    """At (4.8195, -2.5), the wall of CliffRNN(T=50) on the line b = -2.5: x0 = 0.5 sits on
    the map's unstable fixed point, slope 1.13, between attractors at -1.84 and 1.23."""
    w, b = 4.8195, -2.5
    low, mid, high = fixed_points(w, b)
    slope = lambda x: w * sigmoid(x) * (1 - sigmoid(x))  # noqa: E731
    assert (round(low, 4), round(mid, 4), round(high, 4)) == (-1.8388, 0.5004, 1.2263)
    assert slope(mid) == pytest.approx(1.1325, abs=1e-4)
    assert slope(low) < 1 and slope(high) < 1
    # and the grid search of notebook 02 finds the wall there
    ws = np.linspace(3.5, 5.5, 4001)
    pts = np.stack([ws, np.full_like(ws, b)], axis=-1)
    assert ws[np.linalg.norm(gc.CliffRNN(T=50).grad(pts), axis=-1).argmax()] == pytest.approx(w)
    assert float(wall_b(w)) == pytest.approx(b, abs=1e-4)


def test_cliff_states_match_a_plain_loop():
    data = cliffview.cliff_states([3.0, 5.0, 7.5], [-0.1, 0.0, 1e-3], t_max=30)
    for i, w in enumerate([3.0, 5.0, 7.5]):
        for j, off in enumerate([-0.1, 0.0, 1e-3]):
            b = 0.5 - w * sigmoid(0.5) + off
            assert data["b"][i, j] == pytest.approx(b)
            xs, fs = run_by_hand(w, b, 30)
            np.testing.assert_allclose(data["x"][i, j], xs, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(data["f"][i, j, 1:], fs, rtol=1e-12)
            np.testing.assert_allclose(data["prod"][i, j], np.concatenate([[1.0], np.cumprod(fs)]), rtol=1e-9)
            assert data["fmin"][i, j, 30] == pytest.approx(fs.min())
            assert data["fmax"][i, j, 12] == pytest.approx(fs[:12].max())
            for T in (1, 17, 30):
                p = gc.CliffRNN(T=T)
                assert data["loss"][i, j, T] == pytest.approx((sigmoid(xs[T]) - 0.7) ** 2)
                assert data["grad"][i, j, T] == pytest.approx(np.linalg.norm(p.grad([w, b])))


def test_on_the_wall_every_factor_is_w_times_the_slope_at_x0(ex):
    s = sigmoid(0.5) * (1 - sigmoid(0.5))
    ex.update(w=5.0, offset=0.0, T=60)
    x, f, prod = (shown(ex)[k]["y"] for k in ("x", "f", "prod"))
    assert len(f) == 61
    np.testing.assert_allclose(f[1:], 5 * s, rtol=1e-3)
    np.testing.assert_allclose(x, 0.5, atol=0.02)
    assert prod[-1] == pytest.approx((5 * s) ** 60, rel=0.01)
    assert f"multiply to {(5 * s) ** 60:.3g}, exploding" in ex.status_text


def test_off_the_wall_the_product_vanishes_and_the_state_picks_a_basin(ex):
    ex.update(w=5.0, offset=-0.1, T=60)
    x = shown(ex)["x"]["y"]
    assert "vanishing" in ex.status_text and x[-1] < -1.5  # the lower attractor
    ex.update(offset=0.1)
    x = shown(ex)["x"]["y"]
    assert "vanishing" in ex.status_text and x[-1] > 1.0  # the upper attractor
    ex.update(w=3.0, offset=0.0)  # a stable fixed point: every factor below 1
    assert "vanishing" in ex.status_text


def test_a_product_below_the_stored_floor_is_reported_as_below_it(ex):
    # offset 1 at w = 5: the state falls to an attractor at once; 60 factors multiply to far
    # below 1e-30, the floor of the stored product (a plain loop gives about 3e-42)
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    w, b, x, prod = 5.0, 0.5 - 5.0 * sig(0.5) + 1.0, 0.5, 1.0
    for _ in range(60):
        prod *= w * sig(x) * (1 - sig(x))
        x = w * sig(x) + b
    assert prod < 1e-35
    ex.update(w=5.0, offset=1.0, T=60)
    assert "multiply to < 1e-30, vanishing" in ex.status_text
    ex.update(offset=0.0)
    assert "< " not in ex.status_text.split("·")[0]


def test_closer_to_the_wall_the_factors_stay_above_one_longer(ex):
    counts = []
    for off in (1e-2, 1e-4, 1e-6, 1e-9):
        ex.update(w=5.0, offset=off, T=60)
        f = shown(ex)["f"]["y"]
        below = np.flatnonzero(f[1:] < 1.0)
        counts.append(int(below[0]) if below.size else 60)  # steps before the first factor < 1
    assert counts == sorted(counts) and counts[0] < counts[1] < counts[2]


def test_the_line_is_cut_at_T_and_the_contours_change(ex):
    ex.update(w=6.0, offset=0.0, T=7)
    lines = shown(ex)
    assert len(lines["x"]["y"]) == 8 and lines["x"]["x"].tolist() == list(range(8))
    contour_7 = lines["contours"]["y"]
    ex.update(T=40)
    assert not np.array_equal(shown(ex)["contours"]["y"], contour_7, equal_nan=True)
    marker = shown(ex)["marker"]
    assert marker["x"].tolist() == [pytest.approx(6.0)]
    assert marker["y"][0] == pytest.approx(float(wall_b(6.0)), abs=1e-4)


def test_presets_and_bad_input(ex):
    ex.apply_preset("w=6.5;offset=-1e-06;T=33")
    assert ex.preset() == "w=6.5;offset=-1e-06;T=33"
    for bad in ("w=20", "T=0", "T=61", "offset=5", "x=1"):
        with pytest.raises(ValueError):
            ex.apply_preset(bad)
    with pytest.raises(ValueError, match="offsets"):
        cliffview.cliff_states([5.0], "near")
    with pytest.raises(ValueError, match="t_max"):
        cliffview.cliff_states([5.0], [0.0], t_max=0)
    assert len(ex.spec_json()) < 300_000


def test_contour_arrays_lie_on_their_levels_closer_than_a_square_grid():
    """Each T's contour points have the loss of a level: the median miss is 5x smaller than on
    the square grid of plots.rnn.cliff_contours (where lines crowd along the wall, as
    staircases); the loss is checked by an independent forward pass (CliffRNN.loss)."""
    from gradclip.plots.rnn import cliff_contours

    levels = np.linspace(0.01, 0.31, 11)
    X, Y = cliffview._contour_arrays(12)
    assert np.isnan(X[0]).all() and X.shape == Y.shape
    for T in (1, 5, 12):
        ok = np.isfinite(X[T])
        assert np.array_equal(ok, np.isfinite(Y[T])) and ok.sum() > 100
        inview = ok & (Y[T] >= cliffview.VIEW["ylim"][0]) & (Y[T] <= cliffview.VIEW["ylim"][1])
        pts = np.stack([X[T, inview], Y[T, inview]], axis=-1)
        miss = np.abs(gc.CliffRNN(T, 0.5, 0.7).loss(pts)[:, None] - levels).min(axis=1)
        square = np.concatenate(cliff_contours([T], cliffview.VIEW["xlim"], cliffview.VIEW["ylim"], 80)[0])
        miss_square = np.abs(gc.CliffRNN(T, 0.5, 0.7).loss(square)[:, None] - levels).min(axis=1)
        assert np.median(miss) < 3e-4
        if T > 1:
            assert np.median(miss) < np.median(miss_square) / 5


def test_cliff_losses_by_length_are_the_losses_of_shorter_sequences():
    theta = np.array([[4.0, -2.0], [6.0, wall_b(6.0) + 1e-6], [2.5, 1.0]])
    losses = gc.CliffRNN(T=30).losses(theta)
    assert losses.shape == (30, 3)
    for T in (1, 7, 30):
        xs = [run_by_hand(w, b, T)[0][-1] for w, b in theta]
        np.testing.assert_allclose(losses[T - 1], [(sigmoid(x) - 0.7) ** 2 for x in xs], rtol=1e-9, atol=1e-12)
