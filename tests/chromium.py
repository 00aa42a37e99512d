"""Debian's chromium for the browser tests, as Playwright for Python launches it.

Playwright's own browser download cannot work here, so every browser test launches
``/usr/bin/chromium`` (CI installs it with apt-get) with these flags: no sandbox (root),
no GPU, and none of the background connections a closed network refuses.
"""

import contextlib
import shutil
from collections.abc import Iterator
from typing import Any

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


@contextlib.contextmanager
def launched() -> Iterator[Any]:
    """Debian's chromium launched by Playwright with :data:`ARGS`, closed on the way out."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
