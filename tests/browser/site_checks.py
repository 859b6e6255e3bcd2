"""The static site checked in a real browser, offline, in a thread of its own (background.py)."""

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import nbformat

from browser import servers
from browser.background import Background
from browser.drive import drive_explorers
from browser.layout import layout_offenders
from browser.predict_checks import ASKS, predict_problems
from browser.probes import page_problems
from browser.readout_checks import readout_problems, replay_problems, stored_spec

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


#: The language switch, followed there and back: each page must be the other's twin.
SWITCH = "a.gc-lang"


def language_round_trip(page, lang):
    """Click the switch of a page in ``lang`` and the switch of the page it opens; the problems."""
    start = page.url
    problems = []
    for want in ("en" if lang == "zh" else "zh", lang):
        if page.locator(SWITCH).count() != 1:
            return problems + [f"{page.url}: no language switch"]
        with page.expect_navigation(wait_until="load"):
            page.locator(SWITCH).click()
        got = page.evaluate("() => document.documentElement.dataset.lang")
        if got != want:
            problems.append(f"the switch led to a page in {got!r}, not {want!r}: {page.url}")
    if page.url != start:
        problems.append(f"the switch there and back ended at {page.url}, not {start}")
    return problems


def check_page(browser, server, nb, artifacts, latency):
    """Every check of one notebook's page; the problems found, as texts. A Chinese notebook
    (``notebooks/zh/``) is checked leanly: one drag per explorer instead of every slider,
    plus the language switch there and back and ``<html lang="zh-CN">``."""
    zh = nb.parent.name == "zh"
    offline = Offline(browser)
    try:
        page = offline.open(server.url(f"zh/{nb.stem}.html" if zh else f"{nb.stem}.html"))
        problems = page_problems(page)
        if zh and page.evaluate("() => document.documentElement.lang") != "zh-CN":
            problems.append("a Chinese page without <html lang=\"zh-CN\">")
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
        name = f"zh_{nb.stem}" if zh else nb.stem
        page.screenshot(path=artifacts / f"site_{name}.png", full_page=True)
        if not zh and page.locator('.gradclip-explorer[data-explorer="spikes"]').count():
            spikes = stored_spec(nb, "spikes")  # the readout and the replay of a pasted log
            problems += readout_problems(page, spikes, artifacts, f"site_{name}")
            problems += replay_problems(page, spikes, artifacts, f"site_{name}")
        if not zh and page.locator(ASKS).count():  # predict first: commit, the verdict, again
            asks = page.locator(ASKS).first.get_attribute("data-explorer")
            problems += predict_problems(page, stored_spec(nb, asks), artifacts, f"site_{name}")
        problems += drive_explorers(page, "site", name, artifacts, latency,
                                    every_slider=not zh, expected=mounts)
        problems += [f"widget output with no picture: {t[:80]}" for t in
                     page.locator(".gc-widget-placeholder").all_inner_texts()]
        if zh:
            problems += language_round_trip(page, "zh")
        problems += offline.problems()
        return problems
    finally:
        offline.close()


def site_runner(notebooks_dir, notebooks, artifacts, latency, chromium, chromium_args):
    """A :class:`Background` that builds the site of ``notebooks_dir``, serves it and checks
    the pages of ``notebooks``; its ``context["server"]`` serves the site until the session ends."""
    artifacts = Path(artifacts)

    def setup():
        from gradclip.site import build

        tmp = Path(tempfile.mkdtemp(prefix="gradclip-site-"))
        context = {"tmp": tmp, "server": None}
        build(notebooks_dir, tmp / "site")
        server = servers.static_files(tmp / "site", artifacts / "site-server.log")
        context["server"] = server.start("index.html")
        return context

    def check(browser, context, nb):
        return check_page(browser, context["server"], nb, artifacts, latency), ""

    def teardown(context):
        if context:
            if context["server"] is not None:
                context["server"].stop()
            shutil.rmtree(context["tmp"], ignore_errors=True)

    return Background("site checks", notebooks, check, chromium, chromium_args, setup, teardown)
