"""Every notebook in a real browser: JupyterLab (run all cells) and Voila (dashboard).

For each notebook: no error output and no "Error displaying widget"; every explorer's
learning-rate and threshold sliders move its canvas (keyboard: Home / End / arrows). The time
from a key press to the first new canvas image is printed per explorer (goal: median <= 100 ms,
not asserted). Screenshots go to artifacts/ (git-ignored).

    python -m pytest tests/test_browser.py
"""

import os
import time

import pytest

from browser import NOTEBOOKS_DIR
from browser.probes import (CANVAS, EXPLORER, SLIDERS, drive_slider, page_problems, summary,
                            wait_widgets_settled)

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
LOAD_MS = 120_000
RUN_MS = int(os.environ.get('GC_RUN_MS', 300_000))
VIEWPORT = {"width": 1400, "height": 1000}

_PROMPTS = "Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))"
ALL_RAN = f"() => {_PROMPTS}.every(p => /\\[\\d+\\]/.test(p.textContent))"
# every code cell has a number, or a cell failed (Run All stops there) and nothing is queued
RUN_FINISHED = f"""() => ({ALL_RAN[6:]}) || (
  !{_PROMPTS}.some(p => p.textContent.includes('*')) &&
  !!document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]'))"""
# Voila streams the executed cells, then its front end renders them and hides the spinner
VOILA_DONE = """() => {
  const spinner = document.querySelector('#loading');
  const cells = document.querySelector('#rendered_cells');
  return document.readyState === 'complete' && (!spinner || spinner.offsetParent === null)
         && (!cells || cells.offsetParent !== null || document.querySelector('.jp-Cell'));
}"""
KERNEL_IDLE = "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'"


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _explorers(page, nb, where, artifacts, latency_report):
    """Drive every explorer in the page; return a list of problems."""
    problems = []
    explorers = page.locator(EXPLORER)
    for k in range(explorers.count()):
        explorer = explorers.nth(k)
        explorer.scroll_into_view_if_needed()
        canvas = explorer.locator(CANVAS)
        try:
            canvas.first.wait_for(state="visible", timeout=30_000)
        except Exception:
            problems.append(f"explorer {k}: no ipympl canvas appeared")
            continue
        explorer.screenshot(path=artifacts / f"{where}_{nb.stem}_explorer{k}.png")
        latencies, moved = [], 0
        for name in SLIDERS:
            result = drive_slider(page, explorer, name)
            if not result["present"]:
                continue
            moved += 1
            if not result["latencies"]:
                problems.append(f"explorer {k}: moving the {name} slider never changed the canvas "
                                f"({result['changed']})")
            latencies += result["latencies"]
        if not moved:
            problems.append(f"explorer {k}: no learning-rate or threshold slider found")
        latency_report.append(f"{where:10s} {nb.stem} explorer {k}: {summary(latencies)}")
        explorer.screenshot(path=artifacts / f"{where}_{nb.stem}_explorer{k}_moved.png")
    return problems


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupyterlab(nb, lab_server, browser, artifacts, latency_report):
    page = browser.new_page(viewport=VIEWPORT)
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
        _menu(page, "Run", "Run All Cells")
        page.wait_for_function(RUN_FINISHED, timeout=RUN_MS, polling=200)
        page.wait_for_function(KERNEL_IDLE, timeout=RUN_MS, polling=200)
        ran = page.evaluate(ALL_RAN)
        wait_widgets_settled(page)
        problems = page_problems(page)
        page.screenshot(path=artifacts / f"lab_{nb.stem}.png", full_page=True)
        assert not problems, "\n".join(problems)
        assert ran, "not every code cell ran (a cell failed or Run All stopped)"
        problems = _explorers(page, nb, "lab", artifacts, latency_report)
        problems += page_problems(page)
        page.screenshot(path=artifacts / f"lab_{nb.stem}_after.png", full_page=True)
        assert not problems, "\n".join(problems)
        print(f"{nb.name} in JupyterLab: {time.monotonic() - started:.1f} s")
    except Exception:
        page.screenshot(path=artifacts / f"FAILED_lab_{nb.stem}.png")
        raise
    finally:
        page.close()
        lab_server.shutdown_kernels()


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_voila(nb, voila_server, browser, artifacts, latency_report):
    page = browser.new_page(viewport=VIEWPORT)
    try:
        started = time.monotonic()
        page.goto(voila_server.url(f"voila/render/notebooks/{nb.name}"), timeout=LOAD_MS)
        page.wait_for_selector(".jp-Cell", timeout=LOAD_MS)
        page.wait_for_function(VOILA_DONE, timeout=RUN_MS, polling=200)
        wait_widgets_settled(page)
        problems = page_problems(page)
        page.screenshot(path=artifacts / f"voila_{nb.stem}.png", full_page=True)
        assert not problems, "\n".join(problems)
        problems = _explorers(page, nb, "voila", artifacts, latency_report)
        problems += page_problems(page)
        assert not problems, "\n".join(problems)
        print(f"{nb.name} in Voila: {time.monotonic() - started:.1f} s")
    except Exception:
        page.screenshot(path=artifacts / f"FAILED_voila_{nb.stem}.png")
        raise
    finally:
        page.close()
