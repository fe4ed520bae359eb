"""The ensemble's moves: a population crowded at an optimum spreads uniformly over the likelihood-ratio region,
stays inside it, and an interrupted run continues without scoring any proposal twice."""

import shutil

import numpy as np
import pandas as pd
import pytest

from sim.calibration.explore import Space, as_ensemble, move, reflect
from sim.calibration.objective import FreeParameter

FREE = [FreeParameter("a", 0.0, 1.0, log=False), FreeParameter("b", 0.01, 1.0, log=True)]
SPACE = Space.of(FREE)
RADIUS = 0.2  # the region: a disc of this radius round the middle of the unit square


def _loss(values: dict[str, float]) -> float:
    u = SPACE.to_unit(np.array([values["a"], values["b"]]))
    return float(((u - 0.5) ** 2).sum() / 0.01)  # chi-squared-like: loss <= 4 is the disc


TOLERANCE = RADIUS**2 / 0.01


def _optimum_crowd(n: int = 60, seed: int = 5) -> pd.DataFrame:
    """What an optimiser leaves: accepted trials all within 0.02 of the best."""
    rng = np.random.default_rng(seed)
    unit = 0.5 + rng.uniform(-0.014, 0.014, size=(n, 2))
    values = SPACE.from_unit(unit)
    frame = pd.DataFrame(values, columns=SPACE.names)
    frame["loss"] = [_loss(dict(zip(SPACE.names, v))) for v in values]
    frame["trial"] = np.arange(n)
    return frame


class Scorer:
    """The loss, as a study would keep it: each scored proposal is a numbered trial; `limit` stops it midway."""

    def __init__(self, done=None, limit=None):
        self.done = {} if done is None else done
        self.scored = 0
        self.limit = limit

    def __call__(self, round_, todo):
        for k, values in todo:
            if self.limit is not None and self.scored >= self.limit:
                raise KeyboardInterrupt
            loss = _loss(values)
            number = 1000 + len(self.done)
            self.done[(round_, k)] = (loss, number)
            self.scored += 1
            yield k, loss, number


def _radius(frame: pd.DataFrame) -> np.ndarray:
    return np.linalg.norm(SPACE.to_unit(frame[SPACE.names].to_numpy()) - 0.5, axis=1)


def test_a_crowd_at_the_optimum_spreads_uniformly_over_the_region():
    crowd = _optimum_crowd()
    assert _radius(crowd).max() < 0.1 * RADIUS * 1.5  # before: nothing beyond a tenth of the region's radius
    pop = move(crowd, SPACE, TOLERANCE, particles=200, rounds=25, seed=3, chain=1, done={}, evaluate=Scorer())
    r = _radius(as_ensemble(pop, SPACE))
    assert len(r) == 60  # no more particles than accepted sets to start from
    pop = move(pd.concat([crowd, _optimum_crowd(140, seed=6).assign(trial=lambda f: f["trial"] + 60)]), SPACE,
               TOLERANCE, particles=200, rounds=25, seed=3, chain=1, done={}, evaluate=Scorer())
    r = _radius(as_ensemble(pop, SPACE))
    assert len(r) == 200 and (r <= RADIUS + 1e-9).all()  # never outside the region
    # uniform on a disc: half the sets inside radius R / sqrt(2), a fifth in the outer tenth of the radius
    assert 0.38 < (r < RADIUS / np.sqrt(2)).mean() < 0.62, np.sort(r)
    assert (r > 0.9 * RADIUS).mean() > 0.08
    assert 0.15 < np.mean(pop.acceptance[-5:]) < 0.6  # the step adapted from crowd-sized to region-sized


def test_reflection_keeps_every_proposal_inside_the_ranges():
    u = np.array([-0.3, 0.2, 1.4, 2.7, -1.6])
    np.testing.assert_allclose(reflect(u), [0.3, 0.2, 0.6, 0.7, 0.4])
    x = np.array([[0.3, 0.05], [1.0, 0.01]])
    np.testing.assert_allclose(SPACE.from_unit(SPACE.to_unit(x)), x)


def test_an_interrupted_run_continues_without_scoring_a_proposal_twice():
    crowd = _optimum_crowd()
    whole = Scorer()
    expected = move(crowd, SPACE, TOLERANCE, particles=30, rounds=4, seed=8, chain=2, done={}, evaluate=whole)
    assert whole.scored == 120

    kept = {}
    with pytest.raises(KeyboardInterrupt):
        move(crowd, SPACE, TOLERANCE, particles=30, rounds=4, seed=8, chain=2, done=kept,
             evaluate=Scorer(kept, limit=47))
    assert len(kept) == 47  # what was scored before the interruption is kept
    again = Scorer(dict(kept))
    resumed = move(crowd, SPACE, TOLERANCE, particles=30, rounds=4, seed=8, chain=2, done=dict(kept), evaluate=again)
    assert again.scored == 120 - 47  # none scored twice, none lost
    np.testing.assert_array_equal(resumed.unit, expected.unit)
    np.testing.assert_array_equal(resumed.loss, expected.loss)


@pytest.mark.slow
def test_the_moves_are_trials_of_the_study_and_the_same_command_does_not_score_them_again(tmp_path):
    """On the model: each proposal is a tagged trial of the study; run again, nothing is scored twice, and the
    ensemble is the same; with two worker processes the moves are the same as with one."""
    from sim.calibration.ensemble import accept
    from sim.calibration.objective import free_parameters
    from sim.calibration.study import calibrate, move_ensemble, study, trials_table
    from tests.test_calibrate import FREE as NAMES
    from tests.test_calibrate import _base, _synthetic_targets

    cfg, targets = _base(), _synthetic_targets().head(3)
    free = free_parameters(cfg, NAMES)
    storage = tmp_path / "moves.db"
    calibrate(cfg, targets, free, n_trials=6, storage=storage, name="m", seeds=[1])
    search = trials_table(study(storage, "m", 1))
    ensemble = accept(search, NAMES, min_accepted=3)
    shutil.copy(storage, tmp_path / "twin.db")

    def spread(workers, where=storage):
        return move_ensemble(cfg, targets, free, where, "m", [1], search, ensemble.accepted, ensemble.tolerance,
                             particles=3, rounds=2, workers=workers)

    first = spread(1)
    table = trials_table(study(storage, "m", 1))
    moves = table[table["move"].notna()]
    assert len(table) == 6 + 6 and sorted(moves["move"]) == sorted(f"6:{r}:{k}" for r in (1, 2) for k in range(3))
    assert (first.loss <= ensemble.tolerance).all()
    again = spread(2)  # the same moves, already scored: none run again
    assert len(trials_table(study(storage, "m", 1))) == 12
    np.testing.assert_array_equal(again.trial, first.trial)
    twin = spread(2, tmp_path / "twin.db")  # scored by two processes: the same moves
    np.testing.assert_array_equal(twin.unit, first.unit)
    np.testing.assert_array_equal(twin.loss, first.loss)
