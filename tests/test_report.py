"""The comparison report, value for money against the baseline, and the Python API (issues 13 and 14).

Most tests use small hand-made sweeps whose answers are known exactly; the last ones run the model.
"""

import html
import re

import numpy as np
import pandas as pd
import pytest

import sim
from sim.config.errors import ConfigError
from sim.outputs.measures import final_before
from sim.sweeps.collect import gather, run_labels, runs_table
from sim.sweeps.comparison import summarise
from sim.sweeps.findings import MIN_RUNS_FOR_INTERVAL, runs_warning, within_chance
from sim.sweeps.value_for_money import SAME_SPENDING, sentence

YEARS = ("2025", "2026", "2027")  # the policy acts from 2026
LABELS = {"baseline": "Baseline (as commissioned)", "more_money": "Ten per cent more money",
          "cut": "A cut of a tenth", "same_money": "Same money, other terms"}


def _run(scenario: str, seed: int, per_year: dict[str, list[float]]) -> tuple[dict, pd.DataFrame]:
    """A run's labels (as a run folder gives them) and its tidy timeseries, group `all`, one value a year."""
    cfg = {"area": {"name": "southampton"}, "system": {"name": "tiered"}, "seed": seed, "start_year": 2025,
           "end_year": 2028, "policy_year": 2026,
           "scenario": {"name": scenario, "label": LABELS.get(scenario, ""), "description": "new terms",
                        "assumptions": ["an assumption"]}}
    labels = run_labels(f"scenario={scenario},seed={seed}", cfg, {})
    ts = pd.DataFrame([{"period": year, "measure": m, "group": "all", "value": float(v)}
                       for m, values in per_year.items() for year, v in zip(YEARS, values)])
    return labels, ts


def _baseline(seed: int) -> dict[str, list[float]]:
    """A baseline whose numbers differ by seed, as runs do."""
    return {"cost": [1e6, 1e6, 1e6], "exits_successful": [100 + seed, 100 + 2 * seed, 100 + seed],
            "deaths": [20, 20 + seed % 3, 20], "deaths_drug_related": [5, 5 + seed % 2, 5],
            "crime_cost": [5e6 + seed * 1e4] * 3, "health_cost": [4e5] * 3, "qalys_value": [6e6 + seed * 1e3] * 3,
            "qalys": [200, 200, 200], "benefits": [3e6] * 3, "benefits_in_year": [2e6] * 3,
            "net_benefit": [2e6] * 3, "net_benefit_in_year": [1e6] * 3, "in_treatment": [400 + seed, 410, 420]}


def _shifted(seed: int, **by_year) -> dict[str, list[float]]:
    """The seed's baseline with the given amounts added in the policy years (2026, 2027)."""
    out = _baseline(seed)
    for measure, amount in by_year.items():
        out[measure] = [out[measure][0]] + [v + a for v, a in zip(out[measure][1:], amount)]
    return out


def _comparison(scenarios: dict[str, callable], seeds):
    done = [_run(name, seed, make(seed)) for name, make in scenarios.items() for seed in seeds]
    runs = runs_table([labels for labels, _ in done], "a test")
    by_run = {labels["run"]: ts for labels, ts in done}
    collected = gather((r, by_run[r.run]) for r in runs.itertuples(index=False))
    return summarise(collected, runs)


def _diff(summary: pd.DataFrame, scenario: str, headline: str) -> pd.Series:
    rows = summary[(summary["scenario"] == scenario) & (summary["kind"] == "difference")]
    return rows.set_index("headline").loc[headline]


EXTRA_COMPLETIONS = {1: 10, 2: 20, 3: 40}  # a year, in each of the two policy years


def _four_options(seeds=(1, 2, 3)):
    return _comparison({
        "baseline": _baseline,
        # 10% more money buys 2 x 10, 20 or 40 extra completions (seed 1, 2, 3) and averts harm
        "more_money": lambda s: _shifted(s, cost=[1e5, 1e5], exits_successful=[EXTRA_COMPLETIONS.get(s, 10)] * 2,
                                         crime_cost=[-1e5, -1e5], health_cost=[-2e4, -2e4],
                                         qalys_value=[3e4, 3e4]),
        # a tenth less money: 15 fewer completions a year, crime up 2.5 x the saving
        "cut": lambda s: _shifted(s, cost=[-1e5, -1e5], exits_successful=[-15, -15], crime_cost=[2.5e5, 2.5e5]),
        "same_money": lambda s: _shifted(s, exits_successful=[5, 5], crime_cost=[-1e4, -1e4]),
    }, seeds)


