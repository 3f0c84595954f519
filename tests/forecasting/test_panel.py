"""Forecasts past the end of every series of a panel by one global model, with intervals pooled over series on a
scale-free basis, and the saved panel forecaster read back by `lstm_tuning.load`: real TensorFlow training of a
tiny vanilla model on a generated panel (inputs built as the panel stages will write them)."""

import copy
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import copy_repo, dvc, load_config

import lstm_tuning
from lstm_tuning import paths, training
from lstm_tuning.data import backtest, framings, timeline, transforms
from lstm_tuning.errors import UserError
from lstm_tuning.forecasting import intervals, panel
from lstm_tuning.forecasting.past_end import forecast_past_end

OVERRIDES = ["model.units=4", "train.epochs=5", "train.repeats=2", "train.batch_size=8", "data.n_lags=3",
             "data.val_size=4", "data.test_size=6", "forecast.horizon=4"]
SEASON = 12


def generated(names, seed=0) -> dict[str, pd.DataFrame]:
    """Monthly series of their own level, trend and season, with ragged starts and ends."""
    rng = np.random.default_rng(seed)
    frames = {}
    for i, name in enumerate(names):
        n = 40 + 3 * i
        t = np.arange(n)
        level = 100.0 * (i + 1)
        values = level * (1 + 0.02 * t + 0.2 * np.sin(2 * np.pi * (t + i) / 12) + rng.normal(0, 0.03, n))
        index = pd.date_range(pd.Timestamp("2000-01-01") + pd.DateOffset(months=5 * i), periods=n, freq="MS",
                              name="date")
        frames[name] = pd.DataFrame({"Sales": values}, index=index)
    return frames


def panel_inputs(cfg, frames):
    """What the panel's transform and window stages hand the forecast stage: each series' plan (its final fit
    last) and transforms per fit, and the windows of every series concatenated with `series` and `ids`."""
    plans, fitted, parts = {}, {}, []
    for name, frame in frames.items():
        plan = backtest.plan(cfg.backtest, len(frame), cfg.data.val_size, cfg.data.test_size, name)
        plans[name] = plan.with_final_fit(len(frame))
        scaled, fitted[name] = transforms.transform(frame, cfg.data, plans[name], name)
        parts.append(framings.split_windows(scaled, cfg.task, cfg.data, plans[name], name))
    windows = {key: np.concatenate([p[key] for p in parts], axis=1 if key in ("X", "y", "train") else 0)
               for key in ("X", "y", "train", "first_rows", "stop")}
    windows["final"] = parts[0]["final"]
    windows["series"] = np.repeat(np.arange(len(parts)), [len(p["first_rows"]) for p in parts])
    windows["ids"] = np.array(list(frames))
    return plans, fitted, windows


def train_and_save(cfg, windows, directory):
    trained = training.train(cfg.model, cfg.train, windows, progress=False)
    models = directory / "models"
    models.mkdir()
    training.save_fits(trained, windows["final"], directory / "weights.npz", models)
    return dict(np.load(directory / "weights.npz")), models


def long_frame(frames):
    return pd.concat([frame.reset_index().assign(id=name) for name, frame in frames.items()], ignore_index=True)


@pytest.fixture(scope="module")
def cfg(tmp_path_factory):
    config = load_config(tmp_path_factory.mktemp("cfg"), ["model=vanilla"], OVERRIDES)
    config.data.frequency = None  # inferred per series: monthly
    config.data.id_column = "id"  # a panel's (the data options' own key once the panel's data options land)
    return config


@pytest.fixture(scope="module")
def forecast_of_four(cfg, tmp_path_factory):
    """The global model trained on 4 generated series, forecast past each end, saved and loaded."""
    frames = generated(["a", "b", "c", "d"])
    plans, fitted, windows = panel_inputs(cfg, frames)
    directory = tmp_path_factory.mktemp("trained")
    weights, models = train_and_save(cfg, windows, directory)
    result = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    saved = tmp_path_factory.mktemp("forecaster")
    result.forecaster.save(saved, models)
    inputs = SimpleNamespace(plans=plans, fitted=fitted, windows=windows, trained=directory)
    return frames, result, lstm_tuning.load(saved), inputs


