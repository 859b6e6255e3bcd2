"""gradclip: gradient descent, exploding and vanishing gradients, and gradient clipping.

The core imports numpy only. Plots (:mod:`gradclip.plots`), animations
(:mod:`gradclip.animation`) and widgets (:mod:`gradclip.widgets`) are submodules imported
when used, so ``import gradclip`` pulls in neither matplotlib nor ipywidgets.
"""

from .clipping import adaptive_clip, clip_angle, clip_by_global_norm, clip_by_norm, clip_by_value
from .nets import MLP, Training, chain_gradient, train
from .article import gradient_clipping, gradient_descent
from .data import demo_regression
from .problems import CliffRNN, LinearRegression, Problem, Quadratic, Rosenbrock
from .solvers import (
    SweepResult,
    Trajectories,
    Trajectory,
    run,
    run_batch,
    sweep,
)

__version__ = "0.1.0"

__all__ = [
    "adaptive_clip",
    "clip_angle",
    "clip_by_global_norm",
    "clip_by_norm",
    "clip_by_value",
    "CliffRNN",
    "MLP",
    "chain_gradient",
    "Training",
    "train",
    "LinearRegression",
    "Problem",
    "Quadratic",
    "Rosenbrock",
    "SweepResult",
    "Trajectories",
    "Trajectory",
    "demo_regression",
    "gradient_clipping",
    "gradient_descent",
    "run",
    "run_batch",
    "sweep",
]

from .style import presentation, setup  # noqa: E402  (numpy-only; matplotlib loads on call)

__all__ += ["presentation", "setup"]
