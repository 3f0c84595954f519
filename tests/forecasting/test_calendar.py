"""Calendar inputs (data.calendar) past the end: a panel model trained with month-of-year inputs (real TensorFlow
training of a tiny vanilla model) forecasts every series past its own end, the months continuing each series'
dates, and each row it feeds back carries the month after it: the forecast is the recursion written out by hand
with the future months' inputs, and not the one with other months. The saved forecaster does the same from a
long frame; the pipeline runs every stage on a dated generated panel."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import copy_repo, data_params, dvc, load_config, series_in_memory

import lstm_tuning
from lstm_tuning import training
from lstm_tuning.data import calendar, framings, long_format, panel, sources, timeline, transforms
from lstm_tuning.errors import UserError
from lstm_tuning.forecasting import panel as panel_forecast
from lstm_tuning.forecasting.past_end import forecast_past_end

HORIZON, N_LAGS = 4, 3
OVERRIDES = ["model.units=4", "train.epochs=5", "train.repeats=2", "train.batch_size=8", f"data.n_lags={N_LAGS}",
             "data.val_size=4", "data.test_size=6", f"forecast.horizon={HORIZON}"]


def dated_panel(n_series=4, seed=2):
    long = sources.load(data_params("generated_panel", n_series=n_series, length=48, seed=seed, start="2002-03",
                                    id_column="id", target="value", date_column="month"))
    return {name: rows.drop(columns="id").set_index("date") for name, rows in long.groupby("id")}


def by_hand(model, weights, fitted, frame, months_after):
    """The forecast of `frame` written out step by step in original units, the repeats' mean [HORIZON]: from the
    latest N_LAGS scaled values, each row carrying the month `months_after` its own, every forecast fed back as a
    row with the month after its step."""
    values = transforms.apply(frame[["value"]], {"value": fitted}, "s")["value"].to_numpy()[-N_LAGS:]
    latest = frame.index[-N_LAGS:]
    per_repeat = []
    for r in range(len(weights[0])):
        rows = [[v, *calendar.encode(pd.DatetimeIndex([t + pd.DateOffset(months=months_after)]), ["month_of_year"])[0]]
                for v, t in zip(values, latest)]
        steps = []
        for h in range(HORIZON):
            window = np.array(rows[-N_LAGS:], "float32")[None]
            y = training.forecast_ahead([model], window, None, np.array([0]), 1, [w[r : r + 1] for w in weights])
            steps.append(float(y[0, 0, 0, 0]))
            after = frame.index[-1] + pd.DateOffset(months=h + months_after)  # step h's time, shifted
            rows.append([steps[-1], *calendar.encode(pd.DatetimeIndex([after + pd.DateOffset(months=1)]),
                                                     ["month_of_year"])[0]])
        per_repeat.append(steps)
    ahead = np.array(per_repeat)[:, None, :, None]
    levels = transforms.to_original_units(ahead, np.array([len(frame)]), [fitted], frame[["value"]].to_numpy())
    return levels[:, 0, :, 0].mean(axis=0)


@pytest.fixture(scope="module", params=["global", "local"])
def forecast(request, tmp_path_factory):
    cfg = load_config(tmp_path_factory.mktemp("cfg"), ["model=vanilla", "data.calendar=[month_of_year]"],
                      [*OVERRIDES, f"model.scope={request.param}"])
    cfg.data = dataclasses.replace(cfg.data, id_column="id", target="value", frequency=None)
    frames = dated_panel()
    plans = long_format.plans(cfg.backtest, frames, cfg.data.val_size, cfg.data.test_size, "series.csv")
    scaled, fitted = panel.transform(frames, cfg.data, plans, "series.csv")
    windows = panel.windows(scaled, cfg.task, cfg.data, plans, "transformed.csv")
    directory = tmp_path_factory.mktemp("trained")
    trained = training.train(cfg.model, cfg.train, windows, progress=False)
    (directory / "models").mkdir()
    training.save_fits(trained, windows["final"], directory / "weights.npz", directory / "models")
    weights = dict(np.load(directory / "weights.npz"))
    result = panel_forecast.forecast_past_end(cfg, frames, plans, windows, fitted, weights, directory / "models", 12,
                                              "series")
    saved = tmp_path_factory.mktemp("forecaster")
    result.forecaster.save(saved, directory / "models")
    return cfg, frames, fitted, windows, result, lstm_tuning.load(saved)


@pytest.mark.slow  # two panels trained for seconds
def test_every_series_is_forecast_past_its_end_with_the_future_months_inputs(forecast):
    cfg, frames, fitted, windows, result, _ = forecast
    assert windows["X"].shape[-1] == 3  # the value, then the month's sine and cosine
    final = len(windows["final"]) - 1
    model, weights = result.forecaster.model, result.forecaster.weights
    for s, (name, frame) in enumerate(frames.items()):
        rows = result.forecast[result.forecast["series"] == name]
        assert list(rows["time"]) == list(pd.date_range(frame.index[-1], periods=HORIZON + 1, freq="MS")[1:])
        own = [w[s] for w in weights] if cfg.model.scope == "local" else weights
        expected = by_hand(model, own, fitted[name][final]["value"], frame, 1)
        np.testing.assert_allclose(rows["forecast"], expected, rtol=1e-5)
        # the months matter: the same recursion with the inputs of the months half a year away differs
        other = by_hand(model, own, fitted[name][final]["value"], frame, 7)
        assert np.abs(other - expected).max() > 1e-4 * np.abs(expected).max()


@pytest.mark.slow
def test_the_saved_forecaster_reads_the_months_from_a_long_frame(forecast):
    cfg, frames, _, _, result, loaded = forecast
    long = pd.concat([frame.reset_index().assign(id=name) for name, frame in frames.items()], ignore_index=True)
    pd.testing.assert_frame_equal(loaded.forecast(long.sample(frac=1, random_state=0)), result.forecast)
    if cfg.model.scope == "global":  # a series never trained on, dated otherwise: its own months past its end
        unseen = dated_panel(n_series=1, seed=5)["s1"]
        unseen.index = pd.date_range("1990-05-01", periods=len(unseen), freq="MS", name="date")
        ahead = loaded.forecast(unseen.reset_index().assign(id="new"))
        assert list(ahead["time"]) == list(timeline.after(unseen.index, None, HORIZON, "new"))
        assert np.isfinite(ahead["forecast"]).all()
    numbered = long.assign(date=long.groupby("id").cumcount() + 1)
    with pytest.raises(UserError, match=r"data.calendar=\[month_of_year\] is derived from dates, but the "
                                                    r"time column 'date' holds numbers"):
        loaded.forecast(numbered)


@pytest.mark.slow  # every stage, through DVC
def test_a_dated_generated_panel_runs_every_stage_with_calendar_inputs(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    dvc("exp", "run", "-S", "data=generated_panel", "-S", "data.n_series=4", "-S", "data.length=60", "-S",
        "data.start=2001-01", "-S", "data.calendar=[month_of_year,quarter_of_year]", "-S", "model=vanilla",
        "-S", "model.units=4", "-S", "train.epochs=2", "-S", "train.repeats=2", "-S", "baselines=panel",
        "-S", "baselines.season=12", cwd=repo)
    assert yaml.safe_load((repo / "params.yaml").read_text())["data"]["calendar"] == ["month_of_year",
                                                                                      "quarter_of_year"]
    series = pd.read_csv(repo / "data" / "series.csv", dtype={"series": str}, parse_dates=["date"])
    windows = dict(np.load(repo / "data" / "windows.npz"))
    assert windows["X"].shape[-1] == 1 + 4
    for s, name in enumerate(windows["ids"]):
        dates = pd.DatetimeIndex(series.loc[series["series"] == name, "date"])
        mine = windows["series"] == s
        first = dates[windows["first_rows"][mine]]  # the last lag row: the first forecast month's calendar
        np.testing.assert_allclose(windows["X"][0, mine, -1, 1:], calendar.encode(first, ["month_of_year",
                                                                                          "quarter_of_year"]),
                                   atol=1e-6)
    forecast = pd.read_csv(repo / "forecast" / "forecast.csv", dtype={"series": str}, parse_dates=["time"])
    assert set(forecast["time"]) == set(pd.date_range("2006-01-01", periods=12, freq="MS"))  # month 60: 2005-12
    assert forecast["forecast"].notna().all() and forecast["series"].nunique() == 4
    again = lstm_tuning.load(repo / "models").forecast(repo / "data" / "series.csv")
    np.testing.assert_allclose(again["forecast"], forecast["forecast"], rtol=1e-9)
    metrics = yaml.safe_load((repo / "evaluation" / "metrics.json").read_text())
    assert np.isfinite(metrics["val_ensemble"]["mase"])


@pytest.mark.slow  # trains for seconds
def test_the_single_series_forecaster_feeds_back_the_months_after_the_end(tmp_path):
    cfg = load_config(tmp_path, ["model=vanilla", "data.calendar=[month_of_year]"],
                      ["model.units=2", "train.epochs=2", "train.repeats=2", f"data.n_lags={N_LAGS}",
                       f"forecast.horizon={HORIZON}"])
    series, plan = series_in_memory(cfg)
    plan = plan.with_final_fit(len(series))
    scaled, fitted = transforms.transform(series, cfg.data, plan, "series")
    windows = framings.split_windows(scaled, cfg.task, cfg.data, plan, "transformed")
    trained = training.train(cfg.model, cfg.train, windows, progress=False)
    (tmp_path / "models").mkdir()
    training.save_fits(trained, windows["final"], tmp_path / "weights.npz", tmp_path / "models")
    result = forecast_past_end(cfg, series, plan, windows, fitted, dict(np.load(tmp_path / "weights.npz")),
                               tmp_path / "models", "series")
    assert list(result.forecast["time"]) == list(pd.date_range("1904-01-01", periods=HORIZON, freq="MS"))
    frame = series.rename(columns={"Sales": "value"})
    expected = by_hand(result.forecaster.model, result.forecaster.weights, fitted[-1]["Sales"], frame, 1)
    np.testing.assert_allclose(result.forecast["forecast"], expected, rtol=1e-5)
