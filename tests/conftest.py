"""Shared test configuration: the Agg backend, one BLAS thread, an ``ax`` fixture, and the
browser fixtures.

The real-browser fixtures (servers, Chromium) live in ``tests/browser/plugin.py`` and start
only when a browser test asks for them.
"""

import matplotlib

matplotlib.use("Agg")  # before any test imports pyplot: no window, deterministic PNGs

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from gradclip.threads import set_blas_threads  # noqa: E402

set_blas_threads(1)  # small products, as in the notebooks (gradclip.setup does the same)

from browser.plugin import (artifacts, browser, lab_server, latency_report,  # noqa: E402,F401
                            pytest_collection_finish, pytest_sessionfinish,
                            pytest_terminal_summary, site_checks, voila_checks,
                            workspace)


@pytest.fixture
def ax():
    """A fresh matplotlib Axes on its own figure, closed after the test."""
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def finite_difference_grads(loss, params, h=1e-6):
    """Central differences ``(loss(p + h e) - loss(p - h e)) / (2 h)`` for every entry of every
    array of ``params`` (a list of arrays; ``loss`` takes such a list and returns a float)."""
    out = []
    for i, p in enumerate(params):
        fd = np.empty_like(p)
        for idx in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[i][idx] += h
            minus[i][idx] -= h
            fd[idx] = (loss(plus) - loss(minus)) / (2 * h)
        out.append(fd)
    return out


def control_ends(control):
    """The first and last value of an explorer control (toggle, slider or integer slider)."""
    if control.kind == "toggle":
        return control.options[0], control.options[-1]
    if control.kind == "slider":
        return float(control.values[0]), float(control.values[-1])
    return control.lo, control.hi


from gradclip import widgets as _widgets  # noqa: E402

#: Every explorer factory of gradclip.widgets (each explorer of the notebooks comes from one).
EXPLORER_FACTORIES = sorted(n for n in _widgets.__all__ if n.endswith("_explorer")) + ["player"]
#: Settings that keep an explorer's build short in tests (a factory not named is built with its
#: defaults).
SMALL_SETTINGS = {"phase_explorer": dict(max_steps=60, steps=60),
                  "training_explorer": dict(lr=0.3, threshold=1.0, T=10, steps=20),
                  "noise_explorer": dict(steps=40, n_runs=60), "bias_explorer": dict(steps=40, n_runs=20),
                  "spike_explorer": dict(steps=150), "momentum_explorer": dict(max_steps=40, steps=40),
                  "adam_explorer": dict(steps=40), "toy_explorer": dict(max_steps=100)}

