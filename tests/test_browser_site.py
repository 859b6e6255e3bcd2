"""The static site (``python -m gradclip.site``) in a real browser, with the network cut off.

The site is built into a temporary folder and served by ``python -m http.server --bind
127.0.0.1`` on a free port. Every page opens with every request to a host other than
127.0.0.1 blocked and recorded: none may be attempted, no console error may appear, MathML is
on the page (and laid out) where the notebook has math, no output is wider than the column,
every explorer mounts from its spec, and every slider of every explorer is dragged with the
mouse to 100 %, 50 % and 75 % of its track and moved with the keys; every toggle is clicked.
The pages are checked in a thread that starts with the test session and overlaps the
JupyterLab and Voila tests (browser/site_checks.py); ``test_site_page`` reports the verdicts. A stand-in explorer that follows the
same page contract checks the probes themselves, and one that drops its last input must be
caught.

    python -m pytest tests/test_browser_site.py
"""

import re

import pytest

from browser import NOTEBOOKS_DIR, fixture_notebooks, servers
from browser.drive import RELEASES
from browser.layout import layout_offenders
from browser.probes import (EXPLORER, drag, explorer_problems, keyboard, page_problems, state,
                            take_paints, toggles)
from browser.site_checks import Offline, maths
from gradclip.site import build

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_site_page(nb, site_checks):
    """The page's checks ran in the site thread (browser/site_checks.py); here, its verdict."""
    problems, _, error = site_checks.result(nb.stem)
    if error:
        pytest.fail(f"the site check of {nb.name} stopped:\n{error}", pytrace=False)
    assert not problems, "\n".join(problems)


def test_site_index(site_checks, browser):
    site_checks.ready.wait(300)
    if not site_checks.context or site_checks.context["server"] is None:
        pytest.fail(f"the site was not built or served:\n{site_checks.error}", pytrace=False)
    offline = Offline(browser)
    try:
        page = offline.open(site_checks.context["server"].url("index.html"))
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
        assert maths(page) == [4, 0]
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


ZH_NOTEBOOKS = sorted((NOTEBOOKS_DIR / "zh").glob("*.ipynb"))


@pytest.mark.parametrize("nb", ZH_NOTEBOOKS, ids=lambda p: p.stem)
def test_site_zh_page(nb, site_checks):
    """A Chinese page, checked in the site thread: no error, no broken image, no output wider
    than the column, no outside request, one drag per explorer, the language switch there and
    back (browser/site_checks.py)."""
    problems, _, error = site_checks.result(f"zh/{nb.stem}")
    if error:
        pytest.fail(f"the site check of zh/{nb.name} stopped:\n{error}", pytrace=False)
    assert not problems, "\n".join(problems)


def test_site_zh_index(site_checks, browser):
    """The Chinese index lists the Chinese learning path; a reader who chose Chinese and opens
    the English index is sent to the Chinese one."""
    site_checks.ready.wait(300)
    if not site_checks.context or site_checks.context["server"] is None:
        pytest.fail(f"the site was not built or served:\n{site_checks.error}", pytrace=False)
    offline = Offline(browser)
    try:
        server = site_checks.context["server"]
        page = offline.open(server.url("zh/index.html"))
        links = page.locator("ul.gc-index a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
        assert links == [f"{p.stem}.html" for p in ZH_NOTEBOOKS]
        assert page.evaluate("() => document.documentElement.lang") == "zh-CN"
        with page.expect_navigation(wait_until="load"):
            page.locator("a.gc-lang").click()  # to English: the choice is remembered
        assert page.url.endswith("/index.html") and "/zh/" not in page.url
        page.evaluate("() => localStorage.setItem('gradclip-lang', 'zh')")
        page.goto(server.url("index.html"), wait_until="load")
        page.wait_for_url("**/zh/index.html", timeout=10_000)
        page.evaluate("() => localStorage.removeItem('gradclip-lang')")
        assert offline.problems() == [] and page_problems(page) == []
    finally:
        offline.close()
