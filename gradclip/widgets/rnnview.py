"""The through-time explorer: a recurrent net's spectral radius against its gradient through time.

A vector RNN (:class:`gradclip.RNN`, 32 units) reads the adding problem
(:func:`gradclip.adding_problem`); its recurrent matrix is one Gaussian draw rescaled to the
spectral radius on the slider. Backpropagation through time carries ``dL/dh_t`` from the
output back to the first step, multiplying by ``W_hh^T diag(act'(z_t))`` once per step. The
left panel shows ``||dL/dh_t|| / ||dL/dh_T||`` against ``t`` with the line ``rho^(T - t)``,
the right panel the per-step factor ``||dL/dh_t|| / ||dL/dh_{t+1}||`` with ``rho`` and the
largest singular value of ``W_hh`` (Pascanu et al.'s bound on one step). Every (rho, T,
activation) state is computed once with :meth:`gradclip.RNN.hidden_grad_norms`.
"""

import numpy as np
from matplotlib.figure import Figure

from ..data import adding_problem
from ..plots.rnn import plain_log_ticks
from ..rnn import RNN, measured_factor, measured_steps
from ..style import PALETTE, is_presentation
from .controls import GridSlider, Toggle
from .figure import PROJECTOR_DPI
from .stage import COVER, Stage, at, pick, switch, value

__all__ = ["rnn_explorer", "rnn_stage", "rnn_profiles", "measured_factor", "regime_code",
           "RHOS", "LENGTHS", "ACTIVATIONS", "REGIMES", "MIN_STEPS"]

RHOS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.4, 1.5)
LENGTHS = (10, 25, 50, 100)
ACTIVATIONS = ("linear", "tanh")
REGIMES = ("vanishing", "neither (factor ≈ 1)", "exploding", "too short to tell")
REGIME_COLORS = (PALETTE["slow"], "#333333", PALETTE["divergent"], "#777777")
Y_LIM, F_LIM = (1e-20, 1e20), (0.0, 2.8)
TOLERANCE = 0.02  # |factor - 1| below this: neither regime
MIN_STEPS = 10  # fewer backward steps measured (T = 10 measures 4): no regime named


def regime_code(factor, steps=None):
    """0 vanishing, 1 neither (within 2 % of 1), 2 exploding (NaN counts as exploding); 3 too
    short to tell when fewer than ``MIN_STEPS`` backward steps were measured.

    Over 4 steps (``T = 10``) the measured factor of a linear RNN is still 4 % below its
    spectral radius (0.959 at ρ = 1 for the explorer's draw), so no regime is named there.
    """
    f = np.asarray(factor, dtype=np.float64)
    code = np.where(f < 1 - TOLERANCE, 0, np.where(f <= 1 + TOLERANCE, 1, 2))
    if steps is not None:
        code = np.where(np.asarray(steps) < MIN_STEPS, 3, code)
    return code


def rnn_profiles(rhos=RHOS, lengths=LENGTHS, activations=ACTIVATIONS, hidden=32, n=16, seed=0):
    """``||dL/dh_t||`` for every (rho, T, activation): shape ``(rho, T, act, max(T))``, NaN
    after ``T``; also ``sigma`` (largest singular value of ``W_hh``, per rho).

    The nets share one seed, so their recurrent matrices are the same draw rescaled.
    """
    tmax = max(lengths)
    out = np.full((len(rhos), len(lengths), len(activations), tmax), np.nan)
    sigma = np.zeros(len(rhos))
    data = {T: adding_problem(n, T, seed) for T in lengths}
    for i, rho in enumerate(rhos):
        for k, act in enumerate(activations):
            net = RNN(2, hidden, 1, activation=act, spectral_radius=rho, seed=seed)
            sigma[i] = np.linalg.norm(net.params[1], 2)
            for j, T in enumerate(lengths):
                out[i, j, k, :T] = net.hidden_grad_norms(*data[T])
    return out, sigma


def _figure():
    dpi = PROJECTOR_DPI if is_presentation() else 100.0
    fig = Figure(figsize=(9.4, 4.4), dpi=dpi, layout="constrained")
    fig.get_layout_engine().set(rect=(0, 0, 1, 0.9))
    return fig, fig.subplots(1, 2, width_ratios=[1.25, 1.0])


