"""Interactive explorers: sliders over precomputed runs, drawn in the page.

Every explorer is built the same way (:meth:`~gradclip.widgets.stage.Stage.build`): all the runs
its controls can reach are computed once with :func:`gradclip.run_batch`; matplotlib draws the
static figure once (axes, labels, contours) and the runs become compact arrays; the page
(``static/explorer.js``, an anywidget module) draws the moving parts on a canvas over that
picture at every slider move, without a round trip to the kernel. The kernel keeps the
chosen values (``explorer.values``, ``explorer.status_text``, presets). A saved notebook keeps a
picture of the explorer and its full spec, so it reads well, and a static page can run it.

>>> from gradclip import widgets
>>> ex = widgets.condition_explorer(preset="condition=10;lr=1;steps=30", max_steps=40)
>>> ex.preset()
'condition=10;lr=1;steps=30'
>>> "oscillating" in ex.update(lr=1.9).status_text
True

Every factory takes ``lang`` ('en' or 'zh'; default: the language ``gradclip.setup(lang=...)``
chose): the explorer shows every word in it, and its presets are the same in every language.
"""

import functools
import inspect

from .. import i18n

from ..data import demo_regression
from .adamview import adam_explorer
from .biasview import bias_explorer
from .cliffview import cliff_explorer
from .clipview import clipping_explorer
from .depthview import depth_explorer
from .eosview import eos_explorer, toy_explorer
from .live import Explorer
from .momentumview import momentum_explorer
from .noiseview import noise_explorer
from .phaseview import phase_explorer
from . import predict as _predict
from .player import player
from .rnnview import rnn_explorer
from .smoothview import smoothness_explorer
from .spikeview import spike_explorer
from .stage import Stage
from .thresholdview import threshold_explorer
from .trainview import training_explorer
from .views import condition_explorer, learning_rate_explorer
from .words import speaking

_LANG_DOC = """    lang : {'en', 'zh'}, optional
        The language of every word the explorer shows (default: the current one, chosen by
        ``gradclip.setup(lang=...)``). Presets are the same in every language.
"""
_PREDICT_DOC = """    predict : str, optional
        One of {}: the learner predicts with a control before the page shows the outcome
        (see :mod:`gradclip.widgets.predict`).
"""


def _in_language(factory):
    """``factory`` with a keyword ``lang``: it runs, and builds its explorer, in that language;
    and, for a factory with questions (:data:`gradclip.widgets.predict.QUESTIONS`), a keyword
    ``predict``: the question the explorer asks before it shows (:func:`~.predict.ask`)."""
    sig = inspect.signature(factory)
    asks = factory.__name__ in _predict.QUESTIONS

    @functools.wraps(factory)
    def build(*args, lang=None, predict=None, **kwargs):
        if predict is not None and not asks:
            raise ValueError(f"{factory.__name__} asks no question, got predict={predict!r}")
        with speaking(i18n.check_language(lang)):
            ex = factory(*args, **kwargs)
            if predict is None:
                return ex
            bound = sig.bind(*args, **kwargs).arguments
            return _predict.attach(factory.__name__, ex, predict, bound)

    extra = [inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=None)]
    if asks:
        extra.append(inspect.Parameter("predict", inspect.Parameter.KEYWORD_ONLY, default=None))
    build.__signature__ = sig.replace(parameters=[*sig.parameters.values(), *extra])
    doc = factory.__doc__ or ""
    at = doc.find("\n\n    Returns\n")
    more = _LANG_DOC + (_PREDICT_DOC.format(sorted(_predict.QUESTIONS[factory.__name__]))
                        if asks else "")
    build.__doc__ = doc[:at + 1] + more + doc[at + 1:] if at >= 0 else doc + "\n" + more
    return build


__all__ = ["Explorer", "Stage", "learning_rate_explorer", "condition_explorer",
           "clipping_explorer", "demo_regression", "player", "phase_explorer", "training_explorer",
           "rnn_explorer", "cliff_explorer", "depth_explorer", "smoothness_explorer", "noise_explorer",
           "bias_explorer", "spike_explorer", "momentum_explorer", "adam_explorer",
           "toy_explorer", "eos_explorer", "threshold_explorer"]

for _name in [n for n in __all__ if n.endswith("_explorer")] + ["player"]:
    globals()[_name] = _in_language(globals()[_name])
del _name
