"""Start JupyterLab, Voila and a static file server on 127.0.0.1 for the browser tests.

Every server listens on 127.0.0.1 on a free port (JupyterLab and Voila with a random token)
and is stopped by its PID.

The servers are the ones installed next to the running Python (``sys.executable``'s folder),
so the tests use the virtual environment's ``jupyter`` and ``voila`` whatever ``PATH`` says.
They serve a temporary copy of ``notebooks/`` and ``figures/``: running all cells in JupyterLab
must not autosave outputs into the repository, and Jupyter's runtime, config and settings
folders also live in the temporary directory.
"""

import atexit
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent

# JupyterLab user settings: no autosave, no news or extension-manager requests, no windowing.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
    # every cell stays in the DOM, so widgets below the fold render and can be found
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                    "autoStartDefaultKernel": True},
}


def free_port():
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_workspace(notebooks, tmp, siblings=()):
    """Copy the notebooks folder and its sibling folders into ``tmp``; private Jupyter folders.

    Returns ``(root, env)``: the folder to serve (with ``notebooks/`` and the ``siblings``,
    e.g. ``figures/``, in it, so the notebooks' ``../figures/`` paths work) and the
    environment for the servers.
    """
    # matplotlib's font cache, built now in this process if it is missing (a new machine):
    # the kernels (same HOME) read it at their first plot instead of each building it then
    from matplotlib import font_manager  # noqa: F401

    tmp = Path(tmp)
    root = tmp / "content"
    root.mkdir(parents=True)
    for name, src in (("notebooks", notebooks), *((Path(p).name, p) for p in siblings)):
        if Path(src).is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    home = tmp / "jupyter"
    settings = home / "lab-settings"
    for rel, value in LAB_SETTINGS.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    env = dict(os.environ)
    env.update({
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    env.pop("JUPYTER_TOKEN", None)
    return root, env


class Server:
    """One server process: started, polled until it answers, stopped by its PID."""

    def __init__(self, name, argv, port, token, env, cwd, log_path):
        self.name, self.argv, self.port, self.token = name, argv, port, token
        self.env, self.cwd, self.log_path = env, cwd, Path(log_path)
        self.proc = None

    def url(self, path=""):
        if self.token is None:
            return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{sep}token={self.token}"

    def start(self, ready_path, timeout=120):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=self.env, cwd=self.cwd, start_new_session=True)
        atexit.register(self.stop)  # also when the test run is interrupted
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url(ready_path), timeout=5) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.log_tail()}")

    def shutdown_kernels(self):
        """Shut down every kernel of a Jupyter server through its REST API."""
        headers = {"Authorization": f"token {self.token}"}
        url = f"http://127.0.0.1:{self.port}/api/kernels"
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            kernels = json.load(r)
        for kernel in kernels:
            req = urllib.request.Request(f"{url}/{kernel['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(req, timeout=30).close()
        return len(kernels)

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def _children(self):
        """PIDs of the server's child processes (its kernels), read from /proc."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                pass
        return pids

    def stop(self, timeout=15):
        """SIGTERM the server's PID, then SIGKILL it (and any kernel left behind)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        children = self._children()
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for pid in children:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.kill(pid, sig)
                    time.sleep(0.2)
                except ProcessLookupError:
                    break
        self._log.close()


def _root_flag():
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def jupyterlab(root, env, log_path):
    """A JupyterLab server on a free port with a random token (not started yet)."""
    port, token = free_port(), secrets.token_hex(16)
    argv = [str(BIN / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
            f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
            f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            # window.jupyterapp: the tests read the application's state and run its commands
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.shutdown_no_activity_timeout=0", *_root_flag()]
    return Server("JupyterLab", argv, port, token, env, root, log_path)


def voila(root, env, log_path, notebook=None, extra_env=None):
    """A Voila server (not started yet) run from ``root``, as a user runs it from the repository.

    With ``notebook`` (a path relative to ``root``) this is the classroom command
    ``voila --Voila.root_dir=. notebooks/<name>.ipynb``: the dashboard is at ``/``, and the
    root_dir lets a markdown image ``../figures/x.gif`` load (the browser asks for
    ``/figures/x.gif``, Voila redirects to ``/voila/files/figures/x.gif``; without root_dir
    Voila serves files from the notebook's folder only). Without ``notebook`` Voila lists
    ``root`` at ``/`` and renders ``/voila/render/<path>``; Voila 0.5 in that mode stops
    rendering a notebook whose markdown links an image outside the root.
    Ready when ``voila/static/voila.js`` answers (``/`` would run the notebook).
    """
    port, token = free_port(), secrets.token_hex(16)
    argv = [str(BIN / "voila"), notebook or str(root), f"--Voila.root_dir={root}", "--no-browser",
            f"--port={port}", "--Voila.ip=127.0.0.1", f"--Voila.token={token}",
            "--Voila.port_retries=0", "--VoilaConfiguration.show_tracebacks=True"]
    env = dict(env, **(extra_env or {}))
    return Server("Voila", argv, port, token, env, root, log_path)


VOILA_READY = "voila/static/voila.js"


def static_files(directory, log_path):
    """``python -m http.server --bind 127.0.0.1`` serving ``directory`` (not started yet)."""
    port = free_port()
    argv = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
            "--directory", str(directory)]
    return Server("http.server", argv, port, None, dict(os.environ), directory, log_path)
