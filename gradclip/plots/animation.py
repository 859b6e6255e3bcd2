"""Animated descent: artists made once, moved with ``set_data`` frame by frame.

:class:`TrajectoryScene` draws one or more runs on a loss surface (contour, optionally a 3-D
surface beside it) and shows them up to any step. :func:`descent_animation` and
:func:`side_by_side_animation` wrap a scene in a ``FuncAnimation`` (saved as GIF by
:mod:`gradclip.figures`); :func:`gradclip.widgets.player` drives the same scene from a
play/pause control in the notebook.
"""

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.animation import FuncAnimation, PillowWriter

from .. import validation as v
from . import surfaces as plots
from ._axes import surface_height
from ..style import PALETTE

__all__ = ["TrajectoryScene", "frame_steps", "descent_animation", "side_by_side_animation",
           "save_gif"]


def frame_steps(n_steps, max_frames=60):
    """Step indices to show, evenly spread over ``0..n_steps``, at most ``max_frames`` of them.

    Examples
    --------
    >>> frame_steps(5).tolist()
    [0, 1, 2, 3, 4, 5]
    >>> len(frame_steps(200, max_frames=60))
    60
    """
    n_steps = v.non_negative_int(n_steps, "n_steps")
    max_frames = v.non_negative_int(max_frames, "max_frames")
    if max_frames < 2:
        raise ValueError(f"max_frames must be >= 2, got {max_frames}")
    if n_steps + 1 <= max_frames:
        return np.arange(n_steps + 1)
    return np.unique(np.linspace(0, n_steps, max_frames).round().astype(int))


