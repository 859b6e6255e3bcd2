"""The cliff of a one-unit recurrent net: :class:`CliffRNN`, a two-weight loss surface.

Its loss and gradient broadcast over leading axes of ``theta = (w, b)`` like every problem
of :mod:`gradclip.problems`; :meth:`CliffRNN.loss_and_grad` gives both from one forward and
one backward pass over the ``T`` steps, which is what the solvers ask for at every step.
"""

import numpy as np

from . import validation as v
from .activations import ACTIVATIONS
from .base import Problem

__all__ = ["CliffRNN"]

_sigmoid = ACTIVATIONS["sigmoid"][0]


class CliffRNN(Problem):
    """One-unit recurrent net with a cliff in its loss (Pascanu, Mikolov & Bengio 2013, Fig. 6).

    ``x_t = w * sigmoid(x_{t-1}) + b`` for ``t = 1..T`` from ``x_0``, and the loss is
    ``(sigmoid(x_T) - target)^2`` over ``theta = (w, b)``. Near the bifurcation of the map the
    loss drops abruptly: a wall where the gradient is huge and an unclipped step flies far away.
    The gradient is computed by backpropagation through time, vectorised over the batch.

    Parameters
    ----------
    T : int
        Number of time steps (>= 1).
    x0 : float
        Initial state.
    target : float
        Target in (0, 1) for ``sigmoid(x_T)``.

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural
    networks", ICML: the one-unit recurrent net whose loss has a wall (their cliff figure).
    https://arxiv.org/abs/1211.5063

    Examples
    --------
    >>> p = CliffRNN(T=50)
    >>> float(p.loss([5.0, -3.5])) > 0.1 > float(p.loss([5.0, -2.0]))
    True
    """

    dim = 2

    def __init__(self, T=50, x0=0.5, target=0.7):
        T = v.non_negative_int(T, "T")
        if T < 1:
            raise ValueError(f"T must be >= 1, got {T!r}")
        self.T = T
        self.x0 = float(v.as_float_array(x0, "x0"))
        if not np.isfinite(self.x0):
            raise ValueError(f"x0 must be finite, got {x0!r}")
        target = float(v.as_float_array(target, "target"))
        if not 0.0 < target < 1.0:
            raise ValueError(f"target must lie in (0, 1), got {target!r}")
        self.target = target

    def _forward(self, w, b, keep_states=True):
        """Lists of the states ``x_0..x_T`` (only ``x_T`` unless ``keep_states``) and of
        ``sigmoid(x_0..x_{T-1})``, each array of ``w``'s shape."""
        x = np.full(w.shape, self.x0)
        xs, sig = [x], []
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(self.T):
                s = _sigmoid(x)
                x = w * s + b
                sig.append(s)
                if keep_states:
                    xs.append(x)
        return (xs if keep_states else [x]), sig

    def states(self, theta):
        """Hidden states ``x_0..x_T``, shape ``(T + 1, ...)``."""
        theta = self._theta(theta)
        return np.array(self._forward(theta[..., 0], theta[..., 1])[0])

    def losses(self, theta):
        """The loss after each length ``1..T`` from one forward pass, shape ``(T, ...)``:
        entry ``t - 1`` is ``CliffRNN(t, x0, target).loss(theta)``.

        Examples
        --------
        >>> p = CliffRNN(T=3)
        >>> bool(np.array_equal(p.losses([4.0, -2.0])[1], CliffRNN(T=2).loss([4.0, -2.0])))
        True
        """
        xs = self.states(theta)[1:]
        with np.errstate(over="ignore", invalid="ignore"):
            return (_sigmoid(xs) - self.target) ** 2

    def jacobian_factors(self, theta):
        """Per-step factors ``dx_t / dx_{t-1} = w * sigmoid'(x_{t-1})``, shape ``(T, ...)``.

        Backpropagation through time multiplies these: ``dx_T / dx_0`` is their product, so
        the gradient explodes when they are mostly above 1 in magnitude and vanishes when
        they are mostly below 1.
        """
        theta = self._theta(theta)
        s = np.array(self._forward(theta[..., 0], theta[..., 1])[1])
        return theta[..., 0] * s * (1.0 - s)

    def loss(self, theta):
        """The loss ``(sigmoid(x_T) - target)^2`` after ``T`` steps of the recurrence.

        Parameters
        ----------
        theta : array_like, shape (..., 2)
            ``(w, b)``, batched over leading axes.

        Returns
        -------
        numpy.ndarray, shape (...)
            The loss, in ``[0, 1)``. Across the wall it changes from near 0 to near
            ``target^2`` or ``(1 - target)^2`` within a tiny change of ``b``.

        See Also
        --------
        grad : its gradient by backpropagation through time.
        loss_and_grad : both from one forward and one backward pass.
        jacobian_factors : the per-step factors whose product makes the wall steep.

        Examples
        --------
        >>> p = CliffRNN(T=1, x0=0.0, target=0.5)   # x_1 = w sigmoid(0) + b = w / 2 + b
        >>> float(p.loss([0.0, 0.0]))
        0.0
        >>> p.loss([[2.0, 0.0], [0.0, 1.0]]).round(6)   # both: (sigmoid(1) - 0.5)^2
        array([0.053388, 0.053388])
        """
        xs = self.states(theta)
        return (_sigmoid(xs[-1]) - self.target) ** 2

    def grad(self, theta):
        """Gradient by backpropagation through time (batched); see :meth:`loss_and_grad`."""
        return self.loss_and_grad(theta)[1]

    def loss_and_grad(self, theta):
        r"""The loss and its gradient from one forward and one backward pass over the T steps.

        The forward pass keeps ``s_t = sigmoid(x_t)``; backpropagation through time then
        runs from ``delta_T = dL/dx_T = 2 (s_T - target) s_T (1 - s_T)`` down:

        .. math::

            \frac{\partial L}{\partial w} = \sum_{t=1}^{T} \delta_t\, s_{t-1}, \qquad
            \frac{\partial L}{\partial b} = \sum_{t=1}^{T} \delta_t, \qquad
            \delta_{t-1} = \delta_t\, w\, s_{t-1} (1 - s_{t-1}).

        The points of a batch are computed together (a few numpy operations on the whole
        batch per time step, no work per point in Python). The loss is bit for bit
        that of :meth:`loss` (the same expressions in the same order). A solver that needs
        both at each iterate does one forward and one backward pass instead of three passes
        (:meth:`loss`, then a gradient by its own forward and backward pass).

        Parameters
        ----------
        theta : array_like, shape (..., 2)
            ``(w, b)``, batched over leading axes.

        Returns
        -------
        loss : numpy.ndarray, shape (...)
        grad : numpy.ndarray, shape (..., 2)
            ``(dL/dw, dL/db)``.

        Examples
        --------
        >>> p = CliffRNN(T=1, x0=0.0, target=0.5)   # L = (sigmoid(w / 2 + b) - 1/2)^2
        >>> loss, grad = p.loss_and_grad([0.0, 0.0])
        >>> float(loss), grad.tolist()               # at the minimum
        (0.0, [0.0, 0.0])
        >>> loss, grad = p.loss_and_grad([[2.0, 0.0], [0.0, 1.0]])
        >>> grad.round(6).tolist()    # dL/db = 2 (s - 1/2) s (1 - s), dL/dw = dL/db / 2
        [[0.045429, 0.090858], [0.045429, 0.090858]]
        """
        theta = self._theta(theta)
        w, b = theta[..., 0], theta[..., 1]
        xs, sig = self._forward(w, b, keep_states=False)
        s_T = _sigmoid(xs[-1])
        with np.errstate(over="ignore", invalid="ignore"):
            loss = (s_T - self.target) ** 2
            delta = 2.0 * (s_T - self.target) * s_T * (1.0 - s_T)  # dL/dx_T
            dw = np.zeros_like(w)
            db = np.zeros_like(w)
            for t in range(self.T, 0, -1):
                s = sig[t - 1]
                dw = dw + delta * s
                db = db + delta
                delta = delta * w * s * (1.0 - s)
        return loss, np.stack([dw, db], axis=-1)

    def __repr__(self):
        return f"CliffRNN(T={self.T}, x0={self.x0}, target={self.target})"