def test_every_series_is_forecast_past_its_own_end(cfg, forecast_of_four):
    frames, result, *_ = forecast_of_four
    forecast = result.forecast
    assert list(dict.fromkeys(forecast["series"])) == ["a", "b", "c", "d"]
    for name, frame in frames.items():
        rows = forecast[forecast["series"] == name]
        assert list(rows["step"]) == [1, 2, 3, 4]
        expected = timeline.after(frame.index, None, 4, name)
        assert list(rows["time"]) == list(expected) and rows["time"].iloc[0] > frame.index[-1]
    assert forecast.drop(columns=["series", "time", "target"]).notna().all().all()
    # the levels differ by series: each forecast is in its own series' units (levels 100, 200, 300, 400 and trend)
    last = forecast[forecast["step"] == 1].set_index("series")["forecast"]
    assert last.is_monotonic_increasing and last["d"] > 3 * last["a"] * 0.8


def test_the_figure_draws_the_first_series_history_forecast_and_bands(cfg, forecast_of_four):
    from lstm_tuning.reports.forecast_figure import forecast_figure

    frames, result, *_ = forecast_of_four
    history, shown = panel.figure_inputs(frames, result.forecast, "Sales", shown=3)
    assert list(history.columns) == ["a", "b", "c"] and list(dict.fromkeys(shown["series"])) == ["a", "b", "c"]
    np.testing.assert_array_equal(history["b"].dropna(), frames["b"]["Sales"])  # ragged: NaN outside its own rows
    figure = forecast_figure(history, shown, cfg.forecast.levels)
    assert [ax.get_ylabel() for ax in figure.axes] == ["a", "b", "c"]
    assert all(len(ax.collections) == 2 for ax in figure.axes)  # a band per level


def test_intervals_widen_with_the_level_and_scale_with_each_series(forecast_of_four):
    frames, result, *_ = forecast_of_four
    forecast = result.forecast
    assert (forecast["lower_95"] <= forecast["lower_80"]).all() and (forecast["lower_80"] < forecast["forecast"]).all()
    assert (forecast["upper_95"] >= forecast["upper_80"]).all() and (forecast["upper_80"] > forecast["forecast"]).all()
    assert (result.intervals["scaled_quantile_95"] >= result.intervals["scaled_quantile_80"]).all()
    # a series' half-width: the pooled quantile of its step times its own seasonal-naive scale on every row
    quantiles = result.intervals.set_index("step")["scaled_quantile_80"]
    for name, frame in frames.items():
        rows = forecast[forecast["series"] == name].set_index("step")
        scale, seasonal = panel.naive_scale(frame["Sales"].to_numpy(), SEASON)
        assert seasonal
        np.testing.assert_allclose(rows["upper_80"] - rows["forecast"], quantiles * scale, rtol=1e-9)


def test_the_pooled_errors_and_their_coverage(forecast_of_four):
    _, result, *_ = forecast_of_four
    # per series: 4 + 6 held-out rows, one origin each; step h reaches the end from 10 - h + 1 of them
    assert list(result.intervals["errors"]) == [4 * 10, 4 * 9, 4 * 8, 4 * 7]
    metrics = result.metrics
    assert metrics["series"] == 4 and metrics["test_origins"] == 4 * 6 and metrics["one_step_scale_series"] == 0
    assert metrics["coverage_checks"] == 4 * (6 + 5 + 4 + 3)  # every test (origin, step) inside the data
    assert 0 <= metrics["coverage_80"] <= metrics["coverage_95"] <= 1
    assert metrics["errors_per_step"] == [40, 36, 32, 28]


def test_pooled_coverage_is_the_coverage_of_series_aligned_at_their_ends():
    rng = np.random.default_rng(3)
    from_end = np.tile(np.arange(-10, 0), 5)  # 5 series of 10 held-out rows, the last 6 tested
    scaled = rng.standard_t(3, (50, 4, 1))
    scaled[from_end[:, None] + np.arange(4) >= 0] = np.nan  # past each series' end
    tested = from_end >= -6
    levels = [50.0, 80.0, 95.0]
    expected = intervals.coverage(scaled, from_end, tested, levels)
    np.testing.assert_array_equal(panel.pooled_coverage(scaled, from_end, tested, levels), expected)
    assert np.isfinite(expected).sum() > 40


