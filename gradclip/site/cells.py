"""Notebook cells to HTML: prose, highlighted code, stored outputs and explorer mounts.

Everything a page needs is written next to it by :class:`Assets`: pictures from the outputs
(``<name>_files/``), files the markdown links to (copied under their path relative to the
repository, e.g. ``figures/x.gif``) and each explorer's spec as JSON.
"""

import base64
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..widgets.spec import FORMAT
from ..widgets.words import page_strings
from .markdown import markdown_to_html

__all__ = ["Assets", "render_cells", "EXPLORER_MIME", "WIDGET_MIME", "highlight_css"]

EXPLORER_MIME = "application/vnd.gradclip.explorer+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_IMAGES = {"image/png": "png", "image/gif": "gif", "image/jpeg": "jpg"}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ATTR = re.compile(r"""(?<![\w-])(href|src)=(["'])(.*?)\2""", re.S)
_MARKERS = re.compile(r"^\s*#\s*NBVAL_\w+\s*\n", re.M)
_SKIP = {"remove-cell", "remove_cell"}

try:  # pygments comes with JupyterLab; plain <pre> without it
    from pygments import highlight as _highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound
except ImportError:  # pragma: no cover - depends on the environment
    _highlight = None


def highlight_css():
    """Stylesheet rules for highlighted code (empty without pygments)."""
    return HtmlFormatter(style="default").get_style_defs(".highlight") if _highlight else ""


def _code_html(source, language):
    if _highlight:
        try:
            lexer = get_lexer_by_name(language)
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        return _highlight(source, lexer, HtmlFormatter(cssclass="highlight"))
    return f'<div class="highlight"><pre>{html.escape(source)}</pre></div>'


class Assets:
    """Writes the files of one page and rewrites the links that point at local files.

    Parameters
    ----------
    out : Path
        The site folder; the page is ``out/<stem>.html``.
    notebook : Path
        The notebook; relative links in it are relative to its folder.
    root : Path
        Files under it are copied to the same relative path in ``out``.
    pages : set of str
        File names of the notebooks that become pages (links to them end in ``.html``).
    site : Path, optional
        The site's root folder when the page lives in a subfolder of it (``out`` is then
        ``site/zh``): linked files are copied under ``site`` and linked with ``up`` before them.
    up : str
        The path from the page's folder to ``site`` (``"../"``).
    """

    def __init__(self, out, notebook, root, pages, site=None, up="", lang="en"):
        self.out, self.notebook, self.root = Path(out), Path(notebook), Path(root).resolve()
        self.pages, self.files_dir = set(pages), f"{Path(notebook).stem}_files"
        self.site, self.up = Path(site) if site is not None else self.out, str(up)
        self.explorers, self.lang, self.specs = 0, lang, []  # specs: [(link, spec)] in page order

    def write(self, name, data):
        """Write ``data`` (bytes or text) to ``<stem>_files/<name>``; return its link."""
        path = self.out / self.files_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return f"{self.files_dir}/{name}"

    def link(self, url):
        """The link to use on the page for ``url`` found in the notebook."""
        parts = urlsplit(html.unescape(url))
        if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
            return url
        tail = ((f"?{parts.query}" if parts.query else "")
                + (f"#{parts.fragment}" if parts.fragment else ""))
        path = unquote(parts.path)
        if path.endswith(".ipynb"):
            if Path(path).name not in self.pages or Path(path).name != path:
                raise ValueError(f"{self.notebook.name}: link {url!r} is not one of the notebooks "
                                 f"in {self.notebook.parent}")
            return html.escape(quote(path[:-len(".ipynb")] + ".html") + tail)
        source = (self.notebook.parent / path).resolve()
        if not source.is_file():
            raise FileNotFoundError(f"{self.notebook.name}: link {url!r} points at {source}, "
                                    "which does not exist")
        try:
            rel = source.relative_to(self.root).as_posix()
        except ValueError:
            rel = f"files/{source.name}"
        target = self.site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return html.escape(self.up + quote(rel) + tail)

    def rewrite(self, markup):
        """Every ``href``/``src`` attribute of ``markup`` passed through :meth:`link`."""
        return _ATTR.sub(lambda m: f"{m[1]}={m[2]}{self.link(m[3])}{m[2]}", markup)


def _text(data):
    return "".join(data) if isinstance(data, list) else data


def _pre(text, cls):
    return f'<pre class="{cls}">{html.escape(_ANSI.sub("", text))}</pre>'


def _image(assets, data, meta, mime, name, alt="output", cls="gc-image"):
    raw = base64.b64decode(_text(data))
    src = assets.write(f"{name}.{_IMAGES[mime]}", raw)
    size = "".join(f' {k}="{int(meta[k])}"' for k in ("width", "height")
                   if isinstance(meta.get(k), (int, float)))
    return f'<img class="{cls}" src="{src}" alt="{alt}"{size}>'


def _explorer(assets, data, meta, name):
    spec = data[EXPLORER_MIME]
    if isinstance(spec, str):
        spec = json.loads(spec)
    assets.explorers += 1
    if spec.get("format") == FORMAT:  # the page's words as the package has them now (a stored
        # spec may be older than one of them)
        spec = dict(spec, strings=dict(spec.get("strings") or {},
                                       **page_strings(spec["name"], spec.get("lang") or assets.lang)))
    link = assets.write(f"{name}.json", json.dumps(spec, separators=(",", ":")))
    assets.specs.append((link, spec))
    inner = ""
    if "image/png" in data:
        inner = _image(assets, data["image/png"], meta.get("image/png", {}), "image/png", name,
                       "explorer (static picture until the page's script runs)", "gc-fallback")
    return (f'<div class="gc-explorer-mount" data-spec="{link}" '
            f'data-name="{html.escape(str(spec.get("name", "explorer")))}">{inner}</div>')


def render_output(output, assets, name):
    """HTML for one stored output (``name`` names the files it writes)."""
    kind = output.get("output_type")
    if kind == "stream":
        stream = output.get("name", "stdout")
        return _pre(_text(output.get("text", "")), f"gc-output gc-stream gc-{stream}")
    if kind == "error":
        text = "\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"])
        return _pre(text, "gc-output gc-output-error")
    data, meta = output.get("data", {}), output.get("metadata", {})
    if EXPLORER_MIME in data:
        return _explorer(assets, data, meta, name)
    for mime in _IMAGES:
        if mime in data:
            return _image(assets, data[mime], meta.get(mime, {}), mime, name)
    if WIDGET_MIME in data:
        return ('<p class="gc-output gc-widget-placeholder">An interactive output: it needs a '
                'running kernel (open the notebook in JupyterLab or Voila).</p>')
    if "image/svg+xml" in data:
        return f'<div class="gc-output gc-svg">{_text(data["image/svg+xml"])}</div>'
    if "text/html" in data:
        return f'<div class="gc-output gc-html">{assets.rewrite(_text(data["text/html"]))}</div>'
    if "text/markdown" in data:
        prose = assets.rewrite(markdown_to_html(_text(data["text/markdown"])))
        return f'<div class="gc-output gc-prose">{prose}</div>'
    if "text/latex" in data:
        return f'<div class="gc-output gc-prose">{markdown_to_html(_text(data["text/latex"]))}</div>'
    if "text/plain" in data:
        return _pre(_text(data["text/plain"]), "gc-output gc-text")
    return ""


