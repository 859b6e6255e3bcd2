"""The seed article's two functions: its numbers (its code copied verbatim as the reference), pure."""

import numpy as np
import pytest

from gradclip import gradient_clipping, gradient_descent


# --- the seed article's code, copied verbatim as the reference --------------------------
def article_gradient_descent(X, y, theta, alpha, iterations):
    m = len(y)
    for _ in range(iterations):
        gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
        theta -= alpha * gradient
    return theta


def article_gradient_clipping(X, y, theta, alpha, iterations, clip_threshold):
    m = len(y)
    for _ in range(iterations):
        gradient = (1 / m) * X.T.dot(X.dot(theta) - y)
        gradient_clipped = np.clip(gradient, -clip_threshold, clip_threshold)
        theta -= alpha * gradient_clipped
    return theta
# ----------------------------------------------------------------------------------------


def data(seed, m=50, d=3, scale=3.0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(m), rng.normal(scale=scale, size=(m, d - 1))])
    y = X @ rng.normal(scale=2.0, size=d) + rng.normal(size=m)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("alpha,iterations", [(0.01, 100), (0.05, 500), (0.001, 3)])
def test_article_functions_reproduce_its_code(seed, alpha, iterations):
    X, y = data(seed)
    theta = np.random.default_rng(seed + 10).normal(size=X.shape[1])
    keep = theta.copy()
    ours = gradient_descent(X, y, theta, alpha, iterations)
    ref = article_gradient_descent(X, y, theta.copy(), alpha, iterations)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    for c in (0.1, 1.0, 50.0):
        ours = gradient_clipping(X, y, theta, alpha, iterations, c)
        ref = article_gradient_clipping(X, y, theta.copy(), alpha, iterations, c)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(theta, keep)  # unlike the article, theta is not mutated


def test_article_code_mutates_theta_and_ours_does_not():
    X, y = data(5)
    theta = np.zeros(3)
    article_gradient_descent(X, y, theta, 0.01, 10)
    assert np.any(theta != 0)
    theta = np.zeros(3)
    gradient_descent(X, y, theta, 0.01, 10)
    np.testing.assert_array_equal(theta, 0)


def test_article_column_vectors_keep_their_shape():
    X, y = data(6)
    theta = np.zeros((3, 1))
    ours = gradient_descent(X, y[:, None], theta, 0.01, 20)
    ref = article_gradient_descent(X, y[:, None], theta.copy(), 0.01, 20)
    assert ours.shape == (3, 1)
    np.testing.assert_allclose(ours, ref, atol=1e-9)
    with pytest.raises(ValueError, match="theta"):
        gradient_descent(X, y, theta, 0.01, 20)  # the article would silently broadcast (m, m)


def test_clipped_update_differs_from_the_articles_step5_text():
    """Step 5 of the article updates with the raw gradient: clipping would then do nothing."""
    X, y = data(7)
    theta0 = np.zeros(3)
    raw = gradient_descent(X, y, theta0, 0.01, 50)
    clipped = gradient_clipping(X, y, theta0, 0.01, 50, 0.1)
    assert np.linalg.norm(raw - clipped) > 0.1


@pytest.mark.parametrize("bad", [0.0, -0.1, np.nan, np.inf, "0.1", None])
def test_bad_rates_are_named(bad):
    X, y = data(0)
    with pytest.raises(ValueError, match="alpha"):
        gradient_descent(X, y, np.zeros(3), bad, 10)
    with pytest.raises(ValueError, match="clip_threshold"):
        gradient_clipping(X, y, np.zeros(3), 0.1, 10, bad)


def test_bad_arguments_are_named():
    X, y = data(0)
    cases = [
        (lambda: gradient_descent(X, y, np.zeros(3), 0.1, -1), "iterations"),
        (lambda: gradient_descent(X, y[:-1], np.zeros(3), 0.1, 1), "same number of rows"),
        (lambda: gradient_descent(X, y, np.zeros(4), 0.1, 1), "theta"),
    ]
    for call, match in cases:
        with pytest.raises(ValueError, match=match):
            call()
