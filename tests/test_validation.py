"""Bad input is refused with a message naming the field and the allowed values."""

import pytest
from hydra.errors import MissingConfigException

from sim import resolve
from sim.config.errors import ConfigError
from tests.helpers import compose


@pytest.mark.parametrize(
    ("override", "field", "why"),
    [
        ("params.treatment.planned_exit_per_year=-0.1", "params.treatment.planned_exit_per_year", ">= 0"),
        ("params.mortality.hr_after_release_weeks_1_2=-2", "params.mortality.hr_after_release_weeks_1_2", ">= 0"),
        ("params.prison.release_to_treatment_share=1.5", "params.prison.release_to_treatment_share", "[0, 1]"),
        ("area.criminal_justice_share=1.2", "area.criminal_justice_share", "[0, 1]"),
        ("area.ocu_users=-5", "area.ocu_users", ">= 0"),
        ("params.treatment.engagement_weeks=0", "params.treatment.engagement_weeks", "> 0"),
        ("area.opiate_only_share=0.9", "crack_only_share", "sum to 1"),
        ("output.period=month", "output.period", "year, quarter"),
        ("steps_per_year=0", "steps_per_year", "from 1 to"),
        ("end_year=2000", "start_year", "< end_year"),
        ("population_scale=0", "population_scale", "> 0"),
        ("+levers.no_such_hazard=2", "levers.no_such_hazard", "allowed"),
        ("+levers.unplanned_exit=-1", "levers.unplanned_exit", ">= 0"),
        # from the parameter's documented unit and range, whatever its name ends with
        ("params.treatment.maintenance_share_opiate=-0.1", "params.treatment.maintenance_share_opiate", "[0, 1]"),
        ("params.value_for_money.utility_using=1.3", "params.value_for_money.utility_using", "[0, 1]"),
        ("params.value_for_money.cost_per_crime=-5", "params.value_for_money.cost_per_crime", ">= 0"),
        ("steps_per_year=100000000", "steps_per_year", "1 to 365"),
        ("population_scale=inf", "population_scale", "finite"),
        ("population_scale=1e-9", "population_scale", "allowed 1 to"),
        ("area.name=../../x", "area.name", "letters, digits"),
        ("system.handoff_per_year=-1", "system.handoff_per_year", ">= 0"),
        ("system.providers.0.handoff_success_share=1.5", "handoff_success_share", "[0, 1]"),
        ("+system.modality_mix_multipliers.residential_rehab=-2", "modality_mix_multipliers.residential_rehab", ">= 0"),
        ("+system.modality_mix_multipliers.yoga=2", "modality_mix_multipliers.yoga", "unknown modality"),
        ("system.providers.0.hands_off_opiate_to=nowhere", "hands_off_opiate_to", "not a service"),
        ("system.providers.1.routes.criminal_justice=2", "routes.criminal_justice", "[0, 1]"),
        ("area.age_profile.0.upper=40", "area.age_profile", "overlap"),
    ],
)
def test_invalid_values_name_the_field(override, field, why):
    cfg = compose("area=southampton", "end_year=2007", override)
    with pytest.raises(ConfigError) as err:
        resolve(cfg)
    assert field in str(err.value) and why in str(err.value)


def test_quarterly_output_needs_steps_divisible_by_four():
    with pytest.raises(ConfigError, match="multiple of 4"):
        resolve(compose("output.period=quarter", "steps_per_year=26"))


def test_unknown_area_lists_the_valid_names():
    with pytest.raises(MissingConfigException) as err:
        compose("area=atlantis")
    message = str(err.value)
    for name in ("bedford", "england", "southampton", "worcestershire"):
        assert name in message


def test_unknown_field_and_wrong_type_are_refused():
    from hydra.errors import ConfigCompositionException as HydraComposition

    with pytest.raises(HydraComposition, match="no_such_rate"):
        compose("params.treatment.no_such_rate=1")
    with pytest.raises(HydraComposition, match="planned_exit_per_year"):
        compose("params.treatment.planned_exit_per_year=fast")


SEARCH_ERRORS = [("n_trials", -5, ">= 1"), ("seeds_per_trial", 0, ">= 1"), ("min_accepted", 0, ">= 1"),
                 ("workers", -1, ">= 0"), ("relative_error", 0.0, "(0, 1)"), ("sampler", "cma", "tpe, cmaes"),
                 ("ensemble_rounds", -1, ">= 0")]


@pytest.mark.parametrize(("field", "value", "why"), SEARCH_ERRORS)
def test_a_calibrations_search_settings_are_checked(field, value, why):
    """journeys-calibrate and journeys-validate refuse a search that cannot run, before any trial."""
    import dataclasses

    from sim.config.schema import CalibrateConfig, JourneysConfig
    from sim.config.validation import validate

    base = compose("area=southampton", "end_year=2007")
    cfg = CalibrateConfig(**{f.name: getattr(base, f.name) for f in dataclasses.fields(JourneysConfig)})
    setattr(cfg, field, value)
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    assert field in str(err.value) and why in str(err.value)
