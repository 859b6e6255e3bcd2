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

import time

import pytest

from browser import NOTEBOOKS_DIR
from browser.notebook_checks import LOAD_MS, check_notebook_page, wait_widgets_settled

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
RUN_MS = 300_000
LAB_VIEWPORT = {"width": 1400, "height": 1000}

_PROMPTS = "Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))"
ALL_RAN = f"() => {_PROMPTS}.every(p => /\\[\\d+\\]/.test(p.textContent))"
KERNEL_IDLE = "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'"


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


# "done": every code cell numbered, or a cell failed and nothing is queued; "running": a cell
# is queued or running; "lost": nothing queued, nothing failed, not every cell ran (the run
# never started, or the kernel restarted under it and dropped the queue)
RUN_STATE = f"""() => {{
  if (({ALL_RAN[6:]})) return 'done';
  if ({_PROMPTS}.some(p => p.textContent.includes('*'))) return 'running';
  if (document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]')) return 'done';
  return 'lost';
}}"""


def _run_all(page, attempts=3, lost_s=10):
    """Run > Run All Cells until every cell ran or one failed; again when the run is lost.

    Under load the first notebook of a fresh JupyterLab can lose its run: the menu click
    lands before the menu opens, or the kernel, just started, restarts and drops the queue.
    """
    for _ in range(attempts):
        _menu(page, "Run", "Run All Cells")
        deadline, lost_since = time.monotonic() + RUN_MS / 1000, None
        while time.monotonic() < deadline:
            status = page.evaluate(RUN_STATE)
            if status == "done":
                return
            lost_since = (lost_since or time.monotonic()) if status == "lost" else None
            if lost_since and time.monotonic() - lost_since > lost_s:
                break
            page.wait_for_timeout(200)
        else:
            pytest.fail(f"Run All Cells did not finish within {RUN_MS / 1000:.0f} s", pytrace=False)
        page.keyboard.press("Escape")
        page.wait_for_function(KERNEL_IDLE, timeout=LOAD_MS, polling=100)
    pytest.fail(f"Run All Cells was lost {attempts} times (no cell queued, running or failed, "
                "not every cell ran)", pytrace=False)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupyterlab(nb, lab_server, browser, artifacts, latency_report):
    page = browser.new_page(viewport=LAB_VIEWPORT)
    try:
        started = time.monotonic()
        # a fresh workspace per notebook: only this notebook is open, nothing is restored
        url = lab_server.url(f"lab/workspaces/{nb.stem}/tree/notebooks/{nb.name}?reset")
        page.goto(url, timeout=LOAD_MS)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=LOAD_MS)
        page.wait_for_function(KERNEL_IDLE, timeout=LOAD_MS, polling=100)
        # stored widget outputs have no live model; clear them, then run everything fresh
        _menu(page, "Edit", "Clear Outputs of All Cells")
        page.wait_for_function(f"() => !{_PROMPTS}.some(p => /\\[\\d+\\]/.test(p.textContent))",
                               timeout=30_000, polling=100)
        _run_all(page)
        page.wait_for_function(KERNEL_IDLE, timeout=RUN_MS, polling=200)
        ran = page.evaluate(ALL_RAN)
        wait_widgets_settled(page)
        ran_at = time.monotonic()
        problems = [] if ran else ["not every code cell ran (a cell failed or Run All stopped)"]
        # drive the explorers even when something above is wrong, then report everything
        found, driven = check_notebook_page(page, nb, "lab", artifacts, latency_report, offset=0)
        print(f"{nb.name} in JupyterLab: open and run {ran_at - started:.1f} s, explorers "
              f"{driven:.1f} s, total {time.monotonic() - started:.1f} s")
        assert not problems + found, "\n".join(problems + found)
    except Exception:
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