def test_whole_numbered_times_stay_whole_with_a_declared_step():
    months = pd.Index([1, 2, 3], name="month")
    assert list(panel.after(months, 1, 2, "s")) == [4, 5] and panel.after(months, 1, 2, "s").dtype == "int64"
    assert list(panel.after(pd.Index([1.0, 1.5], name="year"), 0.5, 1, "s")) == [2.0]


def test_the_scale_is_the_seasonal_naive_or_the_one_step_naive_where_too_short():
    values = np.array([1.0, 2, 4, 7, 11])
    assert panel.naive_scale(values, 2) == (pytest.approx((3 + 5 + 7) / 3), True)
    assert panel.naive_scale(values[:2], 2) == (1.0, False)
    assert panel.naive_scale(values, 1) == (pytest.approx(2.5), False)


def test_the_saved_forecaster_forecasts_a_long_frame_as_the_stage_did_and_unseen_series(forecast_of_four,
                                                                                          tmp_path):
    frames, result, loaded, _ = forecast_of_four
    assert isinstance(loaded, panel.PanelForecaster) and loaded.season == SEASON
    # from a long frame, its rows shuffled; transforms refit on each series' rows are the final fit's
    shuffled = long_frame(frames).sample(frac=1, random_state=0)
    pd.testing.assert_frame_equal(loaded.forecast(shuffled), result.forecast)
    long_frame(frames).to_csv(tmp_path / "panel.csv", index=False)  # or from a CSV, its dates parsed
    pd.testing.assert_frame_equal(loaded.forecast(tmp_path / "panel.csv"), result.forecast)

    unseen = generated(["a", "b", "c", "d", "e"], seed=1)["e"] * 1.7
    forecast = loaded.forecast(long_frame({"new": unseen, "a": frames["a"]}))
    assert list(dict.fromkeys(forecast["series"])) == ["a", "new"]
    trained = result.forecast[result.forecast["series"] == "a"]
    pd.testing.assert_frame_equal(forecast[forecast["series"] == "a"], trained)
    new = forecast[forecast["series"] == "new"].set_index("step")
    assert list(new["time"]) == list(timeline.after(unseen.index, None, 4, "e"))
    assert np.isfinite(new["forecast"]).all()
    scale, _ = panel.naive_scale(unseen["Sales"].to_numpy(), SEASON)
    quantiles = result.intervals.set_index("step")["scaled_quantile_95"]
    np.testing.assert_allclose(new["forecast"] - new["lower_95"], quantiles * scale, rtol=1e-9)


def test_a_long_frame_without_the_id_column_or_with_a_repeated_time_is_refused(forecast_of_four):
    frames, _, loaded, _ = forecast_of_four
    with pytest.raises(UserError, match=r"frame: no column 'id'; the models forecast a long frame of columns id"):
        loaded.forecast(long_frame(frames).drop(columns="id"))
    with pytest.raises(UserError, match=r"frame: no column 'date'; the models forecast a long frame of columns id"):
        loaded.forecast(long_frame(frames).drop(columns="date"))
    twice = long_frame({"a": frames["a"].iloc[[0, 1, 1, *range(2, 40)]]})
    with pytest.raises(UserError, match=r"frame: series 'a' has time 2000-02-01 twice; keep one row per series"):
        loaded.forecast(twice)