def test_cost_per_extra_completion_is_the_change_in_spending_over_extra_completions_pair_by_pair():
    result = _four_options()
    row = _diff(result.summary, "more_money", "cost_per_extra_successful_completion")
    extra = np.array([2 * EXTRA_COMPLETIONS[s] for s in (1, 2, 3)])  # 20, 40, 80 for £200,000 in each pair
    assert row["median"] == pytest.approx(5_000)  # the spending over the median of the paired extra completions
    # ... and over the ends of their 5-95% interval: more completions, less spent on each
    assert (row["low"], row["high"]) == pytest.approx(tuple(2e5 / np.quantile(extra, [0.95, 0.05])))
    assert row["note"] == "extra spending for each extra successful completion"
    cut = _diff(result.summary, "cut", "cost_per_extra_successful_completion")
    assert cut["median"] == pytest.approx(2e5 / 30) and cut["note"] == "saving for each successful completion lost"
    same = _diff(result.summary, "same_money", "cost_per_extra_successful_completion")
    assert same["median"] == 0 and same["note"] == SAME_SPENDING
    # deaths are the same in the scenario as in the baseline, pair by pair: within chance, no cost per death averted
    deaths = _diff(result.summary, "more_money", "cost_per_death_averted")
    assert np.isnan(deaths["median"]) and deaths["note"].startswith("within chance")
    table = result.value_for_money()  # the same numbers, a row per option by label
    assert list(table.index) == [LABELS[n] for n in ("baseline", "cut", "more_money", "same_money")]
    assert table.loc[LABELS["more_money"], "cost_per_extra_successful_completion"] == pytest.approx(5_000)
    assert table.loc[LABELS["more_money"], "change_cost"] == pytest.approx(2e5)
    words = result.value_for_money(text=True).loc[LABELS["more_money"]]
    assert words["cost_per_death_averted"].startswith("n/a: within chance")


def test_harm_per_pound_and_the_sentence_say_which_way_money_moved():
    summary = _four_options().summary
    # more money: crime -100k, health care -20k, QALYs +30k a year, for 100k a year: 1.50 averted per £1
    assert _diff(summary, "more_money", "harm_averted_per_pound")["median"] == pytest.approx(1.5)
    assert _diff(summary, "more_money", "harm_change")["median"] == pytest.approx(-3e5)
    more = sentence(summary, "more_money")
    assert more.startswith("For every extra £1 spent, about £1.50 of crime and health harm is averted"), more
    # a cut: crime +250k a year for 100k a year saved: 2.50 of harm follows each £1 cut
    assert _diff(summary, "cut", "harm_averted_per_pound")["median"] == pytest.approx(2.5)
    cut = sentence(summary, "cut")
    assert cut.startswith("For every £1 cut, about £2.50 of crime and health harm follows"), cut
    same = sentence(summary, "same_money")
    assert same.startswith("At the same spending, crime and health harm is about £20,000 lower"), same


def _report(result, tmp_path) -> str:
    result.write(tmp_path)
    return (tmp_path / "report.html").read_text()


def _option_rows(page: str, section: str) -> list[list[str]]:
    """For each table of a report section, the text of its row headers (the options)."""
    part = re.search(rf'<section id="{section}">(.*?)</section>', page, re.S).group(1)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r'<th class="option" scope="row">(.*?)</th>', table, re.S)]
            for table in re.findall(r"<table>(.*?)</table>", part, re.S)]


def test_report_rows_are_the_options_by_their_labels(tmp_path):
    page = _report(_four_options(), tmp_path)
    assert page.count("<main>") == 1 and page.index("<main>") < page.index("<h1>") and "</main>" in page
    everyone = [LABELS[s] for s in ("baseline", "cut", "more_money", "same_money")]  # the baseline first
    levels, changes = _option_rows(page, "value-for-money")
    assert levels == everyone and changes == everyone[1:]
    for table in _option_rows(page, "headlines"):
        assert table == everyone
    assert "more_money" not in re.sub(r"\(scenario=more_money\)", "", page)  # the identifier only in the list
    assert "Southampton" in page and "southampton" not in page.replace("scenario=", "")
    for words in ("For every extra £1 spent, about £1.50", "For every £1 cut, about £2.50",
                  "Policy from</th><td>1 January 2026", "2026-2027 (2 years: from the policy year"):
        assert words in html.unescape(page), words