def render_cells(nb, assets, language="python"):
    """The HTML of every cell of ``nb`` (a notebook as read by nbformat), in order."""
    parts = []
    for index, cell in enumerate(nb.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & _SKIP:
            continue
        classes = " ".join(["gc-cell", f"gc-{cell.cell_type}"] + [f"gc-tag-{t}" for t in sorted(tags)])
        source = _text(cell.get("source", ""))
        if cell.cell_type == "markdown":
            body = assets.rewrite(markdown_to_html(source))
            for key, bundle in cell.get("attachments", {}).items():
                for mime, data in bundle.items():
                    if mime in _IMAGES:
                        link = assets.write(f"cell{index}-{key}", base64.b64decode(_text(data)))
                        body = body.replace(f"attachment:{key}", link)
        elif cell.cell_type == "code":
            code = _MARKERS.sub("", source).strip("\n")
            body = ""
            if code and not tags & {"remove-input", "hide-input"}:
                body += f'<div class="gc-input">{_code_html(code, language)}</div>'
            if "remove-output" not in tags:
                outs = [render_output(o, assets, f"cell{index}-out{k}")
                        for k, o in enumerate(cell.get("outputs", []))]
                outs = "".join(o for o in outs if o)
                body += f'<div class="gc-outputs">{outs}</div>' if outs else ""
        else:
            body = f"<pre>{html.escape(source)}</pre>" if source.strip() else ""
        if body:
            parts.append(f'<section class="{classes}" data-cell="{index}">{body}</section>')
    return "\n".join(parts)
