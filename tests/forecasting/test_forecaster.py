"""Recursive forecasts past the end, the refit beside the backtest's fits, and the saved forecaster read back
by `lstm_tuning.load`: real TensorFlow training, small epochs."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from helpers import PARAMS, load_config, series_in_memory, training_part, windows_in_memory

import lstm_tuning
from lstm_tuning import config, training
from lstm_tuning.data.transforms import Scaling, difference
from lstm_tuning.errors import UserError
from lstm_tuning.forecasting.refit import refit

SMALL = ["train.epochs=20", "train.repeats=3"]


def small(*overrides):
    return config.load([*SMALL, *overrides], PARAMS)


@pytest.mark.parametrize("model", ["stateful_lstm", "vanilla"])
def test_each_step_ahead_reads_the_members_own_forecast_of_the_step_before(model):
    cfg = small(f"model.name={model}", "model.units=2") if model == "vanilla" else small("model.units=2")
    windows = windows_in_memory(cfg)
    trained = training.train(cfg.model, dataclasses.replace(cfg.train, epochs=5), windows, progress=False)
    X, train = windows["X"][0], windows["train"][0]
    origin = int(np.argmax(windows["first_rows"] == 24))  # the first test month
    ahead = training.forecast_ahead(trained.models, X, train, np.array([origin]), 2)[:, 0, :, 0]

    # step 1: the walk-forward forecast train recorded for that window
    np.testing.assert_allclose(ahead[:, 0], trained.forecasts[0][:, origin, 0, 0], rtol=1e-6)
    # step 2: the window after it, its newest lag (the origin's month) replaced by the repeat's own step 1
    context = training_part(windows)[0]
    context = context[len(context) % 4:]  # the stateful model's trimmed training windows
    after_training = int(train.argmax() + train.sum())
    for r, member in enumerate(trained.models):
        walked = X[after_training : origin + 2].copy()  # the windows after the context, to the step-2 window
        walked[-1, -1, 0] = ahead[r, 0]
        if model == "stateful_lstm":
            expected = training.forecast([member], context, walked)[0, -1, 0, 0]
        else:
            expected = training.forecast([member], None, walked[-1:])[0, 0, 0, 0]
        assert ahead[r, 1] == pytest.approx(expected, rel=1e-5), r


@pytest.fixture(scope="module")
def refit_on_30_months(tmp_path_factory):
    """The default (stateful) configuration refit on the first 30 of Shampoo's 36 months, saved and loaded."""
    cfg = small("data.test_size=6", "forecast.horizon=4")
    series, plan = series_in_memory(cfg, rows=30)
    result = refit(cfg, series, plan, progress=False)
    directory = tmp_path_factory.mktemp("forecaster")
    result.forecaster.save(directory)
    return result, series, lstm_tuning.load(directory)


def test_the_saved_forecaster_forecasts_what_the_stage_forecast(refit_on_30_months):
    result, series, loaded = refit_on_30_months
    assert list(result.forecast["time"].dt.strftime("%Y-%m")) == ["1903-07", "1903-08", "1903-09", "1903-10"]
    pd.testing.assert_frame_equal(loaded.forecast(series), result.forecast)
    # every step has an interval: 6 test origins, the first forecasting 4 steps within the data
    assert result.forecast.notna().all().all()
    assert (result.forecast["lower_95"] <= result.forecast["lower_80"]).all()
    assert (result.forecast["lower_80"] < result.forecast["forecast"]).all()
    assert list(result.intervals["errors"]) == [6, 5, 4, 3]


def test_a_series_continuing_the_training_rows_is_forecast_from_its_own_end_with_the_training_scalers(
        refit_on_30_months):
    _, _, loaded = refit_on_30_months
    continued = series_in_memory(small())[0]  # all 36 months: 6 the models never saw
    forecast = loaded.forecast(continued, horizon=2)
    assert list(forecast["time"].dt.strftime("%Y-%m")) == ["1904-01", "1904-02"]

    # the scaler is the one fit on the 30 training months, not refit on the new rows
    sales = continued["Sales"].to_numpy()
    changes = difference(sales[:30], 1)[1:]
    assert loaded.transforms["Sales"].scaling == Scaling.fit(changes)
    assert loaded.transforms["Sales"].scaling.data_max < np.nanmax(difference(sales, 1))  # it would differ

    # step 1 by hand: the stateful models walk the whole continued series and forecast the next change
    X = loaded.transforms["Sales"].scaling.transform(difference(sales, 1)[1:])[:, None, None].astype("float32")
    context = X[: len(X) - 1][(len(X) - 1) % 4:]
    scaled = training.forecast(loaded.models, context, X[-1:])[:, 0, 0, 0]
    expected = np.mean(loaded.transforms["Sales"].scaling.inverse(scaled)) + sales[-1]
    assert forecast["forecast"].iloc[0] == pytest.approx(expected, rel=1e-5)


def test_a_series_missing_a_column_the_models_read_is_refused(refit_on_30_months):
    _, series, loaded = refit_on_30_months
    with pytest.raises(UserError, match=r"series: no column 'Sales'; the models forecast from Sales"):
        loaded.forecast(series.rename(columns={"Sales": "Revenue"}))


def test_loading_a_directory_the_forecast_stage_did_not_write_names_it(tmp_path):
    with pytest.raises(UserError, match=r"no forecaster.json; point lstm_tuning.load at the forecast stage's models/"):
        lstm_tuning.load(tmp_path)


def test_covariate_framings_refit_but_forecast_nothing_past_the_end(tmp_path, caplog):
    cfg = load_config(tmp_path, ["data=summed_sequences", "task=multiple_input", "model=vanilla"],
                      ["model.units=4", *SMALL])
    series, plan = series_in_memory(cfg)
    result = refit(cfg, series, plan, progress=False)
    assert "whose values past the end are unknown" in caplog.text
    assert result.forecast.empty and result.metrics["coverage_80"] is None
    assert len(result.forecaster.models) == 3
    with pytest.raises(UserError, match="task=multiple_input forecasts out from the covariates of the same steps"):
        result.forecaster.forecast(series)
