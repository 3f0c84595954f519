"""Recursive forecasts past the end from what train kept (the backtest fits' weights, the final fit's Keras files),
and the saved forecaster read back by `lstm_tuning.load`: real TensorFlow training, small epochs."""

import dataclasses
import logging
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from helpers import PARAMS, load_config, series_in_memory, training_part, windows_in_memory

import lstm_tuning
from lstm_tuning import config, paths, training
from lstm_tuning.data import framings, transforms
from lstm_tuning.data.transforms import Scaling, difference
from lstm_tuning.errors import UserError
from lstm_tuning.forecasting import intervals
from lstm_tuning.forecasting.past_end import forecast_past_end, warn_if_intervals_cannot_hold
from lstm_tuning.training.backend import keras

SMALL = ["train.epochs=20", "train.repeats=3"]


def small(*overrides):
    return config.load([*SMALL, *overrides], PARAMS)


@pytest.mark.parametrize("model", ["stateful_lstm", pytest.param("vanilla", marks=pytest.mark.slow)])
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


def past_end(cfg, series, plan, directory):
    """What the transform, window and train stages hand the forecast stage (the plan with its final fit), made
    by the functions they call, train's files in `directory`; and the forecast stage's result."""
    plan = plan.with_final_fit(len(series))
    scaled, fitted = transforms.transform(series, cfg.data, plan, "series")
    windows = framings.split_windows(scaled, cfg.task, cfg.data, plan, "transformed")
    trained = training.train(cfg.model, cfg.train, windows, progress=False)
    models = directory / "models"
    models.mkdir()
    training.save_fits(trained, windows["final"], directory / "weights.npz", models)
    weights = dict(np.load(directory / "weights.npz"))
    result = forecast_past_end(cfg, series, plan, windows, fitted, weights, models, "series")
    return result, SimpleNamespace(trained=trained, windows=windows, fitted=fitted)


@pytest.fixture(scope="module")
def trained_on_30_months(tmp_path_factory):
    """The default (stateful) configuration trained on the first 30 of Shampoo's 36 months (a holdout of the last
    6, and the final fit on all 30), forecast past the end, saved and loaded."""
    cfg = small("data.test_size=6", "forecast.horizon=4")
    series, plan = series_in_memory(cfg, rows=30)
    trained_in = tmp_path_factory.mktemp("trained")
    result, train = past_end(cfg, series, plan, trained_in)
    saved = tmp_path_factory.mktemp("forecaster")
    result.forecaster.save(saved, trained_in / "models")
    return result, series, lstm_tuning.load(saved), train, saved


def test_the_intervals_rest_on_the_backtest_fit_train_kept_and_the_forecast_on_the_final_fit(trained_on_30_months):
    result, series, loaded, train, _ = trained_on_30_months
    # step 1 from each test origin is the walk-forward forecast train recorded with the holdout fit's weights
    # (no second training): its errors are those the step-1 interval rests on
    first_rows = train.windows["first_rows"]
    tested = np.flatnonzero(first_rows >= 24)
    sales = series[["Sales"]].to_numpy(float)
    recorded = transforms.to_original_units(train.trained.forecasts[0][:, tested], first_rows[tested],
                                            [train.fitted[0]["Sales"]], sales)  # [repeats, origins, 1, 1]
    step_1 = (sales[24:30, 0] - recorded.mean(axis=0)[:, 0, 0])[:, None, None]
    widths, counts, _ = intervals.half_widths(step_1, [80.0, 95.0])
    assert result.intervals["errors"].iloc[0] == counts[0, 0] == 6
    assert result.intervals["half_width_80"].iloc[0] == pytest.approx(widths[0, 0, 0], rel=1e-5)
    assert result.intervals["half_width_95"].iloc[0] == pytest.approx(widths[1, 0, 0], rel=1e-5)
    # the forecaster's weights are the final fit's, the same in its Keras files and in train's stacked weights
    diverged = train.trained.diverged
    assert diverged.shape[0] == 2 and loaded.repeats == list(np.flatnonzero(~diverged[1]))
    for ours, kept in zip(loaded.weights, train.trained.fit_weights):
        np.testing.assert_array_equal(ours, kept[1][loaded.repeats])


