"""The ensemble spread over the likelihood-ratio region: ABC-MCMC moves of a population of accepted sets.

The search (CMA-ES, TPE) is an optimiser: its trials crowd round the best fit, so the accepted trials
(`sim.calibration.ensemble.accept`) describe the optimum's neighbourhood, not every parameter set the
targets allow. Where the targets cannot tell two parameters apart (a long-stay class against a low
drop-out rate, say) the optimiser settles in one corner of the region and the forecasts carry none of
the rest: intervals narrower than the data justify.

Here a population of `particles` accepted sets moves through the region (Marjoram et al. 2003's
ABC-MCMC, one chain per particle, with the population's covariance as the proposal, as in the move
step of ABC-SMC): in each round every particle proposes a random-walk step, on the search's scale
(log for log-scaled parameters) with the sides of the ranges reflecting it; the step is taken if the
proposed set's loss is within the tolerance, else the particle stays. The moves keep a uniform prior
on the region invariant, so after enough rounds the population is a sample of every set the targets
allow, equally weighted. The proposal follows the population: its covariance, scaled by a step size
that grows while most proposals are accepted (the population is still smaller than the region) and
shrinks when few are (Haario et al. 2001's adaptive Metropolis, by round). The region is the search's:
its best loss plus the likelihood-ratio allowance, fixed when the moves start.

Every proposal is a trial of the study, tagged with its chain, round and particle (`MOVE`), so a
killed run loses only the proposals in flight and the same command continues from the last finished
one; proposals are drawn from a seed per round and so are the same when re-made.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

MOVE = "move"  # user attribute of a move's trial: "chain:round:particle"
TARGET_ACCEPTANCE = 0.25  # the step grows while more proposals than this are taken, shrinks while fewer
FIRST_STEP = 2.38  # over sqrt(parameters): the random-walk Metropolis step for a Gaussian target
RIDGE = 1e-3  # a floor on the proposal's sd, on the unit scale of a range, so a population of one set can move


@dataclass(frozen=True)
class Space:
    """The free parameters' ranges, and the map between a value and its place in [0, 1] (log scale or not)."""

    names: list[str]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray

    @classmethod
    def of(cls, free) -> "Space":
        return cls([p.name for p in free], np.array([p.low for p in free], float),
                   np.array([p.high for p in free], float), np.array([p.log for p in free], bool))

    def _scale(self, x: np.ndarray) -> np.ndarray:
        return np.where(self.log, np.log(np.where(self.log, np.maximum(x, 1e-300), 1.0)), x)

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._scale(self.low), self._scale(self.high)
        return (self._scale(x) - lo) / (hi - lo)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        lo, hi = self._scale(self.low), self._scale(self.high)
        v = lo + u * (hi - lo)
        return np.clip(np.where(self.log, np.exp(np.where(self.log, v, 0.0)), v), self.low, self.high)


def reflect(u: np.ndarray) -> np.ndarray:
    """Fold a step back into [0, 1] at both sides (a symmetric proposal on the box: the moves stay valid)."""
    u = np.mod(u, 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


@dataclass
class Population:
    """The particles' current sets (unit scale), their losses and trials, and the step of the next round."""

    unit: np.ndarray
    loss: np.ndarray
    trial: np.ndarray
    step: float
    acceptance: list[float]


def start(accepted: pd.DataFrame, space: Space, particles: int, seed: int, chain: int) -> Population:
    """`particles` of the accepted trials, drawn at random without replacement (all of them if fewer)."""
    rng = np.random.default_rng([int(seed), int(chain), 0])
    n = min(int(particles), len(accepted))
    pick = accepted.iloc[np.sort(rng.choice(len(accepted), size=n, replace=False))]
    return Population(space.to_unit(pick[space.names].to_numpy(float)), pick["loss"].to_numpy(float),
                      pick["trial"].to_numpy(int), FIRST_STEP / np.sqrt(len(space.names)), [])


def proposals(pop: Population, seed: int, chain: int, round_: int) -> np.ndarray:
    """Each particle's proposed set for this round (unit scale): a step along the population's covariance."""
    rng = np.random.default_rng([int(seed), int(chain), int(round_)])
    d = pop.unit.shape[1]
    cov = np.cov(pop.unit, rowvar=False).reshape(d, d) if len(pop.unit) > 1 else np.zeros((d, d))
    root = np.linalg.cholesky(cov + RIDGE**2 * np.eye(d))
    return reflect(pop.unit + pop.step * rng.standard_normal(pop.unit.shape) @ root.T)


def advance(pop: Population, proposed: np.ndarray, loss: np.ndarray, trial: np.ndarray,
            tolerance: float) -> Population:
    """Take each step whose loss is within the tolerance; adapt the step to the share taken."""
    take = np.isfinite(loss) & (loss <= tolerance)
    rate = float(take.mean()) if len(take) else 0.0
    return Population(np.where(take[:, None], proposed, pop.unit), np.where(take, loss, pop.loss),
                      np.where(take, trial, pop.trial), pop.step * float(np.exp(2.0 * (rate - TARGET_ACCEPTANCE))),
                      [*pop.acceptance, rate])


# evaluate(round, [(particle, values)]) -> (particle, loss, trial number) for each, as each finishes
Evaluate = Callable[[int, list[tuple[int, dict[str, float]]]], Iterable[tuple[int, float, int]]]


def move(accepted: pd.DataFrame, space: Space, tolerance: float, particles: int, rounds: int, seed: int,
         chain: int, done: dict[tuple[int, int], tuple[float, int]], evaluate: Evaluate,
         report: Callable[[str], None] = lambda line: None) -> Population:
    """Run `rounds` rounds of moves from `particles` accepted sets; `done` holds the proposals already scored
    ((round, particle) -> (loss, trial)), which are not scored again."""
    pop = start(accepted, space, particles, seed, chain)
    for r in range(1, int(rounds) + 1):
        proposed = proposals(pop, seed, chain, r)
        values = space.from_unit(proposed)
        loss, trial = np.full(len(proposed), np.nan), np.full(len(proposed), -1)
        todo = []
        for k in range(len(proposed)):
            if (r, k) in done:
                loss[k], trial[k] = done[(r, k)]
            else:
                todo.append((k, dict(zip(space.names, map(float, values[k])))))
        for k, value, number in evaluate(r, todo):
            loss[k], trial[k] = value, number
        pop = advance(pop, space.to_unit(values), loss, trial, tolerance)
        report(f"ensemble moves: round {r} of {rounds}: {pop.acceptance[-1]:.0%} of steps taken, "
               f"next step x{pop.step:.2f}")
    return pop


def as_ensemble(pop: Population, space: Space) -> pd.DataFrame:
    """The population as accepted sets (columns: parameter names, loss, trial), best first; a particle that never
    moved from the same trial as another counts once for each."""
    frame = pd.DataFrame(space.from_unit(pop.unit), columns=space.names)
    frame["loss"], frame["trial"] = pop.loss, pop.trial.astype(int)
    return frame.sort_values(["loss", "trial"], kind="stable").reset_index(drop=True)
