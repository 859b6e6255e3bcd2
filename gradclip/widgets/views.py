"""The figures behind the explorers: precomputed runs drawn by index, updated in place.

No ipywidgets here. A view owns one matplotlib figure, computes every trajectory its sliders
can reach once (with :func:`gradclip.run_batch`), and ``render(...)`` only looks results up and
calls ``set_data`` / ``set_text`` on artists created at construction.
"""

import numpy as np
from matplotlib.collections import LineCollection

from .. import plots
from .figure import _figure, _freeze_layout, _key, _regime
from ..solvers import run_batch
from ..style import PALETTE, is_presentation


def _status_size():
    return "medium" if is_presentation() else "large"


class DescentView:
    """Contour + trajectory, loss per step, and loss-after-``steps`` against the learning rate.

    ``scenes`` is a list of dicts with keys ``problem``, ``theta0`` and ``label``; one scene for
    the learning-rate explorer, one per condition number for the condition explorer.
    """

    def __init__(self, scenes, lr_grid, max_steps, xlim=None, ylim=None):
        self.lr_grid, self.max_steps = lr_grid, int(max_steps)
        self.scenes = [self._prepare(s, xlim, ylim) for s in scenes]
        self.fig, self.ax, self.ax_loss, self.ax_lr = _figure()
        self._build()
        self.state = None

    def _prepare(self, s, xlim, ylim):
        prob, theta0 = s["problem"], np.asarray(s["theta0"], dtype=np.float64)
        star = prob.solution()
        if xlim is None or ylim is None:
            xlim, ylim = plots.view_box(theta0, star)
        X, Y, Z = plots.loss_grid(prob, xlim, ylim, 100)
        floor = float(prob.loss(star))
        segs = plots.contour_segments(X, Y, Z, plots.contour_levels(Z, 14, floor))
        tr = run_batch(prob, theta0, self.lr_grid.values, self.max_steps)
        with np.errstate(all="ignore"):
            ex = np.maximum(tr.losses - floor, 1e-16)
        ex[~np.isfinite(tr.losses)] = np.nan
        lam = float(np.linalg.eigvalsh(prob.hessian(star))[-1]) if hasattr(prob, "hessian") else None
        paths = [plots.trajectory_xy(t, xlim, ylim) for t in tr.thetas]
        return dict(s, star=star, xlim=xlim, ylim=ylim, segments=segs, traj=tr, excess=ex,
                    lam_max=lam, edge=None if lam is None else 2.0 / lam, paths=paths)

    def _build(self):
        s0 = self.scenes[0]
        ax, axl, axr = self.ax, self.ax_loss, self.ax_lr
        # one collection per scene, built once: switching scenes only toggles visibility
        self.contours = [LineCollection(s["segments"], colors="0.55", linewidths=0.8, zorder=1,
                                        visible=i == 0) for i, s in enumerate(self.scenes)]
        for c in self.contours:
            ax.add_collection(c)
        (self.optimum,) = ax.plot(*s0["star"], "*", ms=14, color=PALETTE["optimum"], zorder=5)
        (self.start,) = ax.plot(*s0["theta0"], "o", ms=9, mfc="white", mec="0.2", mew=2, zorder=4)
        (self.path,) = ax.plot([], [], "-o", ms=3.5, lw=1.6, color=PALETTE["good"], zorder=3)
        (self.head,) = ax.plot([], [], "o", ms=8, color=PALETTE["good"], zorder=6)
        ax.set_xlim(*s0["xlim"])
        ax.set_ylim(*s0["ylim"])
        ax.set_xlabel(r"$\theta_0$")
        ax.set_ylabel(r"$\theta_1$")
        ax.set_title("trajectory on the loss surface", fontsize="medium")
        allex = np.concatenate([s["excess"].ravel() for s in self.scenes])
        fin = allex[np.isfinite(allex)]
        lo, hi = max(float(fin.min()), 1e-14) / 3, float(fin.max()) * 10
        steps = np.arange(self.max_steps + 1)
        (self.loss_line,) = axl.semilogy(steps, np.full(steps.shape, np.nan), color=PALETTE["good"])
        axl.set_xlim(0, self.max_steps)
        axl.set_ylim(lo, hi)
        axl.set_xlabel("step")
        axl.set_ylabel(r"$J - J_{min}$")
        lrs = self.lr_grid.values
        (self.lr_curve,) = axr.loglog(lrs, np.full(lrs.shape, np.nan), color="0.3", lw=1.4)
        (self.lr_mark,) = axr.loglog([], [], "o", ms=9, color=PALETTE["good"], zorder=5)
        self.edge_line = axr.axvline(1.0, color=PALETTE["divergent"], ls="--", lw=1.4)
        self.edge_span = axr.axvspan(1.0, lrs[-1] * 2, color=PALETTE["divergent"], alpha=0.08, lw=0)
        self.edge_text = axr.text(1.0, 0.97, "", transform=axr.get_xaxis_transform(), ha="right",
                                  va="top", color=PALETTE["divergent"], fontsize="small")
        axr.set_xlim(lrs[0], lrs[-1])
        axr.set_ylim(lo, hi)
        axr.set_xlabel("learning rate (log)")
        axr.set_ylabel(r"$J - J_{min}$ after the run")
        self.status = self.fig.text(0.01, 0.995, " ", ha="left", va="top", fontsize=_status_size(),
                                    fontweight="bold")
        self.fig.get_layout_engine().set(h_pad=0.05, rect=(0, 0, 1, 0.93))
        _freeze_layout(self.fig)
        self.fig.set_dynamic([*self.contours, self.path, self.head, self.optimum, self.loss_line,
                              self.edge_span, self.edge_line, self.edge_text, self.lr_curve,
                              self.lr_mark, self.status])

    def render(self, lr_i, steps, scene_i=0):
        """Show run ``lr_i`` of scene ``scene_i`` up to ``steps``; returns the status text."""
        s = self.scenes[scene_i]
        if self.state is None or self.state[2] != scene_i:
            for i, c in enumerate(self.contours):
                c.set_visible(i == scene_i)
            self.optimum.set_data([s["star"][0]], [s["star"][1]])
            edge = s["edge"]
            self.edge_line.set_visible(edge is not None)
            self.edge_span.set_visible(edge is not None)
            if edge is not None:
                self.edge_span.set_x(edge)
                self.edge_span.set_width(self.lr_grid.values[-1] * 2 - edge)
                self.edge_line.set_xdata([edge, edge])
                self.edge_text.set_x(edge)
                self.edge_text.set_text(f"edge 2/λmax = {edge:.3g} ")
        tr, lr = s["traj"], float(self.lr_grid.values[lr_i])
        k = int(tr.diverged_at[lr_i])
        diverged = 0 <= k <= steps
        px, py = s["paths"][lr_i]
        n = min(len(px), steps + 1)
        color = PALETTE["divergent"] if diverged else PALETTE.get(self._regime(s, lr), "0.3")
        self.path.set_data(px[:n], py[:n])
        self.head.set_data(px[n - 1:n], py[n - 1:n])
        for art in (self.path, self.head, self.lr_mark, self.loss_line):
            art.set_color(color)
        ex = s["excess"][lr_i]
        self.loss_line.set_data(np.arange(steps + 1), ex[: steps + 1])
        col = s["excess"][:, steps]
        self.lr_curve.set_ydata(col)
        y = col[lr_i] if np.isfinite(col[lr_i]) else self.ax_lr.get_ylim()[1] / 2
        self.lr_mark.set_data([lr], [y])
        marker = "X" if diverged else "o"
        if self.lr_mark.get_marker() != marker:
            self.lr_mark.set_marker(marker)
        text = self._status(s, lr, k if diverged else None, steps, ex[steps])
        self.status.set_text(text)
        self.status.set_color(color)
        self.state = (lr_i, steps, scene_i)
        self.fig.canvas.draw_idle()
        return text

    @staticmethod
    def _regime(s, lr):
        return "good" if s["lam_max"] is None else _regime(lr * s["lam_max"])

    def _status(self, s, lr, k, steps, ex):
        head = f"{s['label']}  " if s.get("label") else ""
        if k is not None:
            return f"{head}diverged at step {k}  (lr = {lr:.3g}, edge 2/λmax = {s['edge']:.3g})"
        reg = self._regime(s, lr)
        edge = f" = {lr / s['edge']:.2g} × edge ({s['edge']:.3g})" if s["edge"] else ""
        return f"{head}{reg}: lr = {lr:.3g}{edge} · J − J_min = {ex:.2g} after {steps} steps"


