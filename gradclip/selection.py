"""Choosing the learning rate and the clipping threshold: cross-validation, the learning-rate
range test, and thresholds read off measured gradient norms.

References
----------
.. [1] L. N. Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017
   (the learning-rate range test). https://arxiv.org/abs/1506.01186
.. [2] R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent neural
   networks", ICML 2013 (thresholds of 0.5 to 10 times the average norm).
   https://arxiv.org/abs/1211.5063
"""

from dataclasses import dataclass, replace

import numpy as np

from . import validation as v
from ._engine import check_problem, check_theta0, descend
from .problems import LinearRegression
from .solvers import run

__all__ = ["CVResult", "cross_validate", "sine_data", "Retrained", "retrain", "ChoiceStudy",
           "choice_study", "LRRangeTest", "lr_range_test", "net_lr_range_test",
           "threshold_from_norms", "clipped_share", "threshold_for_share", "WarmupThreshold",
           "warmup_threshold"]


@dataclass(frozen=True)
class CVResult:
    """Outcome of :func:`cross_validate`. Grid-shaped arrays are ``(len(lrs),)`` without
    thresholds and ``(len(lrs), len(thresholds))`` with them; ``*_folds`` add a leading fold axis.
    ``best`` and ``best_train`` are ``(lr, threshold)`` (threshold None without clipping), or
    None when every configuration diverged on some fold."""

    lrs: np.ndarray
    thresholds: object
    val_folds: np.ndarray
    train_folds: np.ndarray
    val_mean: np.ndarray
    val_std: np.ndarray
    train_mean: np.ndarray
    diverged: np.ndarray  # number of folds on which the configuration diverged
    best: object
    best_train: object


