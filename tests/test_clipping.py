"""Clipping: invariants over random inputs (hypothesis), known values, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gradclip import adaptive_clip, agc_clip, clip_angle, clip_by_global_norm, clip_by_norm, clip_by_value

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(1, 8), elements=finite)
positive = st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False)
ORDERS = [1, 2, np.inf]


def ref_norm(g, order):
    g = np.asarray(g, dtype=float).ravel()
    return {1: np.sum(np.abs(g)), 2: np.sqrt(np.sum(g * g)), np.inf: np.max(np.abs(g))}[order]


@settings(max_examples=200, deadline=None)
@given(vectors, positive, st.sampled_from(ORDERS))
def test_norm_clipping_invariants(g, max_norm, order):
    before = g.copy()
    out = clip_by_norm(g, max_norm, norm_type=order)
    np.testing.assert_array_equal(g, before)  # input untouched
    assert ref_norm(out, order) <= max_norm * (1 + 1e-12) or np.allclose(out, g)
    if ref_norm(g, order) <= max_norm:
        np.testing.assert_array_equal(out, g)  # no-op below the bound
    else:
        assert ref_norm(out, order) == pytest.approx(max_norm, rel=1e-12)
        # direction kept: out is a positive multiple of g
        k = ref_norm(out, order) / ref_norm(g, order)
        np.testing.assert_allclose(out, k * g, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(clip_by_norm(out, max_norm, norm_type=order), out, rtol=1e-12)


@settings(max_examples=200, deadline=None)
@given(vectors, positive)
def test_value_clipping_invariants(g, threshold):
    before = g.copy()
    out = clip_by_value(g, threshold)
    np.testing.assert_array_equal(g, before)
    assert np.all(np.abs(out) <= threshold)
    inside = np.abs(g) <= threshold
    np.testing.assert_array_equal(out[inside], g[inside])
    np.testing.assert_array_equal(np.sign(out), np.sign(g))
    np.testing.assert_array_equal(clip_by_value(out, threshold), out)


@settings(max_examples=150, deadline=None)
@given(st.lists(arrays(np.float64, st.integers(0, 5), elements=finite), min_size=1, max_size=4),
       finite, positive, st.sampled_from(ORDERS))
def test_global_norm_invariants(arrs, scalar, max_norm, order):
    grads = arrs + [scalar]
    copies = [np.copy(a) for a in grads]
    clipped, total = clip_by_global_norm(grads, max_norm, norm_type=order)
    for a, c in zip(grads, copies):
        np.testing.assert_array_equal(a, c)
    flat = np.concatenate([np.ravel(a) for a in grads])
    assert total == pytest.approx(ref_norm(flat, order), rel=1e-12)
    flat_out = np.concatenate([np.ravel(c) for c in clipped])
    assert ref_norm(flat_out, order) <= max_norm * (1 + 1e-12) or total <= max_norm
    factor = min(1.0, max_norm / total) if total > 0 else 1.0
    for a, c in zip(grads, clipped):
        assert np.shape(c) == np.shape(a)
        np.testing.assert_allclose(c, np.asarray(a) * factor, rtol=1e-12)
    again, _ = clip_by_global_norm(clipped, max_norm, norm_type=order)
    for c, c2 in zip(clipped, again):
        np.testing.assert_allclose(c2, c, rtol=1e-12)


def test_known_values():
    np.testing.assert_allclose(clip_by_norm([3.0, 4.0], 1.0), [0.6, 0.8])
    np.testing.assert_allclose(clip_by_norm([3.0, 4.0], 1.0, norm_type=1), [3 / 7, 4 / 7])
    np.testing.assert_allclose(clip_by_norm([3.0, 4.0], 1.0, norm_type=np.inf), [0.75, 1.0])
    np.testing.assert_array_equal(clip_by_norm([0.0, 0.0], 1.0), [0.0, 0.0])
    np.testing.assert_array_equal(clip_by_value([3.0, -4.0, 0.5], 1.0), [1.0, -1.0, 0.5])
    # value clipping turns [3, 4] into [1, 1]: a 8.13 degree change of direction
    out = clip_by_value([3.0, 4.0], 1.0)
    angle = np.degrees(np.arccos(out @ [3, 4] / (np.linalg.norm(out) * 5)))
    assert angle == pytest.approx(8.130102354, abs=1e-8)


def test_norm_clipping_exact_at_the_bound_unlike_pytorch():
    g = np.array([3.0, 4.0])
    np.testing.assert_array_equal(clip_by_norm(g, 5.0), g)  # exact: PyTorch would shrink by 2e-7
    pytorch = g * min(1.0, 5.0 / (5.0 + 1e-6))
    assert not np.array_equal(pytorch, g)


def test_norm_clipping_huge_gradient_does_not_overflow():
    out = clip_by_norm([3e200, 4e200], 1.0)
    np.testing.assert_allclose(out, [0.6, 0.8])


def test_norm_clipping_rows_with_axis():
    g = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    out = clip_by_norm(g, [1.0, 1.0, 5.0], axis=-1)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.3, 0.4], [3.0, 4.0]])


def test_nonfinite():
    assert np.all(np.isnan(clip_by_norm([np.inf, 1.0], 1.0)))
    with pytest.raises(ValueError, match="total norm"):
        clip_by_global_norm([[np.nan, 1.0]], 1.0, error_if_nonfinite=True)
    clipped, total = clip_by_global_norm([[np.inf]], 1.0)
    assert np.isinf(total) and np.isnan(clipped[0]).all()


def test_agc_clip_is_adaptive_clip_under_its_clear_name():
    assert adaptive_clip is agc_clip


def test_adaptive_clip_rows_are_units():
    W = np.array([[1.0, 0.0], [0.0, 2.0]])
    G = np.array([[3.0, 4.0], [0.01, 0.0]])
    b, gb = np.array([0.0, 0.0]), np.array([1.0, 0.0])
    out_W, out_b = adaptive_clip([G, gb], [W, b], clipping=0.1, eps=1e-3)
    np.testing.assert_allclose(out_W[0], [0.06, 0.08])  # row 0: bound 0.1 * 1
    np.testing.assert_allclose(out_W[1], [0.01, 0.0])  # row 1: 0.01 < 0.1 * 2, untouched
    np.testing.assert_allclose(out_b, [1e-4, 0.0])  # zero bias: bound 0.1 * eps
    np.testing.assert_array_equal(G, [[3.0, 4.0], [0.01, 0.0]])


def test_adaptive_clip_matches_reference_formula():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(5, 3, 2))
    G = rng.normal(size=(5, 3, 2)) * 10
    (out,) = adaptive_clip([G], [W], clipping=0.05)
    for i in range(5):
        bound = 0.05 * max(np.linalg.norm(W[i]), 1e-3)
        gn = np.linalg.norm(G[i])
        expected = G[i] * bound / gn if gn > bound else G[i]
        np.testing.assert_allclose(out[i], expected, rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "a", None, True])
def test_bad_thresholds(bad):
    with pytest.raises(ValueError, match="threshold"):
        clip_by_value([1.0], bad)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_norm([1.0], bad)
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm([[1.0]], bad)
    with pytest.raises(ValueError, match="clipping"):
        adaptive_clip([[1.0]], [[1.0]], clipping=bad)


@pytest.mark.parametrize("bad", [0, 3, -1, "l2", 2.5])
def test_bad_norm_type(bad):
    with pytest.raises(ValueError, match="norm_type"):
        clip_by_norm([1.0], 1.0, norm_type=bad)
    with pytest.raises(ValueError, match="norm_type"):
        clip_by_global_norm([[1.0]], 1.0, norm_type=bad)


def test_bad_containers():
    with pytest.raises(ValueError, match="grads"):
        clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="same length"):
        adaptive_clip([[1.0]], [[1.0], [2.0]])
    with pytest.raises(ValueError, match="shape"):
        adaptive_clip([np.ones((2, 2))], [np.ones((2, 3))])
    with pytest.raises(ValueError, match="g must be"):
        clip_by_norm("abc", 1.0)


def test_clip_angle_against_closed_form():
    # g = (3, 1) clipped to the unit box is (1, 1): angle = 45 deg - atan(1/3)
    expected = 45.0 - np.degrees(np.arctan(1 / 3))
    assert clip_angle([3.0, 1.0], 1.0) == pytest.approx(expected, rel=1e-12)
    assert clip_angle([0.5, 0.2], 1.0) == 0.0


def test_clip_factor_is_the_ratio_clip_by_norm_applies():
    from gradclip import clip_factor

    rng = np.random.default_rng(0)
    g = rng.normal(size=(50, 3)) * rng.uniform(0.01, 10, size=(50, 1))
    norms = np.linalg.norm(g, axis=1)
    factors = clip_factor(norms, 1.5)
    np.testing.assert_allclose(factors[:, None] * g, clip_by_norm(g, 1.5, axis=-1), rtol=1e-12)
    assert clip_factor([0.0, np.nan], 1.0)[0] == 1.0 and np.isnan(clip_factor([np.nan], 1.0)[0])
    with pytest.raises(ValueError, match="norm"):
        clip_factor([-1.0], 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_factor([1.0], 0.0)
