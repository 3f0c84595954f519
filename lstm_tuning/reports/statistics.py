"""Tell a real difference from noise: bootstrap intervals and tests on per-repeat scores (lower is better).

The same configuration trained again with other initialisations moves its mean by several RMSE units
(the seed's three sweeps gave 98.3, 100.3 and 104.6), so two configurations are compared through the
distributions of their repeats, never through one number each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
CONFIDENCE = 0.95
BOOTSTRAP_SEED = 0  # fixed, so a study report is reproducible to the digit
BOOTSTRAP_RESAMPLES = 9999


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    confidence: float


def bootstrap_mean_ci(
    values, confidence: float = CONFIDENCE, seed: int = BOOTSTRAP_SEED, n_resamples: int = BOOTSTRAP_RESAMPLES
) -> Interval:
    """BCa bootstrap confidence interval of the mean of `values`."""
    values = np.asarray(values, dtype=float)
    if np.ptp(values) == 0:  # BCa is undefined when every value is equal; the mean is then exact
        return Interval(float(values[0]), float(values[0]), confidence)
    result = stats.bootstrap(
        (values,), np.mean, confidence_level=confidence, n_resamples=n_resamples, rng=np.random.default_rng(seed)
    )
    return Interval(float(result.confidence_interval.low), float(result.confidence_interval.high), confidence)


@dataclass(frozen=True)
class Comparison:
    candidate: str
    baseline: str
    mean_difference: float  # candidate mean - baseline mean
    mannwhitney_p: float
    welch_p: float  # NaN when both samples are constant
    alpha: float
    real: bool  # decided by Mann-Whitney: RMSEs over repeats are skewed, so normality is not assumed
    verdict: str


def compare(candidate, baseline, candidate_name: str, baseline_name: str, alpha: float = ALPHA) -> Comparison:
    """Two-sided Mann-Whitney U (decides) and Welch's t (reported) of candidate's scores against baseline's."""
    candidate, baseline = np.asarray(candidate, dtype=float), np.asarray(baseline, dtype=float)
    mann_whitney = stats.mannwhitneyu(candidate, baseline, alternative="two-sided")
    if np.ptp(candidate) == 0 and np.ptp(baseline) == 0:
        welch_p = float("nan")  # no spread at all: the t statistic is undefined
    else:
        welch_p = float(stats.ttest_ind(candidate, baseline, equal_var=False).pvalue)
    p = float(mann_whitney.pvalue)
    real = p < alpha
    # U counts the pairs where the candidate scores higher: above half of all pairs, it tends to be worse
    worse = mann_whitney.statistic > len(candidate) * len(baseline) / 2
    if real:
        verdict = (f"{candidate_name} is {'worse' if worse else 'better'} than {baseline_name} "
                   f"(p={p:.3g} < {alpha:g})")
    else:
        verdict = f"{candidate_name} vs {baseline_name}: no real difference at the {alpha:g} level (p={p:.3g})"
    return Comparison(candidate_name, baseline_name, float(candidate.mean() - baseline.mean()), p, welch_p, alpha,
                      real, verdict)


def diebold_mariano(loss: np.ndarray, baseline_loss: np.ndarray, horizon: int = 1) -> tuple[float, float]:
    """Diebold-Mariano test of equal expected loss at the same origins, with the small-sample correction of
    Harvey, Leybourne and Newbold (1997): the statistic times sqrt((n + 1 - 2h + h(h - 1) / n) / n), against
    Student's t with n - 1 degrees of freedom. The loss differential's variance is its autocovariances up to
    lag h - 1 (h-step forecasts overlap). Returns (statistic, two-sided p); negative: `loss` is lower."""
    d = np.asarray(loss, float) - np.asarray(baseline_loss, float)
    n, mean = len(d), d.mean()
    autocovariances = [np.sum((d[k:] - mean) * (d[: n - k] - mean)) / n for k in range(min(horizon, n))]
    variance = (autocovariances[0] + 2 * sum(autocovariances[1:])) / n
    if variance <= 0:  # no spread at all (or a negative long-run estimate): the statistic is undefined
        return float("nan"), float("nan")
    correction = np.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    statistic = float(mean / np.sqrt(variance) * correction)
    return statistic, float(2 * stats.t.sf(abs(statistic), df=n - 1))


def wilcoxon(loss: np.ndarray, baseline_loss: np.ndarray) -> float:
    """Two-sided p of the Wilcoxon signed-rank test on the per-origin loss differences (NaN if all are 0)."""
    d = np.asarray(loss, float) - np.asarray(baseline_loss, float)
    if not d.any():
        return float("nan")
    return float(stats.wilcoxon(d).pvalue)


def signed_rank_balance(differences) -> float:
    """(R+ - R-) / (R+ + R-) of the Wilcoxon signed-rank test on `differences` (zeros left out, ties given their
    mean rank): in [-1, 1], negative where the negative differences (a lower loss) carry the larger ranks, the
    direction the test sees. NaN if every difference is 0."""
    d = np.asarray(differences, float)
    d = d[d != 0]
    if not len(d):
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def holm(p_values: list[float]) -> np.ndarray:
    """Holm's step-down adjustment of several p-values (NaN stays NaN): the family-wise error stays at alpha."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, float)
    adjusted = np.full_like(p, np.nan)
    tested = ~np.isnan(p)
    if tested.any():
        adjusted[tested] = multipletests(p[tested], method="holm")[1]
    return adjusted


@dataclass(frozen=True)
class PairedComparison:
    candidate: str
    baseline: str
    origins: int
    mean_difference: float  # mean over origins of the candidate's loss - the baseline's
    dm_statistic: float
    dm_p: float
    wilcoxon_p: float


def compare_paired(loss, baseline_loss, candidate_name: str, baseline_name: str, horizon: int = 1) -> PairedComparison:
    """The candidate's ensemble loss at each origin against the baseline's at the same origins."""
    loss, baseline_loss = np.asarray(loss, float), np.asarray(baseline_loss, float)
    statistic, p = diebold_mariano(loss, baseline_loss, horizon) if len(loss) > 1 else (float("nan"),) * 2
    return PairedComparison(candidate_name, baseline_name, len(loss), float((loss - baseline_loss).mean()),
                            statistic, p, wilcoxon(loss, baseline_loss) if len(loss) > 1 else float("nan"))
