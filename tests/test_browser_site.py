"""The static site (``python -m gradclip.site``) in a real browser, with the network cut off.

The site is built into a temporary folder and served by ``python -m http.server --bind
127.0.0.1`` on a free port. Every page opens with every request to a host other than
127.0.0.1 blocked and recorded: none may be attempted, no console error may appear, MathML is
on the page (and laid out) where the notebook has math, every explorer mounts from its spec,
and every slider of every explorer is dragged with the mouse to 100 %, 50 % and 75 % of its
track and moved with the keys; every toggle is clicked. A stand-in explorer that follows the
same page contract checks the probes themselves, and one that drops its last input must be
caught.

    python -m pytest tests/test_browser_site.py
"""

import re
from urllib.parse import urlsplit

import nbformat
import pytest

from browser import NOTEBOOKS_DIR, fixture_notebooks, servers
from browser.drive import RELEASES, drive_explorers
from browser.probes import (EXPLORER, drag, explorer_problems, keyboard, layout_offenders,
                            page_problems, state, take_paints, toggles)
from gradclip.site import build

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
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


def _maths(page):
    """How many <math> elements the page has, and how many of them have no size."""
    return page.evaluate("""() => { const m = Array.from(document.querySelectorAll('math'));
      return [m.length, m.filter(e => e.getBoundingClientRect().height === 0).length]; }""")


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_site_page(nb, site_server, browser, artifacts, latency_report):
    offline = Offline(browser)
    try:
        page = offline.open(site_server.url(f"{nb.stem}.html"))
        problems = page_problems(page)
        prose = "\n".join(c.source for c in nbformat.read(nb, as_version=4).cells
                          if c.cell_type == "markdown")
        count, empty = _maths(page)
        if re.search(r"\$[^$\s][^$]*\$", prose) and count == 0:
            problems.append("the notebook has math and the page no MathML")
        if empty:
            problems.append(f"{empty} of {count} <math> elements have no size (not rendered)")
        problems += [f"layout: {p}" for p in layout_offenders(page, ".gc-output, .gc-explorer-mount",
                                                               "main.gc-notebook")]
        mounts = page.locator(".gc-explorer-mount").count()
        page.screenshot(path=artifacts / f"site_{nb.stem}.png", full_page=True)
        problems += drive_explorers(page, "site", nb.stem, artifacts, latency_report,
                                    every_slider=True, expected=mounts)
        problems += offline.problems()
        problems += [f"widget output with no picture: {t[:80]}" for t in
                     page.locator(".gc-widget-placeholder").all_inner_texts()]
        assert not problems, "\n".join(problems)
    finally:
        offline.close()


def test_site_index(site_server, browser):
    offline = Offline(browser)
    try:
        page = offline.open(site_server.url("index.html"))
        links = page.locator("ul.gc-index a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert links == [f"{p.stem}.html" for p in NOTEBOOKS]
        assert offline.problems() == [] and page_problems(page) == []
    finally:
        offline.close()


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory, artifacts):
    tmp = tmp_path_factory.mktemp("fixture-site")
    build(fixture_notebooks.make(tmp), tmp / "site", static=fixture_notebooks.STATIC)
    server = servers.static_files(tmp / "site", artifacts / "fixture-site-server.log").start("index.html")
    yield server
    server.stop()


def test_probes_on_a_known_explorer(fixture_site, browser, artifacts):
    """The stand-in explorer passes every check; its readout is the value the slider points at."""
    offline = Offline(browser)
    try:
        page = offline.open(fixture_site.url("a_first.html"))
        assert _maths(page) == [4, 0]
        assert explorer_problems(page) == []
        root = page.locator(EXPLORER).first
        take_paints(page, 0)
        problems = [p for fraction in RELEASES for p in drag(root, "lr", fraction)[0]]
        lr = state(root, "lr")
        assert float(lr["readout"]) == fixture_notebooks.LRS[int(lr["value"])]
        assert len(take_paints(page, 0)) >= 50  # one paint per value passed: 20 -> 40 -> 20 -> 30
        problems += keyboard(root, "threshold")[0] + toggles(root)
        assert problems == [] and offline.problems() == [] and page_problems(page) == []
    finally:
        offline.close()


def test_probes_catch_a_stale_last_frame(fixture_site, browser, artifacts):
    """An explorer that drops input arriving soon after a paint ends a drag on a stale frame;
    an output wider than the column is reported."""
    offline = Offline(browser)
    try:
        page = offline.open(fixture_site.url("b_second.html"))
        assert explorer_problems(page) == []
        root = page.locator(EXPLORER).first
        drags = [p for fraction in RELEASES for p in drag(root, "lr", fraction)[0]]
        assert drags and all(re.search(r"readout .* for the same value|stale frame|did not step", p)
                             for p in drags), drags
        # and the layout probe reports the 1500 px wide output of this page, and only it
        wide = layout_offenders(page, ".gc-output, .gc-explorer-mount", "main.gc-notebook")
        assert len(wide) == 1 and "1500 px wide" in wide[0], wide
    finally:
        offline.close()
