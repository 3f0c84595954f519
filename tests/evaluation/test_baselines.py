"""The classical baselines (statsforecast): hand-checkable forecasts, the published persistence figure,
statsforecast's own fit-then-forward, fit on exactly the rows of each fit of the backtest; the headline and
its verdict."""

import logging

import numpy as np
import pandas as pd
import pytest
from helpers import SHAMPOO, data_params, option_params
from statsforecast.models import AutoARIMA, AutoETS, AutoTheta

from lstm_tuning.data import sources
from lstm_tuning.data.backtest import Fit, Origin, Plan
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines, scores


def classical(**changes):
    return option_params("baselines", "classical", **changes)


@pytest.fixture(scope="module")
def shampoo():
    return sources.load(data_params("csv", path=str(SHAMPOO)))["Sales"].to_numpy()


def rmse(actual, forecast):
    return float(np.sqrt(np.mean((np.asarray(actual) - np.asarray(forecast)) ** 2)))


def holdout(cut, n_rows, first_val=None):
    """The seed's holdout: one fit on the rows before the held-out ones, walked through them."""
    first_val = cut if first_val is None else first_val
    origins = [Origin("val", first_val, cut, 0)] * (cut > first_val) + [Origin("test", cut, n_rows, 0)]
    return Plan([Fit(0, first_val)], origins)


def one_step(frame, name):
    return frame[frame["step"] == 1].set_index("row")[name]


def test_persistence_on_shampoo_is_the_published_figure(shampoo):
    frame, _ = baselines.forecast_held_out(classical(), shampoo, holdout(24, 36), 12)
    assert round(rmse(shampoo[24:], one_step(frame, "persistence")), 3) == 136.761


def test_seasonal_naive_and_drift_by_hand():
    values = np.array([10.0, 20.0, 12.0, 24.0, 14.0, 28.0, 16.0, 31.0, 18.0, 60.0])
    frame, _ = baselines.forecast_held_out(classical(season=2), values, holdout(8, 10), None)
    from_row = {row: group.sort_values("step") for row, group in frame.groupby("row")}
    # from row 8 (the fit's 8 rows): two steps, the last season repeated; then one step from row 9
    np.testing.assert_array_equal(from_row[8]["seasonal_naive"], [16.0, 31.0])
    np.testing.assert_array_equal(from_row[9]["seasonal_naive"], [31.0])  # row 7, one season before
    # drift: the slope of the fit's rows, (31 - 10) / 7 = 3, from each latest true value; never re-estimated
    np.testing.assert_allclose(from_row[8]["drift"], [34.0, 37.0])
    np.testing.assert_allclose(from_row[9]["drift"], [21.0])
    np.testing.assert_array_equal(from_row[9]["persistence"], [18.0])


@pytest.mark.parametrize("model", [AutoETS, AutoARIMA, AutoTheta])
def test_walked_forward_is_statsforecasts_forward_with_the_params_of_the_fit(shampoo, model):
    name = {AutoETS: "auto_ets", AutoARIMA: "auto_arima", AutoTheta: "auto_theta"}[model]
    frame, info = baselines.forecast_held_out(classical(), shampoo, holdout(24, 36), 12)
    fitted = model(season_length=12).fit(y=shampoo[:24])
    direct = [fitted.forward(y=shampoo[:t], h=1)["mean"][0] for t in range(24, 36)]
    np.testing.assert_allclose(one_step(frame, name), direct)
    refit = [model(season_length=12).fit(y=shampoo[:t]).predict(h=1)["mean"][0] for t in (30, 35)]
    assert not np.allclose(direct[6::5], refit)  # a refit at each origin would differ: forward refits nothing
    assert info["fits"][name] == [baselines.describe_fit(name, fitted)]


