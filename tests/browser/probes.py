"""What the browser tests look for in a page: errors, explorers, and canvas changes."""

import statistics

from playwright.sync_api import TimeoutError as PlaywrightTimeout

EXPLORER = ".gradclip-explorer"
SLIDERS = ("lr", "threshold")
# ipympl draws the figure into the first canvas of its canvas div (the second is the rubber band)
CANVAS = ".jupyter-matplotlib-canvas-div > canvas:first-child"

# Arms a probe on an explorer's canvases: remembers their images, stamps the key press, and
# stamps the first drawImage() into a canvas after it (ipympl paints each new frame with
# drawImage, so this is when the new picture is on the canvas; no per-frame polling needed).
_ARM = """([root, selector]) => {
  const canvases = Array.from(root.querySelectorAll(selector));
  const probe = {before: canvases.map(c => c.toDataURL()).join('|'), t0: null, t1: null};
  window.__gradclipProbe = probe;
  for (const c of canvases) {
    const ctx = c.getContext('2d');
    if (ctx.__gradclipWrapped) continue;
    const draw = ctx.drawImage;
    ctx.drawImage = function (...args) {
      const out = draw.apply(this, args);
      const p = window.__gradclipProbe;
      if (p && p.t0 !== null && p.t1 === null) p.t1 = performance.now();
      return out;
    };
    ctx.__gradclipWrapped = true;
  }
  document.addEventListener('keydown', () => { probe.t0 = performance.now(); },
                            {capture: true, once: true});
}"""
_CHANGED = """([root, selector]) => Array.from(root.querySelectorAll(selector))
  .map(c => c.toDataURL()).join('|') !== window.__gradclipProbe.before"""


def page_problems(page):
    """Error outputs, tracebacks, widget errors and images that failed to load, as texts."""
    return page.evaluate("""() => {
      const out = [];
      const sel = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
      for (const el of document.querySelectorAll(sel)) {
        const t = el.innerText;
        if (/Traceback|^\\w*Error\\b/m.test(t)) out.push('error output: ' + t.slice(0, 800));
      }
      for (const img of document.querySelectorAll('img')) {
        if (img.complete && img.naturalWidth === 0 && img.getAttribute('src'))
          out.push('broken image: ' + img.getAttribute('src').slice(0, 120));
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
    """Press ``key`` on a slider handle.

    Returns ``(ms, changed)``: milliseconds from the key press to the first new frame drawn
    into the explorer's canvas (None if none came within ``timeout_ms``), and whether the
    canvas image differs from before the press.
    """
    args = [explorer.element_handle(), CANVAS]
    page.evaluate(_ARM, args)
    handle.focus()
    page.keyboard.press(key)
    try:
        page.wait_for_function("() => window.__gradclipProbe.t1 !== null",
                               timeout=timeout_ms, polling=20)
    except PlaywrightTimeout:
        return None, page.evaluate(_CHANGED, args)
    ms = page.evaluate("() => window.__gradclipProbe.t1 - window.__gradclipProbe.t0")
    try:  # the image itself may arrive in more than one draw
        page.wait_for_function(_CHANGED, arg=args, timeout=2_000, polling=100)
        return ms, True
    except PlaywrightTimeout:
        return ms, False


def drive_slider(page, explorer, name, timeout_ms=10_000):
    """Move slider ``gradclip-slider-<name>`` of an explorer with the keyboard.

    Presses Home, End, Home, then arrows near the low end of the range (where clipping
    thresholds and small learning rates still change the picture). Returns
    ``{"present", "presses": [(key, ms, changed)], "changed", "latencies"}``: ``changed``
    counts presses after which the canvas image differed, ``latencies`` lists the times to a
    new frame for those presses.
    """
    slider = explorer.locator(f".gradclip-slider-{name}")
    if slider.count() == 0:
        return {"present": False, "presses": [], "changed": 0, "latencies": []}
    handle = slider.first.locator(".noUi-handle, input[type=range]").first
    handle.scroll_into_view_if_needed()
    presses = []
    keys = ["Home", "End", "Home", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]
    for i, key in enumerate(keys):
        ms, changed = press_and_time(page, explorer, handle, key, timeout_ms if i < 3 else 4_000)
        presses.append((key, ms, changed))
    latencies = [ms for _, ms, changed in presses if changed and ms is not None]
    return {"present": True, "presses": presses, "latencies": latencies,
            "changed": sum(changed for _, _, changed in presses)}


def summary(latencies):
    if not latencies:
        return "no canvas change measured"
    return (f"median {statistics.median(latencies):.0f} ms, min {min(latencies):.0f}, "
            f"max {max(latencies):.0f}, n={len(latencies)}")
