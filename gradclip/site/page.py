"""The page around the cells: head, header, stylesheet, the explorer mount script, the index."""

import html
import json

from ..style import CJK_FALLBACK, CJK_FONT, cjk_font_face

__all__ = ["STYLE", "MOUNT_SCRIPT", "FONTS_DIR", "WORDS", "notebook_page", "index_page", "mount_script",
           "lecture_head", "SHARE_SCRIPT"]

#: The page's own words in each language, and the name of each language in itself.
WORDS = {
    "en": {"site": "gradclip notebooks", "all": "All notebooks", "name": "English", "html": "en",
           "lectures": "Lectures", "previous": "← back", "next": "next →"},
    "zh": {"site": "gradclip 笔记本", "all": "全部笔记本", "name": "中文", "html": "zh-CN",
           "lectures": "课堂讲解", "previous": "← 上一幕", "next": "下一幕 →"},
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
ul.gc-index, ul.gc-lectures { list-style: none; padding: 0; }
ul.gc-index li, ul.gc-lectures li { margin: .5rem 0; }
header.gc-header { display: flex; justify-content: space-between; gap: 1rem; }
a.gc-lang { text-decoration: none; border: 1px solid var(--rule); border-radius: 4px; padding: 0 .5em; }
button.gc-copy-link { font: inherit; font-size: 14px; margin-left: auto; padding: .1em .7em; cursor: pointer;
  border: 1px solid var(--rule); border-radius: 4px; background: #fff; color: var(--accent); }
input.gc-link-text { font-size: 13px; width: 18em; max-width: 100%; }
""".replace("{cjk}", CJK_FALLBACK)

#: Mounts every explorer of a page from its JSON spec with the explorer's ES module (``mount``
#: may return a promise). When the
#: module or a spec cannot be loaded, the stored picture stays and the reason is recorded on
#: the element (``data-mount-error``) and in the console.
MOUNT_SCRIPT = """<script type="module">
import { mount } from "{up}static/explorer.js";
const items = Array.from(document.querySelectorAll(".gc-explorer-mount"), (el) => {
  const fallback = Array.from(el.childNodes), item = {el, name: el.dataset.name, ex: null};
  item.ready = fetch(el.dataset.spec)
    .then((r) => { if (!r.ok) throw new Error(`${r.status} ${r.url}`); return r.json(); })
    .then((spec) => { el.replaceChildren(); return mount(el, spec); })
    .then((ex) => { item.ex = ex; el.dataset.mounted = "true"; })
    .catch((err) => {
      el.replaceChildren(...fallback);
      el.dataset.mountError = String(err);
      console.error("explorer", el.dataset.spec, err);
    });
  return item;
});
{share}</script>"""

#: The end of :data:`MOUNT_SCRIPT` on a site whose ``static/`` has ``explorer/share.js``: once
#: every explorer is mounted, each gets an id, ``<name>-<k>`` in page order
#: (``data-explorer-id``), the states in the page's address are restored
#: (``#learning_rate-0:lr=1.6;steps=60&clipping-0:...``) and the address follows the controls.
SHARE_SCRIPT = """Promise.all(items.map((it) => it.ready))
  .then(() => import("{up}static/explorer/share.js"))
  .then(({ linkExplorers }) => { linkExplorers(items); document.body.dataset.explorersLinked = "true"; })
  .catch((err) => { document.body.dataset.explorersLinked = String(err); console.error("share", err); });
"""

_HEAD = """<!doctype html>
<html lang="{html_lang}" data-lang="{lang}">
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

#: The language switch remembers the reader's choice (``localStorage``, this site only) and takes
#: the page's address state (the explorers' presets) along; the index of the other language
#: sends a reader who chose this one here. Nothing leaves the page.
_REMEMBER = """<script>
for (const a of document.querySelectorAll("a.gc-lang")) {
  a.addEventListener("click", () => {
    a.href = a.href.split("#")[0] + location.hash;  // the explorers' states go along (presets are language-neutral)
    try { localStorage.setItem("gradclip-lang", a.hreflang); } catch (e) {}
  });
}
</script>"""
_FOLLOW = """<script>
try {
  const chosen = localStorage.getItem("gradclip-lang");
  const there = {targets};
  if (chosen && chosen !== document.documentElement.dataset.lang && there[chosen]) location.replace(there[chosen]);
} catch (e) {}
</script>"""


def mount_script(up="", share=True):
    """The script that mounts a page's explorers; ``up`` leads from the page to the site root;
    with ``share`` the page's address keeps the explorers' states (:data:`SHARE_SCRIPT`)."""
    return MOUNT_SCRIPT.replace("{share}", SHARE_SCRIPT if share else "").replace("{up}", up or "./")


def _head(title, lang, up, other, extra=""):
    words = WORDS[lang]
    switch = ""
    if other:
        href, other_lang = other
        switch = (f'<a class="gc-lang" href="{html.escape(href)}" hreflang="{other_lang}" '
                  f'lang="{WORDS[other_lang]["html"]}">{WORDS[other_lang]["name"]}</a>')
    return _HEAD.format(title=html.escape(title), site=html.escape(words["site"]), extra=extra,
                        html_lang=words["html"], lang=lang, up=up, switch=switch)


def notebook_page(title, body, explorers=False, explorer_css=False, lang="en", up="", other=None,
                  share=True):
    """A notebook's page; with ``explorers`` it loads the explorer module and mounts them.

    ``lang`` is the page's language ('en' or 'zh'), ``up`` the path from the page to the site
    root ('' or '../'), ``other`` ``(link, lang)`` of the same page in the other language,
    ``share``: the page's address keeps its explorers' states (see :func:`mount_script`).
    """
    extra = f'\n<link rel="stylesheet" href="{up}static/explorer.css">' if explorers and explorer_css else ""
    head = _head(title, lang, up, other, extra)
    script = f"\n{mount_script(up, share)}" if explorers else ""
    remember = f"\n{_REMEMBER}" if other else ""
    return (f'{head}<main class="gc-notebook">\n{body}\n</main>\n'
            f'<footer class="gc-footer"><a href="index.html">{WORDS[lang]["all"]}</a></footer>'
            f'{script}{remember}\n</body>\n</html>\n')


def index_page(entries, lang="en", up="", other=None, lectures=()):
    """The index of one language: ``entries`` is a list of ``(link, title)`` in reading order;
    a reader who chose the other language (``other``: ``(link, lang)``) is sent there;
    ``lectures`` ``(link, title)`` of the lecture pages, listed under their own heading."""
    site = WORDS[lang]["site"]
    head = _head(site, lang, up, other)

    def listed(pairs):
        return "\n".join(f'<li><a href="{html.escape(link)}">{html.escape(title)}</a></li>'
                         for link, title in pairs)

    items = listed(entries)
    if lectures:
        items += (f'\n</ul>\n<h2>{html.escape(WORDS[lang]["lectures"])}</h2>\n'
                  f'<ul class="gc-lectures">\n{listed(lectures)}')
    scripts = ""
    if other:
        scripts = "\n" + _REMEMBER + "\n" + _FOLLOW.replace("{targets}", json.dumps({other[1]: other[0]}))
    return (f'{head}<main class="gc-notebook">\n<h1>{html.escape(site)}</h1>\n'
            f'<ul class="gc-index">\n{items}\n</ul>\n</main>{scripts}\n</body>\n</html>\n')


def lecture_head(title, lang="en", up="", other=None, style=""):
    """The head of a lecture page (``lectures/<name>.html``): the site's header, its link to the
    index of the lecture's language, the explorers' stylesheet, ``style`` and a full-screen body.
    ``up`` leads from the page to the site root."""
    extra = f'\n<link rel="stylesheet" href="{up}static/explorer.css">{style}'
    remember = f"\n{_REMEMBER}" if other else ""
    return (_head(title, lang, up, other, extra)
            .replace("<body>", '<body class="gc-lecture">')
            .replace('<a href="index.html">', '<a href="../index.html">')
            .replace("</header>\n", f"</header>{remember}\n"))