def test_no_fit_sees_a_held_out_row(shampoo):
    changed = shampoo.copy()
    changed[24:] *= 3
    plan = Plan([Fit(0, 18), Fit(0, 24)], [Origin("val", 18, 24, 0), Origin("test", 24, 30, 1),
                                           Origin("test", 30, 36, 1)])
    before, _ = baselines.forecast_held_out(classical(), shampoo, plan, 12)
    after, _ = baselines.forecast_held_out(classical(), changed, plan, 12)
    first = (before["row"] == 24) | (before["fit"] == 0)  # histories with no changed row
    pd.testing.assert_frame_equal(before[first], after[first])
    # validation rows forecast only up to the test rows; test rows to the end
    assert (before["row"] + before["step"]).max() == 36
    assert (before.loc[before["fit"] == 0, "row"] + before.loc[before["fit"] == 0, "step"]).max() == 24


def test_a_fit_too_short_for_the_season_drops_it_with_a_warning(shampoo, caplog):
    with caplog.at_level(logging.WARNING):
        frame, info = baselines.forecast_held_out(classical(), shampoo, holdout(20, 36), 12)
    assert info["seasonal_models_season"] == 1 and "seasonal_naive" in frame
    assert "baselines.season=12 needs two seasons (24 rows)" in caplog.text
    _, info = baselines.forecast_held_out(classical(season=30), shampoo, holdout(24, 36), 12)
    assert "seasonal naive is left out" in info["notes"][0]


def test_an_unknown_season_is_said_and_non_seasonal(shampoo):
    frame, info = baselines.forecast_held_out(classical(), shampoo, holdout(24, 36), None)
    assert info["season_source"] == "unknown" and "seasonal_naive" not in frame
    assert "season is unknown" in info["notes"][0]


def test_past_the_end_every_baseline_is_fit_on_every_row_with_the_held_out_fits_season(shampoo):
    _, info = baselines.forecast_held_out(classical(), shampoo, holdout(24, 36), 12)
    ahead = baselines.forecast_past_end(classical(), shampoo, info, 5)
    assert list(ahead["step"]) == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(ahead["persistence"], [shampoo[-1]] * 5)
    np.testing.assert_array_equal(ahead["seasonal_naive"], shampoo[-12:-7])
    for model, name in ((AutoETS, "auto_ets"), (AutoARIMA, "auto_arima"), (AutoTheta, "auto_theta")):
        np.testing.assert_allclose(ahead[name], model(season_length=12).fit(y=shampoo).predict(h=5)["mean"])
    # a season the held-out fits dropped is dropped past the end too
    _, short = baselines.forecast_held_out(classical(season=30), shampoo, holdout(24, 36), 12)
    assert "seasonal_naive" not in baselines.forecast_past_end(classical(season=30), shampoo, short, 2)


def test_the_forecast_figure_takes_the_best_baselines_steps_up_to_those_it_has():
    from lstm_tuning.forecasting.past_end import best_baseline_past_end

    ahead = pd.DataFrame({"step": [1, 2, 3], "persistence": [5.0, 5.0, 5.0], "auto_arima": [1.0, 2.0, 3.0]})
    forecast = pd.DataFrame({"series": "Sales", "time": ["1904-01-01", "1904-02-01"]})
    line = best_baseline_past_end({"best_baseline": "auto_arima"}, ahead, "Sales", forecast)
    assert line["forecast"].tolist() == [1.0, 2.0] and set(line["baseline"]) == {"AutoARIMA"}
    # a horizon past the steps the baselines stage forecast (120) draws the line as far as it goes
    longer = best_baseline_past_end({"best_baseline": "auto_arima"}, ahead, "Sales",
                                    pd.DataFrame({"series": "Sales", "time": range(4)}))
    assert longer["time"].tolist() == [0, 1, 2] and longer["forecast"].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(UserError, match=r"baselines/past_end.csv has no forecast by the best baseline, auto_ets"):
        best_baseline_past_end({"best_baseline": "auto_ets"}, ahead, "Sales", forecast)


def test_persistence_option_fits_nothing_and_accepts_short_series():
    persistence = option_params("baselines", "persistence")
    frame, _ = baselines.forecast_held_out(persistence, np.array([1.0, 2.0, 3.0]), holdout(2, 3), None)
    assert list(frame.columns) == ["fit", "row", "step", "persistence"]
    with pytest.raises(UserError, match="need at least 2; use -S baselines=persistence"):
        baselines.forecast_held_out(classical(), np.array([1.0, 2.0, 3.0]), holdout(1, 3), None)


