"""The library conventions of gradclip.frameworks against numbers worked out by hand."""

import numpy as np
import pytest

import gradclip as gc
from gradclip.frameworks import (
    keras_clip_gradients,
    optax_adaptive_grad_clip,
    optax_clip_by_global_norm,
    tf_clip_by_global_norm,
    tf_clip_by_norm,
    timm_adaptive_clip_grad,
    torch_clip_grad_norm_,
    torch_clip_grad_value_,
)

INF, NAN = np.inf, np.nan


# ---------------------------------------------------------------- PyTorch

def test_torch_norm_clipping_divides_by_total_plus_1e_6():
    out, total = torch_clip_grad_norm_([np.array([3.0, 4.0]), np.array([12.0])], 1.0)
    assert total == 13.0
    coef = 1.0 / (13.0 + 1e-6)
    np.testing.assert_array_equal(out[0], [3.0 * coef, 4.0 * coef])
    np.testing.assert_array_equal(out[1], [12.0 * coef])
    assert np.sqrt(sum(np.sum(o**2) for o in out)) < 1.0           # lands a hair below


def test_torch_shrinks_at_the_threshold_and_keeps_below():
    at, _ = torch_clip_grad_norm_(np.array([3.0, 4.0]), 5.0)        # one array in, one out
    np.testing.assert_allclose(np.linalg.norm(at), 5.0 * 5.0 / 5.000001, rtol=1e-15)
    assert np.linalg.norm(at) < 5.0
    below, total = torch_clip_grad_norm_([[0.3, 0.4]], 1.0)
    assert total == pytest.approx(0.5) and below[0].tolist() == [0.3, 0.4]


def test_torch_other_norm_types():
    out, total = torch_clip_grad_norm_([[3.0, -4.0], [1.0]], 1.0, norm_type=np.inf)
    assert total == 4.0
    np.testing.assert_array_equal(out[0], np.array([3.0, -4.0]) * (1.0 / (4.0 + 1e-6)))
    _, total = torch_clip_grad_norm_([[3.0, -4.0], [1.0]], 1.0, norm_type=1)
    assert total == 8.0


def test_torch_non_finite_totals():
    out, total = torch_clip_grad_norm_([[INF, 1.0], [2.0]], 1.0)
    assert total == INF
    assert np.isnan(out[0][0]) and out[0][1] == 0.0 and out[1].tolist() == [0.0]
    out, total = torch_clip_grad_norm_([[NAN, 1.0], [2.0]], 1.0)
    assert np.isnan(total) and all(np.isnan(o).all() for o in out)
    with pytest.raises(ValueError, match="total norm"):
        torch_clip_grad_norm_([[INF, 1.0]], 1.0, error_if_nonfinite=True)
    torch_clip_grad_norm_([[3.0, 1.0]], 1.0, error_if_nonfinite=True)   # finite: no error


def test_torch_zeroes_a_huge_finite_gradient_where_gradclip_clips_it():
    g = [np.array([1e200, 1e200])]
    out, total = torch_clip_grad_norm_(g, 1.0)
    assert total == INF and out[0].tolist() == [0.0, 0.0]
    single, total = torch_clip_grad_norm_([np.array([1e200])], 1.0)   # one entry: |x|, no square
    assert total == 1e200 and single[0].tolist() == [1e200 * (1.0 / (1e200 + 1e-6))]
    clipped, total = gc.clip_by_global_norm(g, 1.0)
    assert total == pytest.approx(np.sqrt(2) * 1e200)
    np.testing.assert_allclose(clipped[0], [np.sqrt(0.5)] * 2, rtol=1e-15)


def test_torch_none_entries_empty_list_and_no_mutation():
    g = np.array([30.0, 40.0])
    out, total = torch_clip_grad_norm_([None, g], 5.0)
    assert out[0] is None and total == 50.0 and g.tolist() == [30.0, 40.0]
    assert torch_clip_grad_norm_([], 1.0) == ([], 0.0)
    with pytest.raises(ValueError, match="max_norm"):
        torch_clip_grad_norm_([g], -1.0)
    with pytest.raises(ValueError, match="norm_type"):
        torch_clip_grad_norm_([g], 1.0, norm_type=3)


def test_torch_value_clipping():
    out = torch_clip_grad_value_([np.array([NAN, -5.0, 0.5, INF]), None], 1.0)
    assert np.isnan(out[0][0]) and out[0][1:].tolist() == [-1.0, 0.5, 1.0] and out[1] is None
    with pytest.raises(ValueError, match="clip_value"):
        torch_clip_grad_value_([np.ones(2)], 0.0)


# ---------------------------------------------------------------- TensorFlow / Keras

def test_tf_global_norm_by_hand():
    out, norm = tf_clip_by_global_norm([[3.0], [4.0], None], 1.0)
    assert norm == 5.0 and out[2] is None
    scale = 1.0 * min(1.0 / 5.0, 1.0 / 1.0)
    assert out[0].tolist() == [3.0 * scale] and out[1].tolist() == [4.0 * scale]