class _FoldStack:
    """The k training-fold least-squares problems stacked: row ``i`` of a ``(k * G, d)`` batch
    belongs to fold ``i // G``. Same formulas as :class:`LinearRegression`, indexed by fold."""

    def __init__(self, problems, per_fold):
        self.dim = problems[0].dim
        self._G = per_fold
        self._H = np.stack([p.hessian() for p in problems])
        zero = np.zeros(self.dim)
        self._b = np.stack([-p.grad(zero) for p in problems])
        self._star = np.stack([p.solution() for p in problems])
        self._jmin = np.array([float(p.loss(p.solution())) for p in problems])

    def _folded(self, theta):
        return theta.reshape(len(self._H), self._G, self.dim)

    def loss(self, theta):
        e = self._folded(theta) - self._star[:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            quad = np.sum(np.einsum("fgi,fij->fgj", e, self._H) * e, axis=-1)
            return (self._jmin[:, None] + 0.5 * quad).reshape(-1)

    def grad(self, theta):
        with np.errstate(over="ignore", invalid="ignore"):
            g = np.einsum("fgi,fij->fgj", self._folded(theta), self._H) - self._b[:, None]
        return g.reshape(-1, self.dim)


def _best(lrs, thresholds, table):
    if not np.isfinite(table).any():
        return None
    idx = np.unravel_index(np.argmin(table), table.shape)
    return float(lrs[idx[0]]), None if thresholds is None else float(thresholds[idx[1]])


def cross_validate(X, y, lrs, thresholds=None, k=5, steps=100, clip="norm", seed=0, theta0=None):
    """k-fold cross-validation of gradient descent on least squares, every run in one pass.

    The rows are shuffled by ``default_rng(seed).permutation(m)`` and cut into ``k`` folds by
    ``numpy.array_split``. For each fold ``f``, gradient descent (with ``clip``) minimises the
    training loss ``J_f(theta) = mean((X theta - y)^2) / 2`` over the other folds, as
    :func:`~gradclip.run` on ``LinearRegression(X_train, y_train)`` would, and the final
    ``theta`` is scored by the same loss on fold ``f``. All ``k * len(lrs) * len(thresholds)``
    runs advance together, the Hessian and ``X^T y / m`` of each row picked by its fold. A run
    that diverges (as in :mod:`gradclip.solvers`) scores ``inf`` on both losses.

    Parameters
    ----------
    X : array_like, shape (m, d)
        Design matrix (include a column of ones for an intercept).
    y : array_like, shape (m,)
        Targets.
    lrs : array_like
        Positive learning rates.
    thresholds : array_like, optional
        Positive clipping thresholds; None means no clipping.
    k : int
        Number of folds, ``2 <= k <= m``.
    steps : int
        Updates per run.
    clip : {"norm", "value"}
        Clipping used with ``thresholds``.
    seed : int
        Seed of the shuffle.
    theta0 : array_like, optional
        Start (zeros by default).

    Returns
    -------
    CVResult
        ``val_mean``, ``val_std`` (over folds, ``ddof=0``; ``inf`` where a fold diverged),
        ``train_mean``, per-fold losses, divergence counts and the best configurations by
        validation and by training loss.

    Examples
    --------
    >>> from gradclip import demo_regression
    >>> prob, _ = demo_regression()
    >>> cv = cross_validate(prob.X, prob.y, [0.1, 0.5, 1.0], thresholds=[1.0, 100.0], steps=50)
    >>> cv.val_mean.shape, cv.best, cv.best_train   # validation and training disagree
    ((3, 2), (0.5, 1.0), (0.5, 100.0))
    >>> cross_validate(prob.X, prob.y, [0.5, 1.5], steps=50).diverged.tolist()  # 1.5 > 2/lambda_max
    [0, 5]
    """
    X = v.as_float_array(X, "X")
    y = v.as_float_array(y, "y")
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0:
        raise ValueError(f"X must be a 2-D array with at least two rows, got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got shape {y.shape}")
    m, d = X.shape
    k = v.non_negative_int(k, "k")
    if not 2 <= k <= m:
        raise ValueError(f"k must be between 2 and the number of rows {m}, got {k}")
    steps = v.non_negative_int(steps, "steps")
    seed = v.non_negative_int(seed, "seed")
    lrs = v.positive_array(lrs, "lrs").reshape(-1)
    theta0 = np.zeros(d) if theta0 is None else theta0
    if thresholds is not None:
        thresholds = v.positive_array(thresholds, "thresholds").reshape(-1)
        if clip not in ("norm", "value"):
            raise ValueError(f"clip must be 'norm' or 'value' when thresholds are given, got {clip!r}")
    folds = np.array_split(np.random.default_rng(seed).permutation(m), k)
    train = [np.setdiff1d(np.arange(m), f) for f in folds]
    problems = [LinearRegression(X[t], y[t]) for t in train]
    theta0 = check_theta0(problems[0], theta0)
    if thresholds is None:
        shape, grid_lr, grid_thr, mode = (lrs.size,), lrs, None, None
    else:
        shape = (lrs.size, thresholds.size)
        L, C = np.meshgrid(lrs, thresholds, indexing="ij")
        grid_lr, grid_thr, mode = L.ravel(), C.ravel(), clip
    G = grid_lr.size
    stack = _FoldStack(problems, G)
    theta, loss, dat = descend(stack, theta0, np.tile(grid_lr, k),
                                None if grid_thr is None else np.tile(grid_thr, k), steps, mode,
                                record=False)
    diverged = (dat >= 0).reshape(k, G)
    thetas = theta.reshape(k, G, d)
    with np.errstate(all="ignore"):
        val = np.stack([0.5 * np.mean((X[f] @ thetas[i].T - y[f][:, None]) ** 2, axis=0)
                        for i, f in enumerate(folds)])
    val = np.where(diverged, np.inf, val).reshape((k,) + shape)
    tr = np.where(diverged, np.inf, loss.reshape(k, G)).reshape((k,) + shape)
    any_div = diverged.any(0).reshape(shape)
    val_mean = val.mean(0)
    val_std = np.where(any_div, np.inf, np.std(np.where(any_div, 0.0, val), axis=0))
    train_mean = tr.mean(0)
    return CVResult(lrs, thresholds, val, tr, val_mean, val_std, train_mean,
                    diverged.sum(0).reshape(shape), _best(lrs, thresholds, val_mean),
                    _best(lrs, thresholds, train_mean))


def sine_data(seed, m=30, m_test=0, degree=9, noise=0.3):
    """Noisy samples of ``sin 3x`` with polynomial features, and an untouched test set.

    One ``numpy.random.default_rng(seed)`` draws, in this order, ``x ~ U(-1, 1)`` (``m``
    values), the training noise ``N(0, noise^2)``, then the test inputs and test noise
    (``m_test`` each): the training set does not depend on ``m_test``.

    Returns
    -------
    X, y, X_test, y_test : ndarray
        ``X = vander(x, degree + 1, increasing=True)``, ``y = sin(3x) + noise``; the test
        arrays have ``m_test`` rows (possibly none).

    Examples
    --------
    >>> X, y, Xt, yt = sine_data(0, m=5, m_test=3, degree=2)
    >>> X.shape, Xt.shape, bool(np.all(X[:, 0] == 1))
    ((5, 3), (3, 3), True)
    """
    seed, m, m_test = (v.non_negative_int(a, n) for a, n in ((seed, "seed"), (m, "m"), (m_test, "m_test")))
    degree = v.non_negative_int(degree, "degree")
    if m < 2:
        raise ValueError(f"m must be at least 2, got {m}")
    noise = float(v.as_float_array(noise, "noise"))
    if not noise >= 0 or not np.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, m)
    y = np.sin(3 * x) + rng.normal(0, noise, m)
    xt = rng.uniform(-1, 1, m_test)
    yt = np.sin(3 * xt) + rng.normal(0, noise, m_test)
    return (np.vander(x, degree + 1, increasing=True), y,
            np.vander(xt, degree + 1, increasing=True), yt)


