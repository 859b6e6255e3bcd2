"""A small folder of notebooks that uses every feature of the site, with stand-in explorers.

``fixtures/static/explorer.js`` follows the explorers' page contract; the notebooks carry
explorer outputs with specs it understands, so the site and the mouse-drag probes are tested
against a known explorer (and against one that drops its last input: ``stale``).
"""

import base64
import io
from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image, ImageDraw

STATIC = Path(__file__).parent / "fixtures" / "static"
EXPLORER_MIME = "application/vnd.gradclip.explorer+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# the slider values: 41 log-spaced learning rates, 25 thresholds
LRS = [float(f"{v:.4g}") for v in np.geomspace(1e-3, 10, 41)]
THRESHOLDS = [float(f"{v:.3g}") for v in np.geomspace(0.05, 50, 25)]
MATH_PROSE = r"""# A · Fixture notebook

Inline $2/\lambda_{max}$, a formula over a line break $\frac{\partial \ell}{\partial h_0} =
\prod_{k=1}^{L} w_k$, and a display formula:

$$\lVert g \rVert \le c$$

Prices are not math: $5 and $10. Code keeps its dollars: `echo $HOME`.

![a picture](../figures/pic.png)

<img src="../figures/pic.png" alt="the same picture, raw HTML" width="120">

[Next: B](b_second.ipynb) | [Section](b_second.ipynb#Second) | [external](https://example.org/)
"""


def png_bytes(width, height, color):
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for k in range(0, width, 40):
        draw.line([(k, 0), (k, height)], fill=color, width=1)
    draw.rectangle([2, 2, width - 3, height - 3], outline=color, width=2)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def explorer_spec(name, stale=False, width=480, height=300):
    t = np.linspace(0, 1, 120, dtype=np.float32)
    points = np.stack([t, 0.5 + 0.4 * np.sin(6 * t) * np.exp(-2 * t)], axis=1).astype(np.float32)
    return {"name": name, "width": width, "height": height, "stale": stale,
            "image": base64.b64encode(png_bytes(width, height, "#999999")).decode(),
            "controls": [{"name": "lr", "label": "learning rate", "values": LRS, "index": 20},
                         {"name": "threshold", "label": "threshold", "values": THRESHOLDS, "index": 5}],
            "toggles": [{"name": "mode", "values": ["raw", "clipped"], "index": 0}],
            "points": base64.b64encode(points.tobytes()).decode()}


def explorer_output(name, stale=False):
    spec = explorer_spec(name, stale)
    data = {EXPLORER_MIME: spec, WIDGET_MIME: {"model_id": "0" * 32, "version_major": 2, "version_minor": 1},
            "image/png": spec["image"], "text/plain": f"Explorer({name!r})"}
    return new_output("display_data", data=data)


def make(tmp):
    """Write ``tmp/notebooks/{a_first,b_second}.ipynb`` and ``tmp/figures/pic.png``.

    Returns the notebooks folder. ``a_first`` has math, a picture linked twice, links, code
    with an nbval marker, text / PNG / HTML outputs and the explorer ``good``; ``b_second``
    has the explorer ``stale`` (drops its last input), an output 1500 px wide and no math.
    """
    tmp = Path(tmp)
    (tmp / "figures").mkdir(parents=True, exist_ok=True)
    (tmp / "figures" / "pic.png").write_bytes(png_bytes(160, 90, "#0072B2"))
    folder = tmp / "notebooks"
    folder.mkdir(exist_ok=True)
    png = base64.b64encode(png_bytes(200, 120, "#009E73")).decode()
    table = "<table><tr><th>lr</th><th>loss</th></tr><tr><td>0.1</td><td>0.47</td></tr></table>"
    first = new_notebook(cells=[
        new_markdown_cell(MATH_PROSE),
        new_code_cell("# NBVAL_CHECK_OUTPUT\nprint('edge', 0.827)", outputs=[
            new_output("stream", name="stdout", text="edge 0.827\n")]),
        new_code_cell("picture()", outputs=[new_output("display_data", data={"image/png": png})]),
        new_code_cell("table()", execution_count=3, outputs=[
            new_output("execute_result", data={"text/html": table, "text/plain": "table"},
                       execution_count=3)]),
        new_code_cell("# NBVAL_IGNORE_OUTPUT\nexplorer('good')", outputs=[explorer_output("good")]),
        new_markdown_cell("Exercise: **1.** $x^2$?", metadata={"tags": ["exercise"]}),
    ])
    second = new_notebook(cells=[
        new_markdown_cell("# B · Second\n\n## Second\n\n[back](a_first.ipynb)"),
        new_code_cell("explorer('stale')", outputs=[explorer_output("stale", stale=True)]),
        new_code_cell("too_wide()", outputs=[new_output("display_data", data={
            "text/html": '<div style="width:1500px;height:12px;background:#ddd">wide</div>'})]),
    ])
    for nb in (first, second):
        nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(first, folder / "a_first.ipynb")
    nbformat.write(second, folder / "b_second.ipynb")
    return folder
