"""The training explorer: an RNN on the adding problem, with and without global-norm clipping.

A tanh RNN (32 units, recurrent weights of spectral radius 1.2) trained by mini-batch SGD
(batch 64) on :func:`gradclip.adding_problem`. Sliders: learning rate, clipping threshold and
sequence length T. Left, the mini-batch loss of the unclipped run (dashed) and of the clipped
run; right, the clipped run's raw global gradient norm with the threshold and its clipped
steps. A training run takes about a second, so every control is kernel-backed: releasing a
slider asks the kernel to train both runs (the page shows "computing…"); the state the
explorer was built with is stored with it, for a page without a kernel.

The two runs of the default cell (:data:`STORED_CELL`, what notebook 06 shows) are read from
``data/training_runs.npz`` instead of trained again at every build (0.8 s of the 0.9 s a build
took); a test trains them again and compares them bit for bit, and :func:`write_stored_runs`
rewrites the file.
"""

from pathlib import Path

import numpy as np

from ..data import adding_problem
from ..rnn import RNN
from ..style import PALETTE
from ..training import Training, train
from .controls import check_int
from .figure import PROJECTOR_DPI, few_ticks, key
from .stage import Stage, at, between, switch, value, where
from ..threads import blas_threads

__all__ = ["LR_VALUES", "THRESHOLD_VALUES", "T_VALUES", "STORED_CELL", "adding_runs", "training_explorer",
           "write_stored_runs"]

LR_VALUES = np.array([0.03, 0.1, 0.3, 1.0])
THRESHOLD_VALUES = np.array([0.1, 0.3, 1.0, 3.0, 10.0])
T_VALUES = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
HIDDEN, RADIUS, BATCH, N_TRAIN = 32, 1.2, 64, 1000  # as notebook 06
_RUNS = {}
CAP = 1e30
#: ``(lr, threshold, T, steps, seed)`` of the runs kept in :data:`STORED`: the explorer's default.
STORED_CELL = (0.3, 1.0, 30, 500, 0)
STORED = Path(__file__).parent / "data" / "training_runs.npz"
_RUN_FIELDS = ("losses", "grad_norms", "clipped")


def adding_runs(lr, threshold, T, steps=500, seed=0):
    """Train the explorer's RNN at ``lr`` without clipping and with global-norm clipping at
    ``threshold``, on sequences of length ``T``; return ``{"none": (Training, test_loss),
    "global_norm": (Training, test_loss)}``.

    The data: 1000 training and 1000 test sequences (``adding_problem(1000, T, seed)`` and
    ``seed + 1``); the net: ``RNN(2, 32, 1, spectral_radius=1.2, seed=seed)``; mini-batches of
    64 drawn with ``seed``. The test loss is NaN for a run that diverged. Results are kept in
    memory (the unclipped run is shared by every threshold).

    Examples
    --------
    >>> runs = adding_runs(0.3, 1.0, 10, steps=20)
    >>> sorted(runs), runs["global_norm"][0].losses.shape
    (['global_norm', 'none'], (21,))
    """
    T = int(T)
    keys = {clip: (clip, float(lr), thr, T, int(steps), int(seed))
            for clip, thr in ((None, None), ("global_norm", float(threshold)))}
    missing = [clip for clip, key_ in keys.items() if key_ not in _RUNS]
    if missing:
        runs = None
        if (float(lr), float(threshold), T, int(steps), int(seed)) == STORED_CELL and STORED.exists():
            runs = read_stored_runs()
        if runs is None:
            runs = _train_runs(lr, threshold, T, steps, seed, missing)
        if len(_RUNS) > 64:
            _RUNS.clear()
        for clip in missing:
            _RUNS[keys[clip]] = runs[clip or "none"]
    return {clip or "none": _RUNS[key_] for clip, key_ in keys.items()}


def _train_runs(lr, threshold, T, steps, seed, clips=(None, "global_norm")):
    """The runs of :func:`adding_runs` (those of ``clips``), trained."""
    X, y = adding_problem(N_TRAIN, T, seed=seed)
    Xt, yt = adding_problem(N_TRAIN, T, seed=seed + 1)
    net = RNN(2, HIDDEN, 1, spectral_radius=RADIUS, seed=seed)
    out = {}
    for clip in clips:
        thr = None if clip is None else float(threshold)
        with blas_threads(1):  # small products: threads cost more than they save
            r = train(net, X, y, lr=lr, steps=steps, clip=clip, threshold=thr, batch_size=BATCH, seed=seed)
            test = np.nan if r.diverged_at is not None else net.loss(Xt, yt, r.params)
        out[clip or "none"] = (r, test)
    return out


def _stored_key():
    """The cell and the net, data and batch sizes the stored runs were trained with."""
    return np.array(STORED_CELL + (HIDDEN, RADIUS, BATCH, N_TRAIN), dtype=np.float64)


