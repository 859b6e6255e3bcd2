"""Rebuild every file in ``figures/``: ``python -m gradclip.figures [output_dir] [--lang zh]``.

Deterministic: fixed seeds, fixed sizes, Agg backend, no timestamps in the PNG metadata.
``--lang zh`` draws the same figures in Chinese into ``figures/zh/`` (``<output_dir>/zh``).
"""

import argparse
import sys
from pathlib import Path

import numpy as np

FILES = ("01_loss_surface.png", "01_regimes.png", "01_descent.gif",
         "02_layer_signals.png", "03_activations.png",
         "04_clipping_geometry.png", "04_cliff.png", "04_cliff.gif",
         "05_phase.png", "06_training.png", "05_phase_steps.gif", "06_adding.png",
         "02_through_time.png", "02_cliff_growth.gif", "03_depth_lab.png", "03_depth_lab.gif",
         "07_theory.png", "07_smoothness.gif", "08_edge_of_stability.png", "08_sharpening.gif")

#: The cliff scene shared by the figures, the notebook and the clipping explorer.
CLIFF = {"theta0": (5.0, -3.5), "lr": 1.0, "threshold": 0.5, "steps": 60,
         "xlim": (0.0, 10.0), "ylim": (-6.0, 5.0)}
#: The gradient of the clipping-geometry picture.
GEOMETRY = {"g": (3.0, 1.0), "threshold": 1.0}
REGIME_FACTORS = (0.1, 0.8, 1.8, 2.05)  # lr * lambda_max: slow, good, oscillating, divergent


def _save(fig, path):
    from .plots.localize import localize

    localize(fig)  # the titles set here, in the current language
    fig.savefig(path, dpi=100, metadata={"Software": None})


def loss_surface(path):
    """Contour and 3-D surface of the demo regression's loss."""
    import matplotlib.pyplot as plt
    from . import plots
    from .data import demo_regression

    fig = plots.loss_surface_figure(*demo_regression())
    _save(fig, path)
    plt.close(fig)


def regimes(path):
    """The four regimes: slow, good, oscillating, divergent."""
    import matplotlib.pyplot as plt
    from . import plots
    from .solvers import classify_rate, run
    from .data import demo_regression

    prob, theta0 = demo_regression()
    lam = prob.eigenvalues()[-1]
    trajs = [run(prob, theta0, f / lam, 40) for f in REGIME_FACTORS]
    labels = [f"{classify_rate(f / lam, lam)}: lr·λmax = {f:g}" for f in REGIME_FACTORS]
    fig = plots.regimes_figure(prob, trajs, labels,
                               title=f"four learning rates; the edge is 2/λmax = {2 / lam:.3g}")
    _save(fig, path)
    plt.close(fig)


def descent_gif(path):
    """A good run moving over the contour and the 3-D surface."""
    import matplotlib.pyplot as plt
    from . import plots
    from .plots import animation
    from .solvers import run
    from .data import demo_regression

    prob, theta0 = demo_regression()
    lam = prob.eigenvalues()[-1]
    traj = run(prob, theta0, 1.6 / lam, 40)
    xlim, ylim = plots.view_box(theta0, prob.solution())
    anim = animation.descent_animation(prob, traj, xlim, ylim, surface=True, max_frames=41)
    animation.save_gif(anim, path, fps=8, dpi=60)
    plt.close(anim.scene.fig)


def clipping_geometry(path):
    """Box vs ball: value clipping turns the gradient, norm clipping keeps its direction."""
    import matplotlib.pyplot as plt
    from . import plots

    fig, ax = plt.subplots(figsize=(6.6, 4.0), layout="constrained")
    plots.plot_clipping_geometry(ax, GEOMETRY["g"], GEOMETRY["threshold"])
    ax.set_title("value clipping changes the direction, norm clipping does not")
    _save(fig, path)
    plt.close(fig)


def cliff_runs():
    """The unclipped and norm-clipped runs on the cliff (``CLIFF`` settings)."""
    from .problems import CliffRNN
    from .solvers import run

    prob = CliffRNN()
    c = CLIFF
    raw = run(prob, c["theta0"], c["lr"], c["steps"])
    clipped = run(prob, c["theta0"], c["lr"], c["steps"], clip="norm", threshold=c["threshold"])
    return prob, raw, clipped


