"""The static site builder (``python -m gradclip.site``), without a browser.

The pages are parsed with the standard library's HTMLParser and checked against the notebooks
they come from: math became MathML, links point at files that exist in the site, nothing is
loaded from another host, explorers get their spec and the explorer module.
"""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from browser import NOTEBOOKS_DIR, fixture_notebooks
from gradclip.site import build, main
from gradclip.site.markdown import heading_id, markdown_to_html


class Refs(HTMLParser):
    """Every URL a page refers to: ``loads`` (fetched by the browser) and ``links`` (<a>)."""

    def __init__(self):
        super().__init__()
        self.loads, self.links, self.mounts, self.scripts = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "link" and attrs.get("href"):
            self.loads.append(attrs["href"])
        for key in ("src", "data-spec"):
            if attrs.get(key):
                self.loads.append(attrs[key])
        if "gc-explorer-mount" in (attrs.get("class") or ""):
            self.mounts.append(attrs)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def refs(page):
    parser = Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def local_target(site, url):
    """The file a relative URL of a page in ``site`` points at (None for other hosts/data)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    return site / unquote(parts.path)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site")
    notebooks = fixture_notebooks.make(tmp)
    result = build(notebooks, tmp / "site", static=fixture_notebooks.STATIC)
    return tmp, notebooks, tmp / "site", result


def test_pages_and_index(fixture_site):
    _, _, site, result = fixture_site
    assert [p.name for p in result["pages"]] == ["index.html", "a_first.html", "b_second.html"]
    assert result["explorers"] == 2
    index = refs(site / "index.html")
    assert index.links[1:] == ["a_first.html", "b_second.html"]
    assert "<title>A · Fixture notebook</title>" in (site / "a_first.html").read_text()


def test_math_becomes_mathml(fixture_site):
    _, _, site, _ = fixture_site
    page = (site / "a_first.html").read_text()
    maths = re.findall(r"<math\b.*?</math>", page, re.S)
    alts = [re.search(r'alttext="([^"]*)"', m)[1] for m in maths]
    assert alts[0] == r"2/\lambda_{max}"
    assert alts[1].startswith(r"\frac{\partial \ell}") and "<mfrac>" in maths[1]   # over a line break
    assert r"\lVert g \rVert \le c" in alts[2] and 'display="block"' in maths[2]
    assert alts[3] == "x^2"
    assert len(maths) == 4
    assert "$5 and $10" in page and "echo $HOME" in page  # prices and code are not math


def test_links_and_pictures(fixture_site):
    tmp, _, site, _ = fixture_site
    a = refs(site / "a_first.html")
    assert {"b_second.html", "b_second.html#Second", "https://example.org/", "index.html"} <= set(a.links)
    assert a.loads.count("figures/pic.png") == 2
    assert (site / "figures" / "pic.png").read_bytes() == (tmp / "figures" / "pic.png").read_bytes()
    assert refs(site / "b_second.html").links[1] == "a_first.html"


def test_code_outputs_and_tags(fixture_site):
    _, _, site, _ = fixture_site
    page = (site / "a_first.html").read_text()
    assert "NBVAL" not in page
    assert 'class="highlight"' in page and "edge 0.827" in page
    assert "<table><tr><th>lr</th>" in page
    assert 'class="gc-cell gc-markdown gc-tag-exercise"' in page
    assert "gc-output-error" not in page


def test_explorers_get_their_spec_and_module(fixture_site):
    _, notebooks, site, _ = fixture_site
    nb = nbformat.read(notebooks / "a_first.ipynb", as_version=4)
    spec = next(o["data"][fixture_notebooks.EXPLORER_MIME] for c in nb.cells if c.cell_type == "code"
                for o in c.outputs if fixture_notebooks.EXPLORER_MIME in o.get("data", {}))
    page = refs(site / "a_first.html")
    (mount,) = page.mounts
    assert json.loads((site / mount["data-spec"]).read_text()) == spec
    assert any('import { mount } from "./static/explorer.js"' in s for s in page.scripts)
    assert (site / "static" / "explorer.js").read_bytes() == (fixture_notebooks.STATIC / "explorer.js").read_bytes()
    assert "static/explorer.css" not in (site / "a_first.html").read_text()  # the stand-in has none


def site_problems(site):
    """Loads from other hosts and relative URLs whose file is missing, for every page."""
    problems = []
    for page in sorted(site.glob("*.html")) + sorted(site.glob("*/*.html")):
        r = refs(page)
        for url in r.loads:
            target = local_target(page.parent, url)
            if target is None and not url.startswith("data:"):
                problems.append(f"{page.name} loads {url} from another host")
            elif target is not None and not target.is_file():
                problems.append(f"{page.name} loads {url}, missing")
        for url in r.links:
            if url.startswith("#"):
                continue  # a place on the same page
            target = local_target(page.parent, url)
            if target is not None and not target.is_file():
                problems.append(f"{page.name} links to {url}, missing")
    return problems


def test_fixture_site_is_self_contained(fixture_site):
    assert site_problems(fixture_site[2]) == []


def test_the_notebooks_build(tmp_path):
    """The repository's notebooks: a page each, MathML where they have math, nothing missing."""
    result = build(NOTEBOOKS_DIR, tmp_path / "site")
    names = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    zh = sorted(p.stem for p in (NOTEBOOKS_DIR / "zh").glob("*.ipynb"))
    pages = [p.relative_to(tmp_path / "site").with_suffix("").as_posix() for p in result["pages"]]
    assert pages == ["index", *names, "zh/index", *(f"zh/{n}" for n in zh)]
    assert zh == names, "every notebook has its Chinese edition"
    assert site_problems(tmp_path / "site") == []
    for name in names:
        nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
        prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        has_math = re.search(r"\$[^$\s][^$]*\$", prose) is not None
        page = (tmp_path / "site" / f"{name}.html").read_text()
        assert ("<math" in page) == has_math, name
        assert ".ipynb" not in "".join(refs(tmp_path / "site" / f"{name}.html").links), name