@dataclass(frozen=True)
class Retrained:
    """Result of :func:`retrain`: the final ``theta``, its training and test losses
    (``inf`` if the run diverged) and the share of steps that were clipped."""

    lr: float
    threshold: object
    theta: np.ndarray
    train_loss: float
    test_loss: float
    clipped_fraction: float


def retrain(X, y, X_test, y_test, lr, threshold=None, steps=100, clip="norm", theta0=None):
    """Run one configuration on ALL of ``(X, y)`` and score it on a test set no choice has seen.

    The run is :func:`~gradclip.run` on ``LinearRegression(X, y)`` from ``theta0`` (zeros by
    default); the test loss is ``mean((X_test theta - y_test)^2) / 2``, the training loss's
    formula.

    Examples
    --------
    >>> X, y, Xt, yt = sine_data(0, m_test=1000)
    >>> a = retrain(X, y, Xt, yt, lr=10.0, threshold=0.01)
    >>> b = retrain(X, y, Xt, yt, lr=5.0, threshold=0.02)   # same lr * c, clipped throughout
    >>> a.clipped_fraction, bool(np.allclose(a.theta, b.theta, rtol=0, atol=1e-12))
    (1.0, True)
    """
    X = v.as_float_array(X, "X")
    y = v.as_float_array(y, "y")
    X_test = v.as_float_array(X_test, "X_test")
    y_test = v.as_float_array(y_test, "y_test")
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be 2-D with one row per entry of y, got shapes {X.shape} and {y.shape}")
    if X_test.ndim != 2 or X_test.shape[1] != X.shape[1] or y_test.shape != (X_test.shape[0],) \
            or X_test.shape[0] == 0:
        raise ValueError(f"X_test must be a non-empty 2-D array with {X.shape[1]} columns and one row per "
                         f"entry of y_test, got shapes {X_test.shape} and {y_test.shape}")
    traj = run(LinearRegression(X, y), np.zeros(X.shape[1]) if theta0 is None else theta0, lr, steps,
               clip=None if threshold is None else clip, threshold=threshold)
    theta = traj.thetas[-1].copy()
    with np.errstate(all="ignore"):
        test = np.inf if traj.diverged else float(0.5 * np.mean((X_test @ theta - y_test) ** 2))
    return Retrained(float(lr), threshold, theta, traj.final_loss, test, traj.clipped_fraction)


