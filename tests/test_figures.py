"""`python -m gradclip.figures` writes every listed file: small, free of colliding texts, and
byte for byte the file committed in figures/ (so the committed pictures are what the code draws,
and the build is deterministic)."""

from pathlib import Path

import pytest
from PIL import Image

from gradclip import figures

COMMITTED = Path(__file__).resolve().parents[1] / "figures"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every file built once, with the texts of each PNG's figure checked for overlaps as it is
    saved. Projector mode draws the same layout at 1.5 times the dpi (tests/test_style.py checks
    that every text scales by exactly that), so a figure free of collisions here is free of
    them on the projector too."""
    from matplotlib.figure import Figure

    from gradclip import plots

    out = tmp_path_factory.mktemp("figures")
    overlaps = {}
    real_savefig = Figure.savefig

    def checked_savefig(fig, fname, *args, **kwargs):
        # saved first: a draw before saving moves a constrained layout by a fraction of a pixel
        result = real_savefig(fig, fname, *args, **kwargs)
        if isinstance(fname, (str, Path)) and str(fname).endswith(".png"):
            overlaps[Path(fname).name] = plots.text_overlaps(fig)
        return result

    mp = pytest.MonkeyPatch()
    mp.setattr(Figure, "savefig", checked_savefig)
    try:
        written = figures.main(output_dir=out)
    finally:
        mp.undo()
    return written, overlaps


def test_main_writes_all_files(built):
    written, _ = built
    assert [p.name for p in written] == list(figures.FILES)
    for p in written:
        assert p.stat().st_size > 1000
        with Image.open(p) as im:
            if p.suffix == ".gif":
                assert 10 <= im.n_frames <= 61
                assert p.stat().st_size < 600_000


def test_committed_figures_are_what_the_code_draws(built):
    written, _ = built
    stale = [p.name for p in written if not (COMMITTED / p.name).exists()
             or (COMMITTED / p.name).read_bytes() != p.read_bytes()]
    assert stale == [], f"rebuild with `python -m gradclip.figures --only <file>`: {stale}"


def test_no_text_collides_in_any_figure(built):
    _, overlaps = built
    pngs = [name for name in figures.FILES if name.endswith(".png")]
    assert sorted(overlaps) == sorted(pngs)
    assert {k: v for k, v in overlaps.items() if v} == {}


def test_main_rejects_a_file_as_output_dir(tmp_path):
    f = tmp_path / "x"
    f.write_text("")
    with pytest.raises(ValueError, match="output_dir"):
        figures.main(output_dir=f)


def test_text_overlaps_finds_a_collision():
    from matplotlib.figure import Figure

    from gradclip import plots

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_title("a title")
    assert plots.text_overlaps(fig) == []
    ax.text(0.5, 1.02, "on the title", transform=ax.transAxes, ha="center")
    assert [sorted(p) for p in plots.text_overlaps(fig)] == [["a title", "on the title"]]
