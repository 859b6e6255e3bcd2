"""The base class of every problem: :class:`Problem` checks the shape of ``theta``.

A problem has ``dim``, ``loss(theta)`` and ``grad(theta)``, both batched over leading axes of
``theta`` (see :mod:`gradclip.problems`, which collects them). Problems defined by topic in
their own modules (:mod:`gradclip.cliff`, :mod:`gradclip.landscapes`, :mod:`gradclip.tinynet`)
subclass it from here.
"""

from . import validation as v

__all__ = ["Problem"]


class Problem:
    """Base class: input checks shared by all problems."""

    dim = 2

    def _theta(self, theta):
        theta = v.as_float_array(theta, "theta")
        if theta.ndim == 0 or theta.shape[-1] != self.dim:
            raise ValueError(
                f"theta must have shape (..., {self.dim}) for {type(self).__name__}, "
                f"got shape {theta.shape}"
            )
        return theta

    def loss(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, theta):  # pragma: no cover - abstract
        raise NotImplementedError

    def loss_and_grad(self, theta):
        """``(loss(theta), grad(theta))``; a problem that can share work between the two
        (one pass through a recurrence) overrides it. The solvers call it once per iterate."""
        return self.loss(theta), self.grad(theta)

    def __repr__(self):
        return f"{type(self).__name__}(dim={self.dim})"
