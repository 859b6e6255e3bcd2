"""Markdown cells to HTML with mistune; ``$...$`` and ``$$...$$`` become MathML at build time.

Chromium, Firefox and Safari render MathML Core natively, so the pages need no script and no
font from a CDN to show the formulas.
"""

import html
import re

import mistune
from latex2mathml.converter import convert
from mistune.plugins.math import parse_inline_math

__all__ = ["latex_to_mathml", "markdown_to_html", "heading_id"]

_TAGS = re.compile(r"<[^>]+>")
# Inline math as in Jupyter, it may run over a line break inside its paragraph; as in pandoc,
# no space after the opening or before the closing $, no digit after the closing one ("$5 and
# $10" is not math), and no code span inside it.
_INLINE_MATH = (r"\$\$(?P<display_math_text>(?:[^$\\]|\\.)*?)\$\$|"
                r"\$(?P<backtick_math_marker>`+)(?P<backtick_math_text>[\s\S]*?)(?P=backtick_math_marker)\$|"
                r"\$(?!\$)(?!\s)(?P<math_text>(?:[^$\\`]|\\.)+?)(?<!\s)\$(?!\d)")


def latex_to_mathml(latex, display=False):
    """One LaTeX formula as a ``<math>`` element; the source is kept in its ``alttext``.

    Parameters
    ----------
    latex : str
        The formula without its ``$`` delimiters.
    display : bool
        True for a display formula (``$$...$$``), False for one inside a line.

    Returns
    -------
    str
        MathML markup.

    Examples
    --------
    >>> latex_to_mathml("x^2").startswith('<math alttext="x^2"')
    True
    """
    if not isinstance(latex, str):
        raise ValueError(f"latex must be a string, got {latex!r}")
    source = latex.strip()
    try:
        mathml = convert(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises many types for malformed input
        raise ValueError(f"latex could not be converted to MathML: {source!r} "
                         f"({type(exc).__name__}: {exc})") from None
    return mathml.replace("<math ", f'<math alttext="{html.escape(source)}" ', 1)


def heading_id(text_html):
    """The anchor JupyterLab gives a heading: its text with spaces replaced by ``-``.

    >>> heading_id("2 · The edge <em>2/λ</em>")
    '2-·-The-edge-2/λ'
    """
    text = html.unescape(_TAGS.sub("", text_html)).strip()
    return re.sub(r"\s+", "-", text)


class _Renderer(mistune.HTMLRenderer):
    def heading(self, text, level, **attrs):
        anchor = html.escape(heading_id(text))
        return f'<h{level} id="{anchor}">{text}</h{level}>\n'


def _inline_math(renderer, text):
    return latex_to_mathml(text)


def _block_math(renderer, text):
    return f'<div class="math-display">{latex_to_mathml(text, display=True)}</div>\n'


def _make():
    plugins = ["table", "strikethrough", "math", "mistune.plugins.math.math_in_list",
               "mistune.plugins.math.math_in_quote"]
    md = mistune.create_markdown(renderer=_Renderer(escape=False), plugins=plugins)
    md.inline.register("inline_math", _INLINE_MATH, parse_inline_math)
    md.renderer.register("inline_math", _inline_math)
    md.renderer.register("block_math", _block_math)
    return md


_MARKDOWN = _make()


def markdown_to_html(text):
    """Render one markdown cell (raw HTML passes through, math becomes MathML).

    Parameters
    ----------
    text : str
        Markdown source.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> print(markdown_to_html("The edge is $2/\\\\lambda$.").strip())  # doctest: +ELLIPSIS
    <p>The edge is <math alttext="2/\\lambda" ...><mrow>...</mrow></math>.</p>
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    return _MARKDOWN(text)