def test_tf_unclipped_factor_is_not_always_one():
    factor = 0.09 * (1.0 / 0.09)
    assert factor != 1.0                                        # 1 - 2**-53
    out, norm = tf_clip_by_global_norm([np.array([0.01, 0.02])], 0.09)
    assert norm < 0.09
    np.testing.assert_array_equal(out[0], np.array([0.01, 0.02]) * factor)
    assert out[0][0] != 0.01
    same, _ = gc.clip_by_global_norm([np.array([0.01, 0.02])], 0.09)
    assert same[0].tolist() == [0.01, 0.02]


def test_tf_global_norm_non_finite_and_zero():
    for bad in (INF, NAN):
        out, norm = tf_clip_by_global_norm([[bad, 1.0], [2.0]], 1.0)
        assert all(np.isnan(o).all() for o in out)
    out, norm = tf_clip_by_global_norm([[0.0, 0.0]], 1.0)
    assert norm == 0.0 and out[0].tolist() == [0.0, 0.0]
    out, _ = tf_clip_by_global_norm([[3.0, 4.0]], 1.0, use_norm=10.0)   # a given norm is used
    np.testing.assert_allclose(out[0], [0.3, 0.4], rtol=1e-15)
    with pytest.raises(ValueError, match="t_list"):
        tf_clip_by_global_norm(np.ones(3), 1.0)


def test_tf_clip_by_norm_by_hand():
    np.testing.assert_array_equal(tf_clip_by_norm([3.0, 4.0], 1.0), [3.0 / 5.0, 4.0 / 5.0])
    np.testing.assert_array_equal(tf_clip_by_norm([0.3, 0.4], 2.0), [0.3 * 2.0 / 2.0, 0.4 * 2.0 / 2.0])
    rows = tf_clip_by_norm([[3.0, 4.0], [0.0, 0.0]], 1.0, axes=1)
    np.testing.assert_allclose(rows, [[0.6, 0.8], [0.0, 0.0]], rtol=1e-15)
    out = tf_clip_by_norm([INF, 1.0], 1.0)
    assert np.isnan(out[0]) and out[1] == 0.0
    assert np.isnan(tf_clip_by_norm([NAN, 1.0], 1.0)).all()


def test_keras_per_variable_global_and_value():
    grads = [np.array([3.0, 4.0]), np.array([0.0, 12.0]), None]
    per = keras_clip_gradients(grads, clipnorm=1.0)
    np.testing.assert_allclose(per[0], [0.6, 0.8], rtol=1e-15)
    np.testing.assert_allclose(per[1], [0.0, 1.0], rtol=1e-15)
    assert per[2] is None
    assert np.sqrt(sum(np.sum(p**2) for p in per[:2])) == pytest.approx(np.sqrt(2))  # not 1
    glob = keras_clip_gradients(grads, global_clipnorm=1.0)
    np.testing.assert_allclose(glob[0], [3 / 13, 4 / 13], rtol=1e-15)
    np.testing.assert_allclose(glob[1], [0.0, 12 / 13], rtol=1e-15)
    val = keras_clip_gradients(grads, clipvalue=2.5)
    assert val[0].tolist() == [2.5, 2.5] and val[1].tolist() == [0.0, 2.5]
    assert keras_clip_gradients(grads)[0].tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match="only one"):
        keras_clip_gradients(grads, clipnorm=1.0, clipvalue=1.0)
    nan = keras_clip_gradients([np.array([INF, 1.0])], global_clipnorm=1.0)
    assert np.isnan(nan[0]).all()


# ---------------------------------------------------------------- optax

def test_optax_global_norm_by_hand_and_at_the_threshold():
    out = optax_clip_by_global_norm([[3.0], [4.0]], 1.0)
    assert out[0].tolist() == [3.0 / 5.0 * 1.0] and out[1].tolist() == [4.0 / 5.0]
    kept = optax_clip_by_global_norm([[0.3], [0.4]], 1.0)
    assert kept[0].tolist() == [0.3] and kept[1].tolist() == [0.4]
    at = optax_clip_by_global_norm([[3.0], [4.0]], 5.0)           # norm == max_norm: rescaled
    assert at[0].tolist() == [(3.0 / 5.0) * 5.0] and at[1].tolist() == [(4.0 / 5.0) * 5.0]
    out = optax_clip_by_global_norm([[INF, 1.0]], 1.0)
    assert np.isnan(out[0][0]) and out[0][1] == 0.0


def test_optax_and_gradclip_global_norm_agree_to_rounding():
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    for m in (0.1, 1.0, 100.0):
        a = optax_clip_by_global_norm(grads, m)
        b, _ = gc.clip_by_global_norm(grads, m)
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-14)


