"""The shipped scenarios' report in a real browser: it fits a 1,300-pixel window, nothing overflows sideways.

The sweep is `+experiment=scenarios` cut to one seed and the first two policy years (every shipped
scenario, its label, the value-for-money table, the findings, the figures), compared with journeys-compare
and opened from disk in headless Chromium (tests/browser.py). A screenshot is kept beside the report.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from sim.config.paths import PROJECT_ROOT
from sim.sweeps.cli import compare
from tests.browser import CHROMIUM_ARGS, chromium_or_skip

WIDTH = 1300
# the right edge of every element (beyond the page's own width: nothing the reader has to scroll sideways to)
OVERFLOW = """(width) => {
  const wide = [];
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5) wide.push(el.tagName + ' ' + Math.round(r.right));
  }
  return {scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 10)};
}"""


@pytest.mark.slow
def test_the_scenarios_report_fits_1300_pixels(tmp_path: Path):
    chromium = chromium_or_skip("the report's browser test")
    sweep = tmp_path / "scenarios"
    cmd = [sys.executable, "-c", "from sim.cli import journeys; journeys()", "+experiment=scenarios", "seed=1",
           "end_year=2029", f"hydra.sweep.dir={sweep}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    compare(sweep, progress=False)
    report = sweep / "report.html"
    page_text = report.read_text()
    assert "Too few runs" in page_text  # one seed: the report says its ranges mean little

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            found = page.evaluate(OVERFLOW, WIDTH)
            page.screenshot(path=str(sweep / "report_1300px.png"), full_page=True)
            labels = page.locator("th.option").all_inner_texts()
        finally:
            browser.close()
    assert found["scroll"] <= WIDTH, found
    assert not found["wide"], found
    assert "Recovery-orientated treatment" in labels and "10% budget cut" in labels
    assert not any("_" in label for label in labels), labels  # labels, not identifiers
