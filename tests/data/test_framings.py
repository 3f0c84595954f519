"""The seed 004 framings cut exactly as its split_sequence / split_sequences, on its own toy data."""

import numpy as np
import pandas as pd
import pytest
from helpers import ARITHMETIC, SUMMED, data_params, option_params, task_params

from lstm_tuning.data import backtest, framings, sources

UNIVARIATE = data_params(**ARITHMETIC, n_lags=3)
MULTIVARIATE = data_params(**SUMMED, n_lags=3)


def windows(data, task_name, n_out=1):
    return framings.frame(sources.load(data), task_params(task_name, n_out), data)


# (task, n_out, data, samples, first X, first y, last X, last y): the seed's printed samples
SEED_SAMPLES = [
    ("univariate", 1, UNIVARIATE, 6, [[10], [20], [30]], [[40]], [[60], [70], [80]], [[90]]),
    ("multiple_input", 1, MULTIVARIATE, 7, [[10, 15], [20, 25], [30, 35]], [[65]],
     [[70, 75], [80, 85], [90, 95]], [[185]]),
    ("multiple_parallel", 1, MULTIVARIATE, 6, [[10, 15, 25], [20, 25, 45], [30, 35, 65]], [[40, 45, 85]],
     [[60, 65, 125], [70, 75, 145], [80, 85, 165]], [[90, 95, 185]]),
    ("multistep_vector", 2, UNIVARIATE, 5, [[10], [20], [30]], [[40], [50]], [[50], [60], [70]], [[80], [90]]),
    ("multistep_encoder_decoder", 2, UNIVARIATE, 5, [[10], [20], [30]], [[40], [50]],
     [[50], [60], [70]], [[80], [90]]),
    ("multiple_input_multistep", 2, MULTIVARIATE, 6, [[10, 15], [20, 25], [30, 35]], [[65], [85]],
     [[60, 65], [70, 75], [80, 85]], [[165], [185]]),
    ("multiple_parallel_multistep", 2, MULTIVARIATE, 5, [[10, 15, 25], [20, 25, 45], [30, 35, 65]],
     [[40, 45, 85], [50, 55, 105]], [[50, 55, 105], [60, 65, 125], [70, 75, 145]], [[80, 85, 165], [90, 95, 185]]),
]


@pytest.mark.parametrize("task, n_out, data, samples, first_X, first_y, last_X, last_y", SEED_SAMPLES,
                         ids=[case[0] for case in SEED_SAMPLES])
def test_windows_are_the_seeds_samples(task, n_out, data, samples, first_X, first_y, last_X, last_y):
    cut = windows(data, task, n_out)
    assert cut.X.shape[0] == cut.y.shape[0] == len(cut.target_rows) == samples
    np.testing.assert_array_equal(cut.X[0], first_X)
    np.testing.assert_array_equal(cut.y[0], first_y)
    np.testing.assert_array_equal(cut.X[-1], last_X)
    np.testing.assert_array_equal(cut.y[-1], last_y)


def test_target_rows_point_at_each_first_forecast_step():
    series = sources.load(MULTIVARIATE)
    for task, column in (("multiple_input_multistep", "out"), ("multiple_parallel_multistep", "out")):
        cut = windows(MULTIVARIATE, task, 2)
        np.testing.assert_array_equal(cut.y[:, 0, -1], series[column].to_numpy()[cut.target_rows])


def test_leading_rows_without_a_difference_are_skipped():
    series = pd.DataFrame({"seq": [np.nan, np.nan, 1.0, 2.0, 3.0, 4.0]})
    cut = framings.frame(series, task_params("univariate"), data_params(**ARITHMETIC, n_lags=2))
    np.testing.assert_array_equal(cut.X[:, :, 0], [[1, 2], [2, 3]])
    np.testing.assert_array_equal(cut.target_rows, [4, 5])


def test_too_short_a_series_is_refused():
    with pytest.raises(ValueError, match="too few"):
        framings.make_windows(np.zeros((3, 1)), np.zeros((3, 1)), n_lags=3, n_out=1, dependent=False)


def holdout(n_rows, val_size, test_size):
    return backtest.plan(option_params("backtest", "holdout"), n_rows, val_size, test_size, "series")


def test_shampoo_windows_are_the_seeds_split():
    # 36 months, lag-1 differencing: 34 supervised rows, train = first 22, test = last 12
    series = pd.DataFrame({"fit": 0, "Sales": np.r_[np.nan, np.arange(35.0)]})
    split = framings.split_windows(series, task_params("univariate"), data_params("csv"), holdout(36, 0, 12), "s")
    assert split["train"].shape == (1, 34) and split["train"].sum() == 22
    assert (split["first_rows"] >= 24).sum() == 12 and not split["stop"].any()
    with_validation = framings.split_windows(series, task_params("univariate"), data_params("csv", val_size=6),
                                             holdout(36, 6, 12), "s")
    np.testing.assert_array_equal(with_validation["first_rows"][with_validation["stop"]], np.arange(18, 24))
    assert with_validation["first_rows"][with_validation["train"][0]].max() == 17


def test_multistep_windows_train_only_on_rows_before_the_held_out_ones():
    # 20 rows, the last 3 validate and the last 5 test; windows forecast 3 rows from their first
    series = pd.DataFrame({"fit": 0, "seq": np.arange(20.0)})
    data = data_params(**ARITHMETIC, n_lags=2, val_size=3, test_size=5)
    split = framings.split_windows(series, task_params("multistep_vector", 3), data, holdout(20, 3, 5), "s")
    first_rows = split["first_rows"]
    assert first_rows[split["train"][0]].max() + 2 == 11  # last training window ends on row 11, before row 12
    np.testing.assert_array_equal(first_rows[split["stop"]], [12])  # rows 12-14; 13 and 14 would reach the test


def test_each_fit_trains_on_the_windows_inside_its_rows_only():
    series = pd.concat([pd.DataFrame({"fit": k, "seq": np.arange(20.0)}) for k in range(3)])
    data = data_params(**ARITHMETIC, n_lags=2, val_size=0, test_size=3)
    sliding = option_params("backtest", "sliding", window=10)
    plan = backtest.plan(sliding, 20, 0, 3, "series")  # fits on rows 7-16, 8-17, 9-18
    split = framings.split_windows(series, task_params("multistep_vector", 2), data, plan, "s")
    for fit, trains in zip(plan.fits, split["train"]):
        first_rows = split["first_rows"][trains]
        assert first_rows.min() - 2 == fit.start  # the first window's first lag is the fit's first row
        assert first_rows.max() + 1 == fit.cut - 1  # the last window's last forecast row is the one before the cut
