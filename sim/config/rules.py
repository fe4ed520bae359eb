"""Every setting a user can give and the rule it is checked by, in one table.

The README lists this table (`python -m sim.config.rules` prints it; a test checks the README
holds it as printed), tests/test_bad_input.py gives each row's refused examples to the real
command and checks the one line it ends with, and a test checks that every field of the
schema (`sim.config.schema`) falls under a row. The checks themselves are in
`sim.config.validation` (before any run), `sim.config.commands` (Hydra's own errors, before it
writes anything), `sim.calibration.targets` (targets files) and `sim.sweeps.collect` (sweep folders).
"""

from dataclasses import dataclass

JOURNEYS, CALIBRATE, VALIDATE, COMPARE = "journeys", "journeys-calibrate", "journeys-validate", "journeys-compare"


@dataclass(frozen=True)
class Rule:
    settings: tuple[str, ...]  # as written on the command line: `*` any name or path, `[]` any item of a list
    allowed: str
    refused: tuple[str, ...]  # command lines it refuses (after the command); `<sweep>` is a sweep folder
    names: str  # what each refusal's message names
    command: str = JOURNEYS  # journeys settings hold for journeys-calibrate and journeys-validate too


def _both(*settings: str) -> tuple[str, ...]:
    """A system's settings hold for the system in force before the policy year too (`history_system`)."""
    return settings + tuple(f"history_{s}" for s in settings if s.startswith("system."))


