"""A help-seeking trait: some people, once treated, rarely present again (`presentation.reluctant_share`,
`presentation.hr_reluctant`): half of 2005-06's drop-outs had not returned three years on while others make
attempt after attempt (calibration/targets/definitions.md)."""

import numpy as np

from sim import run
from sim.config.parameters import Parameters
from sim.domain.states import State
from sim.model.population import help_seeking
from tests.helpers import compose

SHORT = ("area=southampton", "calibration=none", "end_year=2010", "seed=5", "output.trace_people=2000")


def _with(p: Parameters, share: float, hr: float) -> Parameters:
    p.presentation.reluctant_share, p.presentation.hr_reluctant = share, hr
    return p


def test_the_trait_is_drawn_at_its_share_and_the_treated_pool_holds_more_of_the_reluctant():
    """New people carry the trait at its share; among those already treated and out of treatment at the start
    the reluctant are over-represented by how much longer they stay out (the pool's steady state)."""
    p = _with(Parameters(), 0.4, 0.1)
    n0, n = 40_000, 100_000
    state = np.full(n, State.USING_NAIVE, dtype=np.int8)
    state[:20_000] = State.USING_PREVIOUS
    trait = help_seeking(p, state, n0, np.uint64(11))
    assert abs(trait[n0:].mean() - 0.4) < 0.01
    assert abs(trait[20_000:n0].mean() - 0.4) < 0.015  # at the start but never treated: as everyone
    rate, remission = p.presentation.previous_per_year, p.recovery.natural_remission_per_year
    stay_r, stay_o = 0.4 / (rate * 0.1 + remission), 0.6 / (rate + remission)
    assert abs(trait[:20_000].mean() - stay_r / (stay_r + stay_o)) < 0.015
    assert trait[:20_000].mean() > 0.6


def test_no_share_draws_nothing_and_a_larger_share_only_adds_people():
    p = Parameters()
    state = np.full(1000, State.USING_NAIVE, dtype=np.int8)
    assert not help_seeking(_with(p, 0.0, 0.1), state, 0, np.uint64(3)).any()
    few = help_seeking(_with(Parameters(), 0.2, 0.1), state, 0, np.uint64(3))
    more = help_seeking(_with(Parameters(), 0.5, 0.1), state, 0, np.uint64(3))
    assert (more >= few).all() and more.sum() > few.sum()


def _dropouts_back(*overrides) -> tuple[float, "object"]:
    result = run(compose(*SHORT, *overrides))
    ts = result.timeseries.query("group == 'all'")
    total = ts.groupby("measure")["value"].sum()
    return total["returned_within_3y_of_dropout"] / total["exits_unplanned"], result


def test_reluctant_people_return_less_after_dropping_out_and_nothing_else_is_redrawn():
    """With a reluctant group that seldom comes back, fewer drop-outs return within three years; the trait has its
    own stream, so the people at the start are otherwise the same."""
    alike, base = _dropouts_back("params.presentation.reluctant_share=0")
    split, other = _dropouts_back("params.presentation.reluctant_share=0.5", "params.presentation.hr_reluctant=0.05")
    assert split < alike - 0.05
    a, b = base.people, other.people
    same = [c for c in a.columns if c != "reluctant"]
    assert len(a) == 2000 and a[same].equals(b[same])
    assert "reluctant" in b.columns and b["reluctant"].astype(int).sum() > 0


def test_the_hazard_ratio_acts_only_where_there_is_a_reluctant_group():
    """`hr_reluctant` is dead by design when the share is 0 (everyone alike), alive otherwise (the default share is
    England's fit, so both are set here)."""
    off_a, _ = _dropouts_back("params.presentation.reluctant_share=0", "params.presentation.hr_reluctant=0.02")
    off_b, _ = _dropouts_back("params.presentation.reluctant_share=0", "params.presentation.hr_reluctant=1.0")
    assert off_a == off_b
    on_a, _ = _dropouts_back("params.presentation.reluctant_share=0.5", "params.presentation.hr_reluctant=0.02")
    on_b, _ = _dropouts_back("params.presentation.reluctant_share=0.5", "params.presentation.hr_reluctant=1.0")
    assert on_a < on_b - 0.05
