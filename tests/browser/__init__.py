"""Helpers for the real-browser tests: servers (JupyterLab, Voila) and page probes."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The notebooks the browser tests open; GRADCLIP_BROWSER_NOTEBOOKS points them at another folder.
NOTEBOOKS_DIR = Path(os.environ.get("GRADCLIP_BROWSER_NOTEBOOKS", ROOT / "notebooks"))