def cliff(path):
    """The cliff with and without clipping."""
    import matplotlib.pyplot as plt
    from . import plots

    prob, raw, clipped = cliff_runs()
    fig, ax = plt.subplots(figsize=(7, 5.2), layout="constrained")
    plots.plot_cliff(ax, prob, raw, clipped, CLIFF["xlim"], CLIFF["ylim"])
    ax.set_title(f"the cliff of a one-unit RNN (T = {prob.T}), lr = {CLIFF['lr']:g}")
    _save(fig, path)
    plt.close(fig)


def cliff_gif(path):
    """Unclipped and clipped runs side by side on the cliff."""
    import matplotlib.pyplot as plt
    from .plots import animation

    prob, raw, clipped = cliff_runs()
    labels = ["no clipping", f"clip by norm ≤ {CLIFF['threshold']:g}"]
    anim = animation.side_by_side_animation(prob, [raw, clipped], labels, CLIFF["xlim"],
                                            CLIFF["ylim"], max_frames=31)
    animation.save_gif(anim, path, fps=5, dpi=56)
    plt.close(anim.scene.fig)


def _layer_data():
    """The data of notebooks 02 and 03: the first two draws of ``default_rng(0)``."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(64, 32)), rng.normal(size=(64, 32))


def _signals(configs):
    from .nets import MLP

    X, y = _layer_data()
    return {label: MLP([32] * 21, activation=act, weight_scale=scale, seed=0).backprop_norms(X, y)
            for label, act, scale in configs}


def layer_signals(path):
    """Notebook 02: the gradient reaching each layer of 20-layer linear nets (exploding)."""
    import matplotlib.pyplot as plt
    from .plots import nets as netplots

    signals = _signals([(f"linear, weight scale {s}", "linear", s) for s in (0.5, 1.0, 2.0)])
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    netplots.plot_layer_signals(ax, signals)
    ax.set_title("20 layers: each multiplies the backward signal by about the weight scale")
    _save(fig, path)
    plt.close(fig)


def activations(path):
    """Notebook 03: the same for sigmoid, tanh and ReLU nets (vanishing)."""
    import matplotlib.pyplot as plt
    from .plots import nets as netplots

    signals = _signals([(f"{a}, scale {s:.3g}", a, s) for a, s in
                        [("sigmoid", 1.0), ("tanh", 1.0), ("relu", 1.0), ("relu", 2 ** 0.5)]])
    fig, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    netplots.plot_layer_signals(ax, signals)
    ax.set_title("20 layers: sigmoid slopes (≤ 1/4) make the gradient vanish")
    _save(fig, path)
    plt.close(fig)


def phase(path):
    """Notebook 05: (lr, threshold) phase diagrams of norm clipping, regression and cliff."""
    import matplotlib.pyplot as plt
    from .plots import sweeps as sweepplots
    from .data import demo_regression
    from .problems import CliffRNN
    from .solvers import sweep

    prob, _ = demo_regression()
    edge = prob.max_stable_lr()
    reg = sweep(prob, np.zeros(2), np.geomspace(edge / 100, 3 * edge, 60), np.geomspace(0.01, 100, 60),
                steps=200, clip="norm")
    cliff_sweep = sweep(CliffRNN(), [4.5, -2.8], np.geomspace(0.03, 3, 40), np.geomspace(0.01, 10, 40),
                        steps=300, clip="norm")
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    m1 = sweepplots.plot_phase(axes[0], reg, edge=edge, title="linear regression, clip by norm",
                               vmax=50)
    fig.colorbar(m1, ax=axes[0], label="loss after 200 steps")
    m2 = sweepplots.plot_phase(axes[1], cliff_sweep, title="CliffRNN, clip by norm", vmin=1e-6,
                               vmax=0.1, solved=("abs", 0.01))
    fig.colorbar(m2, ax=axes[1], label="loss after 300 steps")
    _save(fig, path)
    plt.close(fig)


def training(path):
    """Notebook 06: an exploding ReLU net trained with and without global-norm clipping."""
    import matplotlib.pyplot as plt
    from .plots import nets as netplots
    from .nets import MLP
    from .training import train

    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 8))
    y = np.tanh(X @ rng.normal(size=(8, 1)) / 3)
    net = MLP([8] + [32] * 6 + [1], activation="relu", weight_scale=2.0, seed=1)
    runs = {"no clipping": train(net, X, y, lr=0.3, steps=300),
            "global norm 1.0": train(net, X, y, lr=0.3, steps=300, clip="global_norm", threshold=1.0)}
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.0, 3.8), layout="constrained")
    netplots.plot_training(ax1, ax2, runs, threshold=1.0)
    _save(fig, path)
    plt.close(fig)


def phase_steps(path):
    """Notebook 05: norm-clipping phase diagrams (regression, CliffRNN) as the steps grow."""
    from .plots import practice

    practice.phase_steps_gif(path)


def adding(path):
    """Notebook 06: an RNN on the adding problem (T = 30), lr 0.3, with and without
    global-norm clipping at 1 (1500 steps, mini-batches of 64, as in the notebook)."""
    import matplotlib.pyplot as plt
    from .data import adding_problem
    from .plots import practice
    from .rnn import RNN
    from .training import train

    X, y = adding_problem(1000, 30, seed=0)
    net = RNN(2, 32, 1, spectral_radius=1.2, seed=0)
    runs = {"no clipping": train(net, X, y, lr=0.3, steps=1500, batch_size=64, seed=0),
            "global norm ≤ 1": train(net, X, y, lr=0.3, steps=1500, clip="global_norm", threshold=1.0,
                                     batch_size=64, seed=0)}
    fig = practice.adding_figure(runs, threshold=1.0)
    fig.suptitle("RNN on the adding problem (T = 30), lr 0.3: the unclipped run overflows", fontsize="medium")
    _save(fig, path)
    plt.close(fig)


def through_time(path):
    """Notebook 02: ||dL/dh_t|| of a linear RNN at spectral radius 0.9, 1 and 1.1 (T = 100)."""
    import matplotlib.pyplot as plt
    from .plots import rnn

    fig = rnn.through_time_figure()
    _save(fig, path)
    plt.close(fig)


def cliff_growth(path):
    """Notebook 02: CliffRNN's wall forming as the sequence length T grows from 2 to 60."""
    from .plots import rnn

    rnn.cliff_growth_gif(path)


