"""What the browser tests look for in a page: errors, explorers, and canvas changes."""

import statistics

from playwright.sync_api import TimeoutError as PlaywrightTimeout

EXPLORER = ".gradclip-explorer"
SLIDERS = ("lr", "threshold")
# ipympl draws the figure into the first canvas of its canvas div (the second is the rubber band)
CANVAS = ".jupyter-matplotlib-canvas-div > canvas:first-child"

# Collects the canvas images of an explorer, and times a key press to the first new image.
_ARM = """([root, selector]) => {
  const canvases = () => Array.from(root.querySelectorAll(selector));
  const image = () => canvases().map(c => c.toDataURL()).join('|');
  const probe = {before: image(), t0: null, t1: null, done: false};
  window.__gradclipProbe = probe;
  document.addEventListener('keydown', () => { probe.t0 = performance.now(); },
                            {capture: true, once: true});
  const tick = () => {
    if (probe.done) return;
    if (probe.t0 !== null && image() !== probe.before) {
      probe.t1 = performance.now(); probe.done = true; return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""


def page_problems(page):
    """Texts of error outputs, tracebacks and widget errors visible in the page."""
    return page.evaluate("""() => {
      const out = [];
      const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
      for (const el of document.querySelectorAll(sel)) {
        const t = el.innerText;
        if (/Traceback|^\\w*Error\\b/m.test(t)) out.push('error output: ' + t.slice(0, 800));
      }
      const body = document.body.innerText;
      for (const s of ['Error displaying widget', 'Traceback (most recent call last)',
                       'There was an error when executing cell']) {
        const i = body.indexOf(s);
        if (i >= 0) out.push('page text: ' + body.slice(Math.max(0, i - 200), i + 600));
      }
      return out;
    }""")


def wait_widgets_settled(page, quiet_ms=1000, timeout_ms=60_000):
    """Wait until the number of widget views and ipympl canvases stops changing."""
    page.wait_for_function("""([quiet]) => {
      const n = document.querySelectorAll('.jupyter-widgets, canvas').length;
      const s = window.__gradclipSettle || (window.__gradclipSettle = {n: -1, since: 0});
      const now = performance.now();
      if (n !== s.n) { s.n = n; s.since = now; return false; }
      return now - s.since >= quiet;
    }""", arg=[quiet_ms], timeout=timeout_ms, polling=100)
    page.evaluate("() => { delete window.__gradclipSettle; }")


def press_and_time(page, explorer, handle, key, timeout_ms):
    """Press ``key`` on a focused slider handle; return ms until the canvas changed, or None."""
    page.evaluate(_ARM, [explorer.element_handle(), CANVAS])
    handle.focus()
    page.keyboard.press(key)
    try:
        page.wait_for_function("() => window.__gradclipProbe.done", timeout=timeout_ms, polling=50)
    except PlaywrightTimeout:
        page.evaluate("() => { window.__gradclipProbe.done = true; }")
        return None
    return page.evaluate("() => window.__gradclipProbe.t1 - window.__gradclipProbe.t0")


def drive_slider(page, explorer, name, timeout_ms=10_000):
    """Move slider ``gradclip-slider-<name>`` of an explorer with the keyboard.

    Presses Home, End, Home, then arrows near the low end of the range (where clipping
    thresholds and small learning rates still change the picture). Returns
    ``{"present", "changed": {key: ms or None}, "latencies"}``.
    """
    slider = explorer.locator(f".gradclip-slider-{name}")
    if slider.count() == 0:
        return {"present": False, "changed": {}, "latencies": []}
    handle = slider.first.locator(".noUi-handle, input[type=range]").first
    handle.scroll_into_view_if_needed()
    changed = {}
    keys = ["Home", "End", "Home", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]
    for i, key in enumerate(keys):
        ms = press_and_time(page, explorer, handle, key, timeout_ms if i < 3 else 4_000)
        changed[f"{i}:{key}"] = ms
    latencies = [ms for ms in changed.values() if ms is not None]
    return {"present": True, "changed": changed, "latencies": latencies}


def summary(latencies):
    if not latencies:
        return "no canvas change measured"
    return (f"median {statistics.median(latencies):.0f} ms, min {min(latencies):.0f}, "
            f"max {max(latencies):.0f}, n={len(latencies)}")