def test_evaluate_picks_the_steps_each_window_needs():
    values = np.arange(10.0)
    frame, _ = baselines.forecast_held_out(option_params("baselines", "persistence"), values, holdout(6, 10), None)
    picked = baselines.pick(frame, np.array([0, 0]), np.array([6, 7]), 3)["persistence"]
    np.testing.assert_array_equal(picked, [[5, 5, 5], [6, 6, 6]])
    with pytest.raises(UserError, match="no forecast of step 1 from row 3 by fit 0: .* run `dvc repro`"):
        baselines.pick(frame, np.array([0]), np.array([3]), 1)


def test_rmse_mae_and_mase_by_hand():
    actual = np.array([[10.0], [20.0]])
    forecasts = np.array([[[13.0], [16.0]], [[10.0], [20.0]]])  # two repeats: errors (3, -4) and (0, 0)
    errors = scores.errors(actual, forecasts, scale=np.array([1.0, 2.0]))
    np.testing.assert_allclose(errors["rmse"], [np.sqrt(12.5), 0.0])
    np.testing.assert_allclose(errors["mae"], [3.5, 0.0])
    np.testing.assert_allclose(errors["mase"], [(3 / 1 + 4 / 2) / 2, 0.0])


def details(val: bool):
    scored = {"rmse": 100.0, "mae": 80.0, "mase": 1.2}
    summary = {name: {"mean": value + 1} for name, value in scored.items()}
    roles = ["val", "test"] if val else ["test"]
    return {
        **{f"{role}_ensemble": scored for role in roles},
        **{f"{role}_{name}": s for role in roles for name, s in summary.items()},
        "baselines": {  # arima is best on validation, ets on test
            "auto_arima": {"val_mase": 0.9, "test_rmse": 90.0, "test_mae": 70.0, "test_mase": 1.0},
            "auto_ets": {"val_mase": 1.1, "test_rmse": 95.0, "test_mae": 60.0, "test_mase": 0.8},
        },
    }


def test_the_best_baseline_is_chosen_on_validation_mase_and_the_skill_is_on_mase():
    headline = scores.headline(details(val=True), ["val", "test"])
    assert set(headline) == {"val_ensemble", "val_mean", "test_ensemble", "test_mean", "best_baseline",
                             "best_baseline_chosen_on", "best_baseline_test", "skill"}
    assert (headline["best_baseline"], headline["best_baseline_chosen_on"]) == ("auto_arima", "val")
    assert headline["skill"] == pytest.approx({"mase": 1 - 1.2 / 1.0, "mae": 1 - 80 / 70, "rmse": 1 - 100 / 90})
    assert headline["test_mean"] == {"rmse": 101.0, "mae": 81.0, "mase": 2.2}
    assert scores.verdict(headline) == (
        "The LSTM ensemble does not beat the best classical baseline (AutoARIMA, chosen on the validation origins) "
        "on test MASE: 1.200 vs 1.000 (skill -0.200; MAE 80.000 vs 70.000, skill -0.143; RMSE 100.000 vs "
        "90.000, skill -0.111).")


def test_without_validation_origins_the_choice_is_on_test_and_says_so():
    headline = scores.headline(details(val=False), ["test"])
    assert (headline["best_baseline"], headline["best_baseline_chosen_on"]) == ("auto_ets", "test")
    assert "val_ensemble" not in headline
    assert "chosen on the test origins: there are no validation origins" in scores.verdict(headline)


def test_a_baseline_that_forecasts_exactly_leaves_the_skill_undefined_not_a_crash():
    exact = details(val=False)
    exact["baselines"]["auto_ets"] |= {"test_rmse": 0.0, "test_mae": 0.0, "test_mase": 0.0}
    headline = scores.headline(exact, ["test"])
    assert headline["skill"] == {"mase": None, "mae": None, "rmse": None}
    assert "does not beat" in scores.verdict(headline)
    assert "skill undefined, the baseline is exact" in scores.verdict(headline)
    assert scores.skill(0.0, 0.0) == 0.0
