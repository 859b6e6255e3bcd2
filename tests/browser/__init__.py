"""Helpers for the real-browser tests: servers (JupyterLab, Voila) and page probes."""
