"""Clipping thresholds that adapt to the gradient norms seen so far: AutoClip and ZClip.

A rule is an object called once per training step with the raw gradient norm; it returns the
norm to clip that gradient to (``inf``: leave it alone) and updates its own state. The same
objects work online inside a training loop and, through :func:`rule_thresholds`, over a
recorded sequence of norms. :func:`spike_process` makes a seeded stream of gradient noise with
rare spikes and :func:`compare_rules` runs SGD with each rule on it. :func:`replay_thresholds`
replays a fixed threshold, AutoClip and ZClip over a learner's own log of norms, read from its
text by :func:`parse_norm_log` (the page's twin: ``widgets/static/explorer/replay.js``).

References
----------
Seetharaman, Wichern, Pardo & Le Roux (2020), "AutoClip: adaptive gradient clipping for
source separation networks", IEEE MLSP. https://arxiv.org/abs/2007.14469
Kumar, Owen, Roy Chowdhury & Güra (2025), "ZClip: adaptive spike mitigation for LLM
pre-training". https://arxiv.org/abs/2504.02507
"""

import copy
import re
from dataclasses import dataclass

import numpy as np

from . import validation as v
from ._engine import check_problem, check_theta0, norm_scale

__all__ = ["FixedThreshold", "AutoClip", "ZClip", "rule_thresholds", "SpikeProcess",
           "spike_process", "RuleRun", "run_with_rule", "compare_rules", "RuleReplay", "Replay",
           "replay_thresholds", "parse_norm_log"]


def _norm_value(grad_norm):
    g = float(v.as_float_array(grad_norm, "grad_norm"))
    if not g >= 0:
        raise ValueError(f"grad_norm must be a number >= 0, got {grad_norm!r}")
    return g


class FixedThreshold:
    """The classic rule: always clip to the same ``threshold``.

    Examples
    --------
    >>> rule = FixedThreshold(2.0)
    >>> rule(5.0), rule(1.0)
    (2.0, 2.0)
    """

    def __init__(self, threshold):
        self.threshold = v.positive(threshold, "threshold")

    def __call__(self, grad_norm):
        _norm_value(grad_norm)
        return self.threshold

    def __repr__(self):
        return f"FixedThreshold({self.threshold})"


class AutoClip:
    """AutoClip: clip at the ``percentile``-th percentile of every norm seen so far.

    At step ``t`` the raw norm ``g_t`` joins the history first, then the threshold is
    ``percentile(g_1..g_t, p)`` (numpy's linear interpolation), as in the authors' code. The
    paper's default ``p = 10`` clips about 90 % of the steps: AutoClip is a smoother more than a
    spike detector.

    Parameters
    ----------
    percentile : float
        ``p`` in [0, 100].

    Examples
    --------
    >>> rule = AutoClip(percentile=50)
    >>> [rule(g) for g in (4.0, 2.0, 9.0)]      # medians of [4], [4, 2], [4, 2, 9]
    [4.0, 3.0, 4.0]
    """

    def __init__(self, percentile=10.0):
        p = float(v.as_float_array(percentile, "percentile"))
        if not 0 <= p <= 100:
            raise ValueError(f"percentile must lie in [0, 100], got {percentile!r}")
        self.percentile = p
        self.history = []

    def __call__(self, grad_norm):
        self.history.append(_norm_value(grad_norm))
        return float(np.percentile(self.history, self.percentile))

    def __repr__(self):
        return f"AutoClip(percentile={self.percentile})"


ZCLIP_OPTIONS = ("adaptive_scaling", "z_bound", "mean")


