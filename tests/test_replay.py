"""Replaying clipping rules over a recorded gradient-norm log: gradclip.replay_thresholds and
parse_norm_log, checked against hand-written loops (AutoClip's percentile of the history from
a sorted list, ZClip's EMA z-score rule with math.fsum), and their page twin
(``widgets/static/explorer/replay.js``) run under node (``tests/replay_in_node.mjs``) on the
example log and three seeded synthetic logs: every threshold within 1e-12 relative, every mask
and every parsed value equal. The example log is what its script makes."""

import dataclasses
import importlib.util
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import gradclip as gc
from gradclip.widgets import esm

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "data" / "example_grad_norms.csv"
HARNESS = Path(__file__).parent / "replay_in_node.mjs"
REPLAY_JS = esm.ENTRY.parent / "explorer" / "replay.js"
_spec = importlib.util.spec_from_file_location("make_example_norm_log",
                                               ROOT / "scripts" / "make_example_norm_log.py")
make_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_example)


def _example():
    return gc.parse_norm_log(EXAMPLE.read_text(encoding="utf-8"))


def _synthetic(seed):
    """The norms of a seeded spike process: Gaussian noise (norm ~1) with spikes of norm ~50."""
    return np.linalg.norm(gc.spike_process(800, 4, seed=seed).noise, axis=1)


LOGS = {"example": _example, **{f"spikes-{s}": (lambda s=s: _synthetic(s)) for s in (0, 1, 2)}}
SETTINGS = [{},
            dict(threshold=0.5, percentile=50.0, alpha=0.9, z_thresh=2.0, warmup_steps=10,
                 clip_option="z_bound", max_grad_norm=3.0),
            dict(threshold=4.0, percentile=97.5, z_thresh=1.5, warmup_steps=1, clip_option="mean")]


# ---- independent references --------------------------------------------------------------

def autoclip_reference(norms, p):
    out = []
    for k in range(len(norms)):
        s = sorted(norms[:k + 1])
        pos = (len(s) - 1) * p / 100
        lo = math.floor(pos)
        hi = min(lo + 1, len(s) - 1)
        out.append(s[lo] + (s[hi] - s[lo]) * (pos - lo))
    return np.array(out)


def zclip_reference(norms, alpha=0.97, z_thresh=2.5, warmup_steps=25, clip_option="adaptive_scaling",
                    max_grad_norm=None, eps=1e-6):
    cap = math.inf if max_grad_norm is None else max_grad_norm
    out, warm, mu, var = [], [], None, None
    for g in norms:
        if mu is None:
            warm.append(g)
            if len(warm) == warmup_steps:
                mu = math.fsum(warm) / len(warm)
                var = math.fsum((x - mu) ** 2 for x in warm) / len(warm)
            out.append(cap)
            continue
        sd = math.sqrt(var)
        score = (g - mu) / (sd + eps)
        clip_to = math.inf
        if score > z_thresh:
            clip_to = {"adaptive_scaling": mu + z_thresh * z_thresh * sd / score,
                       "z_bound": mu + z_thresh * sd, "mean": mu}[clip_option]
        seen = min(g, clip_to)
        mu = alpha * mu + (1 - alpha) * seen
        var = alpha * var + (1 - alpha) * (seen - mu) ** 2
        out.append(min(clip_to, cap))
    return np.array(out)


def _same_thresholds(got, want, rtol=1e-12):
    got, want = np.asarray(got, float), np.asarray(want, float)
    assert got.shape == want.shape
    assert np.array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    rel = np.abs(got[finite] - want[finite]) / np.abs(want[finite])
    assert rel.max(initial=0.0) <= rtol, rel.max()


def _same_mask_off_ties(norms, clipped, thresholds):
    """Masks equal wherever the norm is not within 1e-12 of the threshold (a rounding tie)."""
    clear = ~np.isclose(norms, thresholds, rtol=1e-12, atol=0)
    assert np.array_equal(clipped[clear], (norms > thresholds)[clear])


@pytest.mark.parametrize("log", LOGS)
@pytest.mark.parametrize("settings", SETTINGS, ids=["defaults", "z_bound-capped", "mean-warmup1"])
def test_replay_matches_hand_written_loops(log, settings):
    norms = LOGS[log]()
    r = gc.replay_thresholds(norms, **settings)
    s = r.settings
    assert np.all(r.fixed.thresholds == s["threshold"])
    assert np.array_equal(r.fixed.clipped, norms > s["threshold"])
    want = autoclip_reference(list(norms), s["percentile"])
    _same_thresholds(r.autoclip.thresholds, want)
    _same_mask_off_ties(norms, r.autoclip.clipped, want)
    want = zclip_reference(list(norms), s["alpha"], s["z_thresh"], s["warmup_steps"], s["clip_option"],
                           s["max_grad_norm"])
    _same_thresholds(r.zclip.thresholds, want)
    _same_mask_off_ties(norms, r.zclip.clipped, want)
    for rule in r.RULES:
        one = r[rule]
        assert np.array_equal(one.clipped_norms, np.minimum(norms, one.thresholds))
        assert np.all(one.clipped_norms <= norms) and np.all(one.clipped_norms[~one.clipped] == norms[~one.clipped])
        assert one.count == int(one.clipped.sum()) and one.fraction == one.count / len(norms)
        assert r.counts[rule] == one.count


