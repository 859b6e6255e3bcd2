"""Keys and labels of an explorer's static layer stay on top of the moving layer (``covers``)."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import gradclip
from gradclip import widgets
from gradclip.widgets.figure import key
from gradclip.widgets.stage import COVER, covers


def _png(data):
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(data), format="png")


def test_a_key_is_covered_by_boxes_that_hold_its_texts_and_nothing_else_is():
    fig = Figure(figsize=(5, 4), dpi=100)
    ax = fig.add_subplot()
    key(ax, [("first entry", "C0"), ("second", "C1")])
    ax.text(0.5, 0.5, "plain label")
    fig.canvas.draw()
    boxes = covers(fig)
    assert len(boxes) == 2
    texts = [t for t in fig.findobj(Text) if t.get_gid() == COVER]
    for (left, top, w, h), t in zip(boxes, texts):
        ext = t.get_window_extent()
        # the box holds the text and its background, in CSS px from the top-left, within 5 px
        assert left <= ext.x0 and left + w >= ext.x1 and ext.x0 - left <= 5
        assert top <= 400 - ext.y1 and top + h >= 400 - ext.y0 and top + h - (400 - ext.y0) <= 5
        assert all(float(v).is_integer() for v in (left, top, w, h))


@pytest.fixture(scope="module")
def smooth():
    gradclip.setup(seed=0)
    return widgets.smoothness_explorer(preset="x0=50;lr=0.224;threshold=31.6")


def test_every_keyed_explorer_exports_its_covers(smooth):
    # three key entries and the target label of the loss panel
    assert len(smooth.spec["covers"]) == 4
    w, h = smooth.spec["size"]
    for left, top, bw, bh in smooth.spec["covers"]:
        assert 0 <= left and left + bw <= w + 1 and 0 <= top and top + bh <= h + 1


def test_the_stored_picture_keeps_the_keys_over_the_curves(smooth):
    """At x0 = 50 the normalized rule's dashed curve runs through the key (loss ~ 6e6): the
    stored picture shows the key's pixels as drawn in the static layer, the curve elsewhere."""
    stage = smooth._stage
    base = stage.render()[..., :3] / 255.0
    picture = _png(smooth.picture())[..., :3]
    assert picture.shape == base.shape
    r = stage.pixel_ratio
    changed_inside = changed_near = 0
    for left, top, w, h in smooth.spec["covers"]:
        rows = slice(round(top * r), round((top + h) * r))
        cols = slice(round(left * r), round((left + w) * r))
        changed_inside += np.count_nonzero(np.abs(picture[rows, cols] - base[rows, cols]).max(-1) > 0.02)
        # just left of the box the curves are drawn as usual
        near = slice(max(0, round((left - 40) * r)), round(left * r))
        changed_near += np.count_nonzero(np.abs(picture[rows, near] - base[rows, near]).max(-1) > 0.02)
    assert changed_inside == 0
    assert changed_near > 20


def test_measuring_the_covers_leaves_the_drawn_picture_valid(smooth):
    # the stored picture reuses the static layer's pixels: nothing may be left stale
    assert smooth.fig.stale is False
    assert smooth.spec["covers"] == covers(smooth.fig) and smooth.fig.stale is False