class ZClip:
    r"""ZClip: clip norms that are outliers against an exponential moving mean and variance.

    For the first ``warmup_steps`` norms only the cap applies (below); then ``mu`` and
    ``sigma^2`` start as their mean and (population) variance. At each later step, with ``z =
    (g - mu) / (sigma + eps)``:

    * if ``z <= z_thresh`` the z-score rule leaves the gradient alone and ``g* = g``;
    * otherwise it clips to ``g*``: ``mu + z_thresh^2 sigma / z`` for the paper's default
      ``"adaptive_scaling"`` (the larger the outlier, the harder the cut), ``mu + z_thresh
      sigma`` for ``"z_bound"``, or ``mu`` for ``"mean"``;

    then ``mu <- alpha mu + (1 - alpha) g*`` and ``sigma^2 <- alpha sigma^2 + (1 - alpha)
    (g* - mu)^2`` with the NEW ``mu``, so the statistics follow the clipped norms and a spike
    does not inflate them. On top of that rule every step, warm-up included, is clipped to
    ``max_grad_norm`` (the threshold returned is ``min(g*, max_grad_norm)``); the cap does not
    enter ``mu`` and ``sigma``. This follows the authors' reference implementation
    (bluorion-com/ZClip, ``zclip.py``), whose default cap is ``max_grad_norm = 1.0``, an
    absolute norm: ``max_grad_norm=None`` gives the z-score rule alone, which clips nothing
    during its warm-up.

    Parameters
    ----------
    alpha : float
        EMA factor in (0, 1) (0.97 in the paper).
    z_thresh : float
        Positive z-score above which a norm is clipped (2.5).
    warmup_steps : int
        Norms collected before the z-score rule starts (>= 1; 25).
    clip_option : {"adaptive_scaling", "z_bound", "mean"}
    eps : float
        Non-negative term added to ``sigma``.
    max_grad_norm : float or None
        Positive cap on every step's norm (1.0, the reference's default); None: no cap.

    Examples
    --------
    >>> rule = ZClip(warmup_steps=2, eps=0.0, max_grad_norm=None)
    >>> rule(1.0), rule(3.0)                   # warm-up: mu = 2, sigma = 1
    (inf, inf)
    >>> round(rule(7.0), 6)                    # z = 5 > 2.5: clip to 2 + 2.5**2 / 5
    3.25
    >>> capped = ZClip(warmup_steps=2, eps=0.0, max_grad_norm=3.0)
    >>> capped(1.0), capped(3.0), capped(7.0)  # the cap in the warm-up and after it
    (3.0, 3.0, 3.0)
    """

    def __init__(self, alpha=0.97, z_thresh=2.5, warmup_steps=25, clip_option="adaptive_scaling",
                 eps=1e-6, max_grad_norm=1.0):
        alpha = float(v.as_float_array(alpha, "alpha"))
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must lie in (0, 1), got {alpha!r}")
        warmup_steps = v.non_negative_int(warmup_steps, "warmup_steps")
        if warmup_steps < 1:
            raise ValueError(f"warmup_steps must be >= 1, got {warmup_steps!r}")
        if clip_option not in ZCLIP_OPTIONS:
            raise ValueError(f"clip_option must be one of {ZCLIP_OPTIONS}, got {clip_option!r}")
        eps = float(v.as_float_array(eps, "eps"))
        if not (np.isfinite(eps) and eps >= 0):
            raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
        if max_grad_norm is not None:
            max_grad_norm = v.positive(max_grad_norm, "max_grad_norm")
        self.alpha, self.z_thresh = alpha, v.positive(z_thresh, "z_thresh")
        self.warmup_steps, self.clip_option, self.eps = warmup_steps, clip_option, eps
        self.max_grad_norm = max_grad_norm
        self.buffer, self.mean, self.var = [], None, None

    def __call__(self, grad_norm):
        g = _norm_value(grad_norm)
        cap = np.inf if self.max_grad_norm is None else self.max_grad_norm
        if self.mean is None:
            self.buffer.append(g)
            if len(self.buffer) >= self.warmup_steps:
                self.mean = float(np.mean(self.buffer))
                self.var = float(np.var(self.buffer))
                self.buffer = []
            return float(cap)
        std = np.sqrt(self.var)
        z = (g - self.mean) / (std + self.eps)
        threshold = np.inf
        if z > self.z_thresh:
            threshold = {"adaptive_scaling": self.mean + self.z_thresh ** 2 * std / z,
                         "z_bound": self.mean + self.z_thresh * std,
                         "mean": self.mean}[self.clip_option]
        kept = min(g, threshold)
        self.mean = self.alpha * self.mean + (1 - self.alpha) * kept
        self.var = self.alpha * self.var + (1 - self.alpha) * (kept - self.mean) ** 2
        return float(min(threshold, cap))

    def __repr__(self):
        return (f"ZClip(alpha={self.alpha}, z_thresh={self.z_thresh}, "
                f"warmup_steps={self.warmup_steps}, clip_option={self.clip_option!r}, "
                f"max_grad_norm={self.max_grad_norm})")