def test_rebuild_replaces_and_refuses_foreign_folders(tmp_path):
    notebooks = fixture_notebooks.make(tmp_path)
    site = tmp_path / "site"
    build(notebooks, site, static=fixture_notebooks.STATIC)
    (notebooks / "b_second.ipynb").rename(tmp_path / "moved.ipynb")
    (notebooks / "a_first.ipynb").write_text((notebooks / "a_first.ipynb").read_text()
                                             .replace("b_second.ipynb", "a_first.ipynb"))
    build(notebooks, site, static=fixture_notebooks.STATIC)
    assert not (site / "b_second.html").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    with pytest.raises(ValueError, match="not empty and was not built by gradclip.site"):
        build(notebooks, foreign, static=fixture_notebooks.STATIC)
    assert (foreign / "notes.txt").read_text() == "keep"


def test_errors_name_the_problem(tmp_path):
    with pytest.raises(ValueError, match="notebooks must be a folder with .ipynb files"):
        build(tmp_path / "nothing", tmp_path / "site")
    notebooks = fixture_notebooks.make(tmp_path)
    with pytest.raises(FileNotFoundError, match="explorer.js"):
        build(notebooks, tmp_path / "s1", static=tmp_path / "no-static")
    (tmp_path / "figures" / "pic.png").unlink()
    with pytest.raises(FileNotFoundError, match=r"a_first.ipynb: link '../figures/pic.png'"):
        build(notebooks, tmp_path / "s2", static=fixture_notebooks.STATIC)
    nb = notebooks / "b_second.ipynb"
    nb.write_text(nb.read_text().replace("a_first.ipynb", "zz.ipynb"))
    (notebooks / "a_first.ipynb").unlink()
    with pytest.raises(ValueError, match="'zz.ipynb' is not one of the notebooks"):
        build(notebooks, tmp_path / "s3", static=fixture_notebooks.STATIC)
    with pytest.raises(ValueError, match="latex could not be converted"):
        markdown_to_html(r"$\frac{1}{$")


