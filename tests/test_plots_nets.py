"""Network plots: they draw the data they are given and reject bad input."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradclip import CliffRNN, chain_gradient
from gradclip.plots import nets as netplots


def test_plot_chains_draws_the_products(ax):
    lines = netplots.plot_chains(ax, [0.9, 1.1], steps=30)
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_ydata(), 1.1 ** np.arange(31))
    assert "1.1" in lines[1].get_label() and ax.get_yscale() == "log"


def test_plot_layer_signals_labels_the_ratio(ax):
    lines = netplots.plot_layer_signals(ax, {"a": [1e-3, 1e-2, 1.0]})
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    assert "0.001" in lines[0].get_label()


def test_plot_factors_product_matches_chain(ax):
    f = CliffRNN(T=10).jacobian_factors([4.0, -2.0])
    per_step, product = netplots.plot_factors(ax, f)
    np.testing.assert_allclose(per_step.get_ydata(), np.abs(f))
    # the product back to step 1 is the product of all factors
    assert product.get_ydata()[-1] == pytest.approx(abs(chain_gradient(f[::-1])[-1]))


def test_bad_input(ax):
    with pytest.raises(ValueError, match="ax"):
        netplots.plot_chains(None, [1.1])
    with pytest.raises(ValueError, match="factors"):
        netplots.plot_chains(ax, [-1.0])
    with pytest.raises(ValueError, match="steps"):
        netplots.plot_chains(ax, [1.1], steps=0)
    with pytest.raises(ValueError, match="signals"):
        netplots.plot_layer_signals(ax, {})
    with pytest.raises(ValueError, match="factors"):
        netplots.plot_factors(ax, [])


def test_plot_training_draws_losses_and_norms():
    import gradclip as gc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2))
    y = X[:, :1]
    a = gc.train(gc.MLP([2, 4, 1], seed=0), X, y, lr=0.1, steps=10)
    fig, (ax1, ax2) = plt.subplots(1, 2)
    lines = netplots.plot_training(ax1, ax2, {"a": a}, threshold=0.5)
    np.testing.assert_allclose(lines[0].get_ydata(), a.losses)
    np.testing.assert_allclose(lines[1].get_ydata(), a.grad_norms)
    with pytest.raises(ValueError, match="runs"):
        netplots.plot_training(ax1, ax2, {})
    with pytest.raises(ValueError, match="Training"):
        netplots.plot_training(ax1, ax2, {"x": 1})
    plt.close(fig)
