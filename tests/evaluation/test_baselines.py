"""The classical baselines: hand-checkable forecasts, the published persistence figure, statsmodels directly."""

from functools import partial

import numpy as np
import pytest
from helpers import SHAMPOO, data_params
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from lstm_tuning.data import sources
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines, scores
from lstm_tuning.evaluation.baselines import ClassicalParams, PersistenceParams

SHAMPOO_TEST_YEAR = np.arange(24, 36)  # positions of the last 12 of the 36 months


@pytest.fixture(scope="module")
def shampoo():
    return sources.load(data_params("csv", path=str(SHAMPOO)))["Sales"].to_numpy()


def rmse(actual, forecast):
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(forecast)) ** 2)))


def test_persistence_on_shampoo_is_the_published_figure(shampoo):
    forecast = baselines.walk_forward(shampoo, SHAMPOO_TEST_YEAR, baselines.persistence, "persistence")[:, 0]
    assert round(rmse(shampoo[SHAMPOO_TEST_YEAR], forecast), 3) == 136.761


def test_seasonal_naive_and_drift_by_hand():
    values = np.array([10.0, 20.0, 30.0, 50.0, 40.0])
    targets = np.array([3, 4])
    seasonal = baselines.walk_forward(values, targets, partial(baselines.seasonal_naive, season=2), "seasonal")
    np.testing.assert_array_equal(seasonal[:, 0], [20.0, 30.0])
    drift = baselines.walk_forward(values, targets, baselines.drift, "drift")
    # t=3: 30 + (30 - 10) / 2; t=4: 50 + (50 - 10) / 3
    np.testing.assert_allclose(drift[:, 0], [40.0, 50.0 + 40.0 / 3])


def test_multistep_baselines_by_hand():
    values = np.array([10.0, 20.0, 30.0, 50.0, 40.0])
    origins = np.array([3])  # forecast values[3:6] from 10, 20, 30
    steps = {"persistence": [30, 30, 30], "drift": [40, 50, 60]}
    for name, expected in steps.items():
        forecast = baselines.walk_forward(values, origins, getattr(baselines, name), name, steps=3)
        np.testing.assert_allclose(forecast, [expected])
    seasonal = baselines.walk_forward(values, origins, partial(baselines.seasonal_naive, season=2), "s", steps=3)
    np.testing.assert_allclose(seasonal, [[20, 30, 20]])
    direct = ARIMA(np.arange(30.0) ** 1.2, order=(1, 1, 0)).fit().forecast(4)
    ours = baselines.forecast_all(ClassicalParams(season=2, arima_order=[1, 1, 0]), np.arange(34.0) ** 1.2,
                                  np.array([30]), steps=4)["arima"]
    np.testing.assert_allclose(ours[0], direct)


def test_persistence_option_fits_nothing_and_accepts_short_series():
    forecasts = baselines.forecast_all(PersistenceParams(), np.array([1.0, 2.0, 3.0]), np.array([2]), 2)
    assert list(forecasts) == ["persistence"]
    np.testing.assert_array_equal(forecasts["persistence"], [[2.0, 2.0]])


def test_arima_agrees_with_a_direct_statsmodels_walk_forward(shampoo):
    direct = [ARIMA(shampoo[:t], order=(2, 1, 0)).fit().forecast(1)[0] for t in SHAMPOO_TEST_YEAR]
    ours = baselines.forecast_all(ClassicalParams(arima_order=[2, 1, 0]), shampoo, SHAMPOO_TEST_YEAR)["arima"][:, 0]
    actual = shampoo[SHAMPOO_TEST_YEAR]
    assert rmse(actual, ours) == pytest.approx(rmse(actual, direct), rel=0.01)
    assert rmse(actual, ours) == pytest.approx(88.15, abs=0.05)  # the reference README, statsmodels 0.15


def test_exponential_smoothing_agrees_with_a_direct_statsmodels_walk_forward(shampoo):
    direct = [
        ExponentialSmoothing(shampoo[:t], trend="add", damped_trend=False).fit().forecast(1)[0]
        for t in SHAMPOO_TEST_YEAR
    ]
    cfg = ClassicalParams(exp_smoothing_trend="add", exp_smoothing_damped=False)
    ours = baselines.forecast_all(cfg, shampoo, SHAMPOO_TEST_YEAR)["exponential_smoothing"][:, 0]
    actual = shampoo[SHAMPOO_TEST_YEAR]
    assert rmse(actual, ours) == pytest.approx(rmse(actual, direct), rel=0.01)


def test_forecasts_never_see_the_month_they_forecast_or_later(shampoo):
    changed = shampoo.copy()
    changed[30:] *= 3
    for name, forecaster in baselines.forecasters(ClassicalParams()).items():
        before = baselines.walk_forward(shampoo, np.array([30]), forecaster, name)
        after = baselines.walk_forward(changed, np.array([30]), forecaster, name)
        assert before == pytest.approx(after), name


def test_a_season_longer_than_the_history_is_a_param_error(shampoo):
    with pytest.raises(UserError, match=r"baselines.season=30 .* at most 24"):
        baselines.forecast_all(ClassicalParams(season=30), shampoo, SHAMPOO_TEST_YEAR)


def test_an_order_statsmodels_cannot_fit_is_a_param_error(shampoo):
    with pytest.raises(UserError, match=r"the arima baseline cannot be fit .* under `baselines`"):
        baselines.forecast_all(ClassicalParams(arima_order=[8, 2, 8]), shampoo, SHAMPOO_TEST_YEAR)


def test_metrics_name_the_best_baseline_and_the_skill_against_it():
    metrics = scores.summarize(np.array([90.0, 110.0]), {"persistence": 200.0, "arima": 80.0, "drift": 150.0})
    assert metrics["baselines"] == {"persistence_rmse": 200.0, "arima_rmse": 80.0, "drift_rmse": 150.0}
    assert metrics["best_baseline"] == "arima"
    assert metrics["skill_vs_best_baseline"] == pytest.approx(1 - 100 / 80)
    assert metrics["skill_vs_persistence"] == pytest.approx(0.5)
