"""The seed 004 framings cut exactly as its split_sequence / split_sequences, on its own toy data."""

import numpy as np
import pandas as pd
import pytest

from lstm_tuning import datasets, framings
from lstm_tuning.config import DataConfig, TaskConfig

UNIVARIATE = DataConfig(source="seed004_univariate", target="seq", n_lags=3)
MULTIVARIATE = DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"], n_lags=3)


def windows(data, task_name, n_out=1):
    return framings.frame(datasets.load(data), TaskConfig(task_name, n_out), data)


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
    series = datasets.load(MULTIVARIATE)
    for task, column in (("multiple_input_multistep", "out"), ("multiple_parallel_multistep", "out")):
        cut = windows(MULTIVARIATE, task, 2)
        np.testing.assert_array_equal(cut.y[:, 0, -1], series[column].to_numpy()[cut.target_rows])


def test_leading_rows_without_a_difference_are_skipped():
    series = pd.DataFrame({"seq": [np.nan, np.nan, 1.0, 2.0, 3.0, 4.0]})
    cut = framings.frame(series, TaskConfig("univariate"), DataConfig(target="seq", n_lags=2))
    np.testing.assert_array_equal(cut.X[:, :, 0], [[1, 2], [2, 3]])
    np.testing.assert_array_equal(cut.target_rows, [4, 5])


def test_too_short_a_series_is_refused():
    with pytest.raises(ValueError, match="too few"):
        framings.make_windows(np.zeros((3, 1)), np.zeros((3, 1)), n_lags=3, n_out=1, dependent=False)