def write_stored_runs(path=None):
    """Train the runs of :data:`STORED_CELL` and write them to ``path`` (default :data:`STORED`):
    losses, gradient norms, clipped steps, final parameters, the step of divergence (-1: none)
    and the test loss of each run, float64 as computed."""
    arrays = {}
    for name, (r, test) in _train_runs(*STORED_CELL).items():
        for field in _RUN_FIELDS:
            arrays[f"{name}/{field}"] = getattr(r, field)
        for i, p in enumerate(r.params):
            arrays[f"{name}/param{i}"] = p
        arrays[f"{name}/diverged_at"] = np.array(-1 if r.diverged_at is None else r.diverged_at)
        arrays[f"{name}/test"] = np.array(test)
    arrays["cell"] = _stored_key()
    path = Path(STORED if path is None else path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def read_stored_runs(path=None):
    """The runs of :data:`STORED_CELL` as :func:`adding_runs` returns them, read from ``path``
    (default :data:`STORED`); None if they were written for another cell or net."""
    with np.load(STORED if path is None else path) as f:
        if not np.array_equal(f["cell"], _stored_key()):
            return None
        out = {}
        for name in ("none", "global_norm"):
            k = int(f[f"{name}/diverged_at"])
            params = [f[f"{name}/param{i}"] for i in range(5)]
            r = Training(*(f[f"{name}/{field}"] for field in _RUN_FIELDS), params, None if k < 0 else k)
            out[name] = (r, float(f[f"{name}/test"]))
    return out


class _Table:
    """Every run computed so far, as arrays over (lr, threshold, T[, step]); NaN = not yet."""

    def __init__(self, steps):
        shape = (len(LR_VALUES), len(THRESHOLD_VALUES), len(T_VALUES))
        self.a = {name: np.full(shape + (steps + 1,), np.nan)
                  for name in ("loss_none", "loss_clip", "gn_none", "gn_clip", "clipped")}
        for name in ("k_none", "k_clip", "test_none", "test_clip", "share"):
            self.a[name] = np.full(shape, np.nan)
        self.a["done"] = np.zeros(shape)

    def fill(self, values, runs):
        i = int(np.argmin(np.abs(np.log(LR_VALUES / values["lr"]))))
        j = int(np.argmin(np.abs(np.log(THRESHOLD_VALUES / values["threshold"]))))
        k = int(np.argmin(np.abs(T_VALUES - values["T"])))
        pad = lambda x: np.concatenate([x, [np.nan]])  # noqa: E731
        for mode, cells in (("none", (i, slice(None), k)), ("clip", (i, j, k))):
            r, test = runs["none" if mode == "none" else "global_norm"]
            with np.errstate(invalid="ignore"):  # beyond the axes: capped so float32 holds it
                self.a[f"loss_{mode}"][cells] = np.minimum(r.losses, CAP)
                self.a[f"gn_{mode}"][cells] = np.minimum(pad(r.grad_norms), CAP)
            self.a[f"k_{mode}"][cells] = -1.0 if r.diverged_at is None else float(r.diverged_at)
            self.a[f"test_{mode}"][cells] = min(test, CAP)
        r = runs["global_norm"][0]
        self.a["clipped"][i, j, k] = pad(r.clipped.astype(float))
        self.a["share"][i, j, k] = 100.0 * np.mean(r.clipped[np.isfinite(r.grad_norms)])
        self.a["done"][i, j, k] = 1.0
        return {name: a.copy() for name, a in self.a.items()}


def training_explorer(lr=0.3, threshold=1.0, T=30, steps=500, seed=0, preset=None):
    """Learning rate, threshold and T sliders over RNN training on the adding problem.

    Parameters
    ----------
    lr : {0.03, 0.1, 0.3, 1}
    threshold : {0.1, 0.3, 1, 3, 10}
        Global-norm clipping threshold of the clipped run.
    T : {10, 20, 30, 40, 50}
        Sequence length.
    steps : int
        Training steps per run (20 .. 3000).
    seed : int
        Data, initialisation and mini-batch seed.
    preset : str, optional
        E.g. ``"lr=0.3;threshold=1;T=30"``.

    Returns
    -------
    Explorer
        Releasing a slider calls ``explorer.request("train", lr=..., threshold=..., T=...)``.
    """
    steps = check_int("steps", steps, 20, 3000)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    from matplotlib.figure import Figure

    from ..style import is_presentation

    fig = Figure(figsize=(9.4, 3.9), dpi=PROJECTOR_DPI if is_presentation() else 100.0)
    axl, axg = fig.add_axes((0.075, 0.14, 0.4, 0.68)), fig.add_axes((0.585, 0.14, 0.4, 0.68))
    st = Stage("training", fig)
    st.slider("lr", LR_VALUES, label="lr")
    st.slider("threshold", THRESHOLD_VALUES, label="threshold")
    st.slider("T", T_VALUES, label="T (sequence length)", fmt="", log=False)
    vals = {"lr": st.controls["lr"].check(lr), "threshold": st.controls["threshold"].check(threshold),
            "T": st.controls["T"].check(T)}

    # ---- static layer
    for ax in (axl, axg):
        ax.set_yscale("log")
        ax.set_xlim(0, steps)
        ax.set_xlabel("step")
    axl.set_ylim(1e-3, 1e3)
    axl.axhline(1 / 12, color="0.3", lw=1, ls=":")
    axl.set_ylabel("mini-batch loss")
    axl.set_title("training loss", fontsize="medium")
    key(axl, [("-- no clipping", PALETTE["divergent"]), ("— global norm ≤ threshold", PALETTE["good"]),
              ("··· predicting 1: loss 1/12", "#4d4d4d")])
    axg.set_ylim(1e-3, 1e7)
    axg.set_ylabel("‖g‖ before clipping")
    axg.set_title("global gradient norm", fontsize="medium")
    key(axg, [("-- no clipping", PALETTE["divergent"]), ("— clipped run", PALETTE["raw"]),
              ("● clipped step", PALETTE["clipped"]), ("-- threshold", PALETTE["clipped"])])
    few_ticks(axl, axg)
    st.freeze()

    # ---- arrays: every run computed so far (the kernel adds runs and sends the table)
    table = _Table(steps)
    arrays = table.fill(vals, adding_runs(vals["lr"], vals["threshold"], vals["T"], steps, seed))
    ql, qg = st.quantum(axl, "y"), st.quantum(axg, "y")
    cell = ("lr", "threshold", "T")
    st.array("step", np.arange(steps + 1), ("pts",), integer=True)
    for name in ("loss_none", "loss_clip"):
        st.array(name, arrays[name], cell + ("pts",), quantum=min(ql, 0.002), log=True)
    for name in ("gn_none", "gn_clip"):
        st.array(name, arrays[name], cell + ("pts",), quantum=qg, log=True)
    st.array("clipped", arrays["clipped"], cell + ("pts",), integer=True)
    for name in ("k_none", "k_clip", "done"):
        st.array(name, arrays[name], cell, integer=True)
    for name in ("test_none", "test_clip"):
        st.array(name, arrays[name], cell, quantum=2e-4, log=True)
    st.array("share", arrays["share"], cell, quantum=0.1)

    # ---- what moves
    st.line(axl, "step", "loss_none", along="pts", color=PALETTE["divergent"], ls="--", lw=1.2, z=2)
    st.line(axl, "step", "loss_clip", along="pts", color=PALETTE["good"], lw=1.0, z=3)
    st.line(axg, "step", "gn_none", along="pts", color=PALETTE["divergent"], ls="--", lw=1.2, z=2)
    st.line(axg, "step", "gn_clip", along="pts", color=PALETTE["raw"], lw=1.0, z=3)
    st.markers(axg, "step", "gn_clip", along="pts", mask="clipped", ms=3, color=PALETTE["clipped"], z=4)
    st.hline(axg, value("threshold"), color=PALETTE["clipped"], ls="--", lw=1.3, z=5)
    st.text(axl, 0.5, 0.5, "lr {lr:.3g}, T = {T}, threshold {thr:.3g}: not trained yet",
            fields={"lr": value("lr"), "T": value("T"), "thr": value("threshold")}, ha="center",
            va="center", size=11.0, color="#4d4d4d", visible=between(at("done"), -0.5, 0.5))
    k_free, k_clip = at("k_none"), at("k_clip")
    diverged = between(k_clip, 0, steps)
    free_diverged = between(k_free, 0, steps)
    head = "lr {lr:.3g} · T {T} · threshold {thr:.3g}: "
    clipped_ok = head + "clipped: test loss {tc:.3g}, {share:.0f} % of steps clipped"
    st.status([head + "not trained yet (release the slider: the kernel trains it in a few seconds)",
               clipped_ok + " — unclipped: overflow at step {kf}",
               clipped_ok + " — unclipped: test loss {tf:.3g}",
               head + "even the clipped run diverged (step {kc})"],
              case=where(at("done"), where(diverged, 3, where(free_diverged, 1, 2)), 0),
              fields={"lr": value("lr"), "T": value("T"), "thr": value("threshold"),
                      "tc": at("test_clip"), "tf": at("test_none"), "share": at("share"),
                      "kc": k_clip, "kf": k_free},
              color=switch(diverged, ["#333333", PALETTE["divergent"]]), size=10.5)

    def handler(values):
        runs = adding_runs(values["lr"], values["threshold"], values["T"], steps, seed)
        return {"arrays": table.fill(values, runs)}

    st.request("train", ["lr", "threshold", "T"], handler, computed=vals)
    return st.build(vals, preset)