def rule_thresholds(rule, grad_norms):
    """The threshold a rule gives at each step of a recorded norm sequence (open loop).

    The rule is copied first, so the caller's rule keeps its state.

    Examples
    --------
    >>> rule_thresholds(AutoClip(50), [4.0, 2.0, 9.0]).tolist()
    [4.0, 3.0, 4.0]
    """
    if not callable(rule):
        raise ValueError(f"rule must be callable (grad_norm -> threshold), got {rule!r}")
    norms = v.as_float_array(grad_norms, "grad_norms").reshape(-1)
    fresh = copy.deepcopy(rule)
    return np.array([fresh(g) for g in norms], dtype=np.float64)


@dataclass(frozen=True)
class SpikeProcess:
    """Gradient noise ``noise[k]`` (steps, d) and the steps ``spikes[k]`` that carry a spike."""

    noise: np.ndarray
    spikes: np.ndarray


def spike_process(steps, dim, seed=0, noise_std=0.5, spike_prob=0.02, spike_size=50.0):
    r"""Gaussian gradient noise with rare spikes, as a corrupted mini-batch would give.

    ``noise[k] = noise_std * z_k + b_k * spike_size * u_k`` with ``z_k ~ N(0, I_d)``, ``b_k`` a
    Bernoulli(``spike_prob``) indicator and ``u_k`` a uniformly random unit vector, all drawn
    from ``np.random.default_rng(seed)`` (first all ``z``, then all ``b``, then all ``u``).

    Parameters
    ----------
    steps, dim : int
        Length of the stream and dimension of each vector (both >= 1).
    seed : int
    noise_std, spike_size : float
        Positive scales of the background noise and of a spike.
    spike_prob : float
        Chance of a spike at each step, in [0, 1].

    Returns
    -------
    SpikeProcess

    Examples
    --------
    >>> proc = spike_process(1000, 2, seed=0)
    >>> proc.noise.shape, int(proc.spikes.sum())
    ((1000, 2), 18)
    """
    steps, dim = v.non_negative_int(steps, "steps"), v.non_negative_int(dim, "dim")
    if steps < 1 or dim < 1:
        raise ValueError(f"steps and dim must be >= 1, got {steps!r} and {dim!r}")
    seed = v.non_negative_int(seed, "seed")
    noise_std, spike_size = v.positive(noise_std, "noise_std"), v.positive(spike_size, "spike_size")
    p = float(v.as_float_array(spike_prob, "spike_prob"))
    if not 0 <= p <= 1:
        raise ValueError(f"spike_prob must lie in [0, 1], got {spike_prob!r}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((steps, dim))
    spikes = rng.random(steps) < p
    u = rng.standard_normal((steps, dim))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return SpikeProcess(noise_std * z + spikes[:, None] * spike_size * u, spikes)


@dataclass(frozen=True)
class RuleRun:
    """SGD driven by a :class:`SpikeProcess` under one clipping rule.

    ``thresholds[k]`` is what the rule returned at step ``k`` (``inf``: no clipping);
    ``caught`` counts spike steps that were clipped, ``false_alarms`` the clipped steps
    without a spike.
    """

    thetas: np.ndarray
    losses: np.ndarray
    grad_norms: np.ndarray
    thresholds: np.ndarray
    clipped: np.ndarray
    spikes: np.ndarray

    @property
    def caught(self):
        return int(np.sum(self.clipped & self.spikes))

    @property
    def false_alarms(self):
        return int(np.sum(self.clipped & ~self.spikes))

    @property
    def clipped_fraction(self):
        return float(np.mean(self.clipped))

    @property
    def final_loss(self):
        return float(self.losses[-1])

    def worst_loss(self, after):
        """Largest loss from step ``after`` on: ``max(losses[after:])``.

        ``losses[k]`` is the loss after ``k`` steps. The first steps from a far start carry
        the start-up transient (and a rule's own warm-up: ZClip's z-score rule clips nothing
        for its first ``warmup_steps`` norms), so the damage done by spikes is read after it,
        e.g. from step 50. ``after = 0`` includes the start.

        Examples
        --------
        >>> from gradclip import Quadratic
        >>> q = Quadratic([[1.0, 0.0], [0.0, 1.0]])
        >>> run = run_with_rule(q, [5.0, 5.0], 0.5, spike_process(100, 2, seed=0), FixedThreshold(2.0))
        >>> run.worst_loss(0), round(run.worst_loss(50), 2)      # the start, then from step 50
        (25.0, 0.3)
        """
        after = v.non_negative_int(after, "after")
        if after >= len(self.losses):
            raise ValueError(f"after must be below the number of losses {len(self.losses)}, got {after!r}")
        return float(np.max(self.losses[after:]))


def run_with_rule(problem, theta0, lr, process, rule=None):
    """SGD ``theta <- theta - lr clip(grad f(theta) + noise[k], rule(||.||))`` for one stream.

    Parameters
    ----------
    problem : Problem
    theta0 : array_like, shape (d,)
    lr : float
    process : SpikeProcess
        Its ``noise`` has shape ``(steps, d)``.
    rule : callable, optional
        ``grad_norm -> threshold`` (copied, so its state is not touched); None: no clipping.

    Returns
    -------
    RuleRun

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> proc = spike_process(300, 2, seed=0)
    >>> q = Quadratic([[1.0, 0.0], [0.0, 1.0]])
    >>> run = run_with_rule(q, [5.0, 5.0], 0.1, proc, ZClip(max_grad_norm=None))
    >>> run.caught, int(proc.spikes.sum()), run.false_alarms
    (8, 8, 1)
    >>> run_with_rule(q, [5.0, 5.0], 0.1, proc, ZClip()).false_alarms  # the cap 1.0 clips more
    94
    """
    check_problem(problem)
    theta = check_theta0(problem, theta0)
    lr = v.positive(lr, "lr")
    if not isinstance(process, SpikeProcess) or process.noise.shape[1:] != (problem.dim,):
        raise ValueError(f"process must be a SpikeProcess with vectors of length {problem.dim}, "
                         f"got {process!r}")
    rule = None if rule is None else copy.deepcopy(rule)
    if rule is not None and not callable(rule):
        raise ValueError(f"rule must be callable (grad_norm -> threshold) or None, got {rule!r}")
    steps = process.noise.shape[0]
    thetas = np.empty((steps + 1, problem.dim))
    thetas[0] = theta
    norms, thresholds = np.empty(steps), np.full(steps, np.inf)
    with np.errstate(all="ignore"):
        for k in range(steps):
            g = problem.grad(theta) + process.noise[k]
            norms[k] = np.sqrt(g @ g)
            if rule is not None:
                thresholds[k] = rule(norms[k])
            theta = theta - lr * g * norm_scale(norms[k], thresholds[k])
            thetas[k + 1] = theta
        losses = np.asarray(problem.loss(thetas), dtype=np.float64)
    return RuleRun(thetas, losses, norms, thresholds, norms > thresholds, process.spikes.copy())


def compare_rules(problem, theta0, lr, process, rules):
    """:func:`run_with_rule` for each rule of a dict ``{name: rule}``; returns ``{name: RuleRun}``.

    Examples
    --------
    >>> from gradclip import Quadratic
    >>> q = Quadratic([[1.0, 0.0], [0.0, 1.0]])
    >>> runs = compare_rules(q, [5.0, 5.0], 0.1, spike_process(300, 2),
    ...                      {"none": None, "fixed": FixedThreshold(2.0), "autoclip": AutoClip()})
    >>> {name: r.caught for name, r in runs.items()}
    {'none': 0, 'fixed': 8, 'autoclip': 8}
    """
    if not isinstance(rules, dict):
        raise ValueError(f"rules must be a dict {{name: rule}}, got {type(rules).__name__}")
    return {name: run_with_rule(problem, theta0, lr, process, rule) for name, rule in rules.items()}


@dataclass(frozen=True)
class RuleReplay:
    """One rule replayed over a recorded norm sequence.

    ``thresholds[k]`` is what the rule returned at step ``k`` (``inf``: leave it alone),
    ``clipped[k]`` is ``norms[k] > thresholds[k]`` and ``clipped_norms[k]`` is ``min(norms[k],
    thresholds[k])``, the norm of the step the rule would have taken.
    """

    thresholds: np.ndarray
    clipped: np.ndarray
    clipped_norms: np.ndarray

    @property
    def count(self):
        """How many steps the rule clips."""
        return int(np.sum(self.clipped))

    @property
    def fraction(self):
        """The fraction of steps the rule clips."""
        return float(np.mean(self.clipped))


@dataclass(frozen=True)
class Replay:
    """A fixed threshold, AutoClip and ZClip replayed over one log of gradient norms.

    ``norms`` is the log; ``fixed``, ``autoclip`` and ``zclip`` are :class:`RuleReplay`
    results (also ``replay["zclip"]``); ``settings`` holds the arguments used. Its arrays are
    read-only.
    """

    norms: np.ndarray
    fixed: RuleReplay
    autoclip: RuleReplay
    zclip: RuleReplay
    settings: dict

    RULES = ("fixed", "autoclip", "zclip")

    def __getitem__(self, rule):
        if rule not in self.RULES:
            raise KeyError(f"rule must be one of {self.RULES}, got {rule!r}")
        return getattr(self, rule)

    @property
    def counts(self):
        """``{rule: number of clipped steps}``."""
        return {rule: self[rule].count for rule in self.RULES}


def _log_norms(norms):
    arr = v.as_float_array(norms, "norms")
    if arr.ndim != 1 or arr.size < 1:
        raise ValueError(f"norms must be a 1-D sequence of at least 1 number, got shape {arr.shape}")
    bad = np.flatnonzero(~(np.isfinite(arr) & (arr > 0)))
    if bad.size:
        raise ValueError(f"norms must be finite and > 0, got norms[{bad[0]}] = {float(arr[bad[0]])!r}")
    return arr


def _frozen(arr):
    arr.setflags(write=False)
    return arr


def replay_thresholds(norms, threshold=1.0, percentile=10.0, alpha=0.97, z_thresh=2.5,
                      warmup_steps=25, clip_option="adaptive_scaling", max_grad_norm=None):
    """Which steps of a recorded gradient-norm log a fixed threshold, AutoClip and ZClip clip.

    Each rule runs online over ``norms`` exactly as in training (:func:`rule_thresholds` with
    :class:`FixedThreshold`, :class:`AutoClip` and :class:`ZClip`): the threshold of step ``k``
    depends on the norms up to and including ``norms[k]`` (AutoClip adds it to its history
    first; ZClip scores it against the mean and variance of the earlier norms, which then
    follow the clipped norm), never on later ones. A step is clipped when its norm is above
    the threshold. The replay is open loop: in a real run clipping changes the later norms.

    Parameters
    ----------
    norms : array_like, shape (steps,)
        The log: at least one finite norm > 0 (e.g. from :func:`parse_norm_log`).
    threshold : float
        The fixed threshold (1.0: a common ``max_norm``).
    percentile : float
        AutoClip's ``p`` in [0, 100] (10, the paper's default).
    alpha, z_thresh, warmup_steps, clip_option
        ZClip's settings (0.97, 2.5, 25, ``"adaptive_scaling"``, the paper's defaults).
    max_grad_norm : float or None
        ZClip's absolute cap. None (default): the z-score rule alone, so ZClip clips nothing in
        its warm-up and the fixed threshold is shown on its own; the reference
        implementation's 1.0 combines the two.

    Returns
    -------
    Replay

    Examples
    --------
    >>> r = replay_thresholds([1.0, 1.2, 0.9, 1.1, 8.0, 1.0], threshold=2.0, warmup_steps=4)
    >>> r.fixed.clipped.tolist()
    [False, False, False, False, True, False]
    >>> round(float(r.zclip.thresholds[4]), 4), r.counts  # 1.05 + 2.5**2 * std / z
    (1.0612, {'fixed': 1, 'autoclip': 4, 'zclip': 1})
    """
    arr = _log_norms(norms)
    rules = {"fixed": FixedThreshold(threshold),
             "autoclip": AutoClip(percentile),
             "zclip": ZClip(alpha=alpha, z_thresh=z_thresh, warmup_steps=warmup_steps,
                            clip_option=clip_option, max_grad_norm=max_grad_norm)}
    zrule = rules["zclip"]
    settings = {"threshold": rules["fixed"].threshold, "percentile": rules["autoclip"].percentile,
                "alpha": zrule.alpha, "z_thresh": zrule.z_thresh, "warmup_steps": zrule.warmup_steps,
                "clip_option": zrule.clip_option, "max_grad_norm": zrule.max_grad_norm}
    replays = {}
    for name, rule in rules.items():
        th = rule_thresholds(rule, arr)
        replays[name] = RuleReplay(_frozen(th), _frozen(arr > th), _frozen(np.minimum(arr, th)))
    return Replay(_frozen(arr), settings=settings, **replays)


#: Column names read as the gradient norm (after lower-casing, dropping a "train/"-like prefix
#: and writing spaces and dashes as "_"), in order of preference.
NORM_COLUMNS = ("grad_norm", "gradient_norm", "total_norm", "norm")
_NUMBER = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|nan|inf|infinity)", re.I)


