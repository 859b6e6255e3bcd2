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
