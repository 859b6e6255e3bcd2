"""The shared argument checks and the overflow-safe norm."""

import math

import numpy as np
import pytest

from gradclip import validation as v


@pytest.mark.parametrize("shape, axis", [((7,), None), ((4, 5), None), ((4, 5), -1), ((4, 5), 0),
                                         ((2, 3, 4), (1, 2))])
@pytest.mark.parametrize("order", [1.0, 2.0, np.inf])
def test_vector_norm_matches_numpy_on_ordinary_sizes(shape, axis, order):
    a = np.random.default_rng(0).normal(size=shape)
    if axis is None:
        ref = np.linalg.norm(a.reshape(-1), order)
    elif isinstance(axis, int):
        ref = np.linalg.norm(a, order, axis=axis)
    else:  # the last two axes taken as one vector
        ref = np.linalg.norm(a.reshape(a.shape[0], -1), order, axis=1)
    np.testing.assert_allclose(v.vector_norm(a, order, axis=axis), ref, rtol=1e-13)


@pytest.mark.parametrize("scale", [1e200, 1e-170, 1e-300])
def test_vector_norm_neither_overflows_nor_underflows(scale):
    a = np.array([3.0, 4.0]) * scale
    assert v.vector_norm(a) == pytest.approx(5.0 * scale, rel=1e-14)
    assert v.vector_norm(a[None, :], 2.0, axis=-1, keepdims=True).shape == (1, 1)
    # the naive formula is wrong at these sizes
    with np.errstate(over="ignore", under="ignore"):
        naive = np.sqrt(np.sum(a * a))
    assert not math.isclose(naive, 5.0 * scale, rel_tol=1e-3)


def test_vector_norm_rows_mix_safe_and_unsafe_sizes():
    a = np.array([[3.0, 4.0], [3e200, 4e200], [0.0, 0.0], [np.inf, 1.0], [np.nan, 1.0]])
    out = v.vector_norm(a, 2.0, axis=-1)
    assert out[:4].tolist() == pytest.approx([5.0, 5e200, 0.0, np.inf], rel=1e-14)
    assert np.isnan(out[4])


def test_vector_norm_does_not_change_its_input():
    a = np.array([-3e200, 4e200])
    v.vector_norm(a)
    assert a.tolist() == [-3e200, 4e200]


def test_vector_norms_equal_one_norm_per_array():
    from gradclip.validation import vector_norm, vector_norms

    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(5, 7)), rng.normal(size=7), 1e200 * rng.normal(size=(5, 7)),
              np.zeros((5, 7)), rng.normal(size=7) * 1e-170, np.array(3.0), np.zeros(0),
              np.array([np.inf, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])]
    for order in (1.0, 2.0, np.inf):
        got = vector_norms(arrays, order)
        want = [vector_norm(a, order) for a in arrays]
        np.testing.assert_array_equal(got, want)  # the same bits, not just close
    np.testing.assert_allclose(vector_norms(arrays[:2]), [np.linalg.norm(a) for a in arrays[:2]], rtol=1e-14)
    assert vector_norms([]).shape == (0,)