def test_optax_agc_units_are_columns_of_a_2d_kernel():
    w = np.array([[1.0, 0.0], [0.0, 2.0]])          # columns: norms 1 and 2
    g = np.array([[3.0, 0.3], [4.0, 0.4]])          # columns: norms 5 and 0.5
    out = optax_adaptive_grad_clip([g], [w], clipping=0.1)[0]
    np.testing.assert_allclose(out, [[0.06, 0.12], [0.08, 0.16]], rtol=1e-14)
    kept = optax_adaptive_grad_clip([g], [w], clipping=10.0)[0]
    assert kept.tolist() == g.tolist()


def test_optax_agc_treats_a_squeezable_kernel_as_one_unit():
    w = np.array([[1.0, 0.0]])                      # Dense(1 -> 2): (in=1, out=2)
    g = np.array([[0.3, 0.0004]])
    out = optax_adaptive_grad_clip([g], [w], clipping=0.1)[0]
    whole = g * (0.1 * 1.0 / np.sqrt(0.3**2 + 0.0004**2))  # one unit of norm 1
    np.testing.assert_allclose(out, whole, rtol=1e-14)
    per_column = optax_adaptive_grad_clip([g], [w], clipping=0.1, axis=0)[0]
    np.testing.assert_allclose(per_column, [[0.1, 0.1 * 1e-3]], rtol=1e-14)


def test_optax_agc_3d_sums_axis_0_only_and_4d_all_but_last():
    g3 = np.arange(1.0, 9.0).reshape(2, 2, 2)
    w3 = np.ones((2, 2, 2))                          # every axis-0 unit has norm sqrt(2)
    out = optax_adaptive_grad_clip([g3], [w3], clipping=0.1)[0]
    bound = 0.1 * np.sqrt(2)
    for i in range(2):
        for j in range(2):
            unit = g3[:, i, j]
            np.testing.assert_allclose(out[:, i, j], unit * bound / np.linalg.norm(unit), rtol=1e-14)
    g4 = np.arange(1.0, 17.0).reshape(2, 2, 2, 2)    # HWIO: units along the last axis
    out = optax_adaptive_grad_clip([g4], [np.ones_like(g4)], clipping=0.1)[0]
    for o in range(2):
        unit = g4[..., o]
        np.testing.assert_allclose(out[..., o], unit * 0.1 * np.sqrt(8) / np.linalg.norm(unit), rtol=1e-14)
    with pytest.raises(ValueError, match="dimensions"):
        optax_adaptive_grad_clip([np.ones((2,) * 6)], [np.ones((2,) * 6)], 0.1)


# ---------------------------------------------------------------- timm

def test_timm_agc_units_are_rows_and_match_gradclip():
    w = np.array([[1.0, 0.0], [0.0, 2.0]])
    g = np.array([[3.0, 4.0], [0.3, 0.4]])
    out = timm_adaptive_clip_grad([g], [w], clip_factor=0.1)[0]
    np.testing.assert_allclose(out, [[0.06, 0.08], [0.12, 0.16]], rtol=1e-14)
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(2, 3, 2))]
    params = [rng.normal(size=(4, 3)), np.zeros(3), rng.normal(size=(2, 3, 2))]
    for c in (0.01, 0.3, 3.0):
        for a, b in zip(timm_adaptive_clip_grad(grads, params, c), gc.adaptive_clip(grads, params, c)):
            np.testing.assert_allclose(a, b, rtol=1e-14)


def test_timm_and_optax_clip_different_slices_of_the_same_matrix():
    # the same layer stored as (out, in) for timm and (in, out) for optax gives the same result
    w = np.array([[1.0, 0.0], [0.0, 2.0]])
    g = np.array([[3.0, 4.0], [0.3, 0.4]])
    a = timm_adaptive_clip_grad([g], [w], 0.1)[0]
    b = optax_adaptive_grad_clip([g], [w], 0.1)[0]
    np.testing.assert_allclose(optax_adaptive_grad_clip([g.T], [w.T], 0.1)[0].T, a, rtol=1e-14)
    assert not np.allclose(a, b)


def test_agc_division_floor_shrinks_tiny_units_below_the_bound():
    # clipping 1e-4, zero weights: bound = 1e-4 * 1e-3 = 1e-7; a gradient of norm 5e-7 is
    # multiplied by 1e-7 / max(5e-7, 1e-6) = 0.1, to norm 5e-8 (half the bound)
    g, w = np.array([3e-7, 4e-7]), np.zeros(2)
    for fn in (timm_adaptive_clip_grad, optax_adaptive_grad_clip):
        out = fn([g], [w], 1e-4)[0]
        np.testing.assert_allclose(out, g * 0.1, rtol=1e-12)
    np.testing.assert_allclose(gc.adaptive_clip([g], [w], 1e-4)[0], g * (1e-7 / 5e-7), rtol=1e-12)


def test_agc_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="shapes"):
        timm_adaptive_clip_grad([np.ones(2)], [np.ones(3)])
    with pytest.raises(ValueError, match="clipping"):
        optax_adaptive_grad_clip([np.ones(2)], [np.ones(2)], clipping=-1.0)
