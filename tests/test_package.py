"""Package-level promises: a numpy-only import, a public API, validated seeds."""

import subprocess
import sys

import pytest

import gradclip


def test_import_does_not_pull_in_matplotlib_or_ipywidgets():
    code = ("import sys, gradclip; "
            "bad = [m for m in ('matplotlib', 'ipywidgets', 'IPython') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api():
    for name in ["clip_by_value", "clip_by_norm", "clip_by_global_norm", "adaptive_clip",
                 "gradient_descent", "gradient_clipping", "run", "sweep", "LinearRegression",
                 "Quadratic", "Rosenbrock", "CliffRNN", "setup", "presentation"]:
        assert name in gradclip.__all__ and callable(getattr(gradclip, name))
        assert getattr(gradclip, name).__doc__, name
    for name in gradclip.__all__:  # every public name exists and says what it is
        assert getattr(gradclip, name).__doc__, name


def test_version_is_the_one_in_pyproject():
    from importlib.metadata import version

    assert version("gradclip") == gradclip.__version__


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_setup_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="seed"):
        gradclip.setup(seed=bad)


def test_setup_is_deterministic():
    a = gradclip.setup(seed=3).normal(size=5)
    b = gradclip.setup(seed=3).normal(size=5)
    assert (a == b).all()
