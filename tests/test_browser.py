"""Every notebook in a real browser: JupyterLab (run all cells) and Voila (projector mode).

For each notebook in notebooks/: JupyterLab (1400x1000) opens it, clears the stored outputs
and runs all cells; Voila (1280x720) renders it with the classroom command
``GRADCLIP_PRESENTATION=1 voila --Voila.root_dir=. notebooks/<name>``. In both: no error
output, no "Error displaying widget", no broken image; as many explorers as the notebook
stores, each with its background picture loaded; one slider of each explorer dragged with the
mouse and moved with the keys (probes.drag / probes.keyboard; JupyterLab and Voila drive
different sliders, the static site drives them all); no output wider than its cell. Screenshots
go to artifacts/ (git-ignored); the paint times go to the latency table printed at the end.
GRADCLIP_BROWSER_NOTEBOOKS=<folder> points the tests at another folder of notebooks.

One JupyterLab serves every notebook. Voila runs once per notebook, as in a classroom
(browser/notebook_checks.py says why), in a thread that starts with the test session and
overlaps the JupyterLab tests (browser/background.py); ``test_voila`` reports its verdicts.

    python -m pytest tests/test_browser.py tests/test_browser_site.py
"""

import os
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser import NOTEBOOKS_DIR
from browser.notebook_checks import LOAD_MS, check_notebook_page, wait_widgets_settled

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
RUN_MS = 300_000
LAB_VIEWPORT = {"width": 1400, "height": 1000}

_PROMPTS = "Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))"
ALL_RAN = f"() => {_PROMPTS}.every(p => /\\[\\d+\\]/.test(p.textContent))"
NONE_RAN = f"() => !{_PROMPTS}.some(p => /\\[\\d+\\]/.test(p.textContent))"

# What a notebook command needs, read from JupyterLab itself (the server runs with
# --LabApp.expose_app_in_browser=True, so the page has window.jupyterapp): the application
# restored (app.restored resolved), this notebook the current widget, its document context
# ready, its kernel session ready with the kernel connected and idle, the command enabled.
# Returns the panel's id once all hold; until then window.__gcLab.waiting names what is missing
# (and the panel is activated, as a click on its tab would, if it is open but not current).
LAB_READY = """([path, command]) => {
  const app = window.jupyterapp;
  const lab = window.__gcLab || (window.__gcLab = {restored: false, statuses: [], waiting: ''});
  const wait = what => { lab.waiting = what; return false; };
  if (!app) return wait('window.jupyterapp (JupyterLab not started)');
  if (!lab.hooked) { lab.hooked = true; app.restored.then(() => { lab.restored = true; }); }
  if (!lab.restored) return wait('app.restored');
  const panel = Array.from(app.shell.widgets('main')).find(w => w.context?.path === path);
  if (!panel) return wait(`a notebook panel for ${path}`);
  if (app.shell.currentWidget !== panel) { app.shell.activateById(panel.id); return wait('the panel current'); }
  if (!panel.context.isReady) return wait('context.ready');
  const session = panel.sessionContext, kernel = session.session?.kernel;
  if (!session.isReady || !kernel) return wait('sessionContext.ready with a kernel');
  if (kernel.connectionStatus !== 'connected' || kernel.status !== 'idle')
    return wait(`kernel idle and connected (${kernel.status}, ${kernel.connectionStatus})`);
  if (session.pendingInput || session.isRestarting || session.isTerminating)
    return wait('no pending input, restart or shutdown');
  if (lab.kernel !== kernel.id) {  // every status the kernel passes through, for messages
    lab.kernel = kernel.id;
    kernel.statusChanged.connect((_, s) => lab.statuses.push(s));
  }
  if (!app.commands.isEnabled(command)) return wait(`${command} enabled`);
  return panel.id;
}"""
# Execute a command on that panel (by id, whatever has the focus); the promise JupyterLab
# returns is kept: for run-all-cells it resolves when every cell ran or one failed.
EXECUTE = """([command, id]) => {
  const lab = window.__gcLab;
  lab.result = null;
  window.jupyterapp.commands.execute(command, {semanticWidget: id}).then(
    value => { lab.result = {value: value ?? null}; },
    error => { lab.result = {error: String(error)}; });
}"""
KERNEL_IDLE = """([path]) => { const panel = Array.from(window.jupyterapp.shell.widgets('main'))
  .find(w => w.context?.path === path); return panel?.sessionContext.session?.kernel?.status === 'idle'; }"""


