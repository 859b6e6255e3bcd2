"""Interactive explorers: sliders over precomputed runs, drawn in the page.

Every explorer is built the same way (:class:`~gradclip.widgets.stage.Stage`): all the runs its
controls can reach are computed once with :func:`gradclip.run_batch`; matplotlib draws the
static figure once (axes, labels, contours) and the runs become compact arrays; the page
(``static/explorer.js``, an anywidget module) draws the moving parts on a canvas over that
picture at every slider move, without a round trip to the kernel. The kernel keeps the
chosen values (``explorer.values``, ``explorer.status_text``, presets). A saved notebook keeps a
picture of the explorer and its full spec, so it reads well, and a static page can run it.

>>> from gradclip import widgets
>>> ex = widgets.condition_explorer(preset="condition=10;lr=1;steps=30", max_steps=40)
>>> ex.preset()
'condition=10;lr=1;steps=30'
>>> "oscillating" in ex.update(lr=1.9).status_text
True
"""

import numpy as np

from . import clipview, views as core
from .figure import LogGrid
from .live import Explorer
from .stage import Stage
from ..data import demo_regression
from ..problems import CliffRNN, Quadratic

__all__ = ["Explorer", "Stage", "learning_rate_explorer", "condition_explorer",
           "clipping_explorer", "demo_regression", "player", "phase_explorer", "training_explorer",
           "rnn_explorer", "cliff_explorer", "depth_explorer", "smoothness_explorer", "noise_explorer",
           "bias_explorer", "spike_explorer", "momentum_explorer", "adam_explorer",
           "toy_explorer", "eos_explorer"]

from .player import player  # noqa: E402


def _snap(stage, name, x):
    return stage.controls[name].check(x)


def _start(stage, values, preset):
    explorer = stage.build(values)
    if preset is not None:
        explorer.apply_preset(preset)
    return explorer


