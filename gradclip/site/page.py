"""The page around the cells: head, header, stylesheet, the explorer mount script, the index."""

import html
import json

from ..style import CJK_FALLBACK, CJK_FONT, cjk_font_face

__all__ = ["STYLE", "MOUNT_SCRIPT", "FONTS_DIR", "WORDS", "notebook_page", "index_page", "mount_script"]

#: The page's own words in each language, and the name of each language in itself.
WORDS = {
    "en": {"site": "gradclip notebooks", "all": "All notebooks", "name": "English", "html": "en"},
    "zh": {"site": "gradclip 笔记本", "all": "全部笔记本", "name": "中文", "html": "zh-CN"},
}

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
header.gc-header { display: flex; justify-content: space-between; gap: 1rem; }
a.gc-lang { text-decoration: none; border: 1px solid var(--rule); border-radius: 4px; padding: 0 .5em; }
""".replace("{cjk}", CJK_FALLBACK)

#: Mounts every explorer of a page from its JSON spec with the explorer's ES module (``mount``
#: may return a promise). When the
#: module or a spec cannot be loaded, the stored picture stays and the reason is recorded on
#: the element (``data-mount-error``) and in the console.
MOUNT_SCRIPT = """<script type="module">
import { mount } from "{up}static/explorer.js";
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
<html lang="{html_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{up}style.css">{extra}
</head>
<body>
<header class="gc-header"><a href="index.html">{site}</a>{switch}</header>
"""

#: The language switch remembers the reader's choice (``localStorage``, this site only); the
#: index of the other language sends a reader who chose this one here. Nothing leaves the page.
_REMEMBER = """<script>
for (const a of document.querySelectorAll("a.gc-lang")) {
  a.addEventListener("click", () => { try { localStorage.setItem("gradclip-lang", a.hreflang); } catch (e) {} });
}
</script>"""
_FOLLOW = """<script>
try {
  const chosen = localStorage.getItem("gradclip-lang");
  const there = {targets};
  if (chosen && chosen !== document.documentElement.dataset.lang && there[chosen]) location.replace(there[chosen]);
} catch (e) {}
</script>"""


def mount_script(up=""):
    """The script that mounts a page's explorers; ``up`` leads from the page to the site root."""
    return MOUNT_SCRIPT.replace("{up}", up or "./")


def _head(title, lang, up, other, extra=""):
    words = WORDS[lang]
    switch = ""
    if other:
        href, other_lang = other
        switch = (f'<a class="gc-lang" href="{html.escape(href)}" hreflang="{other_lang}" '
                  f'lang="{WORDS[other_lang]["html"]}">{WORDS[other_lang]["name"]}</a>')
    return (_HEAD.format(title=html.escape(title), site=html.escape(words["site"]), extra=extra,
                         html_lang=words["html"], up=up, switch=switch)
            .replace(f'<html lang="{words["html"]}">',
                     f'<html lang="{words["html"]}" data-lang="{lang}">'))


def notebook_page(title, body, explorers=False, explorer_css=False, lang="en", up="", other=None):
    """A notebook's page; with ``explorers`` it loads the explorer module and mounts them.

    ``lang`` is the page's language ('en' or 'zh'), ``up`` the path from the page to the site
    root ('' or '../'), ``other`` ``(link, lang)`` of the same page in the other language.
    """
    extra = f'\n<link rel="stylesheet" href="{up}static/explorer.css">' if explorers and explorer_css else ""
    head = _head(title, lang, up, other, extra)
    script = f"\n{mount_script(up)}" if explorers else ""
    remember = f"\n{_REMEMBER}" if other else ""
    return (f'{head}<main class="gc-notebook">\n{body}\n</main>\n'
            f'<footer class="gc-footer"><a href="index.html">{WORDS[lang]["all"]}</a></footer>'
            f'{script}{remember}\n</body>\n</html>\n')


def index_page(entries, lang="en", up="", other=None):
    """The index of one language: ``entries`` is a list of ``(link, title)`` in reading order;
    a reader who chose the other language (``other``: ``(link, lang)``) is sent there."""
    site = WORDS[lang]["site"]
    head = _head(site, lang, up, other)
    items = "\n".join(f'<li><a href="{html.escape(link)}">{html.escape(title)}</a></li>'
                      for link, title in entries)
    scripts = ""
    if other:
        scripts = "\n" + _REMEMBER + "\n" + _FOLLOW.replace("{targets}", json.dumps({other[1]: other[0]}))
    return (f'{head}<main class="gc-notebook">\n<h1>{html.escape(site)}</h1>\n'
            f'<ul class="gc-index">\n{items}\n</ul>\n</main>{scripts}\n</body>\n</html>\n')
