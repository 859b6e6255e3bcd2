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
"""

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
from .player import player
from .rnnview import rnn_explorer
from .smoothview import smoothness_explorer
from .spikeview import spike_explorer
from .stage import Stage
from .trainview import training_explorer
from .views import condition_explorer, learning_rate_explorer

__all__ = ["Explorer", "Stage", "learning_rate_explorer", "condition_explorer",
           "clipping_explorer", "demo_regression", "player", "phase_explorer", "training_explorer",
           "rnn_explorer", "cliff_explorer", "depth_explorer", "smoothness_explorer", "noise_explorer",
           "bias_explorer", "spike_explorer", "momentum_explorer", "adam_explorer",
           "toy_explorer", "eos_explorer"]
