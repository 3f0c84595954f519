"""Statistics on known inputs: intervals and p-values against theory and direct scipy calls."""

import math

import numpy as np
import pytest
from scipy import stats

from lstm_tuning.reports import statistics
from lstm_tuning.reports.statistics import bootstrap_mean_ci, compare

SAMPLE = np.array([97.1, 88.4, 104.2, 92.0, 110.3, 99.9, 85.7, 101.5, 95.2, 108.8, 90.1, 103.0])


def test_bootstrap_interval_is_scipy_bca_with_the_fixed_seed():
    direct = stats.bootstrap((SAMPLE,), np.mean, confidence_level=0.95, n_resamples=9999,
                             rng=np.random.default_rng(0), method="BCa").confidence_interval
    ours = bootstrap_mean_ci(SAMPLE)
    assert (ours.low, ours.high) == (direct.low, direct.high)
    assert ours.low < SAMPLE.mean() < ours.high
    assert bootstrap_mean_ci(SAMPLE) == ours  # same seed, same interval


def test_bootstrap_interval_of_a_large_normal_sample_is_the_textbook_interval():
    values = np.random.default_rng(42).normal(100.0, 10.0, size=2000)
    half_width = 1.96 * values.std(ddof=1) / math.sqrt(len(values))  # ~0.44
    ours = bootstrap_mean_ci(values)
    assert ours.low == pytest.approx(values.mean() - half_width, abs=0.05)
    assert ours.high == pytest.approx(values.mean() + half_width, abs=0.05)


def test_bootstrap_interval_of_a_constant_sample_is_the_value():
    ours = bootstrap_mean_ci([5.0] * 10)
    assert (ours.low, ours.high) == (5.0, 5.0)


def test_fully_separated_samples_give_the_exact_mann_whitney_p():
    better, worse = [1.0, 2.0, 3.0, 4.0, 5.0], [6.0, 7.0, 8.0, 9.0, 10.0]
    result = compare(worse, better, "units=2", "units=1")
    # every one of the C(10, 5) = 252 orderings is equally likely under the null; 2 are this extreme
    assert result.mannwhitney_p == pytest.approx(2 / 252)
    assert result.real and result.mean_difference == 5.0
    assert result.verdict == "units=2 is worse than units=1 (p=0.00794 < 0.05)"
    assert compare(better, worse, "units=1", "units=2").verdict.startswith("units=1 is better than units=2")


def test_welch_p_is_scipys_unequal_variance_t_test():
    other = SAMPLE[::-1] * 1.1 + 3.0
    result = compare(other, SAMPLE, "b", "a")
    assert result.welch_p == stats.ttest_ind(other, SAMPLE, equal_var=False).pvalue
    assert result.mannwhitney_p == stats.mannwhitneyu(other, SAMPLE, alternative="two-sided").pvalue


def test_two_draws_from_one_distribution_are_no_real_difference():
    rng = np.random.default_rng(1)
    a, b = rng.normal(100, 10, 30), rng.normal(100, 10, 30)
    result = compare(b, a, "units=3", "units=1")
    assert not result.real
    assert result.verdict.startswith("units=3 vs units=1: no real difference at the 0.05 level (p=")


def test_diebold_mariano_at_horizon_1_is_the_paired_t_test():
    # with h = 1 the corrected statistic is mean(d) / (s / sqrt(n)), s with n - 1 degrees of freedom
    rng = np.random.default_rng(0)
    a, b = rng.normal(1, 1, 12), rng.normal(0.5, 1, 12)
    statistic, p = statistics.diebold_mariano(a, b, horizon=1)
    reference = stats.ttest_1samp(a - b, 0)
    assert statistic == pytest.approx(reference.statistic) and p == pytest.approx(reference.pvalue)


def test_diebold_mariano_with_the_small_sample_correction_by_hand():
    # d = 1, 2, 3, 4: mean 2.5, autocovariances 1.25 and 0.3125, variance (1.25 + 2 * 0.3125) / 4;
    # DM = 2.5 / sqrt(0.46875), times sqrt((4 + 1 - 4 + 2 / 4) / 4): exactly sqrt(5), on t with 3 df
    statistic, p = statistics.diebold_mariano(np.array([1.0, 2, 3, 4]), np.zeros(4), horizon=2)
    assert statistic == pytest.approx(np.sqrt(5))
    assert p == pytest.approx(0.11137, abs=1e-5)


def test_wilcoxon_signed_rank_on_the_origin_differences_by_hand():
    # ranks 2, 3, 4, 5 positive and 1 negative: W- = 1; exact two-sided p = 2 * 2 / 2**5
    assert statistics.wilcoxon(np.array([1.0, 2, 3, 4, -0.5]), np.zeros(5)) == pytest.approx(0.125)
    assert np.isnan(statistics.wilcoxon(np.ones(4), np.ones(4)))


def test_holm_adjusts_several_p_values_step_down():
    # sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.04, then made monotone: 0.03, 0.06, 0.06
    np.testing.assert_allclose(statistics.holm([0.01, 0.04, 0.03, np.nan]), [0.03, 0.06, 0.06, np.nan])
