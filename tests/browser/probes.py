"""What the browser tests look for in a page: errors, explorers, sliders dragged with the mouse.

The explorers follow one page contract (``gradclip/widgets/static/explorer.js``): a root
``.gradclip-explorer[data-explorer]`` with ``canvas.gc-canvas`` over ``img.gc-background``,
sliders ``input.gc-slider[data-name]`` with readouts ``output.gc-readout[data-name]``, a
``.gc-status`` and a ``.gc-busy`` indicator; after every repaint the root's ``data-frame``
counts up and ``data-last-paint-ms`` holds the time from the input event to the end of the paint.
"""

import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

EXPLORER = ".gradclip-explorer"
SLIDER = "input.gc-slider"
EXPLORER_MIME = "application/vnd.gradclip.explorer+json"
DEFAULT_THUMB_PX = 16  # Chromium's range thumb when the page does not style it

# A page-wide record of every data-last-paint-ms an explorer stamps (each explorer by index).
_WATCH = """() => {
  const paints = window.__gcPaints || (window.__gcPaints = {});
  document.querySelectorAll('.gradclip-explorer').forEach((root, k) => {
    if (root.__gcWatched) return;
    root.__gcWatched = true;
    paints[k] = [];
    new MutationObserver(() => paints[k].push(parseFloat(root.dataset.lastPaintMs)))
      .observe(root, {attributes: true, attributeFilter: ['data-last-paint-ms']});
  });
}"""

# The state of one slider of an explorer, with a checksum of every gc-canvas's pixels.
_STATE = """([root, name]) => {
  const input = root.querySelector(`input.gc-slider[data-name="${name}"]`);
  const readout = root.querySelector(`output.gc-readout[data-name="${name}"]`);
  let hash = 0;
  for (const c of root.querySelectorAll('canvas.gc-canvas')) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < d.length; i += 1) hash = (Math.imul(hash, 31) + d[i]) | 0;
  }
  let thumb = null;  // the thumb width the page's stylesheets give range inputs, if any
  for (const sheet of document.styleSheets) {
    let rules; try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const r of rules) {
      const sel = r.selectorText || '';
      if (!sel.includes('::-webkit-slider-thumb') || !r.style.width.endsWith('px')) continue;
      for (const part of sel.split(',')) {
        const base = part.replace('::-webkit-slider-thumb', '').trim() || '*';
        try { if (input.matches(base)) thumb = parseFloat(r.style.width); } catch (e) {}
      }
    }
  }
  return {value: parseFloat(input.value), min: parseFloat(input.min || 0),
          max: parseFloat(input.max || 100), step: parseFloat(input.step || 1) || 1,
          readout: readout ? readout.textContent.trim() : null,
          status: (root.querySelector('.gc-status') || {}).textContent || '',
          frame: parseInt(root.dataset.frame || '0'), hash, thumb};
}"""


def page_problems(page):
    """Error outputs, tracebacks, widget errors, images that failed to load, as texts."""
    return page.evaluate("""() => {
      const out = [];
      const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .gc-output-error';
      for (const el of document.querySelectorAll(sel)) {
        const t = el.innerText;
        if (/Traceback|^\\w*Error\\b/m.test(t)) out.push('error output: ' + t.slice(0, 800));
      }
      for (const img of document.querySelectorAll('img')) {
        if (img.complete && img.naturalWidth === 0 && img.getAttribute('src'))
          out.push('broken image: ' + img.getAttribute('src').slice(0, 120));
      }
      for (const el of document.querySelectorAll('[data-mount-error]'))
        out.push(`explorer ${el.dataset.spec} did not mount: ${el.dataset.mountError}`);
      const body = document.body.innerText;
      for (const s of ['Error displaying widget', 'Traceback (most recent call last)',
                       'There was an error when executing cell']) {
        const i = body.indexOf(s);
        if (i >= 0) out.push('page text: ' + body.slice(Math.max(0, i - 200), i + 600));
      }
      return out;
    }""")


