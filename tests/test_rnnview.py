"""The through-time explorer: what it draws and says, against gradclip.RNN run independently."""


import numpy as np
import pytest

import gradclip as gc
from gradclip import widgets
from gradclip.widgets import rnnview


@pytest.fixture(scope="module")
def ex():
    gc.setup(seed=0)
    return widgets.rnn_explorer()


def _net_norms(rho, T, activation):
    X, y = gc.adding_problem(16, T, seed=0)
    net = gc.RNN(2, 32, 1, activation=activation, spectral_radius=rho, seed=0)
    return net.hidden_grad_norms(X, y), net


def _curve(ex):
    lines = [d for d in ex.drawn() if d["type"] == "line"]
    return lines[1]["x"], lines[1]["y"]  # lines[0] is the dashed rho^(T - t)


@pytest.mark.parametrize("rho, T, activation", [(0.9, 100, "linear"), (1.1, 50, "linear"),
                                                (1.5, 25, "tanh"), (0.5, 10, "tanh")])
def test_drawn_profile_is_the_nets_hidden_gradient(ex, rho, T, activation):
    ex.update(rho=rho, T=T, activation=activation)
    norms, _ = _net_norms(rho, T, activation)
    x, y = _curve(ex)
    ok = np.isfinite(y)
    assert x[ok].tolist() == list(range(1, T + 1))
    # stored at a quarter pixel of the log axis: about 0.02 decades
    np.testing.assert_allclose(np.log10(y[ok]), np.log10(norms / norms[-1]), atol=0.03)


def test_linear_factor_is_the_spectral_radius(ex):
    """Linear RNN, T = 100: the geometric-mean factor over the 50 steps furthest from the
    output is within 0.3 % of rho (the transient near the output is left out)."""
    for rho in (0.9, 1.1):
        norms, _ = _net_norms(rho, 100, "linear")
        by_hand = (norms[0] / norms[49]) ** (1 / 49)
        assert by_hand == pytest.approx(rho, rel=3e-3)
        ex.update(rho=rho, T=100, activation="linear")
        assert f"measured factor {by_hand:.3f} per step" in ex.status_text


def test_regimes_at_the_ends(ex):
    ex.update(rho=0.5, T=100, activation="linear")
    assert ex.status_text.startswith("vanishing")
    ex.update(rho=1.5)
    assert ex.status_text.startswith("exploding")
    ex.update(rho=1.0)
    assert ex.status_text.startswith("neither")
    ex.update(rho=1.1, activation="tanh")  # saturation: below 1 although rho > 1
    assert ex.status_text.startswith("vanishing")


def test_short_sequences_name_no_regime(ex):
    """T = 10 measures 4 steps: a linear net at rho = 1 measures 0.959 (by hand), which is no
    reason to call it vanishing; from T = 25 (11 steps) this draw is within 0.3 % of rho."""
    for rho in (1.0, 1.05):
        norms, _ = _net_norms(rho, 10, "linear")
        by_hand = (norms[0] / norms[4]) ** (1 / 4)
        ex.update(rho=rho, T=10, activation="linear")
        assert ex.status_text.startswith(f"too short to tell: measured factor {by_hand:.3f} per step over 4 steps")
    assert by_hand == pytest.approx(1.007, abs=5e-4)
    for rho in (0.95, 1.0, 1.05):
        norms, _ = _net_norms(rho, 25, "linear")
        by_hand = (norms[0] / norms[11]) ** (1 / 11)
        assert by_hand == pytest.approx(rho, rel=3e-3)
        ex.update(rho=rho, T=25)
        assert f"measured factor {by_hand:.3f} per step over 11 steps" in ex.status_text
        assert ex.status_text.startswith({0.95: "vanishing", 1.0: "neither", 1.05: "exploding"}[rho])


def test_tanh_lowers_the_measured_factor_but_not_every_step(ex):
    """The notebook's tanh claims for the explorer's draw: every measured factor on the
    sliders is at most 0.89 rho, yet at rho = 1.2, T = 100 nine single steps exceed 1."""
    for rho in rnnview.RHOS:
        for T in rnnview.LENGTHS:
            norms, _ = _net_norms(rho, T, "tanh")
            m = T // 2
            assert (norms[0] / norms[m - 1]) ** (1 / (m - 1)) < 0.89 * rho
    norms, _ = _net_norms(1.2, 100, "tanh")
    steps = norms[:-1] / norms[1:]
    assert np.sum(steps > 1) == 9 and steps.max() == pytest.approx(1.136, abs=1e-3)
    ex.update(rho=1.2, T=100, activation="tanh")
    drawn = [d for d in ex.drawn() if d["type"] == "line"][2]["y"]
    assert np.sum(drawn[:99] > 1) == 9


def test_sigma_and_rho_lines(ex):
    ex.update(rho=1.2, T=50, activation="tanh")
    _, net = _net_norms(1.2, 50, "tanh")
    sigma = np.linalg.svd(net.params[1], compute_uv=False)[0]
    rules = [d["at"] for d in ex.drawn() if d["type"] == "hline"]
    assert rules[0] == pytest.approx(1.2)
    assert rules[1] == pytest.approx(sigma, abs=1e-3)
    assert f"σₘₐₓ = {sigma:.2f}" in ex.status_text
    dashed = [d for d in ex.drawn() if d["type"] == "line"][0]
    assert dashed["x"].tolist() == [1, 50]
    np.testing.assert_allclose(dashed["y"], [1.2 ** 49, 1.0], rtol=0.01)


def test_per_step_factors_are_ratios_of_norms(ex):
    ex.update(rho=0.8, T=25, activation="linear")
    norms, _ = _net_norms(0.8, 25, "linear")
    step = [d for d in ex.drawn() if d["type"] == "line"][2]["y"]
    np.testing.assert_allclose(step[:24], norms[:-1] / norms[1:], atol=0.01)


def test_measured_factor_and_regime_code():
    assert rnnview.measured_factor(1.05 ** np.arange(20, 0, -1)) == pytest.approx(1.05)
    np.testing.assert_allclose(rnnview.measured_factor(np.array([[8.0, 4, 2, 1], [1, 1, 1, 1]])), [2.0, 1.0])
    assert rnnview.regime_code([0.5, 0.99, 1.0, 1.03, np.nan]).tolist() == [0, 1, 1, 2, 2]
    assert rnnview.regime_code([0.5, 1.0, 1.5, 0.5], steps=[4, 4, 4, 11]).tolist() == [3, 3, 3, 0]
    with pytest.raises(ValueError, match="at least 4"):
        rnnview.measured_factor([1.0, 2.0, 3.0])


def test_presets_and_bad_input(ex):
    ex.apply_preset("rho=1.3;T=50;activation=tanh")
    text = ex.preset()
    assert text == "rho=1.3;T=50;activation=tanh"
    assert widgets.rnn_explorer(preset=text).status_text == ex.status_text
    for bad in ("rho=3", "T=1000", "activation=relu", "speed=1"):
        with pytest.raises(ValueError):
            ex.apply_preset(bad)
    with pytest.raises(ValueError, match="rho"):
        widgets.rnn_explorer(rho=0.1)
    with pytest.raises(ValueError, match="activation"):
        widgets.rnn_explorer(activation="sigmoid")


def test_stored_picture_and_spec_are_small(ex):
    png = ex.picture()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(ex.spec_json()) < 200_000