def _lab_command(page, path, command, timeout_ms):
    """Run JupyterLab ``command`` on the notebook at ``path`` once it can act; its result."""
    try:
        panel = page.wait_for_function(LAB_READY, arg=[path, command], timeout=LOAD_MS,
                                       polling=100).json_value()
    except PlaywrightTimeout:
        waiting = page.evaluate("() => window.__gcLab?.waiting")
        pytest.fail(f"{command} never became possible within {LOAD_MS / 1000:.0f} s: "
                    f"waited for {waiting}", pytrace=False)
    page.evaluate(EXECUTE, [command, panel])
    try:
        page.wait_for_function("() => window.__gcLab.result !== null", timeout=timeout_ms, polling=200)
    except PlaywrightTimeout:
        pytest.fail(f"{command} did not finish within {timeout_ms / 1000:.0f} s", pytrace=False)
    result = page.evaluate("() => window.__gcLab.result")
    if "error" in result:
        pytest.fail(f"{command} failed: {result['error']}", pytrace=False)
    return result["value"]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupyterlab(nb, lab_server, browser, artifacts, latency_report):
    page = browser.new_page(viewport=LAB_VIEWPORT)
    try:
        started = time.monotonic()
        # a fresh workspace per notebook: only this notebook is open, nothing is restored
        url = lab_server.url(f"lab/workspaces/{nb.stem}/tree/notebooks/{nb.name}?reset")
        page.goto(url, timeout=LOAD_MS)
        # stored widget outputs have no live model; clear them, then run everything fresh
        path = f"notebooks/{nb.name}"
        _lab_command(page, path, "notebook:clear-all-cell-outputs", 30_000)
        if not page.evaluate(NONE_RAN):
            pytest.fail("Clear Outputs of All Cells left execution counts", pytrace=False)
        _lab_command(page, path, "notebook:run-all-cells", RUN_MS)
        page.wait_for_function(KERNEL_IDLE, arg=[path], timeout=LOAD_MS, polling=100)
        ran = page.evaluate(ALL_RAN)
        wait_widgets_settled(page)
        ran_at = time.monotonic()
        statuses = page.evaluate("() => window.__gcLab.statuses.filter(s => s !== 'busy' && "
                                 "s !== 'idle').join(' > ')")  # a restart, a death
        problems = [] if ran else ["not every code cell ran (a cell failed or Run All stopped); "
                                   "kernel statuses other than busy / idle since it was first "
                                   f"idle: {statuses or 'none'}"]
        # drive the explorers even when something above is wrong, then report everything
        found, driven = check_notebook_page(page, nb, "lab", artifacts, latency_report, offset=0)
        print(f"{nb.name} in JupyterLab: open and run {ran_at - started:.1f} s, explorers "
              f"{driven:.1f} s, total {time.monotonic() - started:.1f} s")
        assert not problems + found, "\n".join(problems + found)
    except (Exception, pytest.fail.Exception):
        page.screenshot(path=artifacts / f"FAILED_lab_{nb.stem}.png")
        raise
    finally:
        page.close()
        lab_server.shutdown_kernels()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_voila(nb, voila_checks):
    """Checked in the Voila thread (browser/notebook_checks.py) while JupyterLab runs; here,
    its verdict."""
    problems, note, error = voila_checks.result(nb.stem)
    if note:
        print(note)
    if error:
        pytest.fail(f"the Voila check of {nb.name} stopped:\n{error}", pytrace=False)
    assert not problems, "\n".join(problems)


#: The Chinese notebooks shown in Voila's projector mode: 04 (one is enough in CI: the page and
#: the checks are the English ones; the site checks every Chinese page); GRADCLIP_VOILA_ZH="01 04"
#: names others.
VOILA_ZH = [p for n in os.environ.get("GRADCLIP_VOILA_ZH", "04").split()
            for p in sorted((NOTEBOOKS_DIR / "zh").glob(f"{n}_*.ipynb"))]


@pytest.mark.parametrize("nb", VOILA_ZH, ids=lambda p: f"zh-{p.stem}")
def test_voila_zh(nb, voila_checks):
    """A Chinese notebook as a projector-sized Voila dashboard, checked like the English ones."""
    problems, note, error = voila_checks.result(f"zh/{nb.stem}")
    if note:
        print(note)
    if error:
        pytest.fail(f"the Voila check of zh/{nb.name} stopped:\n{error}", pytrace=False)
    assert not problems, "\n".join(problems)