@pytest.mark.slow  # both models train for seconds: the slow tier
@pytest.mark.parametrize("model", ["vanilla", "stateful_lstm"])
def test_a_panel_of_one_series_forecasts_as_the_single_series_pipeline(model, tmp_path):
    cfg = load_config(tmp_path, [f"model={model}"], [*OVERRIDES, "data.n_lags=1"] if model != "vanilla" else OVERRIDES)
    cfg.data.frequency, cfg.data.id_column = None, "id"
    frame = generated(["a"])["a"]
    plans, fitted, windows = panel_inputs(cfg, {"a": frame})
    weights, models = train_and_save(cfg, windows, tmp_path)
    single = forecast_past_end(cfg, frame, plans["a"], windows, fitted["a"], weights, models, "series")
    pooled = panel.forecast_past_end(cfg, {"a": frame}, plans, windows, fitted, weights, models, SEASON, "series")
    np.testing.assert_array_equal(pooled.forecast["forecast"], single.forecast["forecast"])
    assert list(pooled.forecast["time"]) == list(single.forecast["time"])
    # the same errors, each divided by the holdout fit's scale and the quantile multiplied back by the scale on
    # every row; coverage does not depend on a constant scale
    fit = plans["a"].fits[0]
    ratio = (panel.naive_scale(frame["Sales"].to_numpy(), SEASON)[0]
             / panel.naive_scale(frame["Sales"].to_numpy()[fit.start : fit.cut], SEASON)[0])
    for level in ("80", "95"):
        np.testing.assert_allclose(pooled.forecast[f"upper_{level}"] - pooled.forecast["forecast"],
                                   (single.forecast[f"upper_{level}"] - single.forecast["forecast"]) * ratio,
                                   rtol=1e-9)
        assert pooled.metrics[f"coverage_{level}"] == single.metrics[f"coverage_{level}"]
    assert pooled.metrics["coverage_checks"] == single.metrics["coverage_checks"]
    assert list(pooled.intervals["errors"]) == list(single.intervals["errors"])


def test_the_stage_reads_the_panel_files_of_the_contract_and_writes_its_own(cfg, forecast_of_four, tmp_path,
                                                                           monkeypatch):
    """stages.forecast on the files PANEL.md specifies, as the panel's transform, window and train stages write
    them (the readers are lstm_tuning.data.panel's)."""
    pytest.importorskip("lstm_tuning.data.panel")
    from stages import forecast as stage

    frames, result, _, inputs = forecast_of_four
    monkeypatch.chdir(tmp_path)
    for directory in ("data", "training"):
        Path(directory).mkdir()
    long = pd.concat([frame.reset_index().assign(id=name) for name, frame in frames.items()], ignore_index=True)
    long[["id", "date", "Sales"]].to_csv(paths.SERIES, index=False)
    pd.concat([plan.to_frame(frames[name].index).assign(series=name) for name, plan in inputs.plans.items()]
              ).pipe(lambda f: f[["series", *f.columns[:-1]]]).to_csv(paths.ORIGINS, index=False)
    paths.SCALING.write_text(json.dumps({name: transforms.write_fits(fits) for name, fits in inputs.fitted.items()}))
    np.savez(paths.WINDOWS, **inputs.windows)
    shutil.copy(inputs.trained / "weights.npz", paths.FIT_WEIGHTS)
    shutil.copytree(inputs.trained / "models", paths.FINAL_MODELS)
    cfg = copy.deepcopy(cfg)
    cfg.baselines.season = SEASON  # the scale's season, as the panel's experiment sets it
    stage.panel(cfg)
    written = pd.read_csv(paths.FORECAST, dtype={"series": str}, parse_dates=["time"])
    pd.testing.assert_frame_equal(written, result.forecast, check_exact=False, rtol=1e-12)
    assert json.loads(paths.FORECAST_METRICS.read_text()) == result.metrics
    assert paths.FORECAST_FIGURE.is_file() and (paths.MODELS / "forecaster.json").is_file()


@pytest.mark.slow
@pytest.mark.parametrize(("task", "changes"), [("multistep_vector", ["task.n_out=2"]),
                                               ("multiple_parallel", ["data.covariates=[Price]"])])
