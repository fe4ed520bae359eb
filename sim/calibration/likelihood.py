"""How far a simulated value is from a documented figure, by the kind of figure it is.

Each target is scored as a deviance, -2 log(L(simulated) / L(best possible)), so a perfect
fit scores 0 and one standard error off scores about 1 whatever the kind; the objective sums
them (the old summed squared z is the special case of a figure with a stated interval).
The kind (`TargetKind`) is set when the targets are read (`sim.calibration.targets`):

- `interval`: the source states a range (a confidence interval, or the spread of several
  estimates): normal, sd = (upper - lower) / 3.92.
- `censored`: a suppressed small count or a bound: nothing inside [lower, upper], normal tails
  outside it in the same units.
- `count`: people or events with no stated range: negative binomial with mean = simulated,
  variance mean + (relative_error x mean)^2 (Poisson noise of the count plus the stated
  recording and definitional error).
- `share`: a share or percentage with its denominator (the people it is a share of): beta-binomial,
  the documented share as successes of the denominator, over-dispersed so its variance is the
  binomial one plus (relative_error x share)^2.
- `value`: any other figure with no stated range (a mean, a share without its denominator):
  normal, sd = relative_error x |value|.

Each target's `relative_error` (a column: a targets file may state it row by row; else the config's
`relative_error`, default RELATIVE_ERROR) is the assumption for a figure that states no range.
"""

from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

RELATIVE_ERROR = 0.05  # assumption: recording and definitional error of a published figure with none stated (sd/value)
_ZERO_SHARE_SD = 0.005  # a share documented as exactly 0 with no denominator: half a percentage point


class TargetKind(StrEnum):
    INTERVAL = "interval"
    CENSORED = "censored"
    COUNT = "count"
    SHARE = "share"
    VALUE = "value"


def interval_95(kind: str, value: float, denominator: float, scale: float,
                relative_error: float) -> tuple[float, float]:
    """The 95% range a figure of this kind implies when its source gives none (`scale`: 100 for a percentage,
    1 for a share, inf otherwise, its ceiling); never of zero width."""
    x = value
    if kind == TargetKind.COUNT:
        sd = np.sqrt(max(x, 1.0) + (relative_error * x) ** 2)
    elif kind == TargetKind.SHARE and np.isfinite(denominator) and denominator > 0:
        p = min(max(x / scale, 0.0), 1.0)
        sd = scale * np.sqrt(max(p * (1 - p), 0.25 / denominator) / denominator + (relative_error * p) ** 2)
    else:
        sd = relative_error * abs(x)
        if sd == 0.0:
            sd = _ZERO_SHARE_SD * (scale if np.isfinite(scale) else 1.0)
    return max(x - 1.96 * sd, 0.0), min(x + 1.96 * sd, scale)


def deviance(simulated: np.ndarray, targets: pd.DataFrame) -> np.ndarray:
    """-2 log likelihood ratio of each simulated value (aligned with the rows of `targets`) against the best
    value it could have had. Needs columns value, lower, upper, kind, denominator, scale, relative_error."""
    v = np.asarray(simulated, dtype=float)
    relative_error = targets["relative_error"].to_numpy(dtype=float)
    kind = targets["kind"].to_numpy()
    y = targets["value"].to_numpy(dtype=float)
    lower, upper = targets["lower"].to_numpy(dtype=float), targets["upper"].to_numpy(dtype=float)
    out = np.full(v.shape, np.nan)

    sd = np.maximum((upper - lower) / 3.92, 1e-12)
    k = kind == TargetKind.INTERVAL
    out[k] = ((v[k] - y[k]) / sd[k]) ** 2
    k = kind == TargetKind.CENSORED
    outside = np.maximum(lower[k] - v[k], 0) + np.maximum(v[k] - upper[k], 0)
    out[k] = (outside / sd[k]) ** 2

    k = kind == TargetKind.COUNT
    out[k] = _negative_binomial(y[k], v[k], relative_error[k])

    k = kind == TargetKind.SHARE
    scale = targets["scale"].to_numpy(dtype=float)
    out[k] = _beta_binomial(y[k] / scale[k], v[k] / scale[k], targets["denominator"].to_numpy(dtype=float)[k],
                            relative_error[k])

    k = kind == TargetKind.VALUE
    top = np.where(np.isfinite(scale[k]), scale[k], 1.0)
    sd_value = np.maximum(relative_error[k] * np.abs(y[k]), _ZERO_SHARE_SD * top)
    out[k] = ((v[k] - y[k]) / sd_value) ** 2
    return out


def _negative_binomial(y: np.ndarray, mean: np.ndarray, relative_error: np.ndarray) -> np.ndarray:
    """Deviance of count y under a negative binomial of this mean and variance mean + (relative_error mean)^2."""
    size = 1.0 / np.maximum(relative_error, 1e-6) ** 2

    def loglik(mu):
        mu = np.maximum(mu, 1e-3)  # a count of nothing simulated against people documented: very unlikely, finite
        return (gammaln(y + size) - gammaln(size) - gammaln(y + 1) + size * np.log(size / (size + mu))
                + y * np.log(mu / (size + mu)))

    return np.maximum(2.0 * (loglik(np.maximum(y, 1e-3)) - loglik(mean)), 0.0)


def _beta_binomial(p_obs: np.ndarray, p_sim: np.ndarray, n: np.ndarray, relative_error: np.ndarray) -> np.ndarray:
    """Deviance of a documented share p_obs of n under a beta-binomial centred on p_sim, over-dispersed so the
    share's variance is p(1-p)/n + (relative_error p_obs)^2 (the concentration fixed from the documented share)."""
    p_obs = np.clip(p_obs, 0.0, 1.0)
    successes = p_obs * n
    a = np.maximum(p_obs * (1 - p_obs), 0.25 / n) / n  # binomial variance of the share (at least that of 1 in n)
    b = np.maximum((relative_error * p_obs) ** 2, 1e-12)
    phi = np.maximum((a * (n - 1) - b) / b, 1.0)  # var = a (n + phi) / (1 + phi) = a + b
    eps = 1e-6

    def loglik(p):
        p = np.clip(p, eps, 1 - eps)
        return betaln(successes + p * phi, n - successes + (1 - p) * phi) - betaln(p * phi, (1 - p) * phi)

    return np.maximum(2.0 * (loglik(p_obs) - loglik(p_sim)), 0.0)
