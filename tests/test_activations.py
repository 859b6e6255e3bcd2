"""Activation moments against Monte Carlo and high-precision quadrature."""

import mpmath
import numpy as np
import pytest

from gradclip.activations import gaussian_moments


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
@pytest.mark.parametrize("q", [0.01, 0.3, 1.0, 4.0])
def test_gaussian_moments_match_monte_carlo(activation, q):
    z = np.sqrt(q) * np.random.default_rng(1).normal(size=1_000_000)
    act = {"tanh": np.tanh, "sigmoid": lambda t: 1 / (1 + np.exp(-t)), "relu": lambda t: np.maximum(t, 0),
           "linear": lambda t: t}[activation]
    a = act(z)
    slope = {"tanh": 1 - a**2, "sigmoid": a * (1 - a), "relu": (z > 0) * 1.0, "linear": np.ones_like(z)}[activation]
    act_sq, slope_sq = gaussian_moments(activation, q)
    # Monte Carlo error of a mean of 1e6 draws: a few 1e-3 relative at most here
    assert float(act_sq) == pytest.approx(np.mean(a**2), rel=6e-3)
    assert float(slope_sq) == pytest.approx(np.mean(slope**2), rel=6e-3)


@pytest.mark.parametrize("q", [0.05, 0.27, 2.0, 9.0, 100.0])
def test_smooth_moments_match_mpmath_quadrature(q):
    mpmath.mp.dps = 30
    density = lambda t: mpmath.exp(-t**2 / (2 * q)) / mpmath.sqrt(2 * mpmath.pi * q)
    sig = lambda t: 1 / (1 + mpmath.exp(-t))
    ref = {"tanh": (mpmath.quad(lambda t: mpmath.tanh(t)**2 * density(t), [-mpmath.inf, 0, mpmath.inf]),
                    mpmath.quad(lambda t: (1 - mpmath.tanh(t)**2)**2 * density(t), [-mpmath.inf, 0, mpmath.inf])),
           "sigmoid": (mpmath.quad(lambda t: sig(t)**2 * density(t), [-mpmath.inf, 0, mpmath.inf]),
                       mpmath.quad(lambda t: (sig(t) * (1 - sig(t)))**2 * density(t), [-mpmath.inf, 0, mpmath.inf]))}
    for activation, (act_sq, slope_sq) in ref.items():
        got = gaussian_moments(activation, q)
        assert float(got[0]) == pytest.approx(float(act_sq), rel=1e-9)
        assert float(got[1]) == pytest.approx(float(slope_sq), rel=1e-9)


def test_gaussian_moments_limits_shapes_and_bad_inputs():
    # z = 0 exactly: act(0)^2 and act'(0)^2
    for activation, (a0, s0) in {"tanh": (0.0, 1.0), "sigmoid": (0.25, 0.0625)}.items():
        np.testing.assert_allclose(gaussian_moments(activation, 0.0), (a0, s0), atol=1e-15)
    act_sq, slope_sq = gaussian_moments("tanh", [[0.1, 1.0], [2.0, 3.0]])
    assert act_sq.shape == slope_sq.shape == (2, 2)
    assert np.all(np.diff(slope_sq.ravel()) < 0)  # wider pre-activations: smaller slopes
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="q"):
            gaussian_moments("tanh", bad)
    with pytest.raises(ValueError, match="activation"):
        gaussian_moments("softplus", 1.0)
