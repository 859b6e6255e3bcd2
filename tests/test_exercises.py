"""Exercise checkers agree with independent computations and give hints when wrong."""

import numpy as np
import pytest

from gradclip import Quadratic, exercises


def test_regime_boundaries_follow_lr_times_lambda_max():
    q = Quadratic.with_condition(10.0, lam_max=4.0)  # lambda_max = 4
    assert [exercises.regime(q, r / 4.0) for r in (0.1, 0.2499, 0.25, 1.0, 1.0001, 2.0, 2.0001)] == [
        "slow", "slow", "good", "good", "oscillating", "on the edge", "divergent"]
    # the same boundaries, written out: the error along lambda_max is multiplied by 1 - r
    assert exercises.regime(q, 1.9999 / 4.0) == "oscillating"


def test_checks_accept_right_and_reject_wrong_answers():
    q = Quadratic.with_condition(10.0, lam_max=4.0)
    assert exercises.check_edge(q, 0.5) and not exercises.check_edge(q, 0.25)
    assert exercises.check_regime(q, 0.4, "oscillating")
    assert not exercises.check_regime(q, 0.4, "divergent")
    assert not exercises.check_regime(q, 0.4, "fast")
    assert not exercises.check_regime(q, 0.4, None)
    assert exercises.check_clip([3.0, 4.0], 1.0, "norm", [0.6, 0.8])
    assert exercises.check_clip([3.0, 4.0], 1.0, "value", [1.0, 1.0])
    assert not exercises.check_clip([3.0, 4.0], 1.0, "norm", [1.0, 1.0])
    # angle between (3, 4) and (1, 1): arccos(7 / (5 sqrt 2)) = 8.13 degrees
    assert exercises.check_angle([3.0, 4.0], 1.0, 8.13)
    assert not exercises.check_angle([3.0, 4.0], 1.0, 0.0)
    assert exercises.check_global_norm([[3.0], 4.0, np.zeros((2, 2))], 5.0)
    assert not exercises.check_global_norm([[3.0], 4.0], 7.0)


def test_feedback_shows_a_mark_and_a_hint():
    fb = exercises.check_edge(Quadratic.with_condition(2.0), 1.0)
    assert repr(fb).startswith("✗") and "largest eigenvalue" in repr(fb)
    assert "✗" in fb._repr_html_()
    waiting = exercises.check_number(None, 1.0)
    assert repr(waiting).startswith("✎ enter your answer") and not waiting
    assert "✗" not in waiting._repr_html_()


def test_bad_inputs():
    with pytest.raises(ValueError, match="mode"):
        exercises.check_clip([1.0], 1.0, "l2", [1.0])
    with pytest.raises(ValueError, match="lr"):
        exercises.regime(Quadratic.with_condition(2.0), -1.0)
    with pytest.raises(ValueError, match="answer"):
        exercises.check_number([1.0, 2.0], 1.0)


def test_check_function_runs_learner_code_against_a_reference():
    ref = lambda w, g: w.T @ g  # noqa: E731  (one backward step through a linear layer)
    cases = [(np.eye(2) * 2.0, np.array([1.0, -1.0])), (np.ones((2, 3)), np.array([0.5, 2.0]))]
    assert exercises.check_function(lambda w, g: w.T @ g, ref, cases)
    wrong = exercises.check_function(lambda w, g: w @ g[: w.shape[1]], ref, cases, hint="transpose")
    assert not wrong and "transpose" in repr(wrong) and repr(wrong).startswith("✗")
    broken = exercises.check_function(lambda w, g: 1 / 0, ref, cases)
    assert not broken and "ZeroDivisionError" in repr(broken)
    waiting = exercises.check_function(None, ref, cases)
    assert waiting.correct is None and "✗" not in repr(waiting)
    with pytest.raises(ValueError, match="cases"):
        exercises.check_function(ref, ref, [])