def test_multistep_and_multiple_target_framings_forecast_every_series(task, changes, tmp_path):
    cfg = load_config(tmp_path, ["model=vanilla", f"task={task}"], [*OVERRIDES, *changes])
    cfg.data.frequency, cfg.data.id_column = None, "id"
    frames = {name: frame.assign(Price=10 + frame["Sales"].to_numpy()[::-1] / 50)[["Price", "Sales"]]
              for name, frame in generated(["a", "b", "c"]).items()}
    plans, fitted, windows = panel_inputs(cfg, frames)
    weights, models = train_and_save(cfg, windows, tmp_path)
    result = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    _, targets = framings.series_roles(cfg.task, cfg.data)
    assert len(result.forecast) == 3 * 4 * len(targets) and result.forecast.notna().all().all()
    assert list(result.intervals["target"]) == targets * 4
    assert (result.forecast["upper_95"] >= result.forecast["upper_80"]).all()
    for name, frame in frames.items():  # each target in its own units and scale
        for target in targets:
            rows = result.forecast[(result.forecast["series"] == name) & (result.forecast["target"] == target)]
            scale = panel.naive_scale(frame[target].to_numpy(), SEASON)[0]
            quantile = result.intervals[result.intervals["target"] == target]["scaled_quantile_80"].to_numpy()
            np.testing.assert_allclose(rows["upper_80"] - rows["forecast"], quantile * scale, rtol=1e-9)
    saved = tmp_path / "saved"
    saved.mkdir()
    result.forecaster.save(saved, models)
    pd.testing.assert_frame_equal(lstm_tuning.load(saved).forecast(long_frame(frames)), result.forecast)


# Local models (`model.scope: local`, one model per series): each series by its own final-fit repeats, the pooled
# intervals' backtest errors by its own backtest-fit repeats; the saved forecaster forecasts its training series only.

NAMES = ["a", "b", "c"]


def local_config(tmp_path, model="vanilla", extra=()):
    cfg = load_config(tmp_path, [f"model={model}"], [*OVERRIDES, "model.scope=local", *extra])
    cfg.data.frequency, cfg.data.id_column = None, "id"
    return cfg


@pytest.fixture(scope="module")
def local_three(tmp_path_factory):
    """Local models trained on 3 generated series, forecast past each end, saved and loaded."""
    cfg = local_config(tmp_path_factory.mktemp("cfg"))
    frames = generated(NAMES)
    plans, fitted, windows = panel_inputs(cfg, frames)
    directory = tmp_path_factory.mktemp("trained")
    weights, models = train_and_save(cfg, windows, directory)
    result = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    saved = tmp_path_factory.mktemp("forecaster")
    result.forecaster.save(saved, models)
    return cfg, frames, plans, fitted, windows, weights, models, result, lstm_tuning.load(saved)


