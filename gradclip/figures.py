"""Rebuild every file in ``figures/``: ``python -m gradclip.figures [output_dir]``.

Deterministic: fixed seeds, fixed sizes, Agg backend, no timestamps in the PNG metadata.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

FILES = ("01_loss_surface.png", "01_regimes.png", "01_descent.gif",
         "04_clipping_geometry.png", "04_cliff.png", "04_cliff.gif")

#: The cliff scene shared by the figures, the notebook and the clipping explorer.
CLIFF = {"theta0": (5.0, -3.5), "lr": 1.0, "threshold": 0.5, "steps": 60,
         "xlim": (0.0, 10.0), "ylim": (-6.0, 5.0)}
#: The gradient of the clipping-geometry picture.
GEOMETRY = {"g": (3.0, 1.0), "threshold": 1.0}
REGIME_FACTORS = (0.1, 0.8, 1.8, 2.05)  # lr * lambda_max: slow, good, oscillating, divergent


def _save(fig, path):
    fig.savefig(path, dpi=100, metadata={"Software": None})


def loss_surface(path):
    """Contour and 3-D surface of the demo regression's loss."""
    import matplotlib.pyplot as plt
    from . import plots
    from .widgets import demo_regression

    prob, theta0 = demo_regression()
    xlim, ylim = plots.view_box(theta0, prob.solution())
    fig = plt.figure(figsize=(10, 4.4), layout="constrained")
    ax = fig.add_subplot(1, 2, 1)
    plots.plot_contour(ax, prob, xlim, ylim)
    ax.plot(*theta0, "o", ms=8, mfc="white", mec="0.2", mew=2)
    ax.set_title("contour lines of J(θ) (log-spaced)")
    ax3 = fig.add_subplot(1, 2, 2, projection="3d")
    plots.plot_surface(ax3, prob, xlim, ylim)
    ax3.set_title(r"the same surface in 3-D, height $\log_{10}(J - J_{min})$")
    _save(fig, path)
    plt.close(fig)


def regimes(path):
    """The four regimes: slow, good, oscillating, divergent."""
    import matplotlib.pyplot as plt
    from . import plots
    from .solvers import run
    from .widgets import demo_regression

    prob, theta0 = demo_regression()
    lam = prob.eigenvalues()[-1]
    trajs = [run(prob, theta0, f / lam, 40) for f in REGIME_FACTORS]
    names = ["slow", "good", "oscillating", "divergent"]
    labels = [f"{n}: lr·λmax = {f:g}" for n, f in zip(names, REGIME_FACTORS)]
    fig = plt.figure(figsize=(12, 6.4), layout="constrained")
    gs = fig.add_gridspec(2, 4, height_ratios=[1.1, 1])
    axes = [fig.add_subplot(gs[0, i]) for i in range(4)] + [fig.add_subplot(gs[1, :])]
    plots.plot_regimes(axes, prob, trajs, labels)
    fig.suptitle(f"four learning rates; the edge is 2/λmax = {2 / lam:.3g}")
    _save(fig, path)
    plt.close(fig)


def descent_gif(path):
    """A good run moving over the contour and the 3-D surface."""
    import matplotlib.pyplot as plt
    from . import animation, plots
    from .solvers import run
    from .widgets import demo_regression

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
    from . import animation

    prob, raw, clipped = cliff_runs()
    labels = ["no clipping", f"clip by norm ≤ {CLIFF['threshold']:g}"]
    anim = animation.side_by_side_animation(prob, [raw, clipped], labels, CLIFF["xlim"],
                                            CLIFF["ylim"], max_frames=31)
    animation.save_gif(anim, path, fps=5, dpi=56)
    plt.close(anim.scene.fig)


BUILDERS = dict(zip(FILES, (loss_surface, regimes, descent_gif, clipping_geometry, cliff, cliff_gif)))


def main(argv=None, output_dir=None):
    """Write every figure into ``output_dir`` (default: the repository's ``figures/``).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of ``FILES``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", nargs="?", type=Path, default=None)
    args = parser.parse_args([] if argv is None else argv)
    out = Path(output_dir or args.output_dir or Path(__file__).resolve().parents[1] / "figures")
    if out.exists() and not out.is_dir():
        raise ValueError(f"output_dir must be a directory, got {out}")
    out.mkdir(parents=True, exist_ok=True)

    import matplotlib

    matplotlib.use("Agg")
    from .style import setup

    setup(seed=0)
    written = []
    for name, build in BUILDERS.items():
        build(out / name)
        written.append(out / name)
    return written


if __name__ == "__main__":
    for p in main(sys.argv[1:]):
        print(f"wrote {p} ({p.stat().st_size / 1e3:.0f} kB)")
    np.seterr()
