"""Headless Chromium for the browser tests (the dashboard's page, the comparison report).

Debian's Chromium driven by Playwright (Playwright's own browser downloads are not used). `.ci/run` installs
it (scripts/install_chromium.sh) and sets TJ_REQUIRE_BROWSER, so in CI a missing browser fails the test;
elsewhere the test is skipped, saying what to install.
"""

import os
import shutil

import pytest

# without the networking flags Chromium's background connections are refused by a closed network, many at a time
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_or_skip(what: str) -> str:
    """Chromium's path; without it or Playwright: fail under TJ_REQUIRE_BROWSER (CI), else skip, saying what is
    missing."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    chromium = shutil.which("chromium")
    if chromium is None:
        missing.append("Chromium (scripts/install_chromium.sh: Debian's package)")
    if missing:
        why = f"no {' and no '.join(missing)} for {what}"
        if os.environ.get("TJ_REQUIRE_BROWSER"):
            pytest.fail(f"TJ_REQUIRE_BROWSER is set but there is {why}")
        pytest.skip(why)
    return chromium
