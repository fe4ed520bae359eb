"""Random streams: uniform, independent across people, steps and streams, and reproducible."""

import numpy as np
import pytest

from sim.model.rng import STREAMS, generator, stream_key, uniforms


def test_uniforms_are_uniform_and_independent():
    key = stream_key(1, "journey")
    people = np.arange(200_000)
    u = uniforms(key, people, 10)
    assert abs(u.mean() - 0.5) < 0.003 and abs(u.var() - 1 / 12) < 0.002
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    chi2 = ((counts - len(u) / 20) ** 2 / (len(u) / 20)).sum()
    assert chi2 < 50  # 19 degrees of freedom: p ~ 1e-4
    for other in (uniforms(key, people, 11), uniforms(stream_key(1, "onset"), people, 10),
                  uniforms(stream_key(2, "journey"), people, 10)):
        assert abs(np.corrcoef(u, other)[0, 1]) < 0.01
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_streams_are_reproducible_and_named():
    assert stream_key(5, "onset") == stream_key(5, "onset")
    assert len({stream_key(5, s) for s in STREAMS}) == len(STREAMS)
    np.testing.assert_array_equal(generator(3, "population").random(5), generator(3, "population").random(5))
    with pytest.raises(ValueError, match="known streams"):
        stream_key(1, "weather")

