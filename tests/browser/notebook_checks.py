"""What JupyterLab and Voila pages are checked for, and the Voila check (run in background.py).

Voila runs once per notebook, as in a classroom (``GRADCLIP_PRESENTATION=1 voila
--Voila.root_dir=. notebooks/<name>``): Voila 0.5 serving a folder stops rendering a notebook
whose markdown links ``../figures/...`` (its exporter asks the contents manager for a path
outside the root and gets an HTTP error).
"""

import shutil
import tempfile
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import servers
from browser.background import Background
from browser.drive import drive_explorers
from browser.layout import full_screenshot, layout_offenders
from browser.predict_checks import ASKS, predict_problems
from browser.probes import expected_explorers, page_problems
from browser.readout_checks import stored_spec

LOAD_MS = 120_000
VOILA_MS = 300_000  # running every cell: the bound Run All has in JupyterLab (RUN_MS)
VOILA_VIEWPORT = {"width": 1280, "height": 720}
OUTPUTS, COLUMN = ".jp-OutputArea-output", ".jp-Cell"
# Voila streams the executed cells, each output as a <script type="application/vnd.voila.
# cell-output+json">; its front end, once started, hides the spinner and replaces every such
# script by the output's renderer: done when none is left
#: Where predict first is checked outside the site (setting, notebook): commit, verdict, again.
PREDICT_IN = {("lab", "02_exploding_gradients"), ("voila", "02_exploding_gradients")}
MODEL_NOT_FOUND = "Error displaying widget: model not found"
VOILA_DONE = """() => {
  const spinner = document.querySelector('#loading');
  const cells = document.querySelector('#rendered_cells');
  return document.readyState === 'complete' && (!spinner || spinner.offsetParent === null)
         && (!cells || cells.offsetParent !== null || document.querySelector('.jp-Cell'))
         && !document.querySelector('script[type="application/vnd.voila.cell-output+json"]');
}"""


def wait_widgets_settled(page, quiet_ms=1000, timeout_ms=60_000):
    """Wait until every widget output has its view or its error (ipywidgets' renderer shows
    "Loading widget..." until it has the model and the view), then until the number of widget
    views and explorers stops changing."""
    try:
        page.wait_for_function("""([quiet]) => {
          if (Array.from(document.querySelectorAll('.jp-OutputArea-output'))
              .some(el => el.textContent === 'Loading widget...')) return false;
          const n = document.querySelectorAll('.jupyter-widgets, .gradclip-explorer, canvas').length;
          const s = window.__gcSettle || (window.__gcSettle = {n: -1, since: 0});
          const now = performance.now();
          if (n !== s.n) { s.n = n; s.since = now; return false; }
          return now - s.since >= quiet;
        }""", arg=[quiet_ms], timeout=timeout_ms, polling=100)
    except PlaywrightTimeout:
        loading = page.evaluate("""() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
          .filter(el => el.textContent === 'Loading widget...').length""")
        raise AssertionError(f"widgets not settled within {timeout_ms / 1000:.0f} s: {loading} "
                             "widget outputs still 'Loading widget...'") from None
    page.evaluate("() => { delete window.__gcSettle; }")


def shot_name(nb):
    """The name of a notebook in screenshots, logs and the latency table (zh_<stem> for zh)."""
    return f"zh_{nb.stem}" if nb.parent.name == "zh" else nb.stem


