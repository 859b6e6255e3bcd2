"""Predict first: the learner commits a guess on one of an explorer's controls, then sees.

:func:`ask` turns an explorer into a question: while the learner predicts, the page hides the
moving artists it names (all of them by default) and the status line, and locks the other
controls (the answer holds for their values); the learner moves the asked control to a guess
and commits (``button.gc-commit``); the page then draws everything and says, in words, how far
the guess was from the truth (``output.gc-verdict``); "try again" hides it again. The truth
ships in the spec (``spec["predict"]``), so it works without a kernel; nothing is sent.

:func:`verdict` is the Python twin of the page's sentence (``static/explorer/predict.js``).
:data:`QUESTIONS` holds the questions the notebooks ask, by factory and name; each computes its
truth from the explorer's problem or its stored runs. A factory called with ``predict="name"``
(see :mod:`gradclip.widgets`) asks it.

Examples
--------
>>> from gradclip import widgets
>>> ex = widgets.condition_explorer(preset="condition=10;lr=1;steps=30", max_steps=40)
>>> _ = ask(ex, "lr", 2.0, "Where does the run start to diverge?", "the edge 2/λmax")
>>> verdict(ex, 1.9)  # snapped to the slider's 1.88
'You said 1.88; the edge 2/λmax is 2: 6 % below.'
>>> verdict(ex, 1.995)
'You said 2; the edge 2/λmax is 2: right, 0 % below.'
"""

import numpy as np

from . import words

__all__ = ["WORDS", "ask", "verdict", "spec_verdict", "QUESTIONS", "attach"]

#: The words of a question, in English (translated through the catalog): the buttons and the
#: verdict's templates (``{guess}``, ``{truth}``: formatted like the control's readout;
#: ``{pct}``: the distance in % of the truth; ``{what}``: what the truth is).
WORDS = {"commit": "check my prediction", "again": "try again",
         "below": "You said {guess}; {what} is {truth}: {pct} % below.",
         "above": "You said {guess}; {what} is {truth}: {pct} % above.",
         "right": "You said {guess}; {what} is {truth}: right, {pct} % {side}.",
         "side_below": "below", "side_above": "above"}


def ask(ex, control, truth, question, what, hide=None, tolerance=0.05, fmt=None, cover=()):
    """Make ``ex`` ask the learner to predict ``truth`` with ``control`` before it shows.

    Parameters
    ----------
    ex : Explorer
        Changed in place (its spec gets ``predict``; its ``strings`` the buttons' words).
    control : str
        A slider, integer slider or player of ``ex``; the guess is its value.
    truth : float
        The answer, in the control's units (finite, non-zero).
    question, what : str
        The question shown above the picture, and what the truth is ("the edge 2/λmax"),
        in English (translated into the explorer's language).
    hide : sequence of int, optional
        The artists (indices in ``spec["artists"]``) hidden until the learner commits
        (default: every one); the status line is hidden too.
    tolerance : float
        A guess within this fraction of the truth is called right.
    fmt : str, optional
        The format of the truth (default: the control's readout format, ``.3g`` for integers).
    cover : sequence of int
        Axes (indices in ``spec["axes"]``) whose box the page covers while the learner
        predicts: the outcome drawn in the static picture (a phase map, say).

    Returns
    -------
    Explorer
        ``ex``.
    """
    c = ex.controls.get(control)
    if c is None or c.kind not in ("slider", "int", "player"):
        raise ValueError(f"control must name a slider, integer slider or player of the explorer, "
                         f"got {control!r}")
    truth = float(truth)
    if not np.isfinite(truth) or truth == 0:
        raise ValueError(f"truth must be a finite non-zero number, got {truth!r}")
    if not 0 <= float(tolerance) < 1:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
    n = len(ex.spec["artists"])
    hide = list(range(n)) if hide is None else [int(i) for i in hide]
    if any(not 0 <= i < n for i in hide):
        raise ValueError(f"hide must list artist indices 0..{n - 1}, got {hide!r}")
    cover = [int(i) for i in cover]
    if any(not 0 <= i < len(ex.spec["axes"]) for i in cover):
        raise ValueError(f"cover must list axes indices 0..{len(ex.spec['axes']) - 1}, got {cover!r}")
    fmt = fmt or (c.fmt if c.kind == "slider" else ".3g")
    lang = ex.lang
    ex.spec["predict"] = {
        "control": control, "truth": truth, "fmt": fmt, "tolerance": float(tolerance),
        "hide": hide, "cover": cover, "question": words.text(question, lang), "what": words.text(what, lang),
        "templates": {k: words.text(WORDS[k], lang) for k in ("below", "above", "right")},
        "sides": [words.text(WORDS["side_below"], lang), words.text(WORDS["side_above"], lang)]}
    ex.spec["strings"] = dict(ex.spec["strings"], commit=words.text(WORDS["commit"], lang),
                              again=words.text(WORDS["again"], lang))
    return ex


