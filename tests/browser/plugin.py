"""Fixtures for the real-browser tests: servers, headless Chromium, the latency table.

Everything here is session-scoped and started only when a browser test asks for it; the
site and Voila checks start in their threads as soon as the session has collected them.
``tests/conftest.py`` imports this module, so the fixtures are visible to every test file.
"""

import os
import statistics
from pathlib import Path

import pytest

from browser import NOTEBOOKS_DIR, ROOT

ARTIFACTS = ROOT / "artifacts"
SIBLINGS = (ROOT / "figures", ROOT / "docs", ROOT / "data")  # copied next to notebooks/ for ../figures, ../data
# Debian's Chromium by default; GRADCLIP_CHROMIUM points at another Chromium or Chrome binary
# (for example on macOS: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome").
CHROMIUM = os.environ.get("GRADCLIP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
GOAL = "goal: median <= 20 ms, p90 <= 33 ms"

_latency = []  # (setting, notebook, explorer, [ms, ...])


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
                                  siblings=SIBLINGS)


@pytest.fixture(scope="session")
def lab_server(workspace, artifacts):
    from browser import servers

    root, env = workspace
    server = servers.jupyterlab(root, env, artifacts / "jupyterlab.log").start("api/status")
    yield server
    server.stop()


_runners = {}  # test name -> browser.background.Background checking its notebooks
def _collected(session, name):
    return [item.callspec.params["nb"] for item in session.items
            if getattr(item, "originalname", None) == name and hasattr(item, "callspec")]


def _start(name, notebooks):
    from browser.notebook_checks import voila_runner
    from browser.site_checks import site_runner

    make = {"test_site_page": site_runner, "test_voila": voila_runner}[name]
    extra = {"siblings": SIBLINGS} if name == "test_voila" else {}
    ARTIFACTS.mkdir(exist_ok=True)
    runner = make(NOTEBOOKS_DIR, sorted(notebooks), ARTIFACTS, _latency, CHROMIUM, CHROMIUM_ARGS,
                  **extra)
    runner.start()
    _runners[name] = runner
    return runner


def pytest_collection_finish(session):
    """Start the site and Voila checks now, each in its thread (browser/background.py);
    not when collection failed (pytest then stops before running any test)."""
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        return
    for name, also in (("test_site_page", "test_site_zh_page"), ("test_voila", "test_voila_zh")):
        notebooks = _collected(session, name) + _collected(session, also)
        if notebooks:
            _start(name, notebooks)


def pytest_sessionfinish(session):
    for runner in _runners.values():
        runner.stop()


@pytest.fixture(scope="session")
def site_checks():
    """The site's checks; ``.context["server"]`` serves the built site."""
    return _runners.get("test_site_page") or _start("test_site_page", [])


@pytest.fixture(scope="session")
def voila_checks():
    return _runners.get("test_voila") or _start("test_voila", [])


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
    """Append ``(setting, notebook, explorer, [paint ms, ...])``; printed as a table at the end."""
    yield _latency
    if _latency:
        (artifacts / "latency.txt").write_text("\n".join(latency_table()) + "\n")


def _p90(values):
    values = sorted(values)
    return values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]


def latency_table():
    """One line per setting and explorer: median and p90 of data-last-paint-ms."""
    rows = {}
    for setting, notebook, explorer, values in _latency:
        rows.setdefault((setting, notebook, explorer), []).extend(values)
    lines = [f"{'setting':8s} {'notebook':30s} {'explorer':24s} {'n':>5s} {'median':>8s} {'p90':>8s}"]
    for (setting, notebook, explorer), values in rows.items():
        if values:
            lines.append(f"{setting:8s} {notebook:30s} {explorer:24s} {len(values):5d} "
                         f"{statistics.median(values):8.1f} {_p90(values):8.1f}")
        else:
            lines.append(f"{setting:8s} {notebook:30s} {explorer:24s}     0  no paint measured")
    return lines


def pytest_terminal_summary(terminalreporter):
    if _latency:
        terminalreporter.section(f"input -> paint latency, data-last-paint-ms ({GOAL})")
        for line in latency_table():
            terminalreporter.write_line(line)
