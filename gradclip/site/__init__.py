"""The notebooks as a static web site: ``python -m gradclip.site [--out site]``.

Every notebook in ``notebooks/`` becomes ``site/<name>.html``, and its Chinese edition in
``notebooks/zh/`` becomes ``site/zh/<name>.html`` (``<html lang="zh-CN">``); every page has a
switch to the same page in the other language, which the reader's browser remembers (the
index of one language sends a reader who chose the other there). Each page is its prose (markdown, with every
``$...$`` and ``$$...$$`` converted to MathML at build time), its code (highlighted by pygments
when it is installed), its stored outputs (text, pictures, HTML tables) and every explorer,
mounted live in the page by the explorers' own ES module (``gradclip/widgets/static/
explorer.js``, copied to ``site/static/``) from the spec stored with the output. No kernel is
needed and no request leaves the site: no CDN, no analytics, no font from another host (the
Chinese quotations use a small CJK subset font served from ``site/fonts/``). Links between
notebooks point at the pages; pictures the markdown links to (``../figures/x.png``) are copied
into the site. ``site/index.html`` lists the notebooks.

Open the pages through a web server, not as files (browsers do not run ES modules from
``file://``; without them the explorers stay as their stored pictures)::

    python -m gradclip.site
    python -m http.server --bind 127.0.0.1 --directory site 8000   # http://127.0.0.1:8000/

Publishing on a static host (any host that serves files works; the site needs no server
code, and ``site/.nojekyll`` tells GitHub Pages to serve the files as they are):

* GitHub Pages from a ``gh-pages`` branch, kept in a second working tree ``../gh-pages``::

      # once: a branch with no history of its own
      git worktree add --detach ../gh-pages && git -C ../gh-pages checkout --orphan gh-pages
      # each time (with an existing branch, first: git worktree add ../gh-pages gh-pages)
      python -m gradclip.site --out site
      git -C ../gh-pages rm -rfq --ignore-unmatch . && cp -r site/. ../gh-pages/
      git -C ../gh-pages add -A && git -C ../gh-pages commit -m "Site" && git -C ../gh-pages push origin gh-pages

  then in the repository's Settings, Pages: "Deploy from a branch", ``gh-pages``, ``/ (root)``.
* GitHub Pages from Actions (Settings, Pages, source "GitHub Actions"): a workflow with
  ``permissions: {pages: write, id-token: write}`` whose job runs ``pip install -r
  requirements.txt`` and ``python -m gradclip.site --out site``, then the steps
  ``actions/upload-pages-artifact`` (``with: {path: site}``) and ``actions/deploy-pages``.

``site/`` is generated (git-ignored); building again replaces it.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path

import nbformat

from ..style import CJK_FONT
from .cells import Assets, highlight_css, render_cells
from .lecture import LECTURE_STYLE, lecture_page, read_lecture, resolve_scenes
from .page import FONTS_DIR, STYLE, WORDS, index_page, lecture_head, notebook_page

__all__ = ["build", "main", "notebook_title"]

PACKAGE = Path(__file__).resolve().parents[1]
STATIC = PACKAGE / "widgets" / "static"
MARKER = ".gradclip-site"
#: The example gradient-norm log, copied to the same path in the site.
EXAMPLE_LOG = Path("data") / "example_grad_norms.csv"
SITE_TITLE = WORDS["en"]["site"]
#: Languages other than English: ``notebooks/<lang>/`` becomes ``site/<lang>/``.
TRANSLATIONS = ("zh",)


def notebook_title(nb, default):
    """The text of a notebook's first ``# `` heading, or ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.M)
            if m:
                return re.sub(r"[*_`$]", "", m[1]).strip()
    return default


