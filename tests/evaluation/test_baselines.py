"""The classical baselines: hand-checkable forecasts, the published persistence figure, statsmodels directly,
fit on exactly the rows of each fit of the backtest."""

from functools import partial

import numpy as np
import pytest
from helpers import SHAMPOO, data_params, option_params
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from lstm_tuning.data import sources
from lstm_tuning.data.backtest import Fit
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines, scores

SHAMPOO_TEST_YEAR = np.arange(24, 36)  # positions of the last 12 of the 36 months


def classical(**changes):
    return option_params("baselines", "classical", **changes)


@pytest.fixture(scope="module")
def shampoo():
    return sources.load(data_params("csv", path=str(SHAMPOO)))["Sales"].to_numpy()


def rmse(actual, forecast):
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(forecast)) ** 2)))


def refit_at_each(targets):
    """A fit on every row before each target (an expanding backtest refit at every origin)."""
    return [Fit(0, int(t)) for t in targets], np.arange(len(targets))


def one_fit(cut, targets):
    """One fit on the rows before `cut`, walked forward to every target (the holdout)."""
    return [Fit(0, cut)], np.zeros(len(targets), int)


def test_persistence_on_shampoo_is_the_published_figure(shampoo):
    forecast = baselines.walk_forward(shampoo, *one_fit(24, SHAMPOO_TEST_YEAR), SHAMPOO_TEST_YEAR,
                                      baselines.persistence, "persistence")[:, 0]
    assert round(rmse(shampoo[SHAMPOO_TEST_YEAR], forecast), 3) == 136.761


def test_seasonal_naive_and_drift_by_hand():
    values = np.array([10.0, 20.0, 30.0, 50.0, 40.0])
    targets = np.array([3, 4])
    seasonal = baselines.walk_forward(values, *one_fit(3, targets), targets,
                                      partial(baselines.seasonal_naive, season=2), "seasonal")
    np.testing.assert_array_equal(seasonal[:, 0], [20.0, 30.0])
    refit = baselines.walk_forward(values, *refit_at_each(targets), targets, baselines.drift, "drift")
    # t=3: 30 + (30 - 10) / 2; t=4: 50 + (50 - 10) / 3
    np.testing.assert_allclose(refit[:, 0], [40.0, 50.0 + 40.0 / 3])
    walked = baselines.walk_forward(values, *one_fit(3, targets), targets, baselines.drift, "drift")
    # the slope estimated at the fit, 10 per step, from each latest true value
    np.testing.assert_allclose(walked[:, 0], [40.0, 60.0])


def test_multistep_baselines_by_hand():
    values = np.array([10.0, 20.0, 30.0, 50.0, 40.0])
    origins = np.array([3])  # forecast values[3:6] from 10, 20, 30
    steps = {"persistence": [30, 30, 30], "drift": [40, 50, 60]}
    for name, expected in steps.items():
        forecast = baselines.walk_forward(values, *one_fit(3, origins), origins, getattr(baselines, name), name, 3)
        np.testing.assert_allclose(forecast, [expected])
    seasonal = baselines.walk_forward(values, *one_fit(3, origins), origins,
                                      partial(baselines.seasonal_naive, season=2), "s", steps=3)
    np.testing.assert_allclose(seasonal, [[20, 30, 20]])
    direct = ARIMA(np.arange(30.0) ** 1.2, order=(1, 1, 0)).fit().forecast(4)
    ours = baselines.forecast_all(classical(season=2, arima_order=[1, 1, 0]), np.arange(34.0) ** 1.2,
                                  *one_fit(30, [30]), np.array([30]), steps=4)["arima"]
    np.testing.assert_allclose(ours[0], direct)


def test_persistence_option_fits_nothing_and_accepts_short_series():
    forecasts = baselines.forecast_all(option_params("baselines", "persistence"), np.array([1.0, 2.0, 3.0]),
                                       *one_fit(2, [2]), np.array([2]), 2)
    assert list(forecasts) == ["persistence"]
    np.testing.assert_array_equal(forecasts["persistence"], [[2.0, 2.0]])


def test_arima_refit_at_each_origin_agrees_with_a_direct_statsmodels_walk_forward(shampoo):
    direct = [ARIMA(shampoo[:t], order=(2, 1, 0)).fit().forecast(1)[0] for t in SHAMPOO_TEST_YEAR]
    ours = baselines.forecast_all(classical(arima_order=[2, 1, 0]), shampoo, *refit_at_each(SHAMPOO_TEST_YEAR),
                                  SHAMPOO_TEST_YEAR)["arima"][:, 0]
    actual = shampoo[SHAMPOO_TEST_YEAR]
    assert rmse(actual, ours) == pytest.approx(rmse(actual, direct), rel=0.01)
    assert rmse(actual, ours) == pytest.approx(88.15, abs=0.05)  # the reference README, statsmodels 0.15


