"""The readout and the "your own log" panel on a site page, in the page's starting state.

:func:`readout_problems` hovers the pixel of a known point of an explorer's line (computed here
from the spec the notebook stores, decoded by Python) and compares the readout box with that
point. :func:`replay_problems` pastes the first lines of the example log into the spike
explorer's panel, replays it and compares the counts shown with ``gradclip.replay_thresholds``.
Both run before the explorers are driven (the controls still at the stored positions).
"""

from pathlib import Path

import nbformat
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example_grad_norms.csv"
MIME = "application/vnd.gradclip.explorer+json"


def stored_spec(nb, name):
    """The spec of the first explorer called ``name`` the notebook ``nb`` stores."""
    for cell in nbformat.read(nb, as_version=4).cells:
        for out in cell.get("outputs", []):
            spec = out.get("data", {}).get(MIME)
            if spec and spec.get("name") == name:
                return spec
    raise LookupError(f"{nb.name} stores no explorer {name!r}")


def _pixel(spec, axes, x, y):
    """Figure CSS px of data (x, y) in ``axes`` (the contract of gradclip.widgets.spec)."""
    A = spec["axes"][axes]
    (left, top, w, h) = A["bbox"]

    def frac(v, scale):
        a, b = scale["lim"]
        if scale["log"]:
            v, a, b = np.log10(v), np.log10(a), np.log10(b)
        return (v - a) / (b - a)

    return left + w * frac(x, A["x"]), top + h * (1 - frac(y, A["y"]))


def _format(v):  # the readout's number: an integer as it is, else Python's .4g
    return str(int(v)) if float(v).is_integer() else format(v, ".4g")


def readout_problems(page, spec, artifacts, tag, step=120):
    """Hover the raw norm of step ``step`` of the spike explorer (rule as stored); the problems."""
    from gradclip.widgets.encoding import decode_array

    pos = {c["name"]: c["position"] for c in spec["controls"]}
    rule = spec["controls"][[c["name"] for c in spec["controls"]].index("rule")]["options"][pos["rule"]]
    arr = spec["arrays"][f"norm_{rule}"]
    data = decode_array(arr)
    lead = [pos[a] for a in arr["axes"][:-1]]
    y = float(data[tuple(lead)][step])
    axes = next(a["axes"] for a in spec["artists"] if a["type"] == "line" and a.get("y") == f"norm_{rule}")
    fx, fy = _pixel(spec, axes, float(step), y)
    root = page.locator(f'.gradclip-explorer[data-explorer="{spec["name"]}"]').first
    root.scroll_into_view_if_needed()
    box = root.locator(".gc-figure").bounding_box()
    k = box["width"] / spec["size"][0]
    page.mouse.move(box["x"] + fx * k, box["y"] + fy * k)
    tip = root.locator(".gc-readout-tip")
    try:
        tip.wait_for(state="visible", timeout=3000)
    except Exception:  # noqa: BLE001 - reported as a problem
        return [f"{tag}: no readout at step {step}'s norm ({fx:.1f}, {fy:.1f}) px"]
    text, got = tip.inner_text(), tip.evaluate("(e) => [+e.dataset.x, +e.dataset.y]")
    root.screenshot(path=artifacts / f"{tag}_readout.png")
    problems = []
    names = spec["axes"][axes]
    want = f'{names["x"]["name"]} {step} · {names["y"]["name"]} {_format(y)}'
    if abs(got[0] - step) > 0 or abs(got[1] - y) > 1e-12 * abs(y) or text != want:
        problems.append(f"{tag}: readout {text!r} {got}, the stored data says {want!r} [{step}, {y}]")
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] - 40)  # away: the box goes
    if tip.is_visible():
        problems.append(f"{tag}: the readout stays after the pointer left the figure")
    return problems


def replay_problems(page, spec, artifacts, tag, lines=300):
    """Paste the first ``lines`` lines of the example log into the panel; compare the counts."""
    import gradclip

    text = "".join(EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:lines])
    values = {c["name"]: c["values"][c["position"]] for c in spec["controls"] if c["kind"] == "slider"}
    replay = gradclip.replay_thresholds(gradclip.parse_norm_log(text), threshold=values["threshold"],
                                        percentile=values["percentile"], z_thresh=values["z"])
    want = [replay.counts[k] for k in ("fixed", "autoclip", "zclip")]
    root = page.locator(f'.gradclip-explorer[data-explorer="{spec["name"]}"]').first
    panel = root.locator("details.gc-replay")
    panel.locator("summary").click()
    panel.locator("textarea.gc-replay-text").fill(text)
    panel.locator("button.gc-replay-run").click()
    try:
        page.wait_for_function("(el) => el.dataset.replayCounts", arg=root.element_handle(), timeout=5000)
    except Exception:  # noqa: BLE001 - reported as a problem
        return [f"{tag}: no replay after pasting {lines} lines: {panel.locator('.gc-replay-status').inner_text()!r}"]
    got = [int(v) for v in root.get_attribute("data-replay-counts").split(",")]
    status = panel.locator(".gc-replay-status").inner_text()
    problems = []
    if got != want or not all(f" {n}" in status for n in want):
        problems.append(f"{tag}: the page replayed counts {got} ({status!r}), "
                        f"gradclip.replay_thresholds {want}")
    panel.locator("button.gc-replay-example").click()  # the whole example log, its spikes
    full = gradclip.replay_thresholds(gradclip.parse_norm_log(EXAMPLE.read_text(encoding="utf-8")),
                                      threshold=values["threshold"], percentile=values["percentile"],
                                      z_thresh=values["z"]).counts
    want = ",".join(str(full[k]) for k in ("fixed", "autoclip", "zclip"))
    try:
        page.wait_for_function("([el, want]) => el.dataset.replayCounts === want",
                               arg=[root.element_handle(), want], timeout=5000)
    except Exception:  # noqa: BLE001 - reported as a problem
        problems.append(f"{tag}: the example log replayed to {root.get_attribute('data-replay-counts')}, "
                        f"gradclip.replay_thresholds {want}")
    panel.scroll_into_view_if_needed()
    root.screenshot(path=artifacts / f"{tag}_replay.png")
    panel.locator("textarea.gc-replay-text").fill("step,grad_norm\n1,0.5\n2,oops\n")
    panel.locator("button.gc-replay-run").click()
    bad = panel.locator(".gc-replay-status").inner_text()
    if "3" not in bad or "oops" not in bad:
        problems.append(f"{tag}: a bad line 3 is reported as {bad!r}")
    panel.locator("summary").click()  # closed again, as the drive found it
    return problems
