"""journeys-dashboard: its runner (paired runs, levers, refusals) and the page in a real browser.

The browser test starts the server as `journeys-dashboard` would (a subprocess on a free port), opens it in
headless Chromium driven by Playwright (Debian's package: Playwright's own browser downloads are not
used), moves a lever and waits for the charts and the table to change. `.ci/run` installs Chromium
(scripts/install_chromium.sh) and sets TJ_REQUIRE_BROWSER, so in CI the test runs or fails; elsewhere,
without Chromium or Playwright, it is skipped with what to install.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sim.config.errors import ConfigError
from sim.dashboard.runner import Choice, RunCache, configs, design_ranges, levers, run_choice, with_levers
from sim.outputs.measures import final_before
from tests.browser import CHROMIUM_ARGS, chromium_or_skip

ROOT = Path(__file__).resolve().parents[1]
FIRST_RESULT_S = 900  # the page's first choice: on a fresh install the step kernel compiles first (minutes on CI)
UPDATE_S = 120  # a lever change to the updated chart (seconds for Southampton; slack for a busy machine)
PLANNED_EXITS = ("levers.planned_exit", 1.3)


# ---------------------------------------------------------------- the runner


def test_the_choice_and_the_baseline_are_the_same_before_the_policy_year_and_differ_after():
    choice = Choice(policy_year=2020, levers=(PLANNED_EXITS,), seeds=2)
    comparison = run_choice(choice, cache=RunCache())
    runs = comparison.runs
    for seed in (1, 2):
        base, chosen = (final_before(runs[(runs["arm"] == arm) & (runs["seed"] == seed)], 2020)
                        .drop(columns=["arm", "run"]).reset_index(drop=True) for arm in ("baseline", "choice"))
        assert len(base) > 100 and base.equals(chosen)  # same seed, same draws: identical, not close
    completions = comparison.series("exits_successful")
    after = [p for p in completions["baseline"].columns if int(p) >= 2020]
    assert (completions["choice"][after].sum(axis=1) > completions["baseline"][after].sum(axis=1)).all()
    table = comparison.differences()
    assert table.loc["successful_completions", "median"] > 0 and table.loc["cost", "median"] == 0  # same money


def test_a_second_lever_value_reruns_only_the_choice_and_no_change_runs_only_the_baseline():
    cache = RunCache()
    unchanged = run_choice(Choice(seeds=2), cache=cache)
    assert unchanged.runs_made == 2 and (unchanged.differences()[["low", "median", "high"]] == 0).all().all()
    first = run_choice(Choice(levers=(PLANNED_EXITS,), seeds=2), cache=cache)
    second = run_choice(Choice(levers=(("levers.planned_exit", 1.1),), seeds=2), cache=cache)
    assert (first.runs_made, second.runs_made) == (2, 2)
    b1, b2 = (c.series("in_treatment")["baseline"] for c in (first, second))
    assert b1.equals(b2)


def test_the_sliders_are_the_sensitivity_designs_factors_with_the_scenarios_values_inside_their_ranges():
    sliders = {lever.name: lever for lever in levers("southampton", "recovery_orientated")}
    assert set(sliders) == set(design_ranges())
    assert sliders["levers.planned_exit"].value == 1.3  # configs/scenario/recovery_orientated.yaml
    assert sliders["params.treatment.maintenance_share_opiate"].value == 0.3
    for lever in sliders.values():
        low, high = design_ranges()[lever.name]
        assert lever.low <= min(low, lever.value) and lever.high >= max(high, lever.value)
    assert not sliders["levers.planned_exit"].moved(1.304) and sliders["levers.planned_exit"].moved(1.29)


def test_a_bad_value_is_refused_with_the_message_journeys_gives(tmp_path):
    with pytest.raises(ConfigError) as page:
        configs(Choice(policy_year=2040, levers=(PLANNED_EXITS,)))
    cli = subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", "policy_year=2040",
                          "+scenario.levers.planned_exit=1.3", f"hydra.run.dir={tmp_path}"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert cli.returncode == 2 and f"journeys: invalid configuration: {page.value}\n" in cli.stderr, cli.stderr
    assert "\n" not in str(page.value)
    with pytest.raises(ConfigError, match=r"levers\.planned_exits: unknown hazard or family; did you mean planned_ex"):
        configs(Choice(levers=(("levers.planned_exits", 1.3),)))
    with pytest.raises(ConfigError, match=r"seeds = 0: a whole number from 1 to 20"):
        configs(Choice(seeds=0))
    with pytest.raises(ConfigError, match=r"area/nowhere"):  # Hydra's own message, on one line
        configs(Choice(area="nowhere"))
    with pytest.raises(ConfigError, match="a lever is levers"):
        with_levers(configs(Choice())[1], [("seed", 3)])


# ---------------------------------------------------------------- the page in a browser


@pytest.fixture
def chromium() -> str:
    return chromium_or_skip("the dashboard's browser test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dashboard(tmp_path):
    """The dashboard server on a free port, stopped at the end whatever happened."""
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "sim.dashboard.cli", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"the server exited:\n{(tmp_path / 'server.log').read_text()}"
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the server did not answer within 2 minutes"
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def cells(page, label: str) -> list[str]:
    return page.locator("tr", has_text=label).first.locator("td").all_inner_texts()


def chart_bytes(page) -> int:
    """A digest of the chart image as the browser holds it (its blob URL changes at every redraw, the bytes do
    not)."""
    return page.evaluate("""async () => {
        const img = document.querySelector("img.solara-image");
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let h = bytes.length;
        for (const b of bytes) h = (Math.imul(h, 31) + b) | 0;
        return h;
    }""")


def leading_number(text: str) -> float:
    return float(re.match(r"[+-]?£?[\d,.]+", text).group(0).replace(",", "").replace("£", ""))


@pytest.mark.slow
def test_moving_a_lever_in_the_browser_updates_the_charts_and_the_differences(chromium, dashboard):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            failed = []  # the page's scripts and fonts come from solara-assets: none may be missing (offline)
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(f"{r.failure} {r.url}"))
            page.goto(dashboard)
            page.locator("tr", has_text="Successful completions").wait_for(timeout=FIRST_RESULT_S * 1000)
            before, chart_before = cells(page, "Successful completions"), chart_bytes(page)
            same = ("0 (0 to 0)", "0 (every run)")  # the choice is the baseline
            assert before[1] == before[2] and before[3].startswith(same), before

            thumb = page.get_by_role("slider", name=re.compile(r"^Planned exits"))
            assert thumb.get_attribute("aria-valuemax") == "1.3"
            thumb.focus()
            clicked = time.perf_counter()
            thumb.press("End")  # to the top of its range: planned exits x1.3 from the policy year
            # the page answers at once and keeps the previous charts while the runs go on in the background
            page.get_by_text("running…").first.wait_for(timeout=UPDATE_S * 1000)
            answered = time.perf_counter() - clicked
            assert chart_bytes(page) == chart_before and cells(page, "Successful completions") == before
            deadline = clicked + UPDATE_S
            while cells(page, "Successful completions") == before:
                assert time.perf_counter() < deadline, f"no update within {UPDATE_S} s"
                time.sleep(0.05)
            updated = time.perf_counter() - clicked
            after = cells(page, "Successful completions")
            computed = re.search(r"Computed in [\d.]+ s: \d+ new runs in [\d.]+ s", page.inner_text("body")).group(0)
            assert chart_bytes(page) != chart_before  # a new chart image, not only new numbers
            assert "planned exits x1.3" in page.inner_text("body")
            assert leading_number(after[1]) == leading_number(before[1])  # the same baseline (cached, same seeds)
            assert leading_number(after[2]) > leading_number(after[1]) and leading_number(after[3]) > 0, after
            print(f"\nSouthampton, 5 seeds, planned exits x1 -> x1.3 from 2027: successful completions "
                  f"2027-2032 {before[1]} / {before[2]} / {before[3]} -> {after[1]} / {after[2]} / {after[3]}; "
                  f"'running…' after {answered:.2f} s, chart and table updated {updated:.2f} s after the key press "
                  f"({computed.lower()} on the server)")

            # a bad value: refused in the page with the one-line message of `journeys`
            with pytest.raises(ConfigError) as expected:
                configs(Choice(policy_year=2040, levers=(PLANNED_EXITS,)))
            year = page.get_by_role("textbox", name=re.compile(r"^Policy year"))
            year.fill("2040")
            year.press("Enter")
            page.get_by_text(f"invalid configuration: {expected.value}").wait_for(timeout=UPDATE_S * 1000)
            assert not failed, "\n".join(sorted(set(failed)))
        finally:
            browser.close()


def test_policy_year_choice_reaches_the_runs_config():
    base, chosen = configs(Choice(policy_year=2030, levers=(PLANNED_EXITS,), scenario="budget_cut_10"))
    assert base.policy_year == chosen.policy_year == 2030
    assert base.scenario.name == "baseline" and not base.scenario.levers
    assert chosen.scenario.levers["planned_exit"] == 1.3 and np.isclose(chosen.scenario.budget_multiplier, 0.9)
