"""The Python twin of the page's renderer: fields, polylines and the status line of a state.

It reads the same spec and the same decoded float32 arrays as the page's
``static/explorer/evaluate.js``, so ``Explorer.status_text`` is the text the page shows, and
:func:`draw_state` draws the moving layer with matplotlib (the stored picture of a notebook
read without a kernel). ``tests/test_evaluator_parity.py`` runs both on every explorer.
"""

import re

import numpy as np

from .controls import format_value

__all__ = ["Evaluator", "draw_state", "format_template"]

_FIELD = re.compile(r"\{(\w+)(?::([^{}]*))?\}")


def format_template(template, fields):
    """``template`` with ``{name}`` / ``{name:fmt}`` replaced by ``format_value``.

    Examples
    --------
    >>> format_template("diverged at step {k} (lr = {lr:.3g})", {"k": 37, "lr": 0.123456})
    'diverged at step 37 (lr = 0.123)'
    """
    return _FIELD.sub(lambda m: format_value(fields[m.group(1)], m.group(2) or ""), template)


class Evaluator:
    """Evaluate a spec's fields and artists for control values, on decoded arrays."""

    def __init__(self, spec, arrays, controls):
        self.spec, self.arrays, self.controls = spec, arrays, controls
        self.meta = spec["arrays"]

    def positions(self, values):
        return {k: c.position(values[k]) for k, c in self.controls.items()}

    def _index(self, name, pos, along=None):
        axes = self.meta[name]["axes"]
        idx = tuple(slice(None) if a == along else pos[a] for a in axes)
        return self.arrays[name][idx]

    def field(self, f, values, pos):
        if not isinstance(f, dict):
            return f
        kind = f["kind"]
        if kind == "const":
            return f["value"]
        if kind == "value":
            return values[f["control"]]
        if kind == "position":
            return pos[f["control"]]
        if kind == "at":
            x = float(self._index(f["array"], pos))
            return int(x) if self.meta[f["array"]]["integer"] and np.isfinite(x) else x
        if kind == "reduce":
            seg = self._index(f["array"], pos, f["along"]).astype(np.float64)
            seg = seg[: max(0, min(len(seg), pos[f["cut"]] + 1 + f["shift"]))]
            seg = seg[np.isfinite(seg)]
            if f["op"] == "count":
                return int(seg.size)
            if f["op"] == "sum":
                s = float(seg.sum())
                return int(s) if self.meta[f["array"]]["integer"] else s
            return float(seg.max() if f["op"] == "max" else seg.min()) if seg.size else float("nan")
        if kind == "between":
            x = self.field(f["field"], values, pos)
            lo, hi = self.field(f["lo"], values, pos), self.field(f["hi"], values, pos)
            return int(bool(lo <= x <= hi))
        if kind == "isin":
            return int(values[f["control"]] in f["options"])
        if kind == "pick":
            labels = f["labels"]
            return labels[min(max(int(self.field(f["field"], values, pos)), 0), len(labels) - 1)]
        if kind == "where":
            branch = f["a"] if self.field(f["cond"], values, pos) else f["b"]
            return self.field(branch, values, pos)
        if kind == "div":
            a, b = self.field(f["a"], values, pos), self.field(f["b"], values, pos)
            return f["scale"] * a / b if b else 0.0
        raise ValueError(f"unknown field kind {kind!r}")

    def resolve(self, style_value, values, pos):
        if isinstance(style_value, dict) and "switch" in style_value:
            opts = style_value["values"]
            i = int(self.field(style_value["switch"], values, pos))
            return opts[min(max(i, 0), len(opts) - 1)]
        return style_value

    def visible(self, artist, values, pos):
        return artist["visible"] is None or bool(self.field(artist["visible"], values, pos))

    def _vector(self, ref, along, pos):
        if isinstance(ref, str):
            return np.atleast_1d(self._index(ref, pos, along)).astype(np.float64)
        return np.array([float(ref)])

    def points(self, artist, values, pos):
        """The ``(x, y)`` arrays a line artist draws in this state."""
        x = self._vector(artist["x"], artist["along"], pos)
        y = self._vector(artist["y"], artist["along"], pos)
        n = max(len(x), len(y))
        x = np.broadcast_to(x, (n,)) if len(x) == 1 else x
        y = np.broadcast_to(y, (n,)) if len(y) == 1 else y
        if artist["cut"] is not None:
            n = max(0, min(n, pos[artist["cut"]] + 1 + artist["shift"]))
        x, y = x[:n], y[:n]
        if artist.get("fill_y") is not None:
            y = np.where(np.isfinite(y), y, artist["fill_y"])
        if artist.get("mask") is not None:
            keep = self._vector(artist["mask"], artist["along"], pos)[:n]
            y = np.where(keep != 0, y, np.nan)
        if artist["only"] == "last":
            ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
            x, y = (x[ok[-1:]], y[ok[-1:]]) if ok.size else (x[:0], y[:0])
        return np.array(x), np.array(y)

    def fields(self, fields, values, pos):
        return {k: self.field(f, values, pos) for k, f in fields.items()}

    def status(self, values):
        """``(text, colour)`` of the status line."""
        st = self.spec.get("status")
        if st is None:
            return "", "#333333"
        pos = self.positions(values)
        case = 0 if st["case"] is None else int(self.field(st["case"], values, pos))
        template = st["templates"][min(max(case, 0), len(st["templates"]) - 1)]
        text = format_template(template, self.fields(st["fields"], values, pos))
        return text, self.resolve(st["color"], values, pos)


