"""Debian's chromium for the browser tests, as Playwright for Python launches it.

Playwright's own browser download cannot work here, so every browser test launches
``/usr/bin/chromium`` (CI installs it with apt-get) with these flags: no sandbox (root),
no GPU, and none of the background connections a closed network refuses.
"""

import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason=f"{CHROMIUM} is missing (apt-get install chromium)"
)
