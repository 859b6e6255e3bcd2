"""Play/pause control over a :class:`~gradclip.animation.TrajectoryScene` (in the kernel)."""

import ipywidgets as W

from ..style import is_presentation


class Player:
    """A scene with a Play button linked to a step slider; displays itself as its widget.

    Attributes
    ----------
    fig : Figure
    widget : ipywidgets.VBox
        Root container (CSS class ``gradclip-player``).
    controls : dict
        ``"play"`` (ipywidgets.Play) and ``"step"`` (IntSlider).
    """

    def __init__(self, scene, interval=120):
        self.scene, self.fig = scene, scene.fig
        width = "520px" if is_presentation() else "360px"
        play = W.Play(value=0, min=0, max=scene.n_steps, step=1, interval=int(interval),
                      description="play")
        step = W.IntSlider(value=0, min=0, max=scene.n_steps, description="step",
                           layout=W.Layout(width=width))
        play.add_class("gradclip-play")
        step.add_class("gradclip-slider-frame")
        W.jslink((play, "value"), (step, "value"))
        step.observe(lambda ch: self._draw(ch["new"]), names="value")
        self.controls = {"play": play, "step": step}
        canvas = [self.fig.canvas] if isinstance(self.fig.canvas, W.DOMWidget) else []
        self.widget = W.VBox([W.HBox([play, step])] + canvas)
        self.widget.add_class("gradclip-player")
        self._draw(0)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _draw(self, k):
        self.scene.draw_frame(k)
        self.fig.canvas.draw_idle()

    def update(self, step):
        """Jump to ``step`` (0..n_steps) and redraw; returns self."""
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= self.scene.n_steps:
            raise ValueError(f"step must be an integer in [0, {self.scene.n_steps}], got {step!r}")
        if self.controls["step"].value == step:
            self._draw(step)
        else:
            self.controls["step"].value = step  # the observer redraws
        self.controls["play"].value = step
        return self


def player(scene, interval=120):
    """Wrap a :class:`~gradclip.animation.TrajectoryScene` in a play/pause control.

    Parameters
    ----------
    scene : TrajectoryScene
        E.g. ``animation.descent_animation(...).scene`` or a scene built directly.
    interval : int
        Milliseconds between frames while playing.

    Returns
    -------
    Player
    """
    if not hasattr(scene, "draw_frame") or not hasattr(scene, "n_steps"):
        raise ValueError(f"scene must be a TrajectoryScene, got {scene!r}")
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 10:
        raise ValueError(f"interval must be an integer number of milliseconds >= 10, got {interval!r}")
    return Player(scene, interval)