@dataclass(frozen=True)
class ChoiceStudy:
    """Result of :func:`choice_study`, one entry per data set (``seeds``).

    ``by_val`` and ``by_train`` hold the :class:`Retrained` runs of the pair chosen by
    validation and by training loss; ``cv_val`` the cross-validation score of the validation
    choice (the number that chose it)."""

    seeds: np.ndarray
    by_val: tuple
    by_train: tuple
    cv_val: np.ndarray

    @property
    def differ(self):
        """Whether the two choices are different pairs."""
        return np.array([(a.lr, a.threshold) != (b.lr, b.threshold)
                         for a, b in zip(self.by_val, self.by_train)])

    @property
    def val_test(self):
        return np.array([r.test_loss for r in self.by_val])

    @property
    def train_test(self):
        return np.array([r.test_loss for r in self.by_train])


def choice_study(seeds, lrs, thresholds, steps=100, k=5, m=30, m_test=20000, degree=9, noise=0.3,
                 clip="norm", theta0=None, cv_theta0=None):
    """Choose ``(lr, threshold)`` by validation and by training loss on many data sets, then
    retrain each choice on all training points and score it on an untouched test set.

    For each seed: ``sine_data(seed, m, m_test, degree, noise)``;
    ``cross_validate(X, y, lrs, thresholds, k, steps, clip, seed=seed, theta0=cv_theta0)``;
    :func:`retrain` of ``cv.best`` and ``cv.best_train`` from ``theta0``, scored on the test
    set. Both starts are zeros by default; moving them apart (e.g. by 1e-12) probes how much the
    choices and their test losses hang on rounding. A choice that is None (every pair
    diverged) raises ValueError.

    Examples
    --------
    >>> st = choice_study([0, 1], [1.0, 10.0], [0.01, 0.1], steps=20, m_test=500)
    >>> st.val_test.shape, st.differ.dtype
    ((2,), dtype('bool'))
    """
    if thresholds is None:
        raise ValueError("thresholds must be given: the study compares (lr, threshold) pairs, got None")
    seeds = [v.non_negative_int(s, "seeds") for s in np.atleast_1d(seeds).tolist()]
    if not seeds:
        raise ValueError(f"seeds must name at least one data set, got {seeds!r}")
    by_val, by_train, cv_val = [], [], []
    for s in seeds:
        X, y, Xt, yt = sine_data(s, m, m_test, degree, noise)
        cv = cross_validate(X, y, lrs, thresholds, k=k, steps=steps, clip=clip, seed=s, theta0=cv_theta0)
        if cv.best is None:
            raise ValueError(f"every configuration diverged on data set {s}")
        by_val.append(retrain(X, y, Xt, yt, *cv.best, steps=steps, clip=clip, theta0=theta0))
        by_train.append(retrain(X, y, Xt, yt, *cv.best_train, steps=steps, clip=clip, theta0=theta0))
        cv_val.append(float(np.min(cv.val_mean)))
    return ChoiceStudy(np.array(seeds), tuple(by_val), tuple(by_train), np.array(cv_val))


@dataclass(frozen=True)
class LRRangeTest:
    """Result of a learning-rate range test. ``losses[i]`` is the loss AFTER the step taken
    with ``lrs[i]`` (NaN after the stop); ``stopped_at`` is the index of the step that blew up.
    ``thetas`` (:func:`lr_range_test` only, else None) holds the iterates, ``(steps + 1, d)``:
    ``thetas[0]`` is the start, ``thetas[i + 1]`` the iterate after the step with ``lrs[i]``
    (NaN after the stop)."""

    lrs: np.ndarray
    losses: np.ndarray
    loss0: float
    stopped_at: object
    blow_up_lr: object
    steepest_lr: object
    thetas: object = None


