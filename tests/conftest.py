"""Fixtures for the real-browser tests: JupyterLab, Voila and headless Chromium.

Everything here is session-scoped and started only when a browser test asks for it.
"""

import os
from pathlib import Path

import pytest

from browser import NOTEBOOKS_DIR, ROOT

ARTIFACTS = ROOT / "artifacts"
# Debian's Chromium by default; GRADCLIP_CHROMIUM points at another Chromium or Chrome binary
# (for example on macOS: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome").
CHROMIUM = os.environ.get("GRADCLIP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]

_latency_lines = []


@pytest.fixture(scope="session")
def artifacts():
    """``artifacts/`` (git-ignored): screenshots, server logs, latency numbers."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def workspace(tmp_path_factory):
    """A temporary copy of notebooks/ and figures/ with private Jupyter folders."""
    from browser import servers

    return servers.make_workspace(NOTEBOOKS_DIR, tmp_path_factory.mktemp("browser"),
                                  siblings=(ROOT / "figures", ROOT / "docs"))


@pytest.fixture(scope="session")
def lab_server(workspace, artifacts):
    from browser import servers

    root, env = workspace
    server = servers.jupyterlab(root, env, artifacts / "jupyterlab.log").start("api/status")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright; a failure to launch fails the test."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - depends on the environment
        pytest.fail(f"the browser tests need the 'playwright' Python package: {exc}", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it with "
                    "'apt-get install -y chromium' (.ci/run does this), or set GRADCLIP_CHROMIUM "
                    "to the path of a Chromium or Chrome binary", pytrace=False)
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        pytest.fail(f"could not launch {CHROMIUM} with playwright: {exc}", pytrace=False)
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture(scope="session")
def latency_report(artifacts):
    """Append lines here; they are printed after the test run and saved to artifacts/."""
    yield _latency_lines
    if _latency_lines:
        (artifacts / "latency.txt").write_text("\n".join(_latency_lines) + "\n")


def pytest_terminal_summary(terminalreporter):
    if _latency_lines:
        terminalreporter.section("slider -> canvas latency (goal: median <= 100 ms)")
        for line in _latency_lines:
            terminalreporter.write_line(line)
