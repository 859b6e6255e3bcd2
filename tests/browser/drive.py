"""Drive every explorer of an open page: mouse drags, keyboard, toggles, screenshots, latency."""

from browser.probes import (EXPLORER, drag, explorer_problems, keyboard, matters_with_a_toggle,
                            slider_names, take_paints, toggles)

RELEASES = (1.0, 0.5, 0.75)  # where each drag lets go, as fractions of the track


def drive_explorers(page, setting, notebook, artifacts, latency, every_slider, expected=None,
                    offset=0):
    """Check and drive every ``.gradclip-explorer`` of ``page``; return the problems found.

    Parameters
    ----------
    setting, notebook : str
        For messages, screenshot names (``artifacts/<setting>_<notebook>_explorer<k>.png``
        before any input, ``..._dragging.png`` (the viewport) half-way through the first drag, the mouse
        button down, ``..._moved.png`` after) and the latency table.
    latency : list
        Receives ``(setting, notebook, explorer, [paint ms])`` per explorer.
    every_slider : bool
        True: every slider dragged to 100 %, 50 % and 75 % of its track (each release is
        followed by an arrow-key step away and back), the first one also moved with Home, End
        and the arrows, and every toggle clicked. False: one slider per explorer (the
        ``k + offset``-th, so that different settings cover different sliders), one drag to
        75 % and the keys.
    expected : int, optional
        How many explorers the page must show.
    """
    problems = explorer_problems(page)
    roots = page.locator(EXPLORER)
    count = roots.count()
    if expected is not None and count != expected:
        problems.append(f"{count} explorers on the page, the notebook stores {expected}")
    for k in range(count):
        root = roots.nth(k)
        name = root.get_attribute("data-explorer") or f"#{k}"
        tag = f"explorer {k} ({name})"
        root.scroll_into_view_if_needed()
        root.screenshot(path=artifacts / f"{setting}_{notebook}_explorer{k}.png")
        if root.locator(".gc-commit:visible").count():  # an explorer that asks: reveal it first
            root.locator(".gc-commit").click()
        take_paints(page, k)  # paints before the first input (mount, resize) are not timed
        names = slider_names(root)
        chosen = names if every_slider else names[(k + offset) % len(names):][:1] if names else []
        for n, slider in enumerate(chosen):
            changed = False
            for i, fraction in enumerate(RELEASES if every_slider else (0.75,)):
                shot = artifacts / f"{setting}_{notebook}_explorer{k}_dragging.png"
                found, moved = drag(root, slider, fraction, midway=shot if n == i == 0 else None)
                problems += [f"{tag}: {p}" for p in found]
                changed |= moved
            moved = False
            if n == 0:  # arrows follow every drag (probes.drag); Home/End once per explorer
                found, moved = keyboard(root, slider)
                problems += [f"{tag}: {p}" for p in found]
            if not (changed or moved) and not matters_with_a_toggle(root, slider):
                problems.append(f"{tag}: moving {slider} with the mouse and the keys changed "
                                "neither the canvas pixels nor the status line, whichever "
                                "toggle option is chosen")
        if every_slider:
            problems += [f"{tag}: {p}" for p in toggles(root)]
        latency.append((setting, notebook, name, take_paints(page, k)))
        root.screenshot(path=artifacts / f"{setting}_{notebook}_explorer{k}_moved.png")
    return problems