class TrajectoryScene:
    """Runs on a loss surface, drawn up to a chosen step.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    trajs : list of Trajectory
        Runs of the same length.
    labels : list of str
        One per run.
    xlim, ylim : pair of float
        The view.
    layout : {"overlay", "side"}
        All runs on one contour plot, or one plot per run side by side (same surface).
    surface : bool
        Add a 3-D surface panel with the runs on it (``layout="overlay"`` only).
    colors : list of str, optional
    figsize : pair of float, optional

    Examples
    --------
    >>> from gradclip import Quadratic, run
    >>> q = Quadratic.with_condition(4.0)
    >>> scene = TrajectoryScene(q, [run(q, [1.0, 1.0], 0.5, 10)], ["lr 0.5"], (-2, 2), (-2, 2))
    >>> arts = scene.draw_frame(3)
    >>> len(scene.paths[0].get_xdata()), scene.step_text.get_text()
    (4, 'step 3 / 10')
    >>> import matplotlib.pyplot as plt; plt.close(scene.fig)
    """

    def __init__(self, problem, trajs, labels, xlim, ylim, layout="overlay", surface=False,
                 colors=None, figsize=None):
        if not trajs or not all(hasattr(t, "thetas") for t in trajs):
            raise ValueError("trajs must be a non-empty list of Trajectory")
        if len({len(t.thetas) for t in trajs}) != 1:
            raise ValueError("trajs must all have the same number of steps")
        if labels is None or len(labels) != len(trajs):
            raise ValueError(f"labels must have {len(trajs)} entries, got {labels!r}")
        if layout not in ("overlay", "side"):
            raise ValueError(f"layout must be 'overlay' or 'side', got {layout!r}")
        if surface and layout != "overlay":
            raise ValueError("surface=True needs layout='overlay'")
        self.trajs, self.n_steps = list(trajs), len(trajs[0].thetas) - 1
        if colors is None:
            colors = ([PALETTE["good"]] if len(trajs) == 1 else
                      [PALETTE["divergent"], PALETTE["good"], PALETTE["slow"], PALETTE["oscillating"]])
        n_panels = len(trajs) if layout == "side" else 1 + int(bool(surface))
        figsize = figsize or (4.6 * n_panels, 4.3)  # projector mode scales it via the dpi
        with plt.ioff():
            self.fig = plt.figure(figsize=figsize, layout="constrained")
        for attr in ("header_visible", "footer_visible", "resizable"):
            if hasattr(self.fig.canvas, attr):
                setattr(self.fig.canvas, attr, False)
        axes = [self.fig.add_subplot(1, n_panels, i + 1) for i in range(n_panels - int(bool(surface)))]
        self.paths, self.heads, self.paths3d, self.xy = [], [], [], []
        for i, (t, lab) in enumerate(zip(trajs, labels)):
            ax = axes[i if layout == "side" else 0]
            if i == 0 or layout == "side":
                log = hasattr(problem, "hessian")  # bowls: log levels; plateaus, cliffs: linear
                plots.plot_contour(ax, problem, xlim, ylim, n=100, log=log, optimum=log)
                if not log:
                    ax.set_xlabel("w")
                    ax.set_ylabel("b")
                if layout == "side":
                    ax.set_title(lab, color=colors[i % len(colors)], fontsize="medium")
            c = colors[i % len(colors)]
            ax.plot(*t.thetas[0], "o", ms=8, mfc="white", mec=c, mew=2, zorder=4)
            (p,) = ax.plot([], [], "-o", ms=3, lw=1.6, color=c, label=lab, zorder=3)
            (h,) = ax.plot([], [], "o", ms=8, color=c, zorder=6)
            self.paths.append(p)
            self.heads.append(h)
            self.xy.append(plots.trajectory_xy(t.thetas, xlim, ylim))
        if layout == "overlay" and len(trajs) > 1:
            axes[0].legend(loc="upper right", fontsize="small")
        self.step_text = self.fig.suptitle(f"step {self.n_steps} / {self.n_steps}", fontsize="medium")
        if surface:
            self._surface(problem, xlim, ylim, colors)
        self.fig.draw_without_rendering()  # lay out once, without rendering
        self.fig.set_layout_engine("none")

    def _surface(self, problem, xlim, ylim, colors):
        ax3 = self.fig.add_subplot(1, 2, 2, projection="3d")
        plots.plot_surface(ax3, problem, xlim, ylim, n=40)
        X, Y, Z = plots.loss_grid(problem, xlim, ylim, 40)
        floor = float(np.nanmin(Z))
        bottom = float(np.nanmin(surface_height(Z, floor, True)))
        ax3.set_xlim(*xlim)
        ax3.set_ylim(*ylim)
        for i, t in enumerate(self.trajs):
            with np.errstate(all="ignore"):
                z = np.maximum(np.log10(np.maximum(np.asarray(t.losses) - floor, 1e-12)), bottom)
            (p,) = ax3.plot([], [], [], "-o", ms=3, lw=1.8, color=colors[i % len(colors)], zorder=10)
            self.paths3d.append((p, z))
        ax3.view_init(elev=35, azim=-60)
        self.ax3d = ax3

    def draw_frame(self, step):
        """Show every run up to ``step``; returns the changed artists (for blitting)."""
        step = min(v.non_negative_int(int(step), "step"), self.n_steps)
        changed = []
        for i, (x, y) in enumerate(self.xy):
            n = min(len(x), step + 1)
            self.paths[i].set_data(x[:n], y[:n])
            self.heads[i].set_data(x[n - 1:n], y[n - 1:n])
            changed += [self.paths[i], self.heads[i]]
            if self.paths3d:
                p, z = self.paths3d[i]
                m = min(n, int(np.sum(np.isfinite(z[:n]))))
                p.set_data_3d(x[:m], y[:m], z[:m])
                changed.append(p)
        self.step_text.set_text(f"step {step} / {self.n_steps}")
        return changed + [self.step_text]


def _animate(scene, max_frames, interval):
    frames = frame_steps(scene.n_steps, max_frames)
    anim = FuncAnimation(scene.fig, scene.draw_frame, frames=frames, interval=interval,
                         blit=False, repeat=True)
    anim.scene, anim.frame_list = scene, frames
    return anim


def descent_animation(problem, traj, xlim, ylim, surface=True, max_frames=60, interval=120,
                      label=None):
    """A run moving over the loss surface (contour, and 3-D beside it).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        With ``.scene`` (the :class:`TrajectoryScene`) and ``.frame_list`` (steps shown).
    """
    label = label or f"lr = {traj.lr:.3g}"
    scene = TrajectoryScene(problem, [traj], [label], xlim, ylim, surface=surface,
                            colors=[PALETTE["good"]])
    return _animate(scene, max_frames, interval)


def side_by_side_animation(problem, trajs, labels, xlim, ylim, max_frames=60, interval=120):
    """Several runs, one panel each, on the same surface (e.g. unclipped vs clipped).

    Returns
    -------
    matplotlib.animation.FuncAnimation
    """
    scene = TrajectoryScene(problem, trajs, labels, xlim, ylim, layout="side")
    return _animate(scene, max_frames, interval)


def save_gif(anim, path, fps=10, dpi=64):
    """Write an animation as a GIF with pillow (small: ``dpi`` ~64, at most ~60 frames)."""
    fps = v.positive(fps, "fps")
    dpi = v.positive(dpi, "dpi")
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return path