def draw_state(fig, ev, values, skip=()):
    """Draw the moving layer of ``values`` on ``fig`` with matplotlib; returns the artists.
    ``skip``: indices of artists (in ``spec["artists"]``) not drawn."""
    pos = ev.positions(values)
    made = []
    skip = set(skip)
    for art in sorted((a for i, a in enumerate(ev.spec["artists"]) if i not in skip),
                      key=lambda a: a["z"]):
        if not ev.visible(art, values, pos):
            continue
        ax = fig.axes[art["axes"]] if art["axes"] >= 0 else None
        st = {k: ev.resolve(v, values, pos) for k, v in art["style"].items()}
        common = dict(color=st.get("color"), alpha=st.get("alpha", 1.0), zorder=art["z"])
        if art["type"] == "line":
            x, y = ev.points(art, values, pos)
            kw = dict(common, lw=st["lw"], ls="None" if st["ls"] == "none" else st["ls"],
                      marker=st.get("marker") or "None", ms=st["ms"], mew=st["mew"],
                      clip_on=art["clip"] is not None)
            kw.update({k: st[k] for k in ("mfc", "mec") if k in st})
            if ax is None:  # figure CSS px, y down
                from matplotlib.lines import Line2D
                from matplotlib.transforms import Affine2D

                dpi, h = ev.spec["dpi"], fig.get_size_inches()[1]
                tr = Affine2D().scale(1 / dpi, -1 / dpi).translate(0, h) + fig.dpi_scale_trans
                clip = art["clip"]
                line = Line2D(x, y, transform=tr, **kw)
                if clip is not None:
                    line.set_clip_box(fig.axes[clip].bbox)
                fig.add_artist(line)
                made.append(line)
            else:
                made += ax.plot(x, y, **kw)
        elif art["type"] in ("vline", "hline"):
            where = float(ev.field(art["x" if art["type"] == "vline" else "y"], values, pos))
            fn = ax.axvline if art["type"] == "vline" else ax.axhline
            made.append(fn(where, lw=st["lw"], ls=st["ls"], **common))
        elif art["type"] == "text":
            text = format_template(art["template"], ev.fields(art["fields"], values, pos))
            target = fig if ax is None else ax
            tr = {"data": target.transData if ax is not None else fig.transFigure,
                  "axes": ax.transAxes if ax is not None else fig.transFigure,
                  "figure": fig.transFigure}[art["coords"]]
            made.append(target.text(art["x"], art["y"], text, transform=tr, fontsize=st["size"],
                                    fontweight=st["weight"], ha=st["ha"], va=st["va"], **common))
    return made
