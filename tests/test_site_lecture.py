"""Lectures (gradclip.site.lecture): the file format, its errors, the pages the site builds."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from gradclip.site import build
from gradclip.site.lecture import parse_toml_subset, preset_positions, read_lecture, resolve_scenes

ROOT = Path(__file__).resolve().parents[1]
LECTURES = sorted((ROOT / "lectures").glob("*.toml"))
SCENES = re.compile(r'<script type="application/json" id="gc-scenes">(.*?)</script>', re.S)
LR = {"name": "lr", "kind": "slider", "values": [0.01, 0.1, 1.0, 10.0], "log": True}
STEPS = {"name": "steps", "kind": "int", "min": 1, "max": 100}
CLIP = {"name": "clip", "kind": "toggle", "options": ["none", "norm"]}
EXPLORERS = {"01_a": [("01_a_files/e0.json", {"name": "lr_demo", "controls": [LR, STEPS]}),
                      ("01_a_files/e1.json", {"name": "clipping", "controls": [LR, CLIP]})]}


def _lecture(tmp_path, text, name="talk.toml"):
    path = tmp_path / "lectures" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


SCENE = '[[scene]]\nnotebook = "01_a"\nexplorer = 0\ncaption = "c"\n'


def test_shipped_lectures_read_the_same_without_tomllib():
    assert [p.name for p in LECTURES] == ["clipping.toml", "why_clipping.toml"]
    for path in LECTURES:
        text = path.read_text(encoding="utf-8")
        assert parse_toml_subset(text) == tomllib.loads(text), path.name


def test_the_clipping_lecture_covers_01_04_05():
    talk = read_lecture(ROOT / "lectures" / "clipping.toml")
    assert len(talk["scenes"]) == 12
    assert [s["notebook"][:2] for s in talk["scenes"]] == ["01"] * 4 + ["04"] * 4 + ["05"] * 4
    assert all(s.get("caption_zh") for s in talk["scenes"]) and talk["title_zh"]


def test_subset_reader_names_the_line():
    with pytest.raises(ValueError, match=r"talk: line 2: expected 'key = \"text\"'"):
        parse_toml_subset('title = "a"\ntitle: b\n', "talk")
    with pytest.raises(ValueError, match="line 2: 'title' is given twice"):
        parse_toml_subset('title = "a"\ntitle = "b"\n', "talk")
    assert parse_toml_subset('a = "x \\"y\\" \\u00e9"\nb = -3') == {"a": 'x "y" é', "b": -3}


@pytest.mark.parametrize("text, message", [
    (SCENE, "lectures/talk.toml: field 'title' is missing or empty"),
    ('title = "T"\n', "lectures/talk.toml: no scenes"),
    ('title = "T"\nauthor = "me"\n' + SCENE, "lectures/talk.toml: unknown field 'author'"),
    ('title = "T"\n' + SCENE.replace('caption = "c"', 'caption = ""'),
     "lectures/talk.toml: scene 1: field 'caption' is missing or empty"),
    ('title = "T"\n' + SCENE + SCENE.replace('explorer = 0', 'explorer = 1.5'),
     "lectures/talk.toml: scene 2: field 'explorer' has the wrong type: 1.5"),
    ('title = "T"\n' + SCENE + '[[scene]]\nnotebook = "01_a"\ncaption = "c"\n',
     "lectures/talk.toml: scene 2: field 'explorer' is missing or empty"),
    ('title = "T"\n' + SCENE.replace("caption", "captoin"), "scene 1: unknown field 'captoin'"),
    ('title = "T\n', "lectures/talk.toml: "),
])
def test_the_file_is_checked(tmp_path, text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        read_lecture(_lecture(tmp_path, text))


@pytest.mark.parametrize("scene, message", [
    ('notebook = "02_b"\nexplorer = 0',
     "scene 2: field 'notebook': unknown notebook '02_b'; expected one of ['01_a']"),
    ('notebook = "01_a"\nexplorer = 2', "scene 2: field 'explorer': 01_a has 2 explorers (0 to 1), got 2"),
    ('notebook = "01_a"\nexplorer = "phase"', "scene 2: field 'explorer': 'phase' is not the name of exactly one"),
    ('notebook = "01_a"\nexplorer = 0\npreset = "lr=1;beta=2"',
     "scene 2: field 'preset': preset entry 'beta=2': unknown control 'beta'; expected ['lr', 'steps']"),
    ('notebook = "01_a"\nexplorer = 0\npreset = "lr=100"',
     "scene 2: field 'preset': preset entry 'lr=100': lr=100.0 is outside the slider range [0.01, 10]"),
    ('notebook = "01_a"\nexplorer = "clipping"\npreset = "clip=value"',
     "scene 2: field 'preset': preset entry 'clip=value': clip='value' is not one of ['none', 'norm']"),
    ('notebook = "01_a"\nexplorer = 0\npreset = "steps=2.5"',
     "scene 2: field 'preset': preset entry 'steps=2.5': steps=2.5 must be an integer in [1, 100]"),
])
def test_scenes_are_checked_against_the_notebooks(tmp_path, scene, message):
    talk = read_lecture(_lecture(tmp_path, f'title = "T"\n{SCENE}[[scene]]\n{scene}\ncaption = "c"\n'))
    with pytest.raises(ValueError, match=re.escape(f"lectures/talk.toml: {message}")):
        resolve_scenes(talk, EXPLORERS)


def test_scenes_resolve_by_index_or_name_with_the_captions_of_a_language(tmp_path):
    text = ('title = "T"\n' + SCENE + '[[scene]]\nnotebook = "01_a.ipynb"\nexplorer = "clipping"\n'
            'preset = "lr=0.9;clip=norm"\ncaption = "two"\ncaption_zh = "二"\n')
    talk = read_lecture(_lecture(tmp_path, text))
    en, zh = resolve_scenes(talk, EXPLORERS), resolve_scenes(talk, {}, "zh", fallback=EXPLORERS)
    assert [(s["spec"], s["name"], s["preset"], s["caption"]) for s in en] == [
        ("01_a_files/e0.json", "lr_demo", "", "c"), ("01_a_files/e1.json", "clipping", "lr=0.9;clip=norm", "two")]
    assert [s["caption"] for s in zh] == ["c", "二"]  # no caption_zh: the English one
    assert preset_positions([LR, CLIP], "lr=0.9;clip=norm") == {"lr": 2, "clip": 1}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("lectures") / "site"
    return out, build(ROOT / "notebooks", out)


def test_the_site_builds_the_shipped_lectures(site):
    out, result = site
    rel = sorted(p.relative_to(out).as_posix() for p in result["lectures"])
    assert rel == ["lectures/clipping.html", "lectures/why_clipping.html",
                   "zh/lectures/clipping.html", "zh/lectures/why_clipping.html"]
    for page in result["lectures"]:
        text = page.read_text(encoding="utf-8")
        scenes = json.loads(SCENES.search(text)[1])
        assert len(scenes) >= 8
        for scene in scenes:  # every spec and notebook page the scenes load is in the site
            assert (page.parent / scene["spec"]).resolve().is_file(), scene["spec"]
            assert (page.parent / scene["page"]).resolve().is_file(), scene["page"]
        root = "../../" if page.parent.parent.name == "zh" else "../"
        assert f'import {{ mount }} from "{root}static/explorer.js"' in text
        assert f'href="{root}style.css"' in text and f'href="{root}static/explorer.css"' in text
        assert '<body class="gc-lecture">' in text and 'class="gc-lang"' in text
    zh = json.loads(SCENES.search((out / "zh/lectures/clipping.html").read_text(encoding="utf-8"))[1])
    en = json.loads(SCENES.search((out / "lectures/clipping.html").read_text(encoding="utf-8"))[1])
    assert [s["preset"] for s in zh] == [s["preset"] for s in en]
    assert zh[3]["caption"].startswith("lr = 1.56，约为稳定边界的两倍")
    assert en[3]["preset"] == "lr=1.6;steps=60"


def test_the_index_links_the_lectures(site):
    out, _ = site
    for index, title in ((out / "index.html", "From the stability edge to clipping"),
                         (out / "zh" / "index.html", "从稳定边界到剪裁")):
        text = index.read_text(encoding="utf-8")
        assert re.search(r'<ul class="gc-lectures">\n<li><a href="lectures/clipping.html">' + title, text)


def test_a_bad_lecture_stops_the_build_before_it_writes(tmp_path):
    lectures = _lecture(tmp_path, 'title = "T"\n[[scene]]\nnotebook = "01_gradient_descent"\n'
                                  'explorer = 0\npreset = "lr=1"\n').parent
    with pytest.raises(ValueError, match=r"talk.toml: scene 1: field 'caption' is missing"):
        build(ROOT / "notebooks", tmp_path / "site", lectures=lectures)
    assert not (tmp_path / "site").exists()
