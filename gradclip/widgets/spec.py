"""The spec contract: what :class:`~gradclip.widgets.stage.Stage` writes and the page draws.

Contract (``format`` ``"gradclip.explorer/1"``; written by
:meth:`~gradclip.widgets.stage.Stage.build`, read by ``static/explorer.js``, which exports
``default {render}`` for anywidget and ``mount(el, spec)`` for a page without a kernel; both
run the same UI):

* ``size``: ``[width, height]`` of the figure in CSS px (figure inches x figure dpi);
  ``dpi`` (CSS px per inch: a point is ``dpi / 72`` px); ``presentation`` (projector mode).
* ``background``: ``{"src": "data:image/png;base64,...", "ratio": r}``, the static layer drawn
  once by matplotlib at ``r`` image px per CSS px, shown at ``size``.
* ``axes[i]`` (``fig.axes[i]``): ``{"bbox": [left, top, width, height]`` in CSS px from the
  image's top-left, ``"x": {"lim": [a, b], "log": bool}, "y": {...}}``. A data point maps to
  ``left + width * (X - A) / (B - A)`` and ``top + height * (1 - (Y - A') / (B' - A'))``,
  where for a log axis ``X = log10 x`` and ``A, B`` are the log10 limits. Axes index ``-1``
  is the figure itself in CSS px, y pointing down. ``x.name`` / ``y.name``: what the readout
  calls the values (the axis label, in the explorer's language; ``"x"`` / ``"y"`` without one).
* ``lang``: the language of every word shown (``"en"``, ``"zh"``); ``strings``: the page's own
  words in it (``busy``, ``play``, ``pause``, ``needs_kernel``, ``alt``: the picture's alt
  text); the page has none of its own (see :mod:`gradclip.widgets.words`).
* ``controls``: ``{"name", "kind", "label", "position", ...}``; ``slider`` (``values``,
  ``labels``: the readouts), ``int`` and ``player`` (``min``, ``max``, player ``interval``),
  ``toggle`` (``options``: the values, English in every language, so presets are the same;
  ``option_labels``, in a language other than English: what the buttons show). A control's
  *position* (grid index, integer value, option index) indexes the array axes named after
  it. Optional ``active``: a field; where it is 0 the page disables the control
  (``disabled``, ``aria-disabled="true"``, class ``gc-inactive``: greyed), e.g. a rule's
  parameter while another rule is chosen. Its value is kept.
* ``arrays``: name -> an encoding of :mod:`gradclip.widgets.encoding` plus ``axes`` (one name
  per dimension: a control, or the free axis a line runs along) and ``integer``.
* ``artists`` (drawn in order of ``z``): ``line`` (``x``, ``y``: array names or numbers,
  ``along``, ``cut`` + ``shift``: points ``0 .. position(cut) + shift``; ``only: "last"``:
  just the last finite point; ``fill_y``: y of points whose y is not finite; ``mask``: an
  array, points where it is 0 are skipped; optional ``xname`` / ``yname``: the readout's names of
  its values, instead of the axes'), ``vline`` /
  ``hline`` (``x`` / ``y``: number or field),
  ``text`` (``template``, ``fields``, ``coords``). Each has ``axes``, ``clip`` (axes index or
  null), ``visible`` (field or null) and ``style`` (``color``, ``lw``, ``ls``, ``alpha``,
  ``marker``, ``ms``, ``mfc``, ``mec``, ``mew``, ``size``, ``weight``, ``ha``, ``va``, in
  matplotlib units: points; colour and marker may be ``{"switch": field, "values": [...]}``).
* fields (numbers or strings computed from the state, made by :mod:`~gradclip.widgets.fields`):
  ``value`` (a control's value), ``position``, ``at`` (array entry at the controls'
  positions), ``reduce`` (``sum``/``max``/``min``/``count`` over the cut part of an ``along``
  axis), ``between``, ``isin``, ``pick``, ``div``, ``where``, ``const``.
* ``status``: ``{"templates", "case", "fields", "color", "box", "size"}``; the text is
  ``templates[case]`` formatted like ``str.format`` (formats ``""``, ``.Ng``, ``.Nf``, ``d``),
  shown in ``.gc-status`` at ``box`` (CSS px) with font ``size`` (CSS px).
* ``covers``: boxes ``[left, top, width, height]`` (CSS px) of static texts tagged
  :data:`~gradclip.widgets.covers.COVER` (keys, labels); after drawing the moving artists the
  page copies them back from the picture, so curves pass under them
  (:meth:`~gradclip.widgets.picture.Picture.render_with` does the same for the stored picture).
* ``predict`` (optional; :func:`gradclip.widgets.predict.ask`): ``{"control", "truth", "fmt",
  "tolerance", "hide": [artist indices], "cover": [axes indices], "question", "what",
  "templates": {"below", "above", "right"}, "sides"}``: until the learner commits, the page
  hides those artists and the status line, covers those axes' boxes (the root has
  ``data-predicting="true"``) and locks the other controls; then it shows
  the verdict (``div.gc-predict`` > ``button.gc-commit``, ``button.gc-again``,
  ``output.gc-verdict``; the buttons' words are ``strings["commit"]``, ``strings["again"]``).
* ``replay`` (optional, the spike explorer): the "your own log" panel (``replayview.js``): its
  words, the example log's text, the controls it takes its settings from, colours and size.
* ``requests``: ``{name: {"controls": [...], "cache": {key: patch}}}``: a change of one of
  ``controls`` (on release) asks the kernel for a *patch* ``{"background"?, "arrays"?}``;
  ``key`` is the JSON of the controls' values. Without a kernel only cached keys work.

The page: ``div.gradclip-explorer[data-explorer=name]`` holding ``img.gc-background`` under
``canvas.gc-canvas``, ``input.gc-slider[data-name]`` (over positions) with
``output.gc-readout[data-name]``, ``button.gc-toggle[data-name][data-value]``,
``button.gc-play``, ``div.gc-status[role=status]``, ``.gc-busy`` and, while the pointer is over
a drawn point, ``div.gc-readout-tip[role=tooltip]`` (its values in ``data-x`` / ``data-y``). After each paint the root
carries ``data-frame`` (a counter) and ``data-last-paint-ms`` (input event to painted).
"""

__all__ = ["FORMAT"]

#: The ``format`` of every spec this package writes.
FORMAT = "gradclip.explorer/1"