def _fields(line, sep):
    parts = re.split(r"[ \t]+", line) if sep is None else line.split(sep)
    out = []
    for part in parts:
        part = part.strip(" \t")
        if len(part) >= 2 and part[0] == part[-1] == '"':
            part = part[1:-1].strip(" \t")
        out.append(part)
    return out


def _column_name(field):
    name = field.lower().rsplit("/", 1)[-1]
    return re.sub(r"[ \-]+", "_", name)


def parse_norm_log(text):
    """The gradient norms of a training log's text, as a float array.

    Reads one number per line, or a table (comma, tab, semicolon or space separated) with or
    without a header line. With a header, the norm is the first column named like
    :data:`NORM_COLUMNS` (``grad_norm``, ``gradient_norm``, ``total_norm``, ``norm``; case, a
    ``train/`` prefix, spaces and dashes do not matter), else the last column holding a number
    on the first data line; without one, the last such column. Blank lines and everything
    after a ``#`` are ignored; fields may be in double quotes. ``nan`` and ``inf`` are read as
    numbers (:func:`replay_thresholds` refuses them).

    Parameters
    ----------
    text : str

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    ValueError
        If a line has no number where the norm should be (naming the line), or there is none.

    Examples
    --------
    >>> parse_norm_log("# my run\\nstep,loss,Grad Norm\\n1,2.5,0.8\\n2,2.4,1.5\\n").tolist()
    [0.8, 1.5]
    >>> parse_norm_log("0.5\\n\\n2e-1  # after the restart\\n").tolist()
    [0.5, 0.2]
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, got {type(text).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    sep, column, header, values = None, None, None, []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), 1):
        line = raw.split("#", 1)[0].strip(" \t")
        if not line:
            continue
        if column is None:
            if sep is None and header is None:
                sep = next((s for s in (",", "\t", ";") if s in line), None)
            fields = _fields(line, sep)
            numeric = [bool(_NUMBER.fullmatch(f)) for f in fields]
            if header is None and not all(numeric):
                header = [_column_name(f) for f in fields]
                column = next((header.index(n) for n in NORM_COLUMNS if n in header), None)
                continue
            if not any(numeric):
                raise ValueError(f"text line {number}: no number in {raw!r}")
            column = max(i for i, is_number in enumerate(numeric) if is_number)
        fields = _fields(line, sep)
        if column >= len(fields) or not _NUMBER.fullmatch(fields[column]):
            got = fields[column] if column < len(fields) else "nothing"
            raise ValueError(f"text line {number}: expected a number in column {column + 1}, "
                             f"got {got!r} in {raw!r}")
        values.append(float(fields[column]))
    if not values:
        raise ValueError("text holds no numbers")
    return np.array(values, dtype=np.float64)
