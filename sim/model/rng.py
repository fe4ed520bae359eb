"""Random streams keyed by (root seed, stream name, person, counter): common random numbers.

Each source of randomness (the initial population, onset, people's journeys, placement,
tracing) has its own stream. A journey draw is a counter-based hash of (stream key, person
row, that person's k-th draw), so a person's luck does not depend on how many draws anyone
else consumed: a scenario that changes one lever only changes the journeys that lever
touches, and the draw is the same whether people are stepped serially or in parallel.

The hash is two rounds of the SplitMix64 finaliser (a bijection on 64-bit integers),
giving 53-bit uniforms in [0, 1).
"""

import functools
import zlib

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_STEP_MUL = np.uint64(0xD1B54A32D192ED03)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53

# Named sources of randomness. Adding a stream never changes the others.
STREAMS = (
    "population",  # attributes and starting states of the initial population
    "onset",  # timing and attributes of new users
    "journey",  # each person's events: when, which, referrals, modality, maintenance class
    "placement",  # providers and modalities of the people in treatment at the start
    "trace",  # which people have their journeys logged
    "parameter_set",  # which calibrated parameter set a run takes (uncertainty=posterior)
    "value_parameter_set",  # which value-for-money rates it takes (uncertainty=posterior)
    "recommissioning",  # which new service each client passes to when a new system is commissioned
    "propensity",  # who, once treated, rarely presents again (sim.model.population.help_seeking)
)


@functools.lru_cache(maxsize=256)  # a calibration runs the same seeds trial after trial
def stream_key(seed: int, name: str) -> np.uint64:
    """The 64-bit key of stream `name` under root `seed` (stable across runs and platforms)."""
    if name not in STREAMS:
        raise ValueError(f"unknown random stream {name!r}; known streams: {', '.join(STREAMS)}")
    state = np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]).generate_state(1, np.uint64)
    return np.uint64(state[0])


def generator(seed: int, name: str) -> np.random.Generator:
    """A numpy Generator for whole-population draws made once (initial population, onset)."""
    return np.random.Generator(np.random.PCG64(int(stream_key(seed, name))))


@njit(inline="always")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always")
def uniform(key, person, step):
    """U[0,1) for (stream key, person row, step): pure function, no state."""
    z = _mix(key + np.uint64(person) * _GOLDEN)
    z = _mix(z + np.uint64(step) * _STEP_MUL)
    return np.float64(z >> _S11) * _TO_UNIT


@njit(cache=True)
def uniforms(key, persons, step):
    """Vector form of `uniform`, for tests and for Python-side draws."""
    out = np.empty(persons.shape[0], dtype=np.float64)
    for j in range(persons.shape[0]):
        out[j] = uniform(key, persons[j], step)
    return out
