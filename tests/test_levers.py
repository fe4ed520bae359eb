"""Levers: a multiplier on a named hazard or family acts once on every hazard it reaches."""

import numpy as np
import pytest

from sim.config.parameters import Parameters
from sim.domain.transitions import HAZARD_INDEX, LEVER_TARGETS, MORTALITY_HAZARDS, TRANSITIONS
from sim.model.hazards import build_hazards, build_mortality

BASE = build_hazards(Parameters(), {}, handoff_per_year=6.0, criminal_justice_share=0.24).base


@pytest.mark.parametrize("name", [t for t in LEVER_TARGETS if t not in MORTALITY_HAZARDS])
def test_a_lever_multiplies_each_hazard_it_reaches_once(name):
    reached = [k for k, t in enumerate(TRANSITIONS) if name == t.name or name in t.families]
    assert reached, name
    base = build_hazards(Parameters(), {name: 2.0}, handoff_per_year=6.0, criminal_justice_share=0.24).base
    ratio = np.divide(base, BASE, out=np.ones_like(base), where=BASE > 0)
    expected = np.ones_like(ratio)
    expected[reached] = 2.0
    np.testing.assert_allclose(ratio[BASE > 0], expected[BASE > 0], err_msg=name)


def test_own_name_and_family_are_one_lever():
    assert "planned_exit" in TRANSITIONS[HAZARD_INDEX["planned_exit"]].families  # the case that was squared
    base = build_hazards(Parameters(), {"planned_exit": 1.3}, handoff_per_year=6.0, criminal_justice_share=0.24).base
    k = HAZARD_INDEX["planned_exit"]
    np.testing.assert_allclose(base[k] / BASE[k], 1.3)


def test_mortality_levers_multiply_their_cause_only():
    base = build_mortality(Parameters(), {})
    drd = build_mortality(Parameters(), {"drug_related_death": 0.8})
    other = build_mortality(Parameters(), {"other_cause_death": 1.5})
    np.testing.assert_allclose(drd.drug_related_base, 0.8 * base.drug_related_base)
    np.testing.assert_array_equal(drd.other_cause_age, base.other_cause_age)
    np.testing.assert_allclose(other.other_cause_age, 1.5 * base.other_cause_age)
    np.testing.assert_array_equal(other.drug_related_base, base.drug_related_base)
