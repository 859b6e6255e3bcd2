"""The page around the cells: head, header, stylesheet, the explorer mount script, the index."""

import html

from ..style import CJK_FALLBACK, CJK_FONT, cjk_font_face

__all__ = ["STYLE", "MOUNT_SCRIPT", "FONTS_DIR", "notebook_page", "index_page"]

#: Folder of the site (relative to ``style.css``) the CJK subset font and its licence go to.
FONTS_DIR = "fonts"

#: The site's stylesheet: system fonts, then the CJK subset served by the site itself (only
#: pages with CJK text load it); nothing is fetched from another host. Named CJK system fonts
#: come before the subset, so a machine that has one keeps it.
STYLE = cjk_font_face(f"{FONTS_DIR}/{CJK_FONT.name}") + """
:root { --text: #1d232a; --muted: #5a6570; --rule: #d8dde2; --code-bg: #f6f8fa; --accent: #0072B2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); background: #fff;
  font: 17px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    {cjk}, sans-serif; }
header.gc-header, footer.gc-footer { max-width: 62rem; margin: 0 auto; padding: .6rem 1.2rem;
  color: var(--muted); font-size: 15px; }
header.gc-header { border-bottom: 1px solid var(--rule); }
footer.gc-footer { border-top: 1px solid var(--rule); margin-top: 3rem; }
main.gc-notebook { max-width: 62rem; margin: 0 auto; padding: 0 1.2rem 2rem; }
a { color: var(--accent); }
h1, h2, h3 { line-height: 1.25; }
img, svg, video { max-width: 100%; height: auto; }
math { font-size: 1.08em; }
.math-display { margin: .8em 0; overflow-x: auto; }
table { border-collapse: collapse; margin: .8em 0; display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid var(--rule); padding: .25em .6em; text-align: left; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 14px; }
:not(pre) > code { background: var(--code-bg); padding: .05em .3em; border-radius: 3px; }
pre { margin: 0; padding: .6em .8em; overflow-x: auto; white-space: pre; }
.gc-cell { margin: .9rem 0; }
.gc-input .highlight { background: var(--code-bg); border-left: 3px solid var(--rule); }
.gc-input .highlight pre { background: transparent; }
.gc-outputs { margin-top: .4rem; }
.gc-output { margin: .3rem 0; max-width: 100%; overflow-x: auto; }
pre.gc-output { background: #fff; border-left: 3px solid #eef1f4; white-space: pre-wrap;
  overflow-wrap: anywhere; }  /* printed text wraps, as in JupyterLab */
pre.gc-stderr { background: #fff5f2; }
pre.gc-output-error { background: #fdecea; border-left-color: #D55E00; }
.gc-widget-placeholder { color: var(--muted); font-style: italic; }
.gc-explorer-mount { margin: .5rem 0; max-width: 100%; }
.gc-tag-exercise, .gradclip-exercise { border-left: 4px solid #E69F00; padding-left: .8rem; }
ul.gc-index { list-style: none; padding: 0; }
ul.gc-index li { margin: .5rem 0; }
""".replace("{cjk}", CJK_FALLBACK)

#: Mounts every explorer of a page from its JSON spec with the explorer's ES module (``mount``
#: may return a promise). When the
#: module or a spec cannot be loaded, the stored picture stays and the reason is recorded on
#: the element (``data-mount-error``) and in the console.
MOUNT_SCRIPT = """<script type="module">
import { mount } from "./static/explorer.js";
for (const el of document.querySelectorAll(".gc-explorer-mount")) {
  const fallback = Array.from(el.childNodes);
  fetch(el.dataset.spec)
    .then((r) => { if (!r.ok) throw new Error(`${r.status} ${r.url}`); return r.json(); })
    .then((spec) => { el.replaceChildren(); return mount(el, spec); })
    .then(() => { el.dataset.mounted = "true"; })
    .catch((err) => {
      el.replaceChildren(...fallback);
      el.dataset.mountError = String(err);
      console.error("explorer", el.dataset.spec, err);
    });
}
</script>"""

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="style.css">{extra}
</head>
<body>
<header class="gc-header"><a href="index.html">{site}</a></header>
"""


def notebook_page(title, body, site_title, explorers=False, explorer_css=False):
    """A notebook's page; with ``explorers`` it loads the explorer module and mounts them."""
    extra = '\n<link rel="stylesheet" href="static/explorer.css">' if explorers and explorer_css else ""
    head = _HEAD.format(title=html.escape(title), site=html.escape(site_title), extra=extra)
    script = f"\n{MOUNT_SCRIPT}" if explorers else ""
    return (f'{head}<main class="gc-notebook">\n{body}\n</main>\n'
            f'<footer class="gc-footer"><a href="index.html">All notebooks</a></footer>{script}\n'
            "</body>\n</html>\n")


def index_page(entries, site_title):
    """The index: ``entries`` is a list of ``(link, title)`` in reading order."""
    head = _HEAD.format(title=html.escape(site_title), site=html.escape(site_title), extra="")
    items = "\n".join(f'<li><a href="{html.escape(link)}">{html.escape(title)}</a></li>'
                      for link, title in entries)
    return (f'{head}<main class="gc-notebook">\n<h1>{html.escape(site_title)}</h1>\n'
            f'<ul class="gc-index">\n{items}\n</ul>\n</main>\n</body>\n</html>\n')