def depth_lab(path):
    """Notebook 03: the depth lab's panels for 50 tanh layers with skips, after 40 steps."""
    import matplotlib.pyplot as plt
    from .plots import depth

    fig = depth.depth_lab_trained_figure()
    _save(fig, path)
    plt.close(fig)


def depth_lab_gif(path):
    """Notebook 03: the same 40 training steps, 4 per frame."""
    from .plots import depth

    depth.depth_lab_gif(path)


def theory_overview(path):
    """Notebook 07: steps on x^4, heavy-tailed noise, per-example clipping."""
    from .plots import theoryfigs

    theoryfigs.overview_png(path)


def smoothness_gif(path):
    """Notebook 07: fixed against clipped steps on x^4 from x0 = 10."""
    from .plots import theoryfigs

    theoryfigs.smoothness_gif(path)


def eos_overview(path):
    """Notebook 08: the toy (1 - xy)^2/2, a small net's sharpness against 2/lr, the catapult."""
    from .plots import eos

    eos.overview_png(path)


def sharpening_gif(path):
    """Notebook 08: a small net's sharpness rising to 2/lr and hovering there."""
    from .plots import eos

    eos.sharpening_gif(path)


BUILDERS = dict(zip(FILES, (loss_surface, regimes, descent_gif, layer_signals, activations,
                            clipping_geometry, cliff, cliff_gif, phase, training, phase_steps, adding,
                            through_time, cliff_growth, depth_lab, depth_lab_gif, theory_overview,
                            smoothness_gif, eos_overview, sharpening_gif)))


def main(argv=None, output_dir=None):
    """Write every figure into ``output_dir`` (default: the repository's ``figures/``).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``FILES``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--only", action="append", choices=FILES, default=None,
                        help="build only this file (repeatable)")
    parser.add_argument("--lang", default="en", choices=("en", "zh"),
                        help="language of the figures' words; zh writes into the folder zh/")
    args = parser.parse_args([] if argv is None else argv)
    out = Path(output_dir or args.output_dir or Path(__file__).resolve().parents[1] / "figures")
    if args.lang != "en":
        out = out / args.lang
    if out.exists() and not out.is_dir():
        raise ValueError(f"output_dir must be a directory, got {out}")
    out.mkdir(parents=True, exist_ok=True)

    import matplotlib

    matplotlib.use("Agg")
    from .style import setup

    from .i18n import language, set_language

    before = language()
    setup(seed=0, lang=args.lang)
    written = []
    try:
        for name, build in BUILDERS.items():
            if args.only and name not in args.only:
                continue
            build(out / name)
            written.append(out / name)
    finally:
        set_language(before)
    return written


if __name__ == "__main__":
    for p in main(sys.argv[1:]):
        print(f"wrote {p} ({p.stat().st_size / 1e3:.0f} kB)")
    np.seterr()
