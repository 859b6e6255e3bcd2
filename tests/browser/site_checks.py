"""The static site checked in a real browser, offline, in a thread of its own.

Dragging every slider of every explorer on the site is mostly waiting (a drag lasts a second
and costs little CPU), while the JupyterLab and Voila tests mostly compute (kernels run the
notebooks). So the site's pages are checked by :class:`SiteRunner`, a thread with its own
playwright and Chromium that starts when the test session starts (``plugin.py``); each
``test_site_page`` then waits for its page's result. On 2 cores this overlaps the two; the
thread waits for nothing else, so a failure here is reported by the tests, never a hang.
"""

import re
import shutil
import tempfile
import threading
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import nbformat

from browser import servers
from browser.drive import drive_explorers
from browser.probes import layout_offenders, page_problems

VIEWPORT = {"width": 1280, "height": 900}
MOUNTED = """() => Array.from(document.querySelectorAll('.gc-explorer-mount'))
  .every(el => el.dataset.mounted || el.dataset.mountError)"""


class Offline:
    """A page whose requests may only go to 127.0.0.1; what else it tried, and console errors."""

    def __init__(self, browser, viewport=VIEWPORT):
        self.context = browser.new_context(viewport=viewport)
        self.blocked, self.errors = [], []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def _route(self, route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url):
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(MOUNTED, timeout=30_000, polling=100)
        return self.page

    def problems(self):
        return ([f"request to another host: {u}" for u in self.blocked]
                + [f"console error: {e}" for e in self.errors])

    def close(self):
        self.context.close()


def maths(page):
    """How many <math> elements the page has, and how many of them have no size."""
    return page.evaluate("""() => { const m = Array.from(document.querySelectorAll('math'));
      return [m.length, m.filter(e => e.getBoundingClientRect().height === 0).length]; }""")


def check_page(browser, server, nb, artifacts, latency):
    """Every check of one notebook's page; the problems found, as texts."""
    offline = Offline(browser)
    try:
        page = offline.open(server.url(f"{nb.stem}.html"))
        problems = page_problems(page)
        prose = "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells
                          if c.cell_type == "markdown")
        count, empty = maths(page)
        if re.search(r"\$[^$\s][^$]*\$", prose) and count == 0:
            problems.append("the notebook has math and the page no MathML")
        if empty:
            problems.append(f"{empty} of {count} <math> elements have no size (not rendered)")
        problems += [f"layout: {p}" for p in layout_offenders(page, ".gc-output, .gc-explorer-mount",
                                                               "main.gc-notebook")]
        mounts = page.locator(".gc-explorer-mount").count()
        page.screenshot(path=artifacts / f"site_{nb.stem}.png", full_page=True)
        problems += drive_explorers(page, "site", nb.stem, artifacts, latency,
                                    every_slider=True, expected=mounts)
        problems += offline.problems()
        problems += [f"widget output with no picture: {t[:80]}" for t in
                     page.locator(".gc-widget-placeholder").all_inner_texts()]
        return problems
    finally:
        offline.close()


class SiteRunner(threading.Thread):
    """Build the site of the folder ``notebooks_dir``, serve it, check the pages of ``notebooks``.

    :meth:`result` waits for one page: ``(problems, error)``, ``error`` being the text of an
    exception that stopped the check (a browser that would not start, a timeout), or None.
    """

    def __init__(self, notebooks_dir, notebooks, artifacts, latency, chromium, chromium_args):
        super().__init__(name="site-checks", daemon=True)
        self.notebooks_dir, self.notebooks = Path(notebooks_dir), list(notebooks)
        self.artifacts, self.latency = Path(artifacts), latency
        self.chromium, self.chromium_args = chromium, chromium_args
        self.results, self.done = {}, {nb.stem: threading.Event() for nb in self.notebooks}
        self.ready, self.server, self.error = threading.Event(), None, None
        self.tmp = Path(tempfile.mkdtemp(prefix="gradclip-site-"))

    def run(self):
        from playwright.sync_api import sync_playwright

        from gradclip.site import build

        try:
            build(self.notebooks_dir, self.tmp / "site")
            self.server = servers.static_files(self.tmp / "site", self.artifacts / "site-server.log")
            self.server.start("index.html")
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.chromium, headless=True,
                                             args=self.chromium_args)
                self.ready.set()
                try:
                    for nb in self.notebooks:
                        try:
                            self.results[nb.stem] = (check_page(browser, self.server, nb,
                                                                self.artifacts, self.latency), None)
                        except Exception:
                            self.results[nb.stem] = ([], traceback.format_exc(limit=8))
                        self.done[nb.stem].set()
                finally:
                    browser.close()
        except Exception:
            self.error = traceback.format_exc(limit=8)
        finally:
            self.ready.set()
            for event in self.done.values():
                event.set()

    def result(self, stem, timeout=900):
        if not self.done[stem].wait(timeout):
            return [], f"the site check of {stem} did not finish within {timeout} s"
        return self.results.get(stem, ([], self.error or "the site checks stopped"))

    def stop(self):
        self.join(timeout=60)
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