def _range_test(loss_and_grads, params, lr_min, lr_max, steps, stop_factor):
    lr_min = v.positive(lr_min, "lr_min")
    lr_max = v.positive(lr_max, "lr_max")
    if lr_max <= lr_min:
        raise ValueError(f"lr_max must exceed lr_min={lr_min}, got {lr_max!r}")
    steps = v.non_negative_int(steps, "steps")
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps!r}")
    stop_factor = v.positive(stop_factor, "stop_factor")
    if stop_factor <= 1:
        raise ValueError(f"stop_factor must exceed 1, got {stop_factor!r}")
    lrs = np.geomspace(lr_min, lr_max, steps)
    losses = np.full(steps, np.nan)
    stopped_at, path = None, [params]
    with np.errstate(all="ignore"):
        loss0, grads = loss_and_grads(params)
        best = loss0 = float(loss0)
        for i, lr in enumerate(lrs):
            params = [p - lr * g for p, g in zip(params, grads)]
            path.append(params)
            loss, grads = loss_and_grads(params)
            losses[i] = loss = float(loss)
            if not np.isfinite(loss) or loss > stop_factor * best:
                stopped_at = i
                break
            best = min(best, loss)
    taken = steps if stopped_at is None else stopped_at
    drops = np.diff(np.concatenate([[loss0], losses[:taken]]))
    steepest = float(lrs[np.argmin(drops)]) if taken else None
    return LRRangeTest(lrs, losses, loss0, stopped_at,
                       None if stopped_at is None else float(lrs[stopped_at]), steepest), path


def lr_range_test(problem, theta0, lr_min=1e-5, lr_max=10.0, steps=100, stop_factor=4.0):
    """The learning-rate range test (Smith 2017; fast.ai's ``lr_find``) on a problem.

    One run of gradient descent whose rate grows geometrically, ``lrs = geomspace(lr_min,
    lr_max, steps)``, one rate per step. It stops at the first step whose loss is non-finite
    or exceeds ``stop_factor`` times the best loss so far (the start included). Smith raised the
    rate linearly; fast.ai raises it geometrically, as here, and smooths a mini-batch loss
    first (with full-batch gradients there is nothing to smooth).

    Parameters
    ----------
    problem : Problem
        Anything with ``dim``, ``loss`` and ``grad``.
    theta0 : array_like, shape (d,)
        Start.
    lr_min, lr_max : float
        First and last rate, ``0 < lr_min < lr_max``.
    steps : int
        Number of rates (steps), at least 2.
    stop_factor : float
        Stop once the loss exceeds this multiple (> 1) of the best loss so far.

    Returns
    -------
    LRRangeTest
        ``blow_up_lr`` is the rate of the step that stopped the test (None if none did);
        ``steepest_lr`` the rate whose step lowered the loss most, i.e. the minimum of
        ``d loss / d log(lr)`` before the stop (fast.ai's "steep" suggestion); ``thetas``
        the iterates.

    Examples
    --------
    >>> from gradclip import demo_regression
    >>> prob, theta0 = demo_regression()
    >>> res = lr_range_test(prob, theta0, steps=100)
    >>> round(res.blow_up_lr / prob.max_stable_lr(), 1)   # far past the edge 2/lambda_max
    6.0
    """
    check_problem(problem)
    theta0 = check_theta0(problem, theta0)
    res, path = _range_test(lambda p: (problem.loss(p[0]), [problem.grad(p[0])]), [theta0],
                            lr_min, lr_max, steps, stop_factor)
    thetas = np.full((len(res.lrs) + 1, problem.dim), np.nan)
    thetas[:len(path)] = [p[0] for p in path]
    return replace(res, thetas=thetas)