def test_arima_walked_forward_keeps_the_params_estimated_at_its_fit(shampoo):
    fitted = ARIMA(shampoo[:24], order=(2, 1, 0)).fit()
    direct = [fitted.apply(shampoo[:t]).forecast(1)[0] for t in SHAMPOO_TEST_YEAR]
    ours = baselines.forecast_all(classical(arima_order=[2, 1, 0]), shampoo, *one_fit(24, SHAMPOO_TEST_YEAR),
                                  SHAMPOO_TEST_YEAR)["arima"][:, 0]
    np.testing.assert_allclose(ours, direct)


def test_exponential_smoothing_refit_at_each_origin_agrees_with_a_direct_statsmodels_walk_forward(shampoo):
    direct = [
        ExponentialSmoothing(shampoo[:t], trend="add", damped_trend=False).fit().forecast(1)[0]
        for t in SHAMPOO_TEST_YEAR
    ]
    cfg = classical(exp_smoothing_trend="add", exp_smoothing_damped=False)
    ours = baselines.forecast_all(cfg, shampoo, *refit_at_each(SHAMPOO_TEST_YEAR),
                                  SHAMPOO_TEST_YEAR)["exponential_smoothing"][:, 0]
    actual = shampoo[SHAMPOO_TEST_YEAR]
    assert rmse(actual, ours) == pytest.approx(rmse(actual, direct), rel=0.01)


@pytest.mark.parametrize("damped", [True, False])
def test_exponential_smoothing_walked_forward_smooths_on_with_the_estimated_params(shampoo, damped):
    predict = baselines.exponential_smoothing(shampoo[:24], trend="add", damped=damped)
    fitted = ExponentialSmoothing(shampoo[:24], trend="add", damped_trend=damped,
                                  initialization_method="estimated").fit()
    np.testing.assert_allclose(predict(shampoo[:24], 3), fitted.forecast(3))
    # one more true value: the level and trend move by the estimated smoothing, by hand
    p = fitted.params
    phi = p["damping_trend"] if damped else 1.0
    level, trend = fitted.level[-1], fitted.trend[-1]
    new_level = p["smoothing_level"] * shampoo[24] + (1 - p["smoothing_level"]) * (level + phi * trend)
    new_trend = p["smoothing_trend"] * (new_level - level) + (1 - p["smoothing_trend"]) * phi * trend
    assert predict(shampoo[:25], 1)[0] == pytest.approx(new_level + phi * new_trend, rel=1e-9)


def test_forecasts_never_see_the_month_they_forecast_or_later(shampoo):
    changed = shampoo.copy()
    changed[30:] *= 3
    for name, forecaster in baselines.forecasters(classical(), season=12).items():
        for fits, fit_of in (refit_at_each([30]), one_fit(27, [30])):
            before = baselines.walk_forward(shampoo, fits, fit_of, np.array([30]), forecaster, name)
            after = baselines.walk_forward(changed, fits, fit_of, np.array([30]), forecaster, name)
            assert before == pytest.approx(after), name


def test_a_season_longer_than_a_fits_rows_is_a_param_error(shampoo):
    with pytest.raises(UserError, match=r"baselines.season=30 .* 24 rows the shortest fit .* at most 24"):
        baselines.forecast_all(classical(season=30), shampoo, *one_fit(24, SHAMPOO_TEST_YEAR), SHAMPOO_TEST_YEAR)


def test_an_order_statsmodels_cannot_fit_is_a_param_error(shampoo):
    with pytest.raises(UserError, match=r"the arima baseline cannot be fit .* under `baselines`"):
        baselines.forecast_all(classical(arima_order=[8, 2, 8]), shampoo, *refit_at_each(SHAMPOO_TEST_YEAR),
                               SHAMPOO_TEST_YEAR)


def test_rmse_mae_and_mase_by_hand():
    actual = np.array([[10.0], [20.0]])
    forecasts = np.array([[[13.0], [16.0]], [[10.0], [20.0]]])  # two repeats: errors (3, -4) and (0, 0)
    errors = scores.errors(actual, forecasts, scale=np.array([1.0, 2.0]))
    np.testing.assert_allclose(errors["rmse"], [np.sqrt(12.5), 0.0])
    np.testing.assert_allclose(errors["mae"], [3.5, 0.0])
    np.testing.assert_allclose(errors["mase"], [(3 / 1 + 4 / 2) / 2, 0.0])


def test_metrics_name_the_best_baseline_and_the_skill_against_it():
    metrics = {"test_rmse": {"mean": 100.0},
               "baselines": {"persistence": {"test_rmse": 200.0}, "arima": {"test_rmse": 80.0},
                             "drift": {"test_rmse": 150.0}}}
    skills = scores.skills(metrics)
    assert skills["best_baseline"] == "arima"
    assert skills["skill_vs_best_baseline"] == pytest.approx(1 - 100 / 80)
    assert skills["skill_vs_persistence"] == pytest.approx(0.5)