def test_the_saved_forecaster_forecasts_what_the_stage_forecast(trained_on_30_months):
    result, series, loaded, _, _ = trained_on_30_months
    assert list(result.forecast["time"].dt.strftime("%Y-%m")) == ["1903-07", "1903-08", "1903-09", "1903-10"]
    pd.testing.assert_frame_equal(loaded.forecast(series), result.forecast)
    # every step has an interval: 6 test origins, the first forecasting 4 steps within the data
    assert result.forecast.notna().all().all()
    assert (result.forecast["lower_95"] <= result.forecast["lower_80"]).all()
    assert (result.forecast["lower_80"] < result.forecast["forecast"]).all()
    assert list(result.intervals["errors"]) == [6, 5, 4, 3]


def test_a_series_continuing_the_training_rows_is_forecast_from_its_own_end_with_the_training_scalers(
        trained_on_30_months):
    _, _, loaded, _, saved = trained_on_30_months
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
    members = [keras.saving.load_model(saved / paths.model_file(r)) for r in loaded.repeats]  # the artifact's files
    scaled = training.forecast(members, context, X[-1:])[:, 0, 0, 0]
    expected = np.mean(loaded.transforms["Sales"].scaling.inverse(scaled)) + sales[-1]
    assert forecast["forecast"].iloc[0] == pytest.approx(expected, rel=1e-5)


def test_a_series_missing_a_column_the_models_read_is_refused(trained_on_30_months):
    _, series, loaded, _, _ = trained_on_30_months
    with pytest.raises(UserError, match=r"series: no column 'Sales'; the models forecast from Sales"):
        loaded.forecast(series.rename(columns={"Sales": "Revenue"}))


def test_loading_a_directory_the_forecast_stage_did_not_write_names_it(tmp_path):
    with pytest.raises(UserError, match=r"no forecaster.json; point lstm_tuning.load at the forecast stage's models/"):
        lstm_tuning.load(tmp_path)


def test_covariate_framings_train_the_final_fit_but_forecast_nothing_past_the_end(tmp_path, caplog):
    cfg = load_config(tmp_path, ["data=summed_sequences", "task=multiple_input", "model=vanilla"],
                      ["model.units=4", *SMALL])
    series, plan = series_in_memory(cfg)
    result = past_end(cfg, series, plan, tmp_path)[0]
    assert "whose values past the end are unknown" in caplog.text
    assert result.forecast.empty and result.metrics["coverage_80"] is None
    assert len(result.forecaster.repeats) == 3
    with pytest.raises(UserError, match="task=multiple_input forecasts out from the covariates of the same steps"):
        result.forecaster.forecast(series)


def test_intervals_that_cannot_hold_say_so_and_what_to_change(caplog):
    # the holdout's 12 test origins: 12 errors at step 1 down to 1 at step 12, and none past
    errors = np.where(np.arange(12)[:, None] + np.arange(14) < 12, np.arange(1.0, 13.0)[:, None], np.nan)[..., None]
    levels = [80.0, 95.0]
    with caplog.at_level(logging.WARNING):
        warn_if_intervals_cannot_hold(levels, *intervals.half_widths(errors, levels))
    (line,) = caplog.messages
    assert "no backtest error reaches step(s) 13-14" in line
    assert "the 80% intervals at step(s) 10-12 rest on 1-3 error(s), fewer than the 4 that level needs" in line
    assert "the 95% intervals at step(s) 1-12 rest on 1-12 error(s), fewer than the 19" in line
    assert "the 80% and 95% intervals are equal at step(s) " in line
    assert "data.val_size" in line and "backtest=expanding" in line
