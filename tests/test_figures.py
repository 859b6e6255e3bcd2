"""`python -m gradclip.figures` writes every listed file, small and deterministic."""

import matplotlib

matplotlib.use("Agg")

import hashlib  # noqa: E402

import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from gradclip import figures  # noqa: E402


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
