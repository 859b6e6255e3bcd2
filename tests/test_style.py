"""setup() and presentation(): rcParams switch both ways, bad input is rejected."""

import matplotlib as mpl
import numpy as np
import pytest

import gradclip
from gradclip import style


@pytest.fixture(autouse=True)
def _restore(monkeypatch):
    monkeypatch.delenv("GRADCLIP_PRESENTATION", raising=False)
    saved = mpl.rcParams.copy()
    yield
    mpl.rcParams.update(saved)
    style._state["presentation"] = False


def test_setup_sets_normal_style_and_seeds():
    rng = gradclip.setup(seed=3)
    assert rng.normal() == np.random.default_rng(3).normal()
    assert mpl.rcParams["font.size"] == 11
    assert tuple(mpl.rcParams["figure.figsize"]) == (8.0, 4.5)
    assert not gradclip.style.is_presentation()


def test_presentation_switches_both_ways():
    gradclip.setup(seed=0)
    assert gradclip.presentation() is True
    assert style.is_presentation()
    assert mpl.rcParams["font.size"] == 18
    assert tuple(mpl.rcParams["figure.figsize"]) == (11.0, 6.2)
    assert mpl.rcParams["lines.linewidth"] == 3.0
    assert gradclip.presentation(False) is False
    assert not style.is_presentation()
    assert mpl.rcParams["font.size"] == 11
    assert tuple(mpl.rcParams["figure.figsize"]) == (8.0, 4.5)
    assert mpl.rcParams["lines.markersize"] == mpl.rcParamsDefault["lines.markersize"]


def test_setup_presentation_flag_and_reset():
    gradclip.setup(seed=0, presentation=True)
    assert style.is_presentation() and mpl.rcParams["axes.titlesize"] == 20
    gradclip.setup(seed=0)
    assert not style.is_presentation() and mpl.rcParams["axes.titlesize"] == 12


def test_every_projector_key_grows():
    gradclip.setup(seed=0)
    small = {k: mpl.rcParams[k] for k in style._PROJECTOR}
    gradclip.presentation()
    for key, value in small.items():
        big = mpl.rcParams[key]
        assert np.all(np.asarray(big, dtype=float) > np.asarray(value, dtype=float)), key


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_environment_turns_projector_mode_on(monkeypatch, value):
    monkeypatch.setenv("GRADCLIP_PRESENTATION", value)
    gradclip.setup(seed=0)
    assert style.is_presentation() and mpl.rcParams["font.size"] == 18


@pytest.mark.parametrize("value", ["", "0", "false", "off"])
def test_environment_leaves_normal_mode(monkeypatch, value):
    monkeypatch.setenv("GRADCLIP_PRESENTATION", value)
    gradclip.setup(seed=0)
    assert not style.is_presentation()


@pytest.mark.parametrize("bad", ["yes", 1, 0, None, 1.0])
def test_presentation_rejects_non_bool(bad):
    with pytest.raises(ValueError, match="on must be True or False"):
        gradclip.presentation(bad)
    with pytest.raises(ValueError, match="presentation must be True or False"):
        gradclip.setup(seed=0, presentation=bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, None])
def test_setup_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="seed"):
        gradclip.setup(seed=bad)


def test_import_stays_numpy_only():
    import subprocess
    import sys

    code = "import gradclip, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
