"""A state you can share and a lecture that steps, on the static site in a real browser
(offline, the site server of the site thread: browser/site_checks.py).

* Moving a slider writes the explorer's preset into the page's address without a reload or a
  history entry; the address opened in a new page shows the same values and status line; the
  "copy link" button copies it (or offers it selected in a field).
* A lecture at projector size (1280 x 720): scene 1 -> 2 -> 3 -> back to 2 with the keys, each
  with its explorer mounted at the scene's preset, its caption shown and nothing overflowing;
  a clicker's PageDown steps even from a focused slider; a reload stays on the scene.
"""

import json
import re

import pytest

from browser import NOTEBOOKS_DIR
from browser.site_checks import Offline

LINKED = "() => document.body.dataset.explorersLinked === 'true'"
STAGE = "() => document.querySelector('.gc-stage').dataset.mounted === 'true'"
PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture()
def server(site_checks):
    site_checks.ready.wait(300)
    if not site_checks.context or site_checks.context["server"] is None:
        pytest.fail(f"the site was not built or served:\n{site_checks.error}", pytrace=False)
    return site_checks.context["server"]


def _explorer(page, ident):
    return page.locator(f'.gc-explorer-mount[data-explorer-id="{ident}"] .gradclip-explorer')


def _shown(root):
    return {"readouts": root.locator("output.gc-readout").all_inner_texts(),
            "status": root.locator(".gc-status").inner_text()}


def test_the_address_keeps_an_explorers_state(server, browser, artifacts):
    offline = Offline(browser)
    try:
        page = offline.open(server.url("01_gradient_descent.html"))
        page.wait_for_function(LINKED, timeout=30_000)
        root, before = _explorer(page, "learning_rate-0"), page.evaluate("history.length")
        start = _shown(root)
        root.locator("input.gc-slider[data-name=lr]").focus()
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("() => location.hash.startsWith('#learning_rate-0:lr=')", timeout=5_000)
        page.wait_for_timeout(400)  # the address follows within 250 ms of the last move
        moved = _shown(root)
        lr = root.locator("output.gc-readout[data-name=lr]").inner_text()
        assert moved != start and re.fullmatch(r"#learning_rate-0:lr=[0-9.]+;steps=40", page.evaluate("location.hash"))
        assert float(re.search(r"lr=([0-9.]+)", page.url)[1]) == pytest.approx(float(lr), rel=2e-3)
        assert page.evaluate("history.length") == before  # replaced, not pushed
        url = page.url
        button = root.locator("button.gc-copy-link")
        assert button.inner_text() == "copy link"
        button.click()
        page.wait_for_function("() => document.querySelector('button.gc-copy-link').dataset.copied", timeout=5_000)
        if button.get_attribute("data-copied") != "true":  # no clipboard: the link, selected
            assert root.locator("input.gc-link-text").input_value() == url
        assert button.inner_text() == "link copied"
        other = offline.context.new_page()
        other.goto(url, wait_until="load")
        other.wait_for_function(LINKED, timeout=30_000)
        other.wait_for_timeout(200)
        again = _explorer(other, "learning_rate-0")
        assert _shown(again) == moved and other.url == url
        untouched = [_shown(_explorer(p, "condition-0"))["readouts"] for p in (other, page)]
        assert untouched[0] == untouched[1]
        again.screenshot(path=artifacts / "site_shared_state.png")
        assert offline.problems() == []
    finally:
        offline.close()


def _scene(page):
    return page.evaluate("""() => {
      const d = document.documentElement, fig = document.querySelector('.gc-stage .gc-figure');
      const box = fig ? fig.getBoundingClientRect() : null;
      return {hash: location.hash, caption: document.querySelector('.gc-caption').textContent,
              number: document.querySelector('.gc-scene-number').textContent,
              explorer: document.querySelector('.gc-stage').dataset.explorer,
              status: (document.querySelector('.gc-stage .gc-status') || {}).textContent,
              lr: (document.querySelector('.gc-stage output.gc-readout[data-name=lr]') || {}).textContent,
              over: [d.scrollWidth - innerWidth, d.scrollHeight - innerHeight,
                     box ? box.right - innerWidth : 1, box ? box.bottom - innerHeight : 1]}; }""")


@pytest.mark.skipif(not (NOTEBOOKS_DIR.parent / "lectures" / "clipping.toml").is_file(),
                    reason="the browser notebooks have no lectures/ next to them")
def test_a_lecture_steps_with_the_keys_at_projector_size(server, browser, artifacts):
    offline = Offline(browser, viewport=PROJECTOR)
    try:
        page = offline.open(server.url("lectures/clipping.html"))
        page.wait_for_function(STAGE, timeout=30_000)
        scenes = json.loads(page.locator("#gc-scenes").text_content())
        seen = []
        for key, want in ((None, 1), ("ArrowRight", 2), ("ArrowRight", 3), ("ArrowLeft", 2)):
            if key:
                page.keyboard.press(key)
                page.wait_for_function(f"() => location.hash === '#{want}'", timeout=5_000)
                page.wait_for_function(STAGE, timeout=30_000)
                page.wait_for_timeout(150)
            got = _scene(page)
            seen.append(got["hash"])
            assert got["caption"] == scenes[want - 1]["caption"] and got["number"] == f"{want} / 12"
            assert got["explorer"] == "learning_rate" and got["status"]
            assert all(o <= 0 for o in got["over"]), f"scene {want} overflows: {got['over']}"
        assert seen == ["#1", "#2", "#3", "#2"]
        assert _scene(page)["lr"] == "0.329"  # scene 2's preset lr=0.33 on the slider's grid
        page.screenshot(path=artifacts / "lecture_clipping_scene2.png")
        page.locator(".gc-stage input.gc-slider[data-name=lr]").focus()
        page.keyboard.press("PageDown")  # a clicker: the next scene, even from a slider
        page.wait_for_function("() => location.hash === '#3'", timeout=5_000)
        page.reload(wait_until="load")
        page.wait_for_function(STAGE, timeout=30_000)
        assert _scene(page)["hash"] == "#3" and _scene(page)["lr"] == "0.781"
        page.keyboard.press("End")
        page.wait_for_function("() => location.hash === '#12'", timeout=5_000)
        page.wait_for_function(STAGE, timeout=30_000)
        page.wait_for_timeout(150)
        last = _scene(page)
        assert last["explorer"] == "phase" and all(o <= 0 for o in last["over"]), last
        page.goto(server.url("zh/lectures/clipping.html#9"), wait_until="load")
        page.wait_for_function(STAGE, timeout=30_000)
        page.wait_for_timeout(150)
        zh = _scene(page)
        assert zh["caption"].startswith("相图") and all(o <= 0 for o in zh["over"]), zh
        page.screenshot(path=artifacts / "lecture_clipping_zh_scene9.png")
        assert offline.problems() == []
    finally:
        offline.close()