def test_a_warning_with_too_few_runs_for_a_5_to_95_range_and_none_with_enough(tmp_path):
    few = _four_options(seeds=range(1, 6))
    text = runs_warning(few.summary)
    assert "only 5 runs" in text and f"at least {MIN_RUNS_FOR_INTERVAL} runs" in text
    assert "Too few runs for the intervals shown" in _report(few, tmp_path / "few")
    enough = _four_options(seeds=range(1, MIN_RUNS_FOR_INTERVAL + 1))
    assert runs_warning(enough.summary) == ""
    assert "Too few runs" not in _report(enough, tmp_path / "enough")


def test_an_effect_within_chance_gets_a_note_with_the_model_s_reason():
    """More money that the services do not spend on care (care delivered unchanged) changes completions
    both ways across seeds: the note names completions and says places do not bind."""
    def idle_money(s):
        out = _shifted(s, cost=[1e5, 1e5], exits_successful=[(-1) ** s * 3] * 2)
        out["cost_of_care"] = [7e5] * 3
        out["waiting"] = [2, 2, 2]
        return out

    def baseline(s):
        return {**_baseline(s), "cost_of_care": [7e5] * 3, "waiting": [2, 2, 2]}

    result = _comparison({"baseline": baseline, "more_money": idle_money}, range(1, 5))
    notes = within_chance(result.summary)
    assert [n["label"] for n in notes] == [LABELS["more_money"]]
    assert any(w.startswith("Successful completions") for w in notes[0]["within_chance"])
    reason = " ".join(notes[0]["reasons"])
    assert reason.startswith("Places do not bind") and "70.0% of the money" in reason, reason


# ---------------------------------------------------------------- the Python API, on the model


def test_compare_pairs_runs_by_seed_and_launchers_agree():
    cfg = sim.load_config(["end_year=2009", "policy_year=2007", "output.trace_people=0", "output.figures=false"])
    serial = sim.compare(cfg, scenarios=["budget_cut_10"], seeds=[1, 2], progress=False)
    assert set(serial.runs["scenario"]) == {"baseline", "budget_cut_10"} and len(serial.runs) == 4
    ts = serial.collected
    for seed in (1, 2):
        base = final_before(ts[(ts["scenario"] == "baseline") & (ts["seed"] == seed)], 2007)
        cut = final_before(ts[(ts["scenario"] == "budget_cut_10") & (ts["seed"] == seed)], 2007)
        key = ["period", "measure", "group"]
        assert len(base) > 1000
        pd.testing.assert_frame_equal(base.drop(columns=["run", "scenario"]).sort_values(key).reset_index(drop=True),
                                      cut.drop(columns=["run", "scenario"]).sort_values(key).reset_index(drop=True))
    assert serial.years == ["2007", "2008"]  # from the policy year on
    assert _diff(serial.summary, "budget_cut_10", "cost")["high"] < 0
    parallel = sim.compare(cfg, scenarios=["budget_cut_10"], seeds=[1, 2], launcher="processes", n_jobs=2,
                           progress=False)
    pd.testing.assert_frame_equal(parallel.collected, serial.collected)
    figures = serial.plot()
    assert len(figures) == 3 and all(f.axes for f in figures)


def test_compare_refuses_what_it_cannot_run():
    with pytest.raises(ConfigError, match="not a shipped scenario; choose from .*budget_cut_10"):
        sim.compare([], scenarios=["budget_cut_11"], seeds=[1])
    with pytest.raises(ConfigError, match="budget_cut_10 named more than once"):
        sim.compare([], scenarios=["budget_cut_10", "budget_cut_10"], seeds=[1])
    with pytest.raises(ConfigError, match="launcher 'threads'"):
        sim.compare(["end_year=2006", "warm_up_years=0"], seeds=[1], launcher="threads", progress=False)


def test_a_run_plots_its_figures_inline():
    result = sim.run(sim.load_config(["end_year=2007", "output.trace_people=0"]))
    figures = result.plot()
    assert len(figures) == 4
    assert "southampton" in figures[0].axes[0].get_title()
    assert any("seed 1" in t.get_text() for t in figures[0].texts)  # which run it is


def test_every_shipped_scenario_has_a_label():
    from sim.sweeps.api import scenario_config, shipped_scenarios

    labels = {name: scenario_config(name).label for name in shipped_scenarios()}
    assert all(labels.values()) and len(set(labels.values())) == len(labels), labels