def _prepare(out):
    if out.exists():
        if not out.is_dir():
            raise ValueError(f"out must be a folder, got the file {str(out)!r}")
        if any(out.iterdir()) and not (out / MARKER).exists():
            raise ValueError(f"out {str(out)!r} is not empty and was not built by gradclip.site; "
                             "choose an empty or new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("built by python -m gradclip.site; rebuilt from scratch each time\n")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are


def build(notebooks="notebooks", out="site", static=None, root=None, lectures=None):
    """Write the static site of every notebook in ``notebooks`` into ``out``.

    Parameters
    ----------
    notebooks : str or Path
        Folder of ``*.ipynb`` files (executed: the stored outputs are what the pages show).
    out : str or Path
        The site folder. Replaced when it was built before; refused when it holds other files.
    static : str or Path, optional
        Folder with the explorers' ``explorer.js`` (and ``explorer.css``), copied to
        ``out/static/``; by default ``gradclip/widgets/static``.
    root : str or Path, optional
        Files the notebooks link to are copied to their path relative to ``root`` (by
        default the notebooks folder's parent, so ``../figures/x.png`` becomes
        ``figures/x.png``).
    lectures : str or Path, optional
        Folder of lecture files (``*.toml``, see :mod:`gradclip.site.lecture`); each becomes
        ``out/lectures/<name>.html`` (and ``out/zh/lectures/<name>.html``), listed by the
        index. By default ``lectures/`` next to the notebooks folder, when it exists.

    Returns
    -------
    dict
        ``{"pages": [Path, ...], "explorers": int, "lectures": [Path, ...]}``: the notebooks'
        pages written, index first, the number of explorers mounted, the lecture pages.

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from nbformat.v4 import new_notebook, new_markdown_cell
    >>> tmp = Path(tempfile.mkdtemp())
    >>> (tmp / "nb").mkdir()
    >>> nb = new_notebook(cells=[new_markdown_cell("# One\\n\\n$x^2$")])
    >>> nbformat.write(nb, tmp / "nb" / "01.ipynb")
    >>> result = build(tmp / "nb", tmp / "site")
    >>> [p.name for p in result["pages"]], "<math" in (tmp / "site" / "01.html").read_text()
    (['index.html', '01.html'], True)
    >>> shutil.rmtree(tmp)
    """
    notebooks, out = Path(notebooks), Path(out)
    paths = sorted(notebooks.glob("*.ipynb")) if notebooks.is_dir() else []
    if not paths:
        raise ValueError(f"notebooks must be a folder with .ipynb files, got {str(notebooks)!r}")
    static = Path(static) if static is not None else STATIC
    root = Path(root) if root is not None else notebooks.resolve().parent
    lectures = Path(lectures) if lectures is not None else notebooks.resolve().parent / "lectures"
    talks = [read_lecture(p) for p in sorted(lectures.glob("*.toml"))] if lectures.is_dir() else []
    _prepare(out)
    (out / "style.css").write_text(STYLE + highlight_css() + "\n", encoding="utf-8")
    (out / FONTS_DIR).mkdir()
    for font_file in (CJK_FONT, CJK_FONT.with_name("OFL.txt")):  # the CJK subset, its licence
        shutil.copyfile(font_file, out / FONTS_DIR / font_file.name)
    editions = [("en", paths, out, "")]
    for lang in TRANSLATIONS:
        found = sorted((notebooks / lang).glob("*.ipynb"))
        if found:
            editions.append((lang, found, out / lang, "../"))
    stems = {lang: {p.stem for p in found} for lang, found, _, _ in editions}
    pages, explorers, specs, titles, lecture_pages = [], 0, {}, {}, []
    for lang, found, folder, up in editions:
        folder.mkdir(exist_ok=True)
        other = [(o, f) for o, _, f, _ in editions if o != lang][:1]

        def twin(stem, other=other):
            """(link, language) of the page ``stem`` in the other language, if it exists."""
            if not other or (stem != "index" and stem not in stems[other[0][0]]):
                return None
            o, f = other[0]
            return (f"../{stem}.html" if f == out else f"{f.name}/{stem}.html"), o

        names, entries = {p.name for p in found}, []
        pages.append(folder / "index.html")
        for path in found:
            nb = nbformat.read(path, as_version=4)
            language = nb.metadata.get("language_info", {}).get("name") or \
                nb.metadata.get("kernelspec", {}).get("language") or "python"
            assets = Assets(folder, path, root, names, site=out, up=up, lang=lang)
            specs.setdefault(lang, {})[path.stem] = assets.specs
            body = render_cells(nb, assets, language)
            title = notebook_title(nb, path.stem)
            if assets.explorers and not (static / "explorer.js").is_file():
                raise FileNotFoundError(f"{path.name} has explorers but {static / 'explorer.js'} "
                                        "does not exist")
            page = notebook_page(title, body, explorers=bool(assets.explorers),
                                 explorer_css=(static / "explorer.css").is_file(), lang=lang, up=up,
                                 other=twin(path.stem),
                                 share=(static / "explorer" / "share.js").is_file())
            pages.append(folder / f"{path.stem}.html")
            pages[-1].write_text(page, encoding="utf-8")
            entries.append((pages[-1].name, title))
            titles[(lang, path.stem)] = title
            explorers += assets.explorers
        listed = []
        for talk in talks:
            lecture_pages.append(_lecture(talk, lang, folder, up, specs, titles, other))
            listed.append((f"lectures/{talk['name']}.html", talk.get(f"title_{lang}") or talk["title"]))
        (folder / "index.html").write_text(index_page(entries, lang=lang, up=up, other=twin("index"),
                                                      lectures=listed), encoding="utf-8")
    if static.is_dir():
        shutil.copytree(static, out / "static", ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    example = root / EXAMPLE_LOG  # the norm log to replay clipping rules on (07's spike explorer)
    if example.is_file():
        (out / EXAMPLE_LOG).parent.mkdir(exist_ok=True)
        shutil.copyfile(example, out / EXAMPLE_LOG)
    return {"pages": pages, "explorers": explorers, "lectures": lecture_pages}


def _lecture(talk, lang, folder, up, specs, titles, other):
    """Write one lecture's page of one edition; return its path. Where the edition's notebook
    stores no explorers (not executed yet), the scene uses the English one's."""
    fallback = None
    if lang != "en":
        fallback = {stem: [(f"../{link}", spec) for link, spec in found]
                    for stem, found in specs["en"].items()}
        own = {stem: found for stem, found in specs[lang].items() if found}
    else:
        own = specs["en"]
    scenes = resolve_scenes(talk, own, lang, fallback)
    for scene in scenes:
        scene["page"] = f"{scene['notebook']}.html"
        scene["title"] = titles.get((lang, scene["notebook"])) or titles.get(("en", scene["notebook"]), "")
    title = talk.get(f"title_{lang}") or talk["title"]
    twin = None
    if other:
        o, f = other[0]
        there = "../../lectures" if lang != "en" else f"../{f.name}/lectures"
        twin = (f"{there}/{talk['name']}.html", o)
    head = lecture_head(title, lang, "../" + up, twin, LECTURE_STYLE)
    path = folder / "lectures" / f"{talk['name']}.html"
    path.parent.mkdir(exist_ok=True)
    page = lecture_page(dict(talk, title=title), scenes, WORDS[lang], head, "../", "../" + up)
    path.write_text(page, encoding="utf-8")
    return path


def main(argv=None):
    """Command line: ``python -m gradclip.site [--notebooks notebooks] [--out site]``."""
    parser = argparse.ArgumentParser(prog="python -m gradclip.site", description=__doc__.split("\n")[0])
    parser.add_argument("--notebooks", default="notebooks", help="folder of .ipynb files")
    parser.add_argument("--out", default="site", help="folder to write the site into")
    args = parser.parse_args(argv)
    try:
        result = build(args.notebooks, args.out)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    lectures = f", {len(result['lectures'])} lecture pages" if result["lectures"] else ""
    print(f"wrote {len(result['pages'])} pages ({result['explorers']} explorers{lectures}) to {args.out}/")
    return 0