def own_weights(weights, fit, series):
    """The repeats of `series` in `fit` (every repeat: none diverged in these runs), [repeats, ...] per variable."""
    return [weights[name][fit][series] for name in sorted(weights) if name.startswith("weight_")]


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_the_weights_keep_a_series_axis_and_differ_by_series(local_three):
    _, _, _, _, windows, weights, *_ = local_three
    fits, repeats = windows["train"].shape[0], 2
    stacked = [weights[name] for name in sorted(weights) if name.startswith("weight_")]
    assert all(w.shape[:3] == (fits, len(NAMES), repeats) for w in stacked)
    assert weights["diverged"].shape == (fits, repeats) and not weights["diverged"].any()
    assert not np.array_equal(stacked[0][-1, 0], stacked[0][-1, 1])  # each series' models are its own


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_each_series_is_forecast_by_its_own_final_fit_repeats(local_three):
    cfg, frames, _, fitted, _, weights, _, result, _ = local_three
    final = len(weights["diverged"]) - 1
    for s, name in enumerate(NAMES):
        # that series alone, by a (global-layout) forecaster holding its own final-fit repeats only
        alone = panel.PanelForecaster(
            copy.deepcopy(cfg), result.forecaster.model, own_weights(weights, final, s), [0, 1], "id", "date",
            SEASON, result.forecaster.quantiles, {},
        )
        alone.cfg.model.scope = "global"
        expected = alone.forecast_frames({name: frames[name]}, fitted={name: fitted[name][final]})
        mine = result.forecast[result.forecast["series"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, expected, check_exact=False, rtol=1e-5)
    # the series' models differ: forecasting a series by another's weights gives another forecast
    other = panel.PanelForecaster(cfg, result.forecaster.model, own_weights(weights, final, 0), [0, 1], "id", "date",
                                  SEASON, result.forecaster.quantiles, {})
    by_a = other.forecast_frames({"b": frames["b"]}, fitted={"b": fitted["b"][final]})
    assert not np.allclose(by_a["forecast"], result.forecast[result.forecast["series"] == "b"]["forecast"])


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_the_backtest_origins_are_forecast_by_their_own_series_repeats_in_one_call(local_three):
    _, _, _, _, windows, weights, models, result, _ = local_three
    model = result.forecaster.model
    fit = 0
    stacked = [weights[name] for name in sorted(weights) if name.startswith("weight_")]
    # every series' windows from its 3rd on, as backtest origins grouped by series
    origins = np.concatenate([np.flatnonzero(windows["series"] == s)[2:] for s in range(len(NAMES))])
    together = panel.forecast_ahead(model, windows["X"][fit], windows["train"][fit], windows["series"], origins, 5,
                                    [w[fit] for w in stacked], local=True)
    assert together.shape == (2, len(origins), 5, 1)
    for s in range(len(NAMES)):
        mine = np.flatnonzero(windows["series"][origins] == s)
        alone = training.forecast_ahead([model], windows["X"][fit], None, origins[mine], 5,
                                        own_weights(weights, fit, s))
        np.testing.assert_allclose(together[:, mine], alone, rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_intervals_and_coverage_rest_on_every_series_errors(local_three):
    _, frames, _, _, _, _, _, result, _ = local_three
    assert list(result.intervals["errors"]) == [3 * 10, 3 * 9, 3 * 8, 3 * 7]  # 4 val + 6 test origins a series
    metrics = result.metrics
    assert metrics["series"] == 3 and metrics["test_origins"] == 3 * 6
    assert metrics["coverage_checks"] == 3 * (6 + 5 + 4 + 3)
    assert 0 <= metrics["coverage_80"] <= metrics["coverage_95"] <= 1
    forecast = result.forecast
    assert forecast.notna().all().all() and len(forecast) == 3 * 4
    assert (forecast["lower_95"] <= forecast["lower_80"]).all() and (forecast["upper_80"] > forecast["forecast"]).all()


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_a_diverged_local_member_is_left_out_of_its_own_series_forecast_only(local_three):
    """Repeat 0 of series b marked diverged in every fit (`series_diverged` [fits, series, repeats], as train
    writes it for local models): b is forecast by its repeat 1 alone, a and c by both, as before."""
    cfg, frames, plans, fitted, windows, weights, models, result, _ = local_three
    gone = np.zeros_like(weights["diverged"], shape=(len(weights["diverged"]), len(NAMES), 2))
    gone[:, 1, 0] = True
    marked = panel.forecast_past_end(cfg, frames, plans, windows, fitted, dict(weights) | {"series_diverged": gone},
                                     models, SEASON, "series")
    forecast, before = marked.forecast, result.forecast
    others = before["series"] != "b"
    # (the pooled intervals change with b's backtest errors; every point forecast but b's is as before)
    np.testing.assert_array_equal(forecast.loc[others, "forecast"], before.loc[others, "forecast"])
    final = len(weights["diverged"]) - 1
    alone = panel.PanelForecaster(copy.deepcopy(cfg), result.forecaster.model,
                                  [w[1:] for w in own_weights(weights, final, 1)], [1], "id", "date", SEASON,
                                  result.forecaster.quantiles, {})
    alone.cfg.model.scope = "global"
    point = alone.forecast_frames({"b": frames["b"]}, fitted={"b": fitted["b"][final]})["forecast"].to_numpy()
    np.testing.assert_allclose(forecast.loc[~others, "forecast"], point, rtol=1e-5)
    assert not np.allclose(point, before.loc[~others, "forecast"])
    assert forecast.notna().all().all()


@pytest.mark.slow  # local models trained for seconds: the slow tier
def test_the_saved_local_forecaster_forecasts_its_series_and_refuses_others(local_three):
    _, frames, _, _, _, _, _, result, loaded = local_three
    assert isinstance(loaded, panel.PanelForecaster) and loaded.local_series == NAMES
    shuffled = long_frame(frames).sample(frac=1, random_state=0)
    pd.testing.assert_frame_equal(loaded.forecast(shuffled), result.forecast)
    # a subset, in any order: each series still by its own models
    some = loaded.forecast(long_frame({"c": frames["c"], "a": frames["a"]}))
    pd.testing.assert_frame_equal(some, result.forecast[result.forecast["series"].isin(["a", "c"])]
                                  .reset_index(drop=True))
    unseen = generated(["a", "b", "c", "d"], seed=1)["d"]
    with pytest.raises(UserError, match=r"frame: series 'new' was not trained: local models \(model.scope=local\) "
                                        r"have weights for their 3 training series only; forecast it with a model "
                                        r"trained with model.scope=global"):
        loaded.forecast(long_frame({"a": frames["a"], "new": unseen}))


@pytest.mark.slow  # seconds of training: the slow tier
def test_local_stateful_models_forecast_each_series_by_its_own_repeats(tmp_path):
    cfg = local_config(tmp_path, "stateful_lstm", ["data.n_lags=1"])
    frames = generated(NAMES[:2])
    plans, fitted, windows = panel_inputs(cfg, frames)
    weights, models = train_and_save(cfg, windows, tmp_path)
    result = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    assert result.forecast.notna().all().all() and result.metrics["coverage_checks"] == 2 * (6 + 5 + 4 + 3)
    final = len(weights["diverged"]) - 1
    for s, name in enumerate(NAMES[:2]):
        alone = panel.PanelForecaster(copy.deepcopy(cfg), result.forecaster.model, own_weights(weights, final, s),
                                      [0, 1], "id", "date", SEASON, result.forecaster.quantiles, {})
        expected = alone.forecast_frames({name: frames[name]}, fitted={name: fitted[name][final]})
        pd.testing.assert_frame_equal(result.forecast[result.forecast["series"] == name].reset_index(drop=True),
                                      expected)


@pytest.mark.slow  # seconds of training: the slow tier
def test_a_local_model_of_one_series_is_forecast_as_its_global_model(tmp_path):
    cfg = local_config(tmp_path, extra=["train.epochs=1"])
    frames = generated(["a"])
    plans, fitted, windows = panel_inputs(cfg, frames)
    weights, models = train_and_save(cfg, windows, tmp_path)
    local = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    cfg.model.scope = "global"
    pooled = panel.forecast_past_end(cfg, frames, plans, windows, fitted, weights, models, SEASON, "series")
    assert local.forecaster.local_series is None
    pd.testing.assert_frame_equal(local.forecast, pooled.forecast)


@pytest.mark.slow
def test_a_local_panel_runs_through_every_stage(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    dvc("exp", "run", "-S", "data=generated_panel", "-S", "data.n_series=4", "-S", "train.epochs=2",
        "-S", "train.repeats=2", "-S", "model=vanilla", "-S", "model.scope=local", "-S", "baselines=panel",
        "-S", "baselines.season=12", "-S", "data.val_size=12", cwd=repo)
    assert yaml.safe_load((repo / "params.yaml").read_text())["model"]["scope"] == "local"
    forecast = pd.read_csv(repo / "forecast" / "forecast.csv", dtype={"series": str})
    assert forecast["series"].nunique() == 4 and forecast["forecast"].notna().all()
    loaded = lstm_tuning.load(repo / "models")
    assert len(loaded.local_series) == 4
    series = pd.read_csv(repo / "data" / "series.csv", dtype={"series": str})
    again = loaded.forecast(series)
    np.testing.assert_allclose(again["forecast"], forecast["forecast"], rtol=1e-9)
    # what evaluate scores: each series' windows forecast by its own members of each fit
    windows = dict(np.load(repo / "data" / "windows.npz"))
    checkpoints = dict(np.load(repo / "training" / "checkpoints.npz"))
    weights = dict(np.load(repo / "training" / "weights.npz"))
    for s in (0, 3):
        mine = np.flatnonzero(windows["series"] == s)
        for fit in range(len(windows["final"])):
            own = training.forecast_ahead([loaded.model], windows["X"][fit], None, mine, 1,
                                          own_weights(weights, fit, s))
            np.testing.assert_allclose(checkpoints["final"][fit][:, mine], own, rtol=1e-4, atol=1e-5)