def test_command_line(tmp_path, capsys):
    notebooks = tmp_path / "notebooks"
    assert main(["--notebooks", str(notebooks), "--out", str(tmp_path / "out")]) == 1
    assert "notebooks must be a folder with .ipynb files" in capsys.readouterr().err
    notebooks.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T")]),
                   notebooks / "t.ipynb")
    assert main(["--notebooks", str(notebooks), "--out", str(tmp_path / "out")]) == 0
    assert "wrote 2 pages (0 explorers)" in capsys.readouterr().out


def test_heading_ids_match_jupyterlab():
    assert heading_id("1 · From data to a loss") == "1-·-From-data-to-a-loss"
    assert '<h2 id="Second">Second</h2>' in markdown_to_html("## Second")


def test_stylesheet_fonts_are_served_by_the_site(fixture_site):
    """Every url() of style.css is a file of the site: the CJK subset, with its licence."""
    from fontTools.ttLib import TTFont

    from gradclip.style import CJK_FONT

    site = fixture_site[2]
    css = (site / "style.css").read_text(encoding="utf-8")
    urls = re.findall(r"""url\(["']?([^"')]+)["']?\)""", css)
    assert urls == ["fonts/gradclip-cjk.woff"]
    target = local_target(site, urls[0])
    assert target.read_bytes() == CJK_FONT.read_bytes()
    assert {ord(ch) for ch in "梯度爆炸"} <= set(TTFont(target).getBestCmap())
    assert "SIL OPEN FONT LICENSE" in (target.parent / "OFL.txt").read_text(encoding="utf-8")
    body = re.search(r"body \{[^}]*font: 17px/1.6 ([^;]+);", css)[1].split(",")
    names = [name.strip() for name in body]
    assert names[0] == "system-ui" and names[-2:] == ['"gradclip CJK"', "sans-serif"]


def test_each_page_has_its_twin_in_the_other_language(tmp_path):
    """notebooks/zh/ becomes site/zh/: <html lang>, the switch both ways, pictures and the
    explorer module found from one folder down, an index per language that follows a choice."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "a.png").write_bytes(b"\x89PNG")
    (tmp_path / "nb" / "zh").mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_markdown_cell("# One\n\n![a](../figures/a.png) [two](02.ipynb)")]),
                   tmp_path / "nb" / "01.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell("# Two")]), tmp_path / "nb" / "02.ipynb")
    nbformat.write(new_notebook(cells=[new_markdown_cell("# 一\n\n![图](../../figures/a.png) [一](01.ipynb)")]),
                   tmp_path / "nb" / "zh" / "01.ipynb")
    site = tmp_path / "site"
    result = build(tmp_path / "nb", site, root=tmp_path)
    names = sorted(p.relative_to(site).as_posix() for p in result["pages"])
    assert names == ["01.html", "02.html", "index.html", "zh/01.html", "zh/index.html"]
    en, zh = (site / "01.html").read_text(), (site / "zh" / "01.html").read_text()
    assert '<html lang="en" data-lang="en">' in en and '<html lang="zh-CN" data-lang="zh">' in zh
    assert 'class="gc-lang" href="zh/01.html" hreflang="zh"' in en
    assert 'class="gc-lang" href="../01.html" hreflang="en"' in zh
    assert "gc-lang" not in (site / "02.html").read_text()  # no Chinese twin: no switch
    for page in (site / "01.html", site / "zh" / "01.html", site / "zh" / "index.html"):
        for url in refs(page).loads + refs(page).links:
            target = local_target(page.parent, url)
            assert target is None or target.exists(), (page, url)
    assert 'href="../style.css"' in zh and "全部笔记本" in zh
    index = (site / "index.html").read_text()
    assert 'localStorage.getItem("gradclip-lang")' in index and '{"zh": "zh/index.html"}' in index
    assert '{"en": "../index.html"}' in (site / "zh" / "index.html").read_text()
