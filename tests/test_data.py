"""Task generators: the adding problem's markers and targets, checked sequence by sequence."""

import numpy as np
import pytest

from gradclip.data import adding_problem, demo_regression


@pytest.mark.parametrize("T", [2, 3, 10, 51])
def test_adding_problem_markers_and_targets(T):
    X, y = adding_problem(200, T, seed=1)
    assert X.shape == (200, T, 2) and y.shape == (200, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    values, markers = X[..., 0], X[..., 1]
    assert np.all((values >= 0) & (values < 1))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    for i in range(200):
        where = np.flatnonzero(markers[i])
        assert len(where) == 2  # exactly two markers
        assert where[0] < half <= where[1]  # one in the first half, one in the second
        assert y[i, 0] == values[i, where[0]] + values[i, where[1]]


def test_adding_problem_uses_every_position_of_each_half():
    X, _ = adding_problem(2000, 8, seed=0)
    positions = np.flatnonzero(X[..., 1].sum(axis=0))
    assert positions.tolist() == list(range(8))


def test_adding_problem_is_seeded():
    a, b, c = adding_problem(5, 7, seed=3), adding_problem(5, 7, seed=3), adding_problem(5, 7, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_adding_problem_constant_guess_baseline():
    # Var(u1 + u2) = 1/6 for two independent U(0, 1): the loss 0.5 * mean((1 - y)^2) is about 1/12
    _, y = adding_problem(20000, 20, seed=0)
    assert 0.5 * np.mean((y - 1.0) ** 2) == pytest.approx(1 / 12, rel=0.03)


@pytest.mark.parametrize("kwargs, match", [({"n": 0}, "n"), ({"n": 2.0}, "n"), ({"T": 1}, "T"),
                                           ({"T": "10"}, "T"), ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed")])
def test_adding_problem_bad_arguments(kwargs, match):
    args = {"n": 4, "T": 10, **kwargs}
    with pytest.raises(ValueError, match=match):
        adding_problem(**args)


def test_demo_regression_is_seeded_and_validated():
    p1, _ = demo_regression(seed=2, m=10)
    p2, _ = demo_regression(seed=2, m=10)
    np.testing.assert_array_equal(p1.solution(), p2.solution())
    with pytest.raises(ValueError, match="m"):
        demo_regression(m=1)