def verdict(ex, guess):
    """The sentence the page shows when the learner commits ``guess`` (snapped to the control).

    Raises
    ------
    ValueError
        If ``ex`` asks no question, or for a guess outside the control's range.
    """
    p = ex.spec.get("predict")
    if p is None:
        raise ValueError("the explorer asks no question: call ask(ex, ...) first")
    c = ex.controls[p["control"]]
    return spec_verdict(ex.to_spec(), c.position(c.check(guess)))


def spec_verdict(spec, position):
    """The verdict for the asked control at ``position``, from a spec alone (as the page,
    ``verdictText`` of ``static/explorer/predict.js``, makes it)."""
    from .controls import format_value

    p = spec["predict"]
    c = next(d for d in spec["controls"] if d["name"] == p["control"])
    g, shown = (c["values"][position], c["labels"][position]) if c["kind"] == "slider" \
        else (position, str(position))
    t = p["truth"]
    off = abs(g - t) / abs(t)
    case = "right" if off <= p["tolerance"] else "below" if g < t else "above"
    return p["templates"][case].format(
        guess=shown, truth=format_value(t, p["fmt"]), pct=format_value(100 * off, ".0f"),
        what=p["what"], side=p["sides"][0 if g < t else 1])


def _lines(ex, ys):
    """The indices of the explorer's lines whose y is one of the arrays ``ys`` (the runs)."""
    return [i for i, a in enumerate(ex.spec["artists"]) if a["type"] == "line" and a["y"] in ys]


def _settle_step(ex, args):
    """eos_explorer: the snapshot from which the sharpness stays within 10 % of 2/lr (the
    left panel, every rate's trace, is covered while predicting)."""
    st = ex._stage
    i = st.controls["lr"].position(ex.values["lr"])
    win = int(st._raw["win"][i])
    if win < 0:
        raise ValueError(f"eos_explorer: lr={ex.values['lr']} never reaches the edge; "
                         "ask at a rate that does")
    every = int(st._raw["snap"][1] - st._raw["snap"][0])
    return ask(ex, "t", win / every,
               f"Predict first: at lr = {ex.values['lr']:.3g}, move the training slider to the "
               "snapshot from which the sharpness stays within 10 % of 2/lr, then check.",
               "the snapshot where it settles", hide=_lines(ex, ("ratio", "lam", "loss", "loss_t")),
               fmt=".3g", cover=[0])  # the grey traces of every rate show it too


def _steps_below(ex, args, target=0.01):
    """condition_explorer: the first step where J - Jmin of the shown run falls below ``target``."""
    st = ex._stage
    pos = tuple(st.controls[k].position(ex.values[k]) for k in ("condition", "lr"))
    below = np.nonzero(st._raw["excess"][pos] < target)[0]
    if below.size == 0:
        raise ValueError(f"condition_explorer: the run never gets below {target} within "
                         f"{st.controls['steps'].hi} steps; ask elsewhere")
    return ask(ex, "steps", int(below[0]),
               "Predict first: move steps to where you think J − Jₘᵢₙ falls below 0.01, "
               "then check.", "the first step below 0.01", hide=_lines(ex, ("y", "excess")), fmt="d")


def _peak(ex, args):
    """cliff_explorer: the T where the product of the factors is largest (the turn)."""
    st = ex._stage
    pos = tuple(st.controls[k].position(ex.values[k]) for k in ("w", "offset"))
    prod = np.abs(st._raw["prod"][pos])
    return ask(ex, "T", int(np.argmax(prod[1:]) + 1),
               "Predict first: move T to the step where the product of the factors is largest, "
               "then check.", "the T of the largest product", hide=_lines(ex, ("x", "f", "prod")),
               fmt="d")


def _wall(ex, args):
    """clipping_explorer: the fewest steps at which the norm panel (gradients at steps
    0 .. steps - 1) shows the largest gradient norm of the shown clipped run within its
    ``steps`` (its hardest hit on the cliff's wall): that norm's index + 1."""
    st, vals = ex._stage, ex.values
    mode = vals["clip"]
    if mode == "none":
        raise ValueError("clipping_explorer: ask with clip 'value' or 'norm'")
    pos = tuple(st.controls[k].position(vals[k]) for k in ("lr", "threshold"))
    gn = st._raw[f"gn_{mode}"][pos][:vals["steps"]]
    return ask(ex, "steps", int(np.nanargmax(gn)) + 1,  # the norm panel draws 0 .. steps - 1
               f"Predict first: the clipped run hits the wall more than once in {vals['steps']} "
               "steps. Move steps to the fewest steps whose norm panel already shows the largest "
               "gradient norm, then check.", "the fewest steps showing the largest norm",
               hide=_lines(ex, tuple(f"{k}_{m}" for k in ("y", "gn", "sl") for m in ("none", mode))),
               fmt="d")


