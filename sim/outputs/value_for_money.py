"""What treatment is worth in money: crime, health-care cost and quality of life by state, and what
treatment averts, in the terms of the NDTMS value-for-money tool.

Each living person-year carries, by state and drug group, crimes, health-care cost and a
health-state utility (`ValueForMoneyParams`: an OCU using and not in treatment is the reference;
treatment, recovery and non-opiate use have ratios to it; in prison nobody offends in the
community). Person-years are the end-of-step stocks times the step.

What treatment averts is counted against that reference, as the tool does: a person-year in
*effective treatment* (past the 12-week start phase: NDTMS counts clients retained 12 weeks or
completing within them) would, without treatment, have been a person-year of use:

    averted = person-years x (rate using - rate in the state)

for crimes, their cost and health-care cost, and QALYs gained = person-years x (utility in the state
- utility using). These are the tool's *in-year* benefits. Its *accrued* benefits add those of
*sustained recovery*, and the tool's only inputs for them are the year's successful completions
(seed 000: "the fields that can be changed ... only include the activity for numbers in effective
treatment and successful completions"): each completion of the period is credited, in that
period, with `recovery_years_per_completion` years of recovery averted against use. Benefits in
money are the costs averted plus the QALYs gained at `value_per_qaly`. `harm_without_treatment`
is what the credited person-years would have cost in crime and health care with no treatment.
`qalys_value` is the QALYs lived at `value_per_qaly`, so that two runs' crime, health-care
cost and quality of life can be set against each other in money (`sim.sweeps.value_for_money`).
Recovery without treatment (`remission`) and the start phase are counted in `crimes` and costs
but avert nothing; deaths the treatment prevents, and what the years it adds are worth, are not in
these figures (the paired `scenario=no_treatment` run counts them). The benefit-cost ratios
(`sim.outputs.measures.derived_measures`) divide by `cost`, the money paid to the treatment
services.
"""

import numpy as np
import pandas as pd

from sim.config.parameters import ValueForMoneyParams
from sim.domain.states import N_DRUG_GROUPS, N_STATES, USING, DrugGroup, Event, State
from sim.outputs.measures import GROUPS, VALUE_FLOWS, by_group, long_table, period_bounds

EFFECTIVE_TREATMENT = (State.TX_STAY, State.TX_STOP)
OFFENDING_AS_USING = USING + (State.WAITING, State.TX_START)  # not yet in effective treatment
RECOVERED = (State.SUSTAIN, State.REMISSION)


def rates(p: ValueForMoneyParams) -> dict[str, np.ndarray]:
    """Per person-year [state, drug group]: crimes, health-care cost (GBP) and utility."""
    crimes = np.zeros((N_STATES, N_DRUG_GROUPS))
    health = np.zeros((N_STATES, N_DRUG_GROUPS))
    utility = np.zeros((N_STATES, N_DRUG_GROUPS))
    for states, crime_ratio, health_ratio, u in (
            (OFFENDING_AS_USING, 1.0, 1.0, p.utility_using),
            (EFFECTIVE_TREATMENT, p.hr_crime_in_treatment, p.hr_health_cost_in_treatment, p.utility_in_treatment),
            (RECOVERED, p.hr_crime_in_recovery, p.hr_health_cost_in_recovery, p.utility_in_recovery),
            ((State.PRISON,), 0.0, 1.0, p.utility_using)):
        rows = [int(s) for s in states]
        crimes[rows] = p.crimes_per_year_using * crime_ratio
        health[rows] = p.health_cost_per_year_using * health_ratio
        utility[rows] = u
    other = int(DrugGroup.OTHER_DRUGS)
    crimes[:, other] *= p.hr_crime_non_opiate
    health[:, other] *= p.hr_health_cost_non_opiate
    return {"crimes": crimes, "health_cost": health, "utility": utility}


def value_for_money(stocks: np.ndarray, flows: np.ndarray, p: ValueForMoneyParams, start_year: int,
                    steps_per_year: int, period: str = "year", scale: float = 1.0) -> pd.DataFrame:
    """Tidy rows (period, measure, group, value) from end-of-step stocks [step, state, drug group, age band] and
    the steps' flows [step, event, drug group, age band]."""
    periods, first, _ = period_bounds(start_year, stocks.shape[0], steps_per_year, period)
    person_years = np.add.reduceat(stocks.astype(float), first, axis=0) / steps_per_year  # [period, state, drug, age]
    completions = np.add.reduceat(flows[:, int(Event.EXIT_SUCCESSFUL)].astype(float), first, axis=0)  # [p, drug, age]
    r = rates(p)

    def total(rate: np.ndarray) -> np.ndarray:
        """Sum over states of person-years x rate [state, drug] -> [period, drug, age]."""
        return np.einsum("psga,sg->pga", person_years, rate)

    # credited person-years [period, drug, age] and the state whose rates they have: effective treatment as lived,
    # recovery as credited to the period's completions
    effective = person_years[:, [int(x) for x in EFFECTIVE_TREATMENT]].sum(axis=1)
    credited = {"in_year": (effective, int(State.TX_STAY)),
                "recovery": (p.recovery_years_per_completion * completions, int(State.SUSTAIN))}
    using = int(State.USING_PREVIOUS)

    crime_cost_per_crime = p.cost_per_crime
    harm_using = r["crimes"][using] * crime_cost_per_crime + r["health_cost"][using]  # [drug]
    parts = {}
    for label, (years, state) in credited.items():
        def averted(rate: np.ndarray, years=years, state=state) -> np.ndarray:
            """Credited person-years x (rate of someone using, of their drug group, - rate in the state)."""
            return years * (rate[using] - rate[state])[None, :, None]

        crimes = averted(r["crimes"])
        health = averted(r["health_cost"])
        qalys = -averted(r["utility"])
        parts[label] = {"crimes": crimes, "crime_cost": crimes * crime_cost_per_crime, "health_cost": health,
                        "qalys": qalys,
                        "benefits": crimes * crime_cost_per_crime + health + qalys * p.value_per_qaly,
                        "harm_without_treatment": years * harm_using[None, :, None]}
    both = {k: parts["in_year"][k] + parts["recovery"][k] for k in parts["in_year"]}
    crimes = total(r["crimes"])
    frames = [
        ("crimes", crimes),
        ("crime_cost", crimes * crime_cost_per_crime),
        ("health_cost", total(r["health_cost"])),
        ("qalys", total(r["utility"])),
        ("qalys_value", total(r["utility"]) * p.value_per_qaly),
        ("crimes_prevented", both["crimes"]),
        ("crime_cost_averted", both["crime_cost"]),
        ("health_cost_averted", both["health_cost"]),
        ("qalys_gained", both["qalys"]),
        ("benefits_in_year", parts["in_year"]["benefits"]),
        ("benefits_from_recovery", parts["recovery"]["benefits"]),
        ("benefits", both["benefits"]),
        ("harm_without_treatment", both["harm_without_treatment"]),
    ]
    assert tuple(name for name, _ in frames) == VALUE_FLOWS  # summed over quarters as flows (measures.annual)
    out = long_table(periods, [(name, by_group(x)) for name, x in frames], GROUPS)
    out["value"] /= scale
    return out