def learning_rate_explorer(problem=None, theta0=None, lr=None, steps=40, max_steps=100,
                           preset=None):
    """Learning-rate slider (log scale, slow to divergent) over the loss surface.

    Shows the trajectory on the contour plot, the loss per step, and the loss after the run
    against the learning rate with the edge ``2 / lambda_max`` marked. A run that blows up
    says "diverged at step k".

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem with ``solution`` and ``hessian`` (default: :func:`demo_regression`).
    theta0 : array_like, optional
        Start (default ``(0, 0)`` for the demo).
    lr : float, optional
        Initial learning rate (default: 0.4 x the edge).
    steps, max_steps : int
        Initial and maximum number of steps.
    preset : str, optional
        Start from a preset string such as ``"lr=0.5;steps=40"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem, default0 = demo_regression()
        theta0 = default0 if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if not hasattr(problem, "max_stable_lr"):
        raise ValueError(f"problem must define max_stable_lr (a curvature edge), got {problem!r}")
    max_steps = _steps_range(steps, max_steps)
    edge = problem.max_stable_lr()
    e = np.log10(edge)
    grid = LogGrid("lr", e - 2.4, e + 0.3, 0.025, anchor=edge)
    lr = edge * 0.4 if lr is None else lr
    stage = core.descent_stage("learning_rate", [{"problem": problem, "theta0": theta0, "label": ""}],
                               grid, max_steps, f"lr (edge {edge:.3g})")
    return _start(stage, {"lr": _snap(stage, "lr", lr), "steps": steps}, preset)


def _steps_range(steps, max_steps):
    for name, val in (("steps", steps), ("max_steps", max_steps)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
            raise ValueError(f"{name} must be a positive integer, got {val!r}")
    if steps > max_steps or max_steps > 2000:
        raise ValueError(f"steps ({steps}) must be <= max_steps ({max_steps}) <= 2000")
    return int(max_steps)


def condition_explorer(theta0=(-4.0, 3.0), condition=10.0, lr=1.0, steps=40, max_steps=150,
                       preset=None):
    """A 2-D quadratic with a condition-number slider: the zig-zag of ill-conditioning.

    ``Quadratic.with_condition(kappa)`` has ``lambda_max = 1`` for every ``kappa``, so the edge
    ``2 / lambda_max = 2`` stays put while the slow direction ``lambda_min = 1 / kappa`` gets
    ever flatter: the largest eigenvalue caps the learning rate, the smallest sets the pace.

    Parameters
    ----------
    theta0 : array_like
        Start.
    condition, lr : float
        Initial condition number (1 to 1000) and learning rate (0.002 to 2.5; the grid
        steps by 6 %, so 1.995 and 2.11 straddle the edge 2).
    steps, max_steps : int
    preset : str, optional
        E.g. ``"condition=100;lr=1.9;steps=60"``.

    Returns
    -------
    Explorer
    """
    max_steps = _steps_range(steps, max_steps)
    kgrid = LogGrid("condition", 0.0, 3.0, 0.1)
    grid = LogGrid("lr", -2.7, 0.4, 0.025)  # 0.002 .. 2.5, with 1, 0.1 and 0.01 on the grid
    scenes = [{"problem": Quadratic.with_condition(k), "theta0": theta0, "label": f"κ = {k:.3g}"}
              for k in kgrid.values]
    stage = core.descent_stage("condition", scenes, grid, max_steps, "lr (edge 2)",
                               scene_control=("condition", kgrid.values, "condition κ"),
                               xlim=(-5.0, 5.0), ylim=(-5.0, 5.0))
    return _start(stage, {"condition": _snap(stage, "condition", condition),
                          "lr": _snap(stage, "lr", lr), "steps": steps}, preset)


def clipping_explorer(problem=None, theta0=None, lr=1.0, threshold=0.5, clip="norm",
                      steps=60, max_steps=100, xlim=(0.0, 10.0), ylim=(-6.0, 5.0), preset=None):
    """Learning rate AND threshold sliders (log scale) and a clip-mode toggle.

    The trajectory (with the unclipped run at the same rate dashed), the raw gradient norm
    per step with the threshold line and the clipped steps marked, and the step length.
    The default stage is the cliff of :class:`~gradclip.CliffRNN` (Pascanu et al. 2013).

    Parameters
    ----------
    problem : Problem, optional
        A 2-D problem (default ``CliffRNN()`` from ``theta0 = (5, -3.5)``).
    lr, threshold : float
        Initial values (lr 0.01 to 10, threshold 0.01 to 30; both grids step by 26 %, with
        1 and 0.5 on them).
    clip : {"none", "value", "norm"}
    steps, max_steps : int
    xlim, ylim : pair of float
        The view.
    preset : str, optional
        E.g. ``"lr=1;threshold=0.5;clip=norm;steps=60"``.

    Returns
    -------
    Explorer
    """
    if problem is None:
        problem = CliffRNN()
        theta0 = (5.0, -3.5) if theta0 is None else theta0
    if theta0 is None:
        raise ValueError("theta0 is required when a problem is given")
    if clip not in clipview.MODES:
        raise ValueError(f"clip must be 'none', 'value' or 'norm', got {clip!r}")
    max_steps = _steps_range(steps, max_steps)
    lgrid = LogGrid("lr", -2.0, 1.0, 0.1)
    tgrid = LogGrid("threshold", -2.01, 1.5, 0.1, anchor=0.5)
    stage = clipview.clipping_stage(problem, theta0, lgrid, tgrid, max_steps, xlim, ylim)
    return _start(stage, {"lr": _snap(stage, "lr", lr), "threshold": _snap(stage, "threshold", threshold),
                          "clip": clip, "steps": steps}, preset)


from .phaseview import phase_explorer  # noqa: E402
from .trainview import training_explorer  # noqa: E402
from .rnnview import rnn_explorer  # noqa: E402
from .cliffview import cliff_explorer  # noqa: E402
from .depthview import depth_explorer  # noqa: E402
from .smoothview import smoothness_explorer  # noqa: E402
from .noiseview import noise_explorer  # noqa: E402
from .biasview import bias_explorer  # noqa: E402
from .spikeview import spike_explorer  # noqa: E402
from .momentumview import momentum_explorer  # noqa: E402
from .adamview import adam_explorer  # noqa: E402
from .eosview import eos_explorer, toy_explorer  # noqa: E402