def check_notebook_page(page, nb, setting, artifacts, latency, offset):
    """Everything both settings check once the notebook is on screen: ``(problems, seconds
    spent driving the explorers)``."""
    expected = expected_explorers(nb)
    try:  # widget views appear after the page looks done (the widget manager loads late)
        page.wait_for_function("n => document.querySelectorAll('.gradclip-explorer').length >= n",
                               arg=expected, timeout=60_000, polling=200)
    except PlaywrightTimeout:
        pass  # reported by drive_explorers
    problems = page_problems(page)
    problems += [f"layout: {p}" for p in layout_offenders(page, OUTPUTS, COLUMN)]
    if (setting, shot_name(nb)) in PREDICT_IN and page.locator(ASKS).count():
        asks = page.locator(ASKS).first.get_attribute("data-explorer")
        problems += predict_problems(page, stored_spec(nb, asks), artifacts, f"{setting}_{nb.stem}")
    started = time.monotonic()
    problems += drive_explorers(page, setting, shot_name(nb), artifacts, latency,
                                every_slider=False, expected=expected, offset=offset)
    driven = time.monotonic() - started
    problems += [p for p in page_problems(page) if p not in problems]
    full_screenshot(page, artifacts / f"{setting}_{shot_name(nb)}.png")
    return problems, driven


def check_voila(browser, workspace, nb, artifacts, latency):
    """Start Voila for ``nb`` in projector mode, open it at 1280x720, check it, stop Voila."""
    root, env = workspace
    started = time.monotonic()
    rel = f"zh/{nb.name}" if nb.parent.name == "zh" else nb.name
    server = servers.voila(root, env, artifacts / f"voila_{shot_name(nb)}.log",
                           notebook=f"notebooks/{rel}",
                           extra_env={"GRADCLIP_PRESENTATION": "1"}).start(servers.VOILA_READY)
    page = browser.new_page(viewport=VOILA_VIEWPORT)
    try:
        # Voila streams the page while the kernel runs: wait for the first bytes, not "load"
        page.goto(server.url(""), timeout=LOAD_MS, wait_until="commit")
        try:
            page.wait_for_function(VOILA_DONE, timeout=VOILA_MS, polling=200)
        except PlaywrightTimeout:
            page.screenshot(path=artifacts / f"FAILED_voila_{shot_name(nb)}.png")
            spinner = page.locator("#loading").inner_text() if page.locator("#loading").count() else ""
            return [f"Voila did not finish rendering {nb.name} within {VOILA_MS / 1000:.0f} s "
                    f"(page: {spinner.strip()!r}); Voila log:\n{server.log_tail(15)}"], ""
        wait_widgets_settled(page)
        retried = ""
        if page.get_by_text(MODEL_NOT_FOUND).count():
            # Voila 0.5, busy machine: the widget manager can render a view before its model
            # has arrived. A reload runs the notebook again in a new kernel; a second failure
            # is reported below. The retry is printed, never silent.
            page.screenshot(path=artifacts / f"RETRIED_voila_{shot_name(nb)}.png")
            page.reload(timeout=LOAD_MS, wait_until="commit")
            page.wait_for_function(VOILA_DONE, timeout=VOILA_MS, polling=200)
            wait_widgets_settled(page)
            retried = f" (reloaded once after {MODEL_NOT_FOUND!r})"
        shown_at = time.monotonic()
        problems, driven = check_notebook_page(page, nb, "voila", artifacts, latency, offset=1)
        if problems:
            page.screenshot(path=artifacts / f"FAILED_voila_{shot_name(nb)}.png")
        note = (f"{nb.name} in Voila: start, run and show {shown_at - started:.1f} s, "
                f"explorers {driven:.1f} s, total {time.monotonic() - started:.1f} s{retried}")
        return problems, note
    finally:
        page.close()
        server.stop()


def voila_runner(notebooks_dir, notebooks, artifacts, latency, chromium, chromium_args, siblings):
    """A :class:`Background` that checks ``notebooks`` in Voila, from a private copy of them."""

    def setup():
        return servers.make_workspace(notebooks_dir, tempfile.mkdtemp(prefix="gradclip-voila-"),
                                      siblings=siblings)

    def check(browser, workspace, nb):
        return check_voila(browser, workspace, nb, artifacts, latency)

    def teardown(workspace):
        if workspace:
            shutil.rmtree(workspace[0].parent, ignore_errors=True)

    return Background("voila checks", notebooks, check, chromium, chromium_args, setup, teardown)
