"""Committed notebooks are executed: nbval only checks cells that have stored outputs."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
MAX_BYTES = 2_000_000  # a Chinese notebook too, with the CJK font its first cell carries


def _name(p):
    return f"zh/{p.name}" if p.parent.name == "zh" else p.name


def test_there_are_notebooks():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_is_executed_without_errors(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code, f"{path.name} has no code cells"
    for i, cell in enumerate(code):
        src = "".join(cell["source"]).strip()
        if not src:
            continue
        assert cell.get("execution_count") is not None, (
            f"{path.name}: code cell {i} was never executed; run scripts/execute_notebooks.py")
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name}: code cell {i} stored an error"
            if out["output_type"] == "stream" and out.get("name") == "stderr":
                text = "".join(out.get("text", ""))
                assert "Warning" not in text and "Traceback" not in text, (
                    f"{path.name}: code cell {i} printed to stderr: {text[:200]}")
    counts = [c["execution_count"] for c in code if "".join(c["source"]).strip()]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not executed top to bottom"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_is_small(path):
    assert path.stat().st_size < MAX_BYTES, f"{_name(path)} is {path.stat().st_size / 1e6:.2f} MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_notebook_checks_its_numbers(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    checked = [c for c in nb["cells"] if c["cell_type"] == "code"
               and "".join(c["source"]).lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, f"{path.name} has no '# NBVAL_CHECK_OUTPUT' cell"
    for cell in checked:
        assert cell.get("outputs"), f"{path.name}: a checked cell has no stored output to compare"
