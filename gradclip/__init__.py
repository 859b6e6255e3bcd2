"""gradclip: gradient descent, exploding and vanishing gradients, and gradient clipping.

This is the numpy core's public API (re-exports only); ``import gradclip`` loads neither
matplotlib nor ipywidgets. Plots live in :mod:`gradclip.plots` (matplotlib) and the explorers
in :mod:`gradclip.widgets`; both are imported when used.
"""

from . import distributed, frameworks, validation
from .adaptive import (AutoClip, FixedThreshold, Replay, RuleReplay, RuleRun, SpikeProcess, ZClip,
                       compare_rules, parse_norm_log, replay_thresholds, rule_thresholds,
                       run_with_rule, spike_process)
from .article import gradient_clipping, gradient_descent
from .catapult import EdgeScan, edge_scan
from .clipping import (adaptive_clip, agc_clip, clip_angle, clip_by_global_norm, clip_by_norm,
                       clip_by_value, clip_factor)
from .curvature import SharpnessTrack, net_sharpness, sharpness, sharpness_along
from .data import adding_problem, demo_regression
from .dp import (PerExampleRuns, mean_clipped_gradient, per_example_clipped_gd, per_example_clipped_sweep,
                 stationary_set)
from .eos import (ClippedEdge, EdgeRuns, clipped_edge, edge_window, eos_task, flow_sharpness, gd_batch,
                  power_step)
from .nets import MLP, LayerStats, chain_gradient
from .training import Training, gd_with_sharpness, train
from .noise import NoisyRuns, noisy_sgd, noisy_sgd_sweep
from .optim import adam, adam_batch, heavy_ball, normalized_gd
from .problems import (CliffRNN, LinearRegression, Power, Problem, Quadratic, Rosenbrock,
                       ScalarFactorization)
from .rnn import RNN
from .selection import (CVResult, LRRangeTest, WarmupThreshold, cross_validate, lr_range_test,
                        net_lr_range_test, threshold_from_norms, warmup_threshold)
from .smoothness import BestSteps, FixedVsClipped, best_steps, fixed_vs_clipped, steps_to_target
from .solvers import SweepResult, Trajectories, Trajectory, classify_rate, run, run_batch, sweep
from .style import presentation, setup
from .tinynet import TinyNet

__version__ = "0.2.0"

__all__ = [
    # clipping
    "adaptive_clip", "agc_clip", "clip_angle", "clip_by_global_norm", "clip_by_norm", "clip_by_value",
    "clip_factor",
    # problems and data
    "CliffRNN", "LinearRegression", "Power", "Problem", "Quadratic", "Rosenbrock",
    "ScalarFactorization", "TinyNet",
    "adding_problem", "demo_regression",
    # solvers and the article
    "SweepResult", "Trajectories", "Trajectory", "classify_rate", "run", "run_batch", "sweep",
    "gradient_clipping", "gradient_descent",
    # networks
    "MLP", "RNN", "LayerStats", "Training", "chain_gradient", "train",
    # other optimizers, noise, clipping rules
    "adam", "adam_batch", "heavy_ball", "normalized_gd",
    "BestSteps", "FixedVsClipped", "best_steps", "fixed_vs_clipped", "steps_to_target",
    "NoisyRuns", "noisy_sgd", "noisy_sgd_sweep",
    "PerExampleRuns", "mean_clipped_gradient", "per_example_clipped_gd", "per_example_clipped_sweep",
    "stationary_set",
    "AutoClip", "FixedThreshold", "RuleRun", "SpikeProcess", "ZClip", "compare_rules",
    "rule_thresholds", "run_with_rule", "spike_process",
    "Replay", "RuleReplay", "parse_norm_log", "replay_thresholds",
    # choosing lr and threshold
    "CVResult", "LRRangeTest", "WarmupThreshold", "cross_validate", "lr_range_test",
    "net_lr_range_test", "threshold_from_norms", "warmup_threshold",
    # curvature and the edge of stability
    "SharpnessTrack", "gd_with_sharpness", "net_sharpness", "sharpness", "sharpness_along",
    "EdgeScan", "edge_scan", "ClippedEdge", "EdgeRuns", "clipped_edge", "edge_window", "eos_task",
    "flow_sharpness", "gd_batch", "power_step",
    # submodules and notebook setup
    "distributed", "frameworks", "validation", "presentation", "setup",
]
