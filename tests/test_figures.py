"""`python -m gradclip.figures` writes every listed file, small and deterministic."""

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from gradclip import figures


def test_main_writes_all_files(tmp_path):
    written = figures.main(output_dir=tmp_path)
    assert [p.name for p in written] == list(figures.FILES)
    for p in written:
        assert p.stat().st_size > 1000
        with Image.open(p) as im:
            if p.suffix == ".gif":
                assert 10 <= im.n_frames <= 61
                assert p.stat().st_size < 600_000
    digest = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in written}
    again = figures.main(output_dir=tmp_path / "again")
    assert {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in again} == digest


def test_main_rejects_a_file_as_output_dir(tmp_path):
    f = tmp_path / "x"
    f.write_text("")
    with pytest.raises(ValueError, match="output_dir"):
        figures.main(output_dir=f)


def test_no_text_collides_in_any_figure(monkeypatch, tmp_path, projector=False):
    """Every figure of figures/: no overlapping texts. Projector mode draws the same layout at
    1.5 times the dpi (tests/test_style.py checks that every text scales by exactly that), so
    a figure free of collisions here is free of them on the projector too."""
    import gradclip
    from gradclip import plots

    from matplotlib.figure import Figure

    found = {}
    real_savefig = Figure.savefig

    def checked_savefig(fig, fname, *args, **kwargs):
        if isinstance(fname, (str, Path)) and str(fname).endswith(".png"):
            found[Path(fname).name] = plots.text_overlaps(fig)
        return real_savefig(fig, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", checked_savefig)
    monkeypatch.setattr(gradclip.style, "setup", lambda seed=0: gradclip.setup(seed, presentation=projector))
    pngs = [name for name in figures.FILES if name.endswith(".png")]
    figures.main([str(tmp_path)] + [f"--only={n}" for n in pngs])
    gradclip.presentation(False)
    assert sorted(found) == sorted(pngs)
    assert {k: v for k, v in found.items() if v} == {}


def test_text_overlaps_finds_a_collision():
    from matplotlib.figure import Figure

    from gradclip import plots

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_title("a title")
    assert plots.text_overlaps(fig) == []
    ax.text(0.5, 1.02, "on the title", transform=ax.transAxes, ha="center")
    assert [sorted(p) for p in plots.text_overlaps(fig)] == [["a title", "on the title"]]