def net_lr_range_test(net, X, y, lr_min=1e-5, lr_max=10.0, steps=100, stop_factor=4.0):
    """:func:`lr_range_test` for a :class:`~gradclip.MLP` trained full-batch on ``(X, y)``.

    The net's ``params`` are the start and are not modified; gradients come from
    ``net.loss_and_grads``.

    Examples
    --------
    >>> from gradclip import MLP
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(32, 3)); y = X[:, :1] * 0.5
    >>> res = net_lr_range_test(MLP([3, 8, 1], seed=0), X, y, steps=60)
    >>> res.blow_up_lr is not None and res.steepest_lr < res.blow_up_lr
    True
    """
    if not (hasattr(net, "loss_and_grads") and hasattr(net, "params")):
        raise ValueError(f"net must be an MLP (loss_and_grads and params), got {net!r}")
    start = [np.array(p, dtype=np.float64) for p in net.params]
    return _range_test(lambda p: net.loss_and_grads(X, y, p), start,
                       lr_min, lr_max, steps, stop_factor)[0]


THRESHOLD_METHODS = ("median", "percentile", "mean")


def threshold_from_norms(grad_norms, method="median", q=50, factor=1.0):
    """A clipping threshold from measured gradient norms: ``factor * statistic(grad_norms)``.

    ``method`` is the median, the ``q``-th percentile (numpy's linear interpolation) or the
    mean. Pascanu et al. (2013) report thresholds of 0.5 to 10 times the average norm
    (``method="mean"``, ``factor`` in [0.5, 10]) as working well.

    Parameters
    ----------
    grad_norms : array_like, 1-D
        Finite, non-negative norms (e.g. ``Trajectory.grad_norms`` of a warm-up).
    method : {"median", "percentile", "mean"}
    q : float
        Percentile in [0, 100], used by ``"percentile"``.
    factor : float
        Positive multiplier.

    Returns
    -------
    float
        The threshold (positive: all-zero norms raise ValueError).

    Examples
    --------
    >>> threshold_from_norms([1.0, 2.0, 3.0, 10.0])
    2.5
    >>> threshold_from_norms([1.0, 2.0, 3.0, 10.0], "percentile", q=75)
    4.75
    >>> threshold_from_norms([1.0, 2.0, 3.0, 10.0], "mean", factor=0.5)
    2.0
    """
    norms = v.as_float_array(grad_norms, "grad_norms")
    if norms.ndim != 1 or norms.size == 0 or not np.all(np.isfinite(norms)) or np.any(norms < 0):
        raise ValueError(f"grad_norms must be a non-empty 1-D array of finite norms >= 0, got {grad_norms!r}")
    if method not in THRESHOLD_METHODS:
        raise ValueError(f"method must be one of {THRESHOLD_METHODS}, got {method!r}")
    q_arr = v.as_float_array(q, "q")
    if q_arr.ndim != 0 or not 0 <= q_arr <= 100:
        raise ValueError(f"q must be one number in [0, 100], got {q!r}")
    q = float(q_arr)
    factor = v.positive(factor, "factor")
    stat = {"median": np.median, "mean": np.mean,
            "percentile": lambda a: np.percentile(a, q)}[method](norms)
    if stat <= 0:
        raise ValueError(f"the {method} of grad_norms is 0: no threshold can be read off")
    return float(factor * stat)


def clipped_share(grad_norms, threshold):
    """The share of the measured norms a threshold would clip: ``mean(grad_norms > threshold)``.

    Clipping shortens a step only when its norm exceeds the threshold (a norm equal to it is
    left alone). The norms are replayed as measured: a run clipped at ``threshold`` would take
    other steps and meet other norms.

    >>> clipped_share([1.0, 2.0, 3.0, 10.0], 2.0)
    0.5
    """
    norms = _norms(grad_norms)
    c = v.positive(threshold, "threshold")
    return float(np.count_nonzero(norms > c) / norms.size)