class ClippingView:
    """Trajectory with and without clipping, and its telemetry: ‖g‖ per step and step length."""

    MODES = ("none", "value", "norm")

    def __init__(self, problem, theta0, lr_grid, thr_grid, max_steps, xlim, ylim):
        self.problem, self.theta0 = problem, np.asarray(theta0, dtype=np.float64)
        self.lr_grid, self.thr_grid, self.max_steps = lr_grid, thr_grid, int(max_steps)
        self.xlim, self.ylim = xlim, ylim
        nl, nt = len(lr_grid), len(thr_grid)
        L, C = np.meshgrid(lr_grid.values, thr_grid.values, indexing="ij")
        self.runs = {"none": run_batch(problem, self.theta0, lr_grid.values, max_steps)}
        for mode in ("value", "norm"):
            self.runs[mode] = run_batch(problem, self.theta0, L.ravel(), max_steps, clip=mode,
                                        thresholds=C.ravel())
        self.paths = {m: [plots.trajectory_xy(t, xlim, ylim) for t in r.thetas]
                      for m, r in self.runs.items()}
        self.nt = nt
        self.fig, self.ax, self.ax_g, self.ax_s = _figure()
        self._build(nl)
        self.state = None

    def _row(self, mode, lr_i, thr_i):
        return lr_i if mode == "none" else lr_i * self.nt + thr_i

    def _build(self, nl):
        ax, axg, axs = self.ax, self.ax_g, self.ax_s
        log = hasattr(self.problem, "hessian")  # bowls: log levels; plateaus and cliffs: linear
        plots.plot_contour(ax, self.problem, self.xlim, self.ylim, n=100, optimum=log,
                           n_levels=12, log=log)
        if not log:
            ax.set_xlabel("w (recurrent weight)")
            ax.set_ylabel("b (bias)")
        ax.plot(*self.theta0, "o", ms=9, mfc="white", mec="0.2", mew=2, zorder=4)
        (self.ghost,) = ax.plot([], [], "--", lw=1.2, color=PALETTE["divergent"], alpha=0.7,
                                zorder=2, label="no clipping, same lr")
        (self.path,) = ax.plot([], [], "-o", ms=3, lw=1.6, color=PALETTE["good"], zorder=3,
                               label="this run")
        _key(ax, [("dashed: no clipping, same lr", PALETTE["divergent"]),
                  ("solid: this run", PALETTE["good"])])
        ax.set_title("trajectory on the loss surface", fontsize="medium")
        steps = np.arange(self.max_steps)
        gn = np.concatenate([r.grad_norms.ravel() for r in self.runs.values()])
        sl = np.concatenate([r.step_lengths.ravel() for r in self.runs.values()])
        glo, ghi = self._span(np.concatenate([gn, self.thr_grid.values]))
        (self.g_line,) = axg.semilogy(steps, np.full(steps.shape, np.nan), color=PALETTE["raw"],
                                      label="‖g‖ (raw)")
        (self.g_clip,) = axg.semilogy([], [], "o", ms=4, color=PALETTE["clipped"],
                                      label="clipped steps")
        self.thr_line = axg.axhline(1.0, color=PALETTE["clipped"], ls="--", lw=1.3,
                                    label="threshold")
        axg.set_xlim(0, self.max_steps)
        axg.set_ylim(glo, ghi)
        axg.set_ylabel("gradient norm")
        _key(axg, [("— ‖g‖ raw", PALETTE["raw"]), ("● clipped", PALETTE["clipped"]),
                   ("-- threshold", PALETTE["clipped"])], horizontal=True)
        slo, shi = self._span(sl)
        (self.s_line,) = axs.semilogy(steps, np.full(steps.shape, np.nan), color=PALETTE["good"])
        axs.set_xlim(0, self.max_steps)
        axs.set_ylim(slo, shi)
        axs.set_xlabel("step")
        axs.set_ylabel("step length ‖Δθ‖")
        self.status = self.fig.text(0.01, 0.995, " ", ha="left", va="top", fontsize=_status_size(),
                                    fontweight="bold")
        self.fig.get_layout_engine().set(h_pad=0.05, rect=(0, 0, 1, 0.93))
        _freeze_layout(self.fig)
        self.fig.set_dynamic([self.ghost, self.path, self.g_line, self.thr_line, self.g_clip,
                              self.s_line, self.status])

    @staticmethod
    def _span(a):
        a = a[np.isfinite(a) & (a > 0)]
        if not a.size:
            return 1e-3, 1e3
        return max(float(a.min()), 1e-12) / 3, min(float(a.max()), 1e12) * 3

    def render(self, mode, lr_i, thr_i, steps):
        """Show one configuration up to ``steps``; returns the status text."""
        r = self.runs[mode]
        i = self._row(mode, lr_i, thr_i)
        px, py = self.paths[mode][i]
        n = min(len(px), steps + 1)
        self.path.set_data(px[:n], py[:n])
        gx, gy = self.paths["none"][lr_i]
        m = min(len(gx), steps + 1)
        self.ghost.set_data(gx[:m], gy[:m])
        self.ghost.set_visible(mode != "none")
        k = int(r.diverged_at[i])
        diverged = 0 <= k <= steps
        color = PALETTE["divergent"] if diverged else (
            PALETTE["raw"] if mode == "none" else PALETTE["good"])
        self.path.set_color(color)
        gn, clipped = r.grad_norms[i, :steps], r.clipped[i, :steps]
        x = np.arange(steps)
        self.g_line.set_data(x, gn)
        self.g_clip.set_data(x[clipped], gn[clipped])
        thr = float(self.thr_grid.values[thr_i])
        self.thr_line.set_ydata([thr, thr])
        self.thr_line.set_visible(mode != "none")
        sl = r.step_lengths[i, :steps]
        self.s_line.set_data(x, sl)
        self.s_line.set_color(color)
        text = self._status(mode, r, i, k if diverged else None, steps, n < steps + 1 and not diverged)
        self.status.set_text(text)
        self.status.set_color(color)
        self.state = (mode, lr_i, thr_i, steps)
        self.fig.canvas.draw_idle()
        return text

    def _status(self, mode, r, i, k, steps, left):
        lr = float(r.lrs[i])
        if k is not None:
            return f"diverged at step {k}  (lr = {lr:.3g}, clip = {mode})"
        taken = r.clipped[i, :steps]
        longest = float(np.nanmax(r.step_lengths[i, :steps])) if steps else 0.0
        loss = float(r.losses[i, steps])
        clip = "no clipping" if mode == "none" else (
            f"clipped {int(taken.sum())}/{steps} steps ({100 * taken.mean() if steps else 0:.0f} %)")
        away = " · left the view" if left else ""
        return f"{clip} · longest step {longest:.3g} · loss {loss:.3g}{away}"