def test_a_step_depends_only_on_the_norms_up_to_it():
    norms = _synthetic(3)
    full, head = gc.replay_thresholds(norms), gc.replay_thresholds(norms[:300])
    for rule in full.RULES:
        assert np.array_equal(full[rule].thresholds[:300], head[rule].thresholds)


def test_zclip_alone_clips_nothing_in_its_warm_up_and_catches_the_spikes():
    proc = gc.spike_process(800, 4, seed=0)
    r = gc.replay_thresholds(np.linalg.norm(proc.noise, axis=1))
    assert not r.zclip.clipped[:25].any()
    after = proc.spikes & (np.arange(800) >= 25)
    assert after.sum() == 13 and np.all(r.zclip.clipped[after])  # a spike (norm ~50) against noise (~1)


def test_the_inputs_are_not_changed_and_the_result_is_frozen():
    norms = _synthetic(0)
    before = norms.copy()
    r = gc.replay_thresholds(norms)
    assert np.array_equal(norms, before) and norms.flags.writeable
    assert gc.replay_thresholds(list(norms)).counts == r.counts
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.fixed = None
    with pytest.raises(ValueError):
        r.zclip.thresholds[0] = 1.0
    assert r.norms is not norms
    with pytest.raises(KeyError, match="rule must be one of"):
        r["none"]


@pytest.mark.parametrize("norms, message", [
    ([], "at least 1"), ([[1.0, 2.0]], "1-D"), (3.0, "1-D"), (["a"], "numeric"),
    ([1.0, float("nan")], r"norms\[1\] = nan"), ([1.0, 2.0, float("inf")], r"norms\[2\] = inf"),
    ([0.0], r"norms\[0\] = 0.0"), ([1.0, -2.0], r"norms\[1\] = -2.0"),
])
def test_bad_norms_are_refused(norms, message):
    with pytest.raises(ValueError, match=message):
        gc.replay_thresholds(norms)


@pytest.mark.parametrize("kwargs, name", [
    (dict(threshold=0.0), "threshold"), (dict(threshold=float("inf")), "threshold"),
    (dict(percentile=101), "percentile"), (dict(alpha=1.0), "alpha"), (dict(z_thresh=-1), "z_thresh"),
    (dict(warmup_steps=0), "warmup_steps"), (dict(warmup_steps=2.5), "warmup_steps"),
    (dict(clip_option="median"), "clip_option"), (dict(max_grad_norm=0.0), "max_grad_norm"),
])
def test_bad_settings_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        gc.replay_thresholds([1.0, 2.0], **kwargs)


# ---- parsing logs --------------------------------------------------------------------------

FORMATS = {
    "one-a-line": ("0.5\n1.25\n3e-1\n", [0.5, 1.25, 0.3]),
    "comments-blanks-crlf": ("\ufeff# a run\r\n\r\n  0.5  \r\n+.25 # after a restart\r\n1.\r\n", [0.5, 0.25, 1.0]),
    "csv-header": ("# synthetic\nstep,grad_norm,loss\n1,3.2958,9.9766\n2,3.06166,9.9358\n", [3.2958, 3.06166]),
    "csv-quoted-prefixed": ('"Step","train/loss","train/Grad Norm"\n"1","2.5","0.8"\n"2","2.4","1.5e+00"\n',
                            [0.8, 1.5]),
    "semicolon-preference": ("epoch;norm;total_norm\n1;7;0.75\n2;8;0.5\n", [0.75, 0.5]),
    "tsv-gradient-norm": ("gradient-norm\tstep\n0.125\t1\n0.25\t2\n", [0.125, 0.25]),
    "no-name-last-numeric": ("step,time,gnorm,note\n1,2024-01-01,0.5,ok\n2,2024-01-02,0.75,ok\n", [0.5, 0.75]),
    "spaces-no-header": ("1 0.5\n2   0.75\n\t3 1e0\n", [0.5, 0.75, 1.0]),
    "nan-inf-read": ("0.5\nnan\n-Inf\ninfinity\n", [0.5, math.nan, -math.inf, math.inf]),
}
BAD_FORMATS = {
    "word-in-numbers": ("0.5\nabc\n0.7\n", "line 2"),
    "missing-column": ("step,grad_norm\n1,0.5\n2\n3,0.6\n", "line 3"),
    "text-in-column": ("step,grad_norm\n1,0.5\n\n2,n/a\n", "line 4"),
    "second-header": ("1,0.5\nstep,grad_norm\n", "line 2"),
    "no-number-at-all": ("a,b\nc,d\n", "line 2"),
    "only-comments": ("# nothing\n\n", "no numbers"),
    "only-header": ("step,grad_norm\n", "no numbers"),
}


@pytest.mark.parametrize("name", FORMATS)
def test_parse_norm_log_reads_each_format(name):
    text, want = FORMATS[name]
    got = gc.parse_norm_log(text)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array(want))