RULES = (
    # the run
    Rule(("seed",), "a whole number >= 0", ("seed=-1",), "seed"),
    Rule(("start_year",), "a year from 1990 to 2100, before end_year", ("start_year=1066",), "start_year"),
    Rule(("end_year",), "a year from 1991 to 2101 (exclusive), after start_year", ("end_year=2000",), "end_year"),
    Rule(("policy_year",), "a year from 1990 to 2100 (at or before start_year: from the start); before end_year when "
         "system or scenario change anything", ("policy_year=-3", "policy_year=2040 scenario=budget_cut_10"),
         "policy_year"),
    Rule(("warm_up_years",), "a whole number from 0 to 50", ("warm_up_years=100000",), "warm_up_years"),
    Rule(("steps_per_year",), "a whole number from 1 to 365; a multiple of 4 with output.period=quarter",
         ("steps_per_year=0", "steps_per_year=100000000", "steps_per_year=26 output.period=quarter"),
         "steps_per_year"),
    Rule(("population_scale",), "a finite number > 0 that simulates at least one user and at most 5,000,000 people",
         ("population_scale=0", "population_scale=inf", "population_scale=1e-9", "population_scale=10000"),
         "population_scale"),
    Rule(("uncertainty",), "none or posterior", ("uncertainty=maybe",), "uncertainty"),
    Rule(("parameter_set",), "a whole number >= 0, a row of the calibration's ensemble; only with "
         "uncertainty=posterior", ("parameter_set=3", "uncertainty=posterior parameter_set=100000"), "parameter_set"),
    Rule(("onset", "ageing", "output.figures", "output.print_summary", "start_from_shipped", "ship"),
         "true or false", ("onset=maybe", "output.figures=perhaps"), "onset|output.figures"),
    Rule(("output.period",), "year or quarter", ("output.period=month",), "output.period"),
    Rule(("output.trace_people",), "a whole number >= 0", ("output.trace_people=-1",), "output.trace_people"),
    Rule(("output.price_year",), "2012 (the model's prices), or a year from 1990 to 2100 whose index output.deflator "
         "gives, with 2012's", ("output.price_year=2020", "output.price_year=1066"), "output.price_year"),
    Rule(("output.deflator.*",), "year: a positive finite price index (checked even when price_year is 2012)",
         ("+output.deflator={2015:-1.0}",), "output.deflator"),
    Rule(("area", "system", "history_system", "scenario", "history", "calibration", "calibration.*", "experiment",
          "hydra/launcher"),
         "a file of configs/<group>/ (area=southampton, +experiment=scenarios, ...)",
         ("area=atlantis", "scenario=baseline_typo", "+experiment=nope"), "area=atlantis|scenario=|experiment="),
    Rule(("*",), "any key the schema does not declare is refused, with or without +, naming the closest ones",
         ("+seeed=3", "seeed=3", "+lever.unplanned_exit=0.8", "system.capacity_multiplier=-1"),
         "seeed|lever|capacity_multiplier"),
    Rule(("area.name", "experiment.name", "study_name"), "letters, digits, _ and - (they name folders)",
         ("area.name=../../x", "+experiment=scenarios experiment.name=../x"), "area.name|experiment.name"),
    # the area
    Rule(("area.ocu_users", "area.other_drug_users"), "required in an area file; numbers >= 0, together > 0",
         ("area.ocu_users=-5", "area.ocu_users=0 area.other_drug_users=0"), "area"),
    Rule(("area.*_share",), "shares in [0, 1]; the drug mix (opiate only, opiate and crack, crack only) sums to 1; "
         "paired shares (injecting now and before, ...) sum to at most 1",
         ("area.male_share=1.2", "area.opiate_only_share=0.9", "area.injecting_current_share=0.95"), "share"),
    Rule(("area.budget_per_year", "area.in_recovery_per_user", "area.ocu_per_1000_15_64"),
         "finite numbers >= 0; a budget > 0 when the system pays its services from it",
         ("area.budget_per_year=-1", "area.budget_per_year=0", "area.in_recovery_per_user=nan"),
         "area.budget_per_year|area.in_recovery_per_user"),
    Rule(("area.budget_year", "area.timeline[].year", "history.periods[].from_year"),
         "a year from 1990 to 2100; one timeline entry a year; periods in order",
         ("area.budget_year=1850",), "area.budget_year"),
    Rule(("area.age_profile[].lower", "area.age_profile[].upper", "area.age_profile[].share"),
         "bands with 15 <= lower < upper <= 100 that do not overlap; shares in [0, 1] summing to 1",
         ("area.age_profile.0.upper=40", "area.age_profile.0.lower=5", "area.age_profile=[]"), "area.age_profile"),
    Rule(("area.time_in_treatment.*",), "shares in [0, 1] summing to 1",
         ("area.time_in_treatment.under_1y=-0.1 area.time_in_treatment.y1_to_2=0.54",
          "area.time_in_treatment.under_1y=0.9"), "area.time_in_treatment"),
    Rule(("area.timeline[].params.*", "scenario.params.*"),
         "real sections and parameters (did you mean ...), their values by the params rules",
         ("+scenario.params.treatment.planed_exit_per_year=0.4", "+scenario.params.treatment.planned_exit_per_year=-1"),
         "planed_exit_per_year|planned_exit_per_year"),
    # levers and multipliers
    Rule(("levers.*", "scenario.levers.*", "area.timeline[].levers.*"),
         "a hazard or family of sim/domain/transitions.py (did you mean ...); a finite multiplier >= 0",
         ("+levers.unplanned_exit=-1", "+levers.unplaned_exit=0.8", "+scenario.levers.relapse=inf"), "levers"),
    Rule(_both("system.budget_multiplier") + ("scenario.budget_multiplier", "area.timeline[].budget_multiplier"),
         "a finite number >= 0", ("system.budget_multiplier=-1", "scenario.budget_multiplier=nan"),
         "budget_multiplier"),
    Rule(_both("system.handoff_per_year"), "a finite rate >= 0", ("system.handoff_per_year=-1",),
         "system.handoff_per_year"),
    Rule(_both("system.modality_mix_multipliers.*") + ("scenario.modality_mix_multipliers.*",),
         "a commissioned modality; a finite weight >= 0",
         ("+system.modality_mix_multipliers.yoga=2", "+scenario.modality_mix_multipliers.residential_rehab=-2"),
         "modality_mix_multipliers"),
    # the commissioned system's services
    Rule(_both("system.providers[].name"), "unique within the system", ("system.providers.1.name=open_access_tier2",),
         "system.providers"),
    Rule(_both("system.providers[].tier"), "0 (integrated), 2, 3 or 4", ("system.providers.0.tier=7",), "tier"),
    Rule(_both("system.providers[].budget_share"), "a share in [0, 1]; a system's shares sum to 1 (null: unfunded)",
         ("system.providers.0.budget_share=1.5", "system.providers.0.budget_share=0.5"), "budget_share"),
    Rule(_both("system.providers[].capacity"), "a params.capacity weight, or null",
         ("system.providers.0.capacity=huge",), "capacity"),
    Rule(_both("system.providers[].routes.*"), "a referral route; the share of its referrals, in [0, 1]",
         ("system.providers.1.routes.criminal_justice=2", "+system.providers.1.routes.telepathy=0.5"), "routes"),
    Rule(_both("system.providers[].opiate_modalities.*", "system.providers[].non_opiate_modalities.*"),
         "a commissioned modality; a weight >= 0; a mix sums to more than 0",
         ("+system.providers.0.opiate_modalities.yoga=1",), "opiate_modalities"),
    Rule(_both("system.providers[].hands_off_opiate_to"), "another service of the same system, or null",
         ("system.providers.0.hands_off_opiate_to=nowhere",), "hands_off_opiate_to"),
    Rule(_both("system.providers[].handoff_success_share"), "a share in [0, 1]",
         ("system.providers.0.handoff_success_share=1.5",), "handoff_success_share"),
    Rule(_both("system.providers[].modality_after_handoff"), "a commissioned modality",
         ("system.providers.0.modality_after_handoff=yoga",), "modality_after_handoff"),
    Rule(("scenario.ramp_years",), "a whole number >= 0", ("scenario.ramp_years=-1",), "scenario.ramp_years"),
    Rule(("history.periods[].budget_share", "history.periods[].levers.*"), "params.history parameters, real levers",
         ("history.periods.0.budget_share=nothing",), "budget_share"),
    Rule(("history.periods[].budget_share_until",), "a year after the period's from_year, with a budget_share",
         ("history.periods.1.budget_share_until=1995",), "budget_share_until"),
    Rule(("history.ndtms_records_from",), "a year from 1990 to end_year, or null, with its sources",
         ("history.ndtms_records_from=1800",), "history.ndtms_records_from"),
    # parameters (calibration/parameters.csv lists each one's unit and documented range)
    Rule(("params.*",), "a finite number; a share, utility or probability in [0, 1]; a rate, ratio, count or price "
         "whose documented range is >= 0 at least 0; a duration in weeks or years > 0",
         ("params.treatment.planned_exit_per_year=nan", "params.treatment.maintenance_share_opiate=-0.1",
          "params.waiting.dropout_per_year=-1", "params.treatment.engagement_weeks=0",
          "params.value_for_money.utility_using=1.3", "params.treatment.planned_exit_per_year=fast",
          "params.treatment.no_such_rate=1"),
         "params.treatment|params.waiting|params.value_for_money"),
    # sensitivity designs
    Rule(("design.kind",), "none, one_at_a_time or latin_hypercube", ("design.kind=foo",), "design.kind"),
    Rule(("design.factors.*",), "params.<name>, levers.<hazard> or system.budget_multiplier, as [low, high] with "
         "low <= high", ("design.kind=one_at_a_time +design.factors={levers.nothing:[0.5,2.0]}",
                         "design.kind=one_at_a_time +design.factors={levers.relapse:[2.0,1.0]}"), "design.factors"),
    Rule(("design.point", "design.n_points", "design.seed"),
         "whole numbers >= 0, only with a design; a point inside it; n_points >= 2 for latin_hypercube",
         ("design.point=3",), "design"),
    # calibration and validation
    Rule(("targets_file",), "an existing targets CSV or NDTMS extract (a path, or relative to the project), read "
         "in one pass before any trial: every problem named with its row", ("targets_file=no_such_targets.csv",
                                                                           "targets_file=calibration"),
         "targets_file", CALIBRATE),
    Rule(("n_trials", "seeds_per_trial", "min_accepted", "forecast_sets"), "whole numbers >= 1",
         ("n_trials=-5", "seeds_per_trial=0"), "n_trials|seeds_per_trial", CALIBRATE),
    Rule(("workers",), "a whole number >= 0 (0: one a core)", ("workers=-1",), "workers", CALIBRATE),
    Rule(("ensemble_rounds",), "a whole number >= 0 (0: the search's accepted trials as they are)",
         ("ensemble_rounds=-1",), "ensemble_rounds", CALIBRATE),
    Rule(("relative_error",), "a number in (0, 1)", ("relative_error=0",), "relative_error", CALIBRATE),
    Rule(("sampler",), "tpe or cmaes", ("sampler=cma",), "sampler", CALIBRATE),
    Rule(("free",), "parameters with a documented range (calibration/parameters.csv), each once",
         ("free=[treatment.planed_exit_per_year]", "free=[]"), "free", CALIBRATE),
    Rule(("storage",), "a SQLite file or a database URL without a password (PGPASSWORD or ~/.pgpass); URL passwords "
         "are redacted in everything written", ("storage=postgresql://someone:hunter2@localhost/db",), "storage",
         CALIBRATE),
    Rule(("cutoff_year",), "from start_year to end_year - 2, with figures on both sides", ("cutoff_year=2012",),
         "cutoff_year", VALIDATE),
    Rule(("transfer", "transfer[]"), "areas of configs/area/", ("transfer=[narnia]",), "transfer", VALIDATE),
    # comparing a sweep
    Rule(("<folder>",), "a sweep folder; only runs whose run_info.json (written last) is there count, the others "
         "are left out and named; the same run twice, or a run changed since it finished, is refused",
         ("/no/such/sweep",), "/no/such/sweep", COMPARE),
    Rule(("--years", "--age-years"), "2025-2029 or 2015,2025 (in order); years not in the runs are named in a note",
         ("<sweep> --years 2030-2025", "<sweep> --age-years 2015-20x5"), "2030-2025|2015-20x5", COMPARE),
    Rule(("--baseline",), "a scenario of the sweep; otherwise differences are left out and a note says so", (),
         "baseline", COMPARE),
)

FREE_TEXT = ("*.description", "*.note", "*.sources", "*.assumptions", "*.ndtms_records_sources", "system.name",
             "history_system.name", "scenario.name", "history.name")  # labels and citations: any text


def markdown() -> str:
    """The table as the README shows it."""
    lines = ["| setting | allowed | refused, for example |", "|---|---|---|"]
    for rule in RULES:
        shown = [s for s in rule.settings if not s.startswith("history_system.")]
        where = "" if rule.command == JOURNEYS else f" ({rule.command})"
        refused = ", ".join(f"`{r}`" for r in rule.refused) or "(a note)"
        lines.append(f"| {', '.join(f'`{s}`' for s in shown)}{where} | {rule.allowed} | {refused} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