def _momentum_edge(ex, args):
    """momentum_explorer: the largest lr on the slider whose run does not diverge, the last
    slider value below the heavy-ball edge 2 (1 + β) / λmax of its quadratic."""
    st, beta = ex._stage, ex.values["beta"]
    b = st.controls["beta"].position(beta)
    kept = np.nonzero(st._raw["diverged_at"][b] < 0)[0]
    if kept.size == 0:
        raise ValueError(f"momentum_explorer: every run at beta={beta} diverges; ask elsewhere")
    return ask(ex, "lr", float(st.controls["lr"].values[kept[-1]]),
               f"Predict first: with momentum β = {beta:.2g}, move lr to the largest rate on the "
               "slider whose run still converges, then check.",
               "the largest lr that converges",
               hide=range(1, len(ex.spec["artists"])))  # the start stays


def _depth_tenth(ex, args):
    """depth_explorer: the smallest depth on the slider where, at initialization, layer 1's
    gradient is below 1/10 of the last layer's (the other settings as shown)."""
    st, vals = ex._stage, ex.values
    pos = tuple(st.controls[k].position(vals[k]) for k in ("activation", "init", "residual"))
    first = st._raw["first_0"][(slice(None),) + pos]
    below = np.nonzero(first < 0.1)[0]
    if below.size == 0:
        raise ValueError("depth_explorer: layer 1 keeps a tenth of the gradient at every depth here")
    depths = st.controls["depth"].values
    return ask(ex, "depth", float(depths[below[0]]),
               "Predict first: with the activation and init shown, this net (one weight draw, "
               "seed 0) at step 0, move depth to the smallest depth where layer 1 gets less than "
               "1/10 of the last layer's gradient, then check.", "the smallest such depth",
               hide=_lines(ex, ("g_0", "g_t", "r_0", "r_t")))  # r: lr x gradient / weight


def _solved_lr(ex, args):
    """phase_explorer: the largest lr on the slider whose run is solved after ``steps`` steps
    at the shown problem, clip mode and threshold (the map is covered while predicting)."""
    st, vals = ex._stage, ex.values
    j = st.controls["threshold"].position(vals["threshold"])
    solved = np.nonzero(st._raw["solved"][:, j, vals["steps"]])[0]
    if solved.size == 0:
        raise ValueError("phase_explorer: no run of this threshold is solved; ask elsewhere")
    return ask(ex, "lr", float(st.controls["lr"].values[solved[-1]]),
               f"Predict first: at threshold {vals['threshold']:.2g}, move lr to the largest rate "
               f"whose run is solved after {vals['steps']} steps, then check.",
               "the largest solved lr", hide=_lines(ex, ("y", "gn")), cover=[0])


def _share(ex, args, share=0.1):
    """threshold_explorer: the smallest threshold on the slider whose clipped share of the
    measured norms is at most 10 % (:func:`gradclip.selection.threshold_for_share`); the
    clipped steps are hidden while predicting."""
    from ..selection import threshold_for_share

    truth = threshold_for_share(ex._stage._raw["norm"], share, candidates=ex.controls["threshold"].values)
    return ask(ex, "threshold", truth,
               "Predict first: drag c to the smallest threshold that clips at most 10 % of the "
               "steps, then check.", "the smallest c clipping at most 10 %",
               hide=[i for i, a in enumerate(ex.spec["artists"]) if a.get("mask")])


#: factory name -> question name -> ``f(explorer, factory arguments)`` asking it.
QUESTIONS = {"condition_explorer": {"below_0.01": _steps_below},
             "phase_explorer": {"solved": _solved_lr}, "clipping_explorer": {"wall": _wall}, "depth_explorer": {"tenth": _depth_tenth}, "momentum_explorer": {"edge": _momentum_edge},
             "cliff_explorer": {"peak": _peak}, "eos_explorer": {"settle": _settle_step},
             "threshold_explorer": {"p90": _share}}


def attach(factory, ex, name, args):
    """Ask the question ``name`` of :data:`QUESTIONS` for ``factory`` (None: ask nothing)."""
    if name is None:
        return ex
    asked = QUESTIONS.get(factory, {})
    if name not in asked:
        raise ValueError(f"predict must be one of {sorted(asked)} for {factory}, got {name!r}")
    return asked[name](ex, args)