def threshold_for_share(grad_norms, share=0.1, candidates=None):
    """The smallest threshold that clips at most ``share`` of the measured norms.

    Among ``candidates`` (e.g. a slider's values): the smallest ``c`` with
    ``clipped_share(grad_norms, c) <= share``; without candidates, the smallest measured norm
    with that property, which is ``numpy.quantile(grad_norms, 1 - share, method="inverted_cdf")``
    (numpy's default linear interpolation, :func:`threshold_from_norms`, may fall below it and
    clip more than ``share``).

    Raises
    ------
    ValueError
        For a share outside [0, 1), or when no candidate clips few enough.

    >>> threshold_for_share([1.0, 2.0, 3.0, 10.0], 0.25)
    3.0
    >>> threshold_for_share([1.0, 2.0, 3.0, 10.0], 0.25, candidates=[1.5, 2.5, 3.5])
    3.5
    """
    norms = _norms(grad_norms)
    s = v.as_float_array(share, "share")
    if s.ndim != 0 or not 0 <= s < 1:
        raise ValueError(f"share must be one number in [0, 1), got {share!r}")
    pool = np.sort(norms) if candidates is None else np.sort(v.as_float_array(candidates, "candidates").ravel())
    if candidates is not None and (pool.size == 0 or not np.all(np.isfinite(pool)) or pool[0] <= 0):
        raise ValueError(f"candidates must be finite positive thresholds, got {candidates!r}")
    ok = [c for c in pool if np.count_nonzero(norms > c) / norms.size <= float(s)]
    if not ok:
        raise ValueError(f"no candidate clips at most {float(s):g} of the norms "
                         f"(the largest norm is {norms.max():g})")
    return float(ok[0])


def _norms(grad_norms):
    norms = v.as_float_array(grad_norms, "grad_norms")
    if norms.ndim != 1 or norms.size == 0 or not np.all(np.isfinite(norms)) or np.any(norms < 0):
        raise ValueError(f"grad_norms must be a non-empty 1-D array of finite norms >= 0, got {grad_norms!r}")
    return norms


@dataclass(frozen=True)
class WarmupThreshold:
    """Result of :func:`warmup_threshold`: the threshold, the norms it came from, and
    ``diverged_at`` (None, or the step at which the unclipped warm-up blew up)."""

    threshold: float
    grad_norms: np.ndarray
    diverged_at: object
    note: str


def warmup_threshold(problem, theta0, lr, steps=20, method="median", q=50, factor=1.0):
    """Threshold from a short UNCLIPPED warm-up: run ``steps`` steps of gradient descent at
    ``lr``, then :func:`threshold_from_norms` of the raw gradient norms it met.

    If the warm-up diverges, only the norms measured at the finite iterates before the
    divergence are used, and ``note`` says so.

    Examples
    --------
    >>> from gradclip import demo_regression
    >>> prob, theta0 = demo_regression()
    >>> w = warmup_threshold(prob, theta0, lr=0.1, steps=10)
    >>> round(w.threshold, 3), w.diverged_at
    (3.352, None)
    >>> warmup_threshold(prob, theta0, lr=1.5, steps=50).note
    'the warm-up diverged at step 8; the threshold uses the 8 norms before it'
    """
    steps = v.non_negative_int(steps, "steps")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps!r}")
    traj = run(problem, theta0, lr, steps)
    taken = steps if traj.diverged_at is None else traj.diverged_at
    norms = traj.grad_norms[:taken]
    thr = threshold_from_norms(norms, method, q, factor)
    note = ("the warm-up stayed finite" if traj.diverged_at is None else
            f"the warm-up diverged at step {traj.diverged_at}; "
            f"the threshold uses the {taken} norms before it")
    return WarmupThreshold(thr, norms.copy(), traj.diverged_at, note)
