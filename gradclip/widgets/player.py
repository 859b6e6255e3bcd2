"""Play/pause over a :class:`~gradclip.plots.TrajectoryScene`, drawn in the page.

The scene's figure without its runs becomes the static picture; each run (and its copy on
the 3-D surface, projected once to figure pixels) becomes arrays the page cuts at the step.
"""

import numpy as np
import matplotlib.colors as mcolors

from .live import Explorer
from .stage import Stage, value


class Player(Explorer):
    """An :class:`Explorer` with one player control, ``step``; ``update(k)`` jumps to step k."""

    def update(self, step=None, **values):
        """Jump to ``step`` (0..n_steps); returns self. Raises ValueError outside that range."""
        if step is not None:
            if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
                raise ValueError(f"step must be an integer in [0, {self.controls['step'].hi}], got {step!r}")
            values["step"] = step
        return super().update(**values)


def _style(line):
    """A Line2D's look as :meth:`Stage.line` keywords."""
    hexa = mcolors.to_hex(line.get_color())
    out = dict(color=hexa, lw=line.get_linewidth(), ms=line.get_markersize(),
               marker=None if line.get_marker() in ("None", "", None, " ") else line.get_marker(),
               ls=line.get_linestyle() if line.get_linestyle() != "None" else "none",
               z=line.get_zorder())
    return out


def _figure_px(fig, ax, xs, ys, zs=None):
    """Figure CSS px (y down) of data points of ``ax`` (projected first on a 3-D axes)."""
    if zs is not None:
        from mpl_toolkits.mplot3d import proj3d

        xs, ys, _ = proj3d.proj_transform(xs, ys, zs, ax.get_proj())
    pts = ax.transData.transform(np.column_stack([xs, ys]))
    return pts[:, 0], fig.bbox.height - pts[:, 1]


def player(scene, interval=120):
    """Wrap a :class:`~gradclip.plots.TrajectoryScene` in an in-page play/pause control.

    Parameters
    ----------
    scene : TrajectoryScene
        E.g. ``plots.TrajectoryScene(problem, [traj], ["run"], xlim, ylim)``.
    interval : int
        Milliseconds between frames while playing.

    Returns
    -------
    Player
        An explorer whose one control, ``step``, runs from 0 to ``scene.n_steps``.
    """
    import matplotlib.pyplot as plt

    if not hasattr(scene, "draw_frame") or not hasattr(scene, "n_steps"):
        raise ValueError(f"scene must be a TrajectoryScene, got {scene!r}")
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 10:
        raise ValueError(f"interval must be an integer number of milliseconds >= 10, got {interval!r}")
    fig, n = scene.fig, scene.n_steps
    plt.close(fig)  # drawn here, never shown by pyplot
    markers = []
    moving = list(scene.paths) + list(scene.heads) + [p for p, _ in scene.paths3d] + [scene.step_text]
    for art in moving:
        art.set_visible(False)
    st = Stage("player", fig)
    lowest = min(p.get_zorder() for p in scene.paths)
    for ax in fig.axes:  # markers above the runs (the start) move to the page layer too
        if getattr(ax, "name", "") == "3d":
            continue
        for line in list(ax.lines):
            if line in moving or len(line.get_xdata()) != 1 or line.get_zorder() <= lowest:
                continue
            style = dict(_style(line), mfc=mcolors.to_hex(line.get_markerfacecolor()),
                         mec=mcolors.to_hex(line.get_markeredgecolor()), mew=line.get_markeredgewidth())
            markers.append((ax, float(line.get_xdata()[0]), float(line.get_ydata()[0]), style))
            line.set_visible(False)
    st.player("step", 0, n, label="step", interval=interval)
    st.freeze()
    m = n + 1
    for i, (x, y) in enumerate(scene.xy):
        path, head = scene.paths[i], scene.heads[i]
        ax = path.axes
        X, Y = np.full(m, np.nan), np.full(m, np.nan)
        X[: len(x)], Y[: len(y)] = x, y
        q = min(st.quantum(ax, "x", 0.1), st.quantum(ax, "y", 0.1))
        st.array(f"x{i}", X, ("step",), quantum=q)
        st.array(f"y{i}", Y, ("step",), quantum=q)
        st.line(ax, f"x{i}", f"y{i}", along="step", cut="step", **_style(path))
        st.line(ax, f"x{i}", f"y{i}", along="step", cut="step", only="last", **_style(head))
        if scene.paths3d:
            p3, z = scene.paths3d[i]
            k = min(len(x), int(np.sum(np.isfinite(z[: len(x)]))))
            PX, PY = np.full(m, np.nan), np.full(m, np.nan)
            PX[:k], PY[:k] = _figure_px(fig, p3.axes, x[:k], y[:k], z[:k])
            st.array(f"px{i}", PX, ("step",), quantum=0.1)
            st.array(f"py{i}", PY, ("step",), quantum=0.1)
            st.line(None, f"px{i}", f"py{i}", along="step", cut="step", clip=p3.axes, **_style(p3))
    for ax, x, y, style in markers:
        st.line(ax, x, y, **style)
    t = scene.step_text
    fx, fy = t.get_position()
    st.text(None, fx, fy, f"step {{step}} / {n}", {"step": value("step")}, coords="figure",
            size=t.get_fontsize(), ha=t.get_ha(), va=t.get_va(), color=mcolors.to_hex(t.get_color()))
    return st.build({"step": 0}, explorer=Player)