def test_check_function_compares_lists_of_arrays_of_different_shapes():
    from gradclip import clip_by_global_norm, clip_by_norm

    reference = lambda grads, c: clip_by_global_norm(grads, c)[0]  # noqa: E731
    # each group has norm 1 <= 1.2, the global norm is sqrt(2) > 1.2: all scaled by 1.2 / sqrt(2)
    cases = [([np.array([0.6, 0.8]), np.array([[0.0, 0.8], [0.6, 0.0]])], 1.2),
             ([np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0])], 1.0)]

    def by_hand(grads, c):  # the global norm written out, one factor for every group
        total = np.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
        return [g * min(1.0, c / total) for g in grads]

    assert exercises.check_function(by_hand, reference, cases)
    per_group = exercises.check_function(lambda grads, c: [clip_by_norm(g, c) for g in grads], reference,
                                         cases, name="f", hint="one factor")
    assert not per_group and "one factor" in repr(per_group)
    assert "f([[0.6, 0.8], [[0.0, 0.8], [0.6, 0.0]]], 1.2) gave [[0.6, 0.8], [[0.0, 0.8], [0.6, 0.0]]]" in repr(
        per_group)
    assert "expected [[0.509117, 0.678823], [[0.0, 0.678823], [0.509117, 0.0]]]" in repr(per_group)
    flat = exercises.check_function(lambda grads, c: clip_by_norm(np.concatenate([g.ravel() for g in grads]), c),
                                    reference, cases)
    assert not flat and "gave [0.509117, 0.678823, 0.0, 0.678823, 0.509117, 0.0]" in repr(flat)
    assert not exercises.check_function(lambda grads, c: by_hand(grads, c)[:1], reference, cases)

    def in_place(grads, c):  # changes its input: the cases must not change with it
        for g in grads:
            g *= 0.0
        return grads

    assert not exercises.check_function(in_place, reference, cases)
    assert cases[1][0][1].tolist() == [12.0] and exercises.check_function(by_hand, reference, cases)
    assert exercises.check_function(None, reference, cases).correct is None


def test_check_array_compares_shape_and_values():
    assert exercises.check_array([1.0, 2.0], np.array([1.0, 2.0]))
    assert not exercises.check_array([1.0], [1.0, 2.0])
    assert "entry 1" in repr(exercises.check_array([1.0, 3.0], [1.0, 2.0]))


def test_check_range_is_the_stated_criterion_of_the_linear_depth_exercise():
    # exercise 2 of notebook 03: a linear net of 20 weight layers of width 32, seed 0, on the data
    # of its section 1; the criterion is a first / last gradient ratio between 0.1 and 10
    from gradclip import MLP

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 32)), rng.normal(size=(64, 32))

    def ratio(scale):  # an independent backward pass through the linear chain
        net = MLP([32] * 21, "linear", scale, seed=0)
        d = (X @ np.linalg.multi_dot([W.T for W in net.params[0::2]]) - y) / 64
        last = np.linalg.norm(d)
        for W in net.params[-2:0:-2]:
            d = d @ W
        return np.linalg.norm(d) / last

    measure = lambda s: (lambda b: b[0] / b[-1])(MLP([32] * 21, "linear", s, seed=0).backprop_norms(X, y))
    for scale in (0.85, 0.88, 0.95, 1.0, 1.04, 1.05, 1.08, 1.1):
        truth = 0.1 <= ratio(scale) <= 10
        assert bool(exercises.check_range(scale, measure, 0.1, 10)) == truth
    assert exercises.check_range(0.88, measure, 0.1, 10)      # 0.111: inside, though 12 % below 1
    assert not exercises.check_range(1.05, measure, 0.1, 10)  # 12.1: outside, though 5 % above 1
    assert exercises.check_range(None, measure, 0.1, 10).correct is None
    assert not exercises.check_range(float("nan"), measure, 0.1, 10)
    assert "not between 0.1 and 10 (hint)" in repr(exercises.check_range(1.1, measure, 0.1, 10, hint="hint"))
    with pytest.raises(ValueError, match="measure"):
        exercises.check_range(1.0, 3.0, 0.1, 10)