def expected_explorers(notebook_path):
    """How many explorer outputs the committed notebook stores."""
    import nbformat

    nb = nbformat.read(notebook_path, as_version=4)
    return sum(EXPLORER_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


def explorer_problems(page, timeout_ms=30_000):
    """Wait for every explorer's background picture and idle state; what is missing, as texts."""
    try:
        page.wait_for_function("""() => Array.from(document.querySelectorAll('.gradclip-explorer'))
          .every(r => { const img = r.querySelector('img.gc-background');
                        const busy = r.querySelector('.gc-busy');
                        return img && img.complete && (!busy || busy.offsetParent === null); })""",
                               timeout=timeout_ms, polling=100)
    except PlaywrightTimeout:
        pass  # reported below, explorer by explorer
    page.evaluate(_WATCH)
    return page.evaluate("""() => {
      const out = [];
      document.querySelectorAll('.gradclip-explorer').forEach((r, k) => {
        const name = `explorer ${k} (${r.dataset.explorer})`;
        const img = r.querySelector('img.gc-background');
        if (!img) out.push(`${name}: no img.gc-background`);
        else if (!img.complete || img.naturalWidth === 0) out.push(`${name}: background picture not loaded`);
        const c = r.querySelector('canvas.gc-canvas');
        if (!c || c.width === 0 || c.getBoundingClientRect().width === 0) out.push(`${name}: no visible canvas.gc-canvas`);
        if (!r.querySelector('input.gc-slider')) out.push(`${name}: no input.gc-slider`);
        if (!r.querySelector('.gc-status')) out.push(`${name}: no .gc-status`);
        const busy = r.querySelector('.gc-busy');
        if (busy && busy.offsetParent !== null) out.push(`${name}: still busy`);
      });
      return out;
    }""")


def slider_names(explorer):
    """The ``data-name`` of every slider that is not disabled."""
    return [s.get_attribute("data-name") for s in explorer.locator(f"{SLIDER}:not(:disabled)").all()]


def state(explorer, name):
    """Value, range, readout, frame and canvas checksum of slider ``name``."""
    return explorer.page.evaluate(_STATE, [explorer.element_handle(), name])


def settle(explorer, quiet_ms=100, timeout_ms=3_000):
    """Wait until the explorer's data-frame stops changing for ``quiet_ms`` (polled in the page)."""
    try:
        explorer.page.wait_for_function("""([root, quiet]) => {
          const f = root.dataset.frame, now = performance.now(), s = root.__gcSettle;
          if (!s || s.f !== f) { root.__gcSettle = {f, t: now}; return false; }
          if (now - s.t < quiet) return false;
          delete root.__gcSettle;
          return true;
        }""", arg=[explorer.element_handle(), quiet_ms], timeout=timeout_ms, polling=20)
    except PlaywrightTimeout:
        pass  # still repainting (an animation): the checks that follow will say what is wrong


def _x_for(box, thumb, fraction):
    return box["x"] + thumb / 2 + fraction * (box["width"] - thumb)


def _nearest(box, thumb, st, x):
    span = st["max"] - st["min"]
    fraction = min(1.0, max(0.0, (x - box["x"] - thumb / 2) / (box["width"] - thumb)))
    return st["min"] + round(fraction * span / st["step"]) * st["step"]


def take_paints(page, index):
    """The paint times explorer ``index`` stamped since the last call (ms, NaN dropped)."""
    return page.evaluate("k => { const p = (window.__gcPaints || {})[k] || []; "
                         "return p.splice(0, p.length).filter(v => Number.isFinite(v)); }", index)


def drag(explorer, name, fraction, moves=60, duration_ms=1000, midway=None):
    """Drag slider ``name`` with the mouse from its thumb to ``fraction`` of its track.

    ``midway``: a path for a screenshot of the viewport half-way through the drag, the mouse
    button still down (the page must not scroll under the mouse, so not an element shot).

    ``moves`` mouse moves over about ``duration_ms``, then release. Returns ``(problems,
    changed)``, ``changed`` telling whether the canvas pixels or the status line changed. The
    value must be the index nearest the release point and the picture repainted
    (``data-frame`` advanced); the readout and the picture must be those a keyboard step away
    and back gives for the same value (a stale last frame differs).
    """
    page = explorer.page
    slider = explorer.locator(f'{SLIDER}[data-name="{name}"]')
    slider.scroll_into_view_if_needed()
    before = state(explorer, name)
    thumb = before["thumb"] or DEFAULT_THUMB_PX
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    x0 = _x_for(box, thumb, (before["value"] - before["min"]) / (before["max"] - before["min"]))
    x1 = _x_for(box, thumb, fraction)
    page.mouse.move(x0, y)
    page.mouse.down()
    start = time.monotonic()
    for i in range(1, moves + 1):
        page.mouse.move(x0 + (x1 - x0) * i / moves, y)
        if midway is not None and i == moves // 2:  # the viewport: an element shot would scroll
            page.screenshot(path=midway)
        wait = start + i * duration_ms / moves / 1000 - time.monotonic()
        if wait > 0.002:
            time.sleep(wait)
    page.mouse.up()
    settle(explorer)
    after = state(explorer, name)
    label = f"{name} dragged to {fraction:.0%}"
    ok_values = {_nearest(box, thumb, before, x1 + dx) for dx in (-1, 0, 1)}
    problems = []
    if after["value"] not in ok_values:
        problems.append(f"{label}: value {after['value']:g}, expected {sorted(ok_values)} "
                        f"(released at x={x1:.0f}, track {box['x']:.0f}..{box['x'] + box['width']:.0f})")
    if after["value"] != before["value"] and after["frame"] <= before["frame"]:
        problems.append(f"{label}: no repaint (data-frame stayed {before['frame']})")
    problems += _same_as_keyboard(explorer, name, after, label)
    return problems, (after["hash"], after["status"]) != (before["hash"], before["status"])


def _press(explorer, name, key):
    slider = explorer.locator(f'{SLIDER}[data-name="{name}"]')
    frame = state(explorer, name)["frame"]
    slider.focus()
    slider.press(key)
    try:
        explorer.page.wait_for_function("([r, f]) => parseInt(r.dataset.frame || '0') > f",
                                        arg=[explorer.element_handle(), frame], timeout=2_000, polling=20)
    except PlaywrightTimeout:
        pass
    settle(explorer, quiet_ms=80)
    return state(explorer, name)


def _same_as_keyboard(explorer, name, after, label):
    """One key step away and back: readout and picture must equal those left by the drag."""
    away, back = ("ArrowLeft", "ArrowRight") if after["value"] > after["min"] else ("ArrowRight", "ArrowLeft")
    moved = _press(explorer, name, away)
    again = _press(explorer, name, back)
    problems = []
    if moved["value"] == after["value"] or again["value"] != after["value"]:
        problems.append(f"{label}: {away}/{back} did not step away and back "
                        f"({after['value']:g} -> {moved['value']:g} -> {again['value']:g})")
    elif again["readout"] != after["readout"]:
        problems.append(f"{label}: readout {after['readout']!r} after the drag, {again['readout']!r} "
                        f"for the same value reached with the keyboard")
    elif again["hash"] != after["hash"]:
        problems.append(f"{label}: the picture after the drag differs from the picture of the "
                        "same value reached with the keyboard (a stale frame)")
    return problems


def keyboard(explorer, name):
    """Home, End, ArrowLeft, ArrowRight on slider ``name``: value, readout and frame follow.

    Returns ``(problems, changed)``, ``changed`` telling whether the canvas pixels or the
    status line changed.
    """
    problems = []
    prev = first = state(explorer, name)
    seen = {(first["hash"], first["status"])}
    for key in ("Home", "End", "ArrowLeft", "ArrowRight"):
        st = _press(explorer, name, key)
        want = {"Home": st["min"], "End": st["max"], "ArrowLeft": st["max"] - st["step"],
                "ArrowRight": st["max"]}[key]
        if st["value"] != want:
            problems.append(f"{name} key {key}: value {st['value']:g}, expected {want:g}")
        if st["value"] != prev["value"]:
            if st["frame"] <= prev["frame"]:
                problems.append(f"{name} key {key}: no repaint")
            if st["readout"] == prev["readout"]:
                problems.append(f"{name} key {key}: readout stayed {st['readout']!r}")
        prev = st
        seen.add((st["hash"], st["status"]))
    return problems, len(seen) > 1


def matters_with_a_toggle(explorer, name):
    """Whether slider ``name`` changes the picture or status once some toggle option is chosen.

    For a slider that only acts in another mode (a threshold for another clipping rule): each
    toggle option not pressed is clicked in turn and the slider moved Home / End. The toggles
    pressed at the start are pressed again at the end. Returns the option that made the
    slider act (``"name=value"``), or None.
    """
    def buttons(pressed):  # fixed locators: the aria-pressed states change as we click
        return [explorer.locator(f'button.gc-toggle[data-name="{n}"][data-value="{v}"]')
                for n, v in explorer.locator(f'button.gc-toggle[aria-pressed="{pressed}"]').evaluate_all(
                    "bs => bs.map(b => [b.dataset.name, b.dataset.value])")]

    start, found = buttons("true"), None
    for button in buttons("false"):
        button.click()
        settle(explorer)
        low, high = _press(explorer, name, "Home"), _press(explorer, name, "End")
        if (low["hash"], low["status"]) != (high["hash"], high["status"]):
            found = f"{button.get_attribute('data-name')}={button.get_attribute('data-value')}"
            break
    for button in start:
        button.click()
    settle(explorer)
    return found


def toggles(explorer):
    """Click every toggle: ``aria-pressed`` and the picture follow, and the start state returns.

    In a group of buttons with the same ``data-name``, each click presses the clicked button
    (the one pressed at the start is clicked last); a button alone in its group flips.
    """
    problems, groups = [], {}
    for button in explorer.locator("button.gc-toggle").all():
        groups.setdefault(button.get_attribute("data-name"), []).append(button)

    def click(button, want):
        label = f"toggle {button.get_attribute('data-name')}={button.get_attribute('data-value')}"
        frame = int(explorer.get_attribute("data-frame") or 0)
        button.click()
        settle(explorer, quiet_ms=80)
        if button.get_attribute("aria-pressed") != want:
            problems.append(f"{label}: aria-pressed is {button.get_attribute('aria-pressed')!r} "
                            f"after a click, expected {want!r}")
        if int(explorer.get_attribute("data-frame") or 0) <= frame:
            problems.append(f"{label}: no repaint after a click")

    for buttons in groups.values():
        if len(buttons) == 1:
            start = buttons[0].get_attribute("aria-pressed")
            flipped = "false" if start == "true" else "true"
            click(buttons[0], flipped)
            click(buttons[0], start)
            continue
        pressed = [b for b in buttons if b.get_attribute("aria-pressed") == "true"]
        for button in [b for b in buttons if b not in pressed] + pressed:
            click(button, "true")
    return problems
