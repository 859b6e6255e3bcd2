"""Page layout probes: outputs wider than their column, whole-page screenshots."""


def layout_offenders(page, outputs, column):
    """Outputs (selector) whose content reaches past the right edge of their column's content box."""
    return page.evaluate("""([outputs, column]) => {
      const out = [];
      const doc = document.scrollingElement;
      if (doc.scrollWidth > window.innerWidth + 1)
        out.push(`the page scrolls sideways: ${doc.scrollWidth} px in a ${window.innerWidth} px window`);
      document.querySelectorAll(outputs).forEach((el, k) => {
        const col = el.closest(column);
        if (!col || el.offsetParent === null) return;
        const cs = getComputedStyle(col), cr = col.getBoundingClientRect(), er = el.getBoundingClientRect();
        const right = cr.left + col.clientLeft + col.clientWidth - parseFloat(cs.paddingRight);
        const width = Math.max(el.scrollWidth, er.width);
        if (er.left + width > right + 1) {
          const what = el.querySelector('.gradclip-explorer')?.dataset.explorer ? 'explorer ' +
            el.querySelector('.gradclip-explorer').dataset.explorer : (el.querySelector('img, canvas, table, pre')?.tagName || el.tagName).toLowerCase();
          out.push(`output ${k} (${what}): ${Math.round(width)} px wide from x=${Math.round(er.left)}, `
                   + `its column ends at x=${Math.round(right)}`);
        }
      });
      return out;
    }""", [outputs, column])


def full_screenshot(page, path, max_height=16_000):
    """The whole page as one picture, also when an inner panel scrolls (JupyterLab, Voila):
    the window is made as tall as that panel's content for the picture, then restored."""
    extra = page.evaluate("""() => Math.max(0, ...Array.from(document.querySelectorAll('*'))
      .filter(e => e.scrollHeight > e.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(e).overflowY))
      .map(e => e.scrollHeight - e.clientHeight))""")
    size = page.viewport_size
    if extra:
        page.set_viewport_size({"width": size["width"], "height": min(max_height, size["height"] + extra)})
        page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
        page.wait_for_timeout(300)
    try:
        page.screenshot(path=path, full_page=True)
    finally:
        if extra:
            page.set_viewport_size(size)
