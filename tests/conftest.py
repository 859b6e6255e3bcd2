"""Shared test configuration: the Agg backend, one BLAS thread, an ``ax`` fixture, and the
browser fixtures.

The real-browser fixtures (servers, Chromium) live in ``tests/browser/plugin.py`` and start
only when a browser test asks for them.
"""

import matplotlib

matplotlib.use("Agg")  # before any test imports pyplot: no window, deterministic PNGs

import matplotlib.pyplot as plt  # noqa: E402
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