def rnn_stage(rhos=RHOS, lengths=LENGTHS, hidden=32, n=16, seed=0):
    """A :class:`Stage` with spectral-radius and length sliders and an activation toggle."""
    norms, sigma = rnn_profiles(rhos, lengths, ACTIVATIONS, hidden, n, seed)
    tmax = max(lengths)
    last = np.array([[norms[:, j, k, T - 1] for k in range(len(ACTIVATIONS))]
                     for j, T in enumerate(lengths)]).transpose(2, 0, 1)
    with np.errstate(all="ignore"):
        rel = norms / last[..., None]
        step = norms[..., :-1] / norms[..., 1:]
    factor = np.array([[measured_factor(norms[:, j, k, :T]) for k in range(len(ACTIVATIONS))]
                       for j, T in enumerate(lengths)]).transpose(2, 0, 1)
    first = rel[..., 0]

    fig, (ax, axf) = _figure()
    st = Stage("through_time", fig)
    st.slider("rho", rhos, label="spectral radius ρ", fmt=".2f", log=False)
    st.slider("T", lengths, label="sequence length T", fmt="d")
    st.toggle("activation", list(ACTIVATIONS), label="activation")
    ax.set_yscale("log")
    ax.set_xlim(0, tmax + 1)
    ax.set_ylim(*Y_LIM)
    ax.axhline(1.0, color="0.75", lw=0.8, ls=":")
    ax.set_xlabel("time step $t$ (the output reads $h_T$)")
    ax.set_ylabel(r"$\|\partial L/\partial h_t\| \,\div\, \|\partial L/\partial h_T\|$")
    ax.set_title(r"gradient reaching step $t$ (dashed: $\rho^{T-t}$)", fontsize="medium")
    plain_log_ticks(ax)
    ax.set_yticks(10.0 ** np.arange(-20, 21, 5))
    axf.set_xlim(0, tmax + 1)
    axf.set_ylim(*F_LIM)
    axf.axhline(1.0, color="0.6", lw=1.0, ls=":")
    axf.set_xlabel("time step $t$")
    axf.set_ylabel(r"$\|\partial L/\partial h_t\| \,\div\, \|\partial L/\partial h_{t+1}\|$")
    axf.set_title("factor of each backward step", fontsize="medium")
    for i, (label, color) in enumerate((("- - ρ", "0.3"), (r"- - $\sigma_{max}(W)$: largest possible factor", PALETTE["clipped"]))):
        axf.text(0.02, 0.97 - 0.08 * i, label, transform=axf.transAxes, color=color, fontsize="small",
                 va="top", gid=COVER)
    st.freeze()

    st.array("t", np.arange(1, tmax + 1), ("pt",), integer=True)
    st.array("rel", rel, ("rho", "T", "activation", "pt"), quantum=st.quantum(ax, "y"), log=True)
    step_pad = np.concatenate([step, np.full(step.shape[:-1] + (1,), np.nan)], axis=-1)
    st.array("step", step_pad, ("rho", "T", "activation", "pt"), quantum=st.quantum(axf, "y"))
    ends = np.zeros((len(rhos), len(lengths), 2))
    ends[..., 0] = np.array(rhos)[:, None] ** (np.array(lengths)[None, :] - 1)
    ends[..., 1] = 1.0
    st.array("line_y", ends, ("rho", "T", "end"), quantum=0.002, log=True)
    st.array("line_x", np.array([[1.0, T] for T in lengths]), ("T", "end"), integer=True)
    st.array("sigma", sigma, ("rho",), quantum=0.001)
    st.array("factor", factor, ("rho", "T", "activation"), quantum=0.0002)
    st.array("first", first, ("rho", "T", "activation"), quantum=0.002, log=True)
    steps = np.array([measured_steps(T) for T in lengths])
    st.array("steps", steps, ("T",), integer=True)
    st.array("regime", regime_code(factor, steps[None, :, None]), ("rho", "T", "activation"), integer=True)

    color = switch(at("regime"), REGIME_COLORS)
    st.line(ax, "line_x", "line_y", along="end", color="0.35", ls="--", lw=1.3, z=2)
    st.line(ax, "t", "rel", along="pt", color=color, lw=2.0, z=3)
    st.line(axf, "t", "step", along="pt", color=color, lw=1.4, z=3)
    st.hline(axf, value("rho"), color="0.3", lw=1.3, ls="--", z=2)
    st.hline(axf, at("sigma"), color=PALETTE["clipped"], lw=1.3, ls="--", z=2)
    st.status("{regime}: measured factor {f:.3f} per step over {n} steps · ρ = {rho:.2f}, σₘₐₓ = {sigma:.2f} · "
              "step 1 ÷ step T: {first:.2g}",
              fields={"regime": pick(at("regime"), REGIMES), "f": at("factor"), "n": at("steps"),
                      "rho": value("rho"),
                      "sigma": at("sigma"), "first": at("first")},
              color=color, size=10.5)
    return st


def rnn_explorer(rho=0.9, T=100, activation="linear", preset=None):
    """Spectral radius ρ (0.5 to 1.5) and sequence length T of a vector RNN against
    ``||dL/dh_t||``: cause vanishing and exploding gradients through time.

    Left: the gradient reaching each step ``t`` relative to the last step's, on a log
    scale, with the line ``ρ^(T−t)``; right: the factor of each backward step, with ρ and
    the largest singular value of ``W_hh``. The status names the regime and the measured
    factor per step (geometric mean over the half of the sequence furthest from the output,
    :func:`gradclip.rnn.measured_factor`). For this draw of the linear RNN it is within 0.3 %
    of ρ from ``T = 25`` on; at ``T = 10`` only 4 steps are measured and it is 4 % below ρ, so
    the status names no regime there. With tanh the measured factor is below ρ (saturation
    lowers ``tanh'``; at most 0.88 ρ for this draw), although single steps can exceed 1.

    Parameters
    ----------
    rho : float
        Initial spectral radius (snapped to 0.5, 0.6, ... 0.85, 0.9, 0.95, 1, 1.05, ... 1.5).
    T : int
        Initial sequence length: 10, 25, 50 or 100.
    activation : {"linear", "tanh"}
    preset : str, optional
        E.g. ``"rho=1.1;T=100;activation=tanh"``.

    Returns
    -------
    Explorer

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", ICML. https://arxiv.org/abs/1211.5063
    """
    values = {"rho": GridSlider("rho", RHOS, log=False).check(rho),  # checked before the build
              "T": GridSlider("T", LENGTHS).check(T),
              "activation": Toggle("activation", ACTIVATIONS).check(activation)}
    return rnn_stage().build(values, preset)