@pytest.mark.parametrize("name", BAD_FORMATS)
def test_parse_norm_log_names_the_bad_line(name):
    text, message = BAD_FORMATS[name]
    with pytest.raises(ValueError, match=message):
        gc.parse_norm_log(text)


def test_parse_norm_log_wants_text():
    with pytest.raises(ValueError, match="text must be a str"):
        gc.parse_norm_log(b"0.5\n")


# ---- the example log -----------------------------------------------------------------------

def test_the_example_log_is_what_its_script_makes():
    assert EXAMPLE.read_text(encoding="utf-8") == make_example.make_log()


def test_the_example_log_replayed_with_the_defaults():
    norms = _example()
    assert len(norms) == 2000 and EXAMPLE.read_text().startswith("# synthetic")
    r = gc.replay_thresholds(norms)
    assert r.counts == {"fixed": 59, "autoclip": 1751, "zclip": 50}
    _, _, spikes = make_example.norms_and_losses()
    assert np.all(r.zclip.clipped[spikes - 1])  # every isolated spike and the whole burst


# ---- the page's twin under node ------------------------------------------------------------

def _node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the replay parity test runs the page's code under node 18 "
                    "or newer (Debian: apt-get install nodejs)", pytrace=False)
    return node


def _camel(settings):
    return {"".join(w.capitalize() if i else w for i, w in enumerate(k.split("_"))): v
            for k, v in settings.items()}


def _floats(values):
    return np.array([float(x) for x in values])


@pytest.fixture(scope="module", params=["joined", "replay.js"])
def in_node(request, tmp_path_factory):
    """(cases, the page's answers): the joined module as anywidget gets it, or replay.js as the
    static site serves it."""
    node = _node()
    if request.param == "joined":
        module = tmp_path_factory.mktemp("page") / "page.mjs"
        module.write_text(esm.joined(), encoding="utf-8")
    else:
        module = REPLAY_JS
    replays = [{"name": f"{log}-{i}", "log": log, "settings": s} for log in LOGS for i, s in enumerate(SETTINGS)]
    cases = {"replays": [{"name": c["name"], "norms": LOGS[c["log"]]().tolist(), "options": _camel(c["settings"])}
                         for c in replays],
             "texts": [{"name": n, "text": t} for n, (t, _) in {**FORMATS, **BAD_FORMATS}.items()]
             + [{"name": "example", "text": EXAMPLE.read_text(encoding="utf-8")}]}
    run = subprocess.run([node, str(HARNESS), str(module)], input=json.dumps(cases), capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return replays, json.loads(run.stdout)


def test_page_replays_as_python(in_node):
    replays, page = in_node
    assert [r["name"] for r in page["replays"]] == [c["name"] for c in replays]
    for case, got in zip(replays, page["replays"]):
        r = gc.replay_thresholds(LOGS[case["log"]](), **case["settings"])
        for rule in r.RULES:
            mine, theirs = r[rule], got[rule]
            _same_thresholds(_floats(theirs["thresholds"]), mine.thresholds)
            _same_thresholds(_floats(theirs["clippedNorms"]), mine.clipped_norms)
            assert theirs["clipped"] == mine.clipped.tolist(), (case["name"], rule)
            assert (theirs["count"], theirs["fraction"]) == (mine.count, mine.fraction)


def test_page_parses_logs_as_python(in_node):
    _, page = in_node
    texts = {t["name"]: t for t in page["texts"]}
    for name, (text, _) in FORMATS.items():
        np.testing.assert_array_equal(_floats(texts[name]["values"]), gc.parse_norm_log(text))
    np.testing.assert_array_equal(_floats(texts["example"]["values"]), _example())
    for name, (_, message) in BAD_FORMATS.items():
        assert message in texts[name].get("error", ""), (name, texts[name])
        line = int(message.split()[1]) if message.startswith("line") else None
        assert texts[name]["line"] == line  # for the page to word the error in the reader's language


def test_page_refuses_what_python_refuses(tmp_path):
    node = _node()
    script = (f'import {{ replayThresholds }} from "{REPLAY_JS.as_uri()}";\n'
              "const bad = [[[], {}], [[1, NaN], {}], [[1, 0], {}], [[1], {percentile: 101}],\n"
              "  [[1], {alpha: 1}], [[1], {warmupSteps: 2.5}], [[1], {clipOption: 'median'}],\n"
              "  [[1], {maxGradNorm: 0}], [[1], {z_thresh: 2}]];\n"
              "for (const [norms, options] of bad) {\n"
              "  try { replayThresholds(norms, options); console.log('accepted'); }\n"
              "  catch (e) { console.log(e.message.split(' ')[0]); }\n}\n")
    (tmp_path / "check.mjs").write_text(script, encoding="utf-8")
    run = subprocess.run([node, str(tmp_path / "check.mjs")], capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["norms", "norms", "norms", "percentile", "alpha", "warmupSteps",
                                  "clipOption", "maxGradNorm", "options"], run.stderr
