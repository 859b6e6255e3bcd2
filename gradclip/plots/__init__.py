"""Static pictures and animations drawn with matplotlib.

Every ``plot_*`` function takes the ``ax`` to draw on and results computed by the core
(a problem, a :class:`~gradclip.Trajectory`, a :class:`~gradclip.SweepResult`), draws, and
returns the artists it made. This layer uses the numpy core and matplotlib, never widgets.

Modules: :mod:`~gradclip.plots.surfaces` (loss surfaces and descent runs, 01's two figures),
:mod:`~gradclip.plots.clipping` (clipping geometry, the cliff), :mod:`~gradclip.plots.nets`
(per-layer and per-step gradient signals), :mod:`~gradclip.plots.sweeps` (learning-rate sweeps
and phase diagrams), :mod:`~gradclip.plots.animation` (matplotlib animations and GIFs);
:mod:`~gradclip.plots._axes` holds the helpers they share (checks, the column width, text
overlaps); :mod:`~gradclip.plots.localize` translates a drawn figure, and every public function
here draws in the current language (:func:`gradclip.i18n.language`); :mod:`~gradclip.plots.rnn`,
:mod:`~gradclip.plots.depth`, :mod:`~gradclip.plots.practice`, :mod:`~gradclip.plots.theory`,
:mod:`~gradclip.plots.theoryfigs` and :mod:`~gradclip.plots.eos` draw the figures of notebooks
02-08.
"""

from . import animation, depth, eos, practice, rnn, theory, theoryfigs
from ._axes import (COLUMN_WIDTH, REGIME_COLORS, REGIME_PALETTE, check_ax, check_lim, contour_levels, excess,
                    surface_height, text_overlaps)
from .animation import (TrajectoryScene, descent_animation, frame_steps, save_gif,
                        side_by_side_animation)
from .clipping import plot_cliff, plot_clipping_geometry, plot_distances
from .nets import plot_chains, plot_factors, plot_layer_signals, plot_training
from .surfaces import (contour_segments, loss_grid, loss_surface_figure, plot_contour, plot_loss_curve,
                       plot_regimes, plot_surface, plot_trajectory, regimes_figure, trajectory_xy, view_box)
from .sweeps import plot_lr_sweep, plot_phase, solved_level

__all__ = [
    "REGIME_COLORS", "REGIME_PALETTE", "check_ax", "check_lim", "contour_levels", "excess",
    "surface_height",
    "animation", "depth", "eos", "practice", "rnn", "theory", "theoryfigs", "TrajectoryScene", "descent_animation", "frame_steps", "save_gif",
    "side_by_side_animation",
    "COLUMN_WIDTH", "loss_surface_figure", "regimes_figure", "text_overlaps",
    "plot_cliff", "plot_clipping_geometry", "plot_distances",
    "plot_chains", "plot_factors", "plot_layer_signals", "plot_training",
    "contour_segments", "loss_grid", "plot_contour", "plot_loss_curve", "plot_regimes",
    "plot_surface", "plot_trajectory", "trajectory_xy", "view_box",
    "plot_lr_sweep", "plot_phase", "solved_level",
]


def _localize_public_functions():
    """Every public function of the plotting modules draws in the current language
    (:func:`~gradclip.plots.localize.localized`), under its name here and in its module."""
    import inspect

    from . import clipping, nets, surfaces, sweeps
    from .localize import localized

    for module in (animation, clipping, depth, eos, nets, practice, rnn, surfaces, sweeps, theory, theoryfigs):
        for name in getattr(module, "__all__", ()):
            func = getattr(module, name)
            if not inspect.isfunction(func) or hasattr(func, "__wrapped__"):
                continue
            wrapped = localized(func)
            setattr(module, name, wrapped)
            if globals().get(name) is func:
                globals()[name] = wrapped


_localize_public_functions()
