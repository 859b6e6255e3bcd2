"""Shared test configuration: the real-browser fixtures live in ``tests/browser/plugin.py``."""

from browser.plugin import (artifacts, browser, lab_server, latency_report,  # noqa: F401
                            pytest_terminal_summary, site_server, workspace)
