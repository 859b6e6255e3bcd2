"""Browser checks that run in a thread of their own while other tests run.

Dragging sliders is mostly waiting (a drag lasts a second and costs little CPU) and a kernel
runs one notebook on one core, so on 2 cores the static site, Voila and JupyterLab can be
checked at the same time. :class:`Background` runs ``check`` for each notebook in a thread
with its own playwright and Chromium (playwright's sync API is per thread), from the moment
the test session has collected its tests (``plugin.pytest_collection_finish``); each test
then waits for its notebook's verdict. The thread waits for nothing from the tests, so a
failure here is reported by the tests, never a hang.
"""

import threading
import traceback


def key(nb):
    """How a notebook's check is named: its stem, ``zh/<stem>`` for a Chinese notebook."""
    return f"{nb.parent.name}/{nb.stem}" if nb.parent.name == "zh" else nb.stem


class Background(threading.Thread):
    """``setup()`` once, then ``check(browser, context, notebook)`` for each notebook.

    ``check`` returns ``(problems, note)``: the problems found (texts) and a line for the
    test's output (timings). :meth:`result` waits for one notebook: ``(problems, note,
    error)``, ``error`` being the traceback of an exception that stopped its check.
    """

    def __init__(self, name, notebooks, check, chromium, chromium_args, setup=None, teardown=None):
        super().__init__(name=name, daemon=True)
        self.notebooks, self.check = list(notebooks), check
        self.chromium, self.chromium_args = chromium, chromium_args
        self.setup, self.teardown = setup or (lambda: None), teardown or (lambda context: None)
        self.results, self.done = {}, {key(nb): threading.Event() for nb in self.notebooks}
        self.ready, self.context, self.error = threading.Event(), None, None
        self.stopping = threading.Event()

    def run(self):
        from playwright.sync_api import sync_playwright

        try:
            self.context = self.setup()
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=self.chromium, headless=True,
                                             args=self.chromium_args)
                self.ready.set()
                try:
                    for nb in self.notebooks:
                        if self.stopping.is_set():  # the session ended early
                            break
                        try:
                            self.results[key(nb)] = (*self.check(browser, self.context, nb), None)
                        except Exception:
                            self.results[key(nb)] = ([], "", traceback.format_exc(limit=8))
                        self.done[key(nb)].set()
                finally:
                    browser.close()
        except Exception:
            self.error = traceback.format_exc(limit=8)
        finally:
            self.ready.set()
            for event in self.done.values():
                event.set()

    def result(self, stem, timeout=1200):
        if stem not in self.done:
            return [], "", f"{stem} is not one of the notebooks checked in {self.name}"
        if not self.done[stem].wait(timeout):
            return [], "", f"the check of {stem} did not finish within {timeout} s"
        return self.results.get(stem, ([], "", self.error or f"{self.name} stopped"))

    def stop(self):
        """Finish the notebook being checked, check no other, close the browser: a thread
        still in playwright when the interpreter exits can crash it."""
        self.stopping.set()
        self.join(timeout=300)
        self.teardown(self.context)
