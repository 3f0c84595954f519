"""Panel scores (evaluation.panel): the metrics against hand-computed values (sMAPE as M3 defines it, MASE on the
seasonal naive's scale and its one-step fallback), a panel's per-series scores equal to each series scored alone,
the means over series, the best baseline chosen on validation only, and the verdict when a baseline wins. The
inputs are the stages' arrays and frames built here, small; nothing is trained."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from helpers import option_params, task_params

from lstm_tuning.data import backtest, transforms
from lstm_tuning.data.backtest import Fit, Origin, Plan
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines, panel, scale, walk_forward

N_OUT, N_LAGS, REPEATS, VAL, TEST = 3, 2, 2, 4, 4


def test_smape_is_the_m3_definition():
    actual = np.array([[100.0, 0.0, 50.0]])
    forecasts = np.array([[110.0, 0.0, 40.0]])
    expected = (200 * 10 / 210 + 0.0 + 200 * 10 / 90) / 3  # a perfect zero forecast of zero scores 0
    scores = panel.group_scores(actual, forecasts, np.ones(1), np.zeros(1, int), 1)
    assert scores["smape"][0] == pytest.approx(expected)
    assert scores["rmse"][0] == pytest.approx(np.sqrt((100 + 0 + 100) / 3))


def test_seasonal_mase_with_season_12_by_hand():
    # a pattern repeated every 12 rows, 2 higher each year: the seasonal naive's in-sample error is exactly 2,
    # the one-step naive's far larger
    pattern = np.array([5, 9, 3, 8, 1, 7, 4, 6, 2, 10, 0, 11], float)
    target = np.concatenate([pattern + 2 * year for year in range(3)])
    plan = Plan([Fit(0, 30)], [Origin("test", 30, 36, 0)])
    assert panel.mase_lag(plan, 12) == 12
    assert scale.naive_mae(target[0:30], 12) == pytest.approx(2.0)
    # forecasts off by 1 and 3 -> mean absolute error 2 -> MASE 1
    actual = target[None, 30:33]
    scores = panel.group_scores(actual, actual + np.array([1.0, -3.0, 2.0]), np.array([2.0]), np.zeros(1, int), 1)
    assert scores["mase"][0] == pytest.approx(1.0)


def test_mase_falls_back_to_the_one_step_scale_where_the_training_rows_are_a_season_or_less():
    target = np.array([1.0, 4.0, 2.0, 8.0, 3.0, 3.0, 5.0, 9.0, 1.0, 2.0, 6.0, 7.0, 10.0, 12.0])
    plan = Plan([Fit(0, 12)], [Origin("test", 12, 14, 0)])  # 12 training rows: no lag-12 error exists
    assert panel.mase_lag(plan, 12) == 1
    assert scale.naive_mae(target[0:12], 1) == pytest.approx(np.mean(np.abs(np.diff(target[:12]))))
    assert panel.mase_lag(Plan([Fit(0, 13)], plan.origins), 12) == 12
    monthly = pd.date_range("2000-01-01", periods=24, freq="MS")
    declared = SimpleNamespace(baselines=SimpleNamespace(season=4), data=SimpleNamespace(frequency=None))
    assert scale.season(declared, monthly) == 4  # baselines.season first
    inferred = SimpleNamespace(baselines=SimpleNamespace(name="persistence"), data=SimpleNamespace(frequency=None))
    assert scale.season(inferred, monthly) == 12 and scale.season(inferred, pd.RangeIndex(24)) == 1


# ---- a small panel, built as the stages write it ----------------------------------------------------------------

def _series(n_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n_rows)
    values = 100 + 20 * np.sin(2 * np.pi * t / 12) + 0.5 * t + rng.normal(0, 3, n_rows)
    return pd.DataFrame({"value": values}, index=pd.Index(np.arange(1, n_rows + 1), name="month"))


def _panel(lengths: dict[str, int], backtest_params, seed: int = 0) -> dict:
    """What the stages would hand evaluate for this panel: frames, fits, plans, windows, checkpoints, repeats,
    the baselines' forecasts (AutoETS nearly exact, persistence the last value)."""
    rng = np.random.default_rng(seed)
    frames = {key: _series(n, i) for i, (key, n) in enumerate(lengths.items())}
    plans, fits, series_of_window, first_rows, trains, held_out = {}, {}, [], [], [], []
    for s, (key, frame) in enumerate(frames.items()):
        n = len(frame)
        plan = backtest.plan(backtest_params, n, VAL, TEST, "test").with_final_fit(n)
        plans[key] = plan
        fits[key] = [transforms.fit_transform(frame, (1,), [], slice(f.start, f.cut))[1] for f in plan.fits]
        rows = np.arange(N_LAGS + 1, n - N_OUT + 1)
        series_of_window.append(np.full(len(rows), s))
        first_rows.append(rows)
        trains.append([(rows - N_LAGS - 1 >= f.start) & (rows + N_OUT <= f.cut) for f in plan.fits])  # [fits, rows]
        values = frame["value"].to_numpy()
        for origin in plan.backtest().origins:
            end = plan.first_test_row if origin.role == "val" else n
            for row in range(origin.first, origin.end):
                steps = np.arange(1, end - row + 1)
                held_out.append(pd.DataFrame({
                    "series": key, "fit": origin.fit, "row": row, "step": steps,
                    "persistence": values[row - 1],
                    "auto_ets": values[row + steps - 1] * (1 + 0.001 * rng.standard_normal(len(steps)))}))
    series_of_window, first_rows = np.concatenate(series_of_window), np.concatenate(first_rows)
    n_fits = len(next(iter(plans.values())).fits)
    shape = (n_fits, REPEATS, len(first_rows), N_OUT, 1)
    checkpoints = {"epochs": np.array([5, 10]), "final": rng.uniform(-1, 1, shape),
                   "forecasts": rng.uniform(-1, 1, (2, *shape))}
    repeats = pd.DataFrame({"fit": np.repeat(np.arange(n_fits), REPEATS), "repeat": np.tile(np.arange(REPEATS), n_fits),
                            "diverged": False, "final_epoch": 10})
    windows = {"series": series_of_window, "first_rows": first_rows, "y": np.zeros((n_fits, len(first_rows), N_OUT, 1)),
               "ids": np.array(list(frames)), "train": np.concatenate(trains, axis=1)}
    return {"frames": frames, "fits_by_series": fits, "plans": plans, "windows": windows, "checkpoints": checkpoints,
            "repeats": repeats, "held_out": pd.concat(held_out, ignore_index=True)}


CFG = SimpleNamespace(task=task_params("multistep_vector", n_out=N_OUT),
                      data=SimpleNamespace(target="value", covariates=[]))


def _evaluate(inputs: dict, season: int = 12):
    return panel.evaluate(CFG, inputs["frames"], inputs["fits_by_series"], inputs["plans"], inputs["windows"],
                          inputs["checkpoints"], inputs["repeats"], inputs["held_out"], {"season": season}, season)


def _alone(inputs: dict, key: str) -> dict:
    """The same inputs for series `key` alone: a panel of one."""
    s = list(inputs["frames"]).index(key)
    own = inputs["windows"]["series"] == s
    checkpoints = inputs["checkpoints"]
    return inputs | {
        "frames": {key: inputs["frames"][key]}, "fits_by_series": {key: inputs["fits_by_series"][key]},
        "plans": {key: inputs["plans"][key]},
        "windows": {"series": np.zeros(own.sum(), int), "first_rows": inputs["windows"]["first_rows"][own],
                    "y": inputs["windows"]["y"][:, own], "train": inputs["windows"]["train"][:, own]},
        "checkpoints": {"epochs": checkpoints["epochs"], "final": checkpoints["final"][:, :, own],
                        "forecasts": checkpoints["forecasts"][:, :, :, own]},
        "held_out": inputs["held_out"][inputs["held_out"]["series"] == key],
    }


LENGTHS = {"a": 60, "b": 45, "c": 19}  # ragged; c's fit trains on 11 rows: MASE on the one-step scale


@pytest.fixture(scope="module", params=["holdout", "expanding"])
def inputs(request):
    params = (option_params("backtest", "holdout") if request.param == "holdout" else
              option_params("backtest", "expanding", step=2, horizon=2, refit_every=2))
    return _panel(LENGTHS, params)


def test_each_series_scores_as_it_does_alone(inputs):
    together = _evaluate(inputs).series
    assert list(together["series"].unique()) == list(LENGTHS)
    assert set(together["role"]) == {"val", "test"}
    assert together.set_index("series")["mase_scale"].to_dict() == {"a": "seasonal", "b": "seasonal", "c": "one-step"}
    for key in LENGTHS:
        alone = _evaluate(_alone(inputs, key)).series
        pd.testing.assert_frame_equal(together[together["series"] == key].reset_index(drop=True), alone)
    assert np.isfinite(together[["mase", "smape", "rmse", "auto_ets_mase", "persistence_smape"]].to_numpy()).all()


def test_each_series_is_scored_from_each_origin_on_its_own_scale(inputs):
    """series_origins.csv: one row per (series, origin) scored, timed by its series' own first forecast row; their
    means over series are origins.csv's. With one origin per role (the holdout) each row is series.csv's; with an
    expanding backtest of step 1, two origins per role score a window of 3 steps."""
    result = _evaluate(inputs)
    table = result.series_origins
    for key, plan in inputs["plans"].items():
        own = table[table["series"] == key]
        assert list(own["origin"]) == list(result.origins["origin"])  # the origins with a scored window
        firsts = [plan.origins[o].first for o in own["origin"]]
        assert list(own["time"]) == list(inputs["frames"][key].index[firsts])
        assert list(own["role"]) == [plan.origins[o].role for o in own["origin"]]
    means = table.groupby("origin")[["mase", "auto_ets_smape"]].mean()
    np.testing.assert_allclose(result.origins[["lstm_mase", "auto_ets_smape"]], means)
    if len(result.origins) == 2:
        shared = result.series.columns.drop(["origins", "mase_scale"])
        pd.testing.assert_frame_equal(table[shared], result.series[shared])
    stepped = _evaluate(_panel(LENGTHS, option_params("backtest", "expanding", step=1, horizon=1, refit_every=2)))
    assert (stepped.series_origins.groupby(["series", "role"]).size() == 2).all()
    assert len(stepped.series_origins) == 4 * len(LENGTHS)


def test_the_ensemble_is_the_mean_of_the_repeats_forecasts(inputs):
    # one repeat's forecasts doubled in scaled units leaves the ensemble at the mean of the two
    result = _evaluate(inputs)
    per_repeat = result.repeats
    assert list(per_repeat["repeat"]) == list(range(REPEATS))
    # a diverged repeat is left out: the ensemble is then the other repeat alone, whose scores rmse.csv has
    diverged = inputs["repeats"].assign(diverged=inputs["repeats"]["repeat"] == 0)
    alone = _evaluate(inputs | {"repeats": diverged})
    assert alone.details["repeats_diverged"] == 1
    assert alone.metrics["test_ensemble"]["mase"] == pytest.approx(per_repeat.loc[1, "test_mase"])
    assert alone.metrics["val_ensemble"]["smape"] == pytest.approx(per_repeat.loc[1, "val_smape"])
    assert alone.metrics["test_mean"]["mase"] == pytest.approx(per_repeat.loc[1, "test_mase"])


def test_the_headline_is_the_mean_over_series(inputs):
    result = _evaluate(inputs)
    table, metrics = result.series, result.metrics
    test = table[table["role"] == "test"]
    assert metrics["series"] == 3
    for metric in panel.METRICS:
        assert metrics["test_ensemble"][metric] == pytest.approx(test[metric].mean())
        assert metrics["val_ensemble"][metric] == pytest.approx(table[table["role"] == "val"][metric].mean())
        assert metrics["test_mean"][metric] == pytest.approx(result.repeats[f"test_{metric}"].mean())
    assert metrics["best_baseline"] == "auto_ets" and metrics["best_baseline_chosen_on"] == "val"
    assert metrics["best_baseline_test"]["mase"] == pytest.approx(test["auto_ets_mase"].mean())
    assert metrics["skill"]["mase"] == pytest.approx(1 - test["mase"].mean() / test["auto_ets_mase"].mean())
    details = result.details
    assert details["wins_vs_best"] == {"lstm": 0, "auto_ets": 3, "ties": 0, "series": 3}
    assert details["mase_over_series"]["test"]["lstm"]["q50"] == pytest.approx(test["mase"].median())
    assert details["mase_scale"] == {"season": 12, "seasonal": 2, "one-step": 1}
    assert set(details["baselines"]) == {"persistence", "auto_ets"}


def test_the_verdict_says_plainly_when_a_baseline_wins(inputs):
    result = _evaluate(inputs)
    sentence = result.details["verdict"]
    assert sentence.startswith("AutoETS (the best baseline, chosen on the validation origins) beats the LSTM")
    assert "AutoETS is better on 3 of 3 series, the LSTM on 0" in sentence
    assert f"{result.metrics['test_ensemble']['mase']:.3f}" in sentence


def test_the_verdict_says_when_the_lstm_wins():
    metrics = {"best_baseline": "auto_theta", "best_baseline_chosen_on": "test",
               "test_ensemble": {"mase": 0.9, "smape": 12.0},
               "best_baseline_test": {"mase": 1.0, "smape": 13.0}, "skill": {"mase": 0.1}, "series": 1428}
    details = {"wins_vs_best": {"lstm": 812, "auto_theta": 616, "ties": 0, "series": 1428}}
    sentence = panel.verdict(metrics, details)
    assert sentence.startswith("The LSTM beats AutoTheta (the best baseline, chosen on the test origins: there are no "
                               "validation origins")
    assert "over 1,428 series: 0.900 vs 1.000" in sentence and "better on 812 of 1,428" in sentence


def test_the_best_baseline_is_chosen_on_validation_only():
    # ETS is best on validation, Theta on test: the choice is ETS, and its test figures are reported
    table = pd.DataFrame({
        "series": ["a", "a", "b", "b"], "role": ["val", "test"] * 2, "origins": 1, "mase_scale": "seasonal",
        "mase": [1.0, 1.0, 1.0, 1.0], "smape": 10.0, "rmse": 5.0,
        "auto_ets_mase": [0.5, 1.5, 0.7, 1.3], "auto_ets_smape": 9.0, "auto_ets_rmse": 4.0,
        "auto_theta_mase": [0.9, 0.2, 0.9, 0.4], "auto_theta_smape": 8.0, "auto_theta_rmse": 3.0,
    })
    means = pd.DataFrame({"repeat": [0], **{f"{r}_{m}": [1.0] for r in ("val", "test") for m in panel.METRICS}})
    metrics = panel.headline(table, ["auto_ets", "auto_theta"], means)
    assert metrics["best_baseline"] == "auto_ets" and metrics["best_baseline_chosen_on"] == "val"
    assert metrics["best_baseline_test"] == {"mase": pytest.approx(1.4), "smape": 9.0, "rmse": 4.0}
    assert metrics["skill"]["mase"] == pytest.approx(1 - 1.0 / 1.4)
    # without validation origins the choice is on test, and says so
    on_test = panel.headline(table[table["role"] == "test"], ["auto_ets", "auto_theta"], means)
    assert on_test["best_baseline"] == "auto_theta" and on_test["best_baseline_chosen_on"] == "test"
    assert "val_ensemble" not in on_test


def test_a_missing_baseline_forecast_names_its_series(inputs):
    frame = inputs["held_out"]
    with pytest.raises(UserError, match="from row 3 of series zz by fit 0"):
        baselines.pick(frame, np.array([0]), np.array([3]), 1, series=np.array(["zz"], dtype=object))


def test_a_single_series_run_scores_its_series_as_a_panel_of_one(inputs):
    one = _alone(inputs, "a")
    held_out = one["held_out"].drop(columns="series")  # a single-series baselines file
    table = panel.evaluate_one(CFG, one["frames"]["a"], one["fits_by_series"]["a"], one["plans"]["a"],
                               {"first_rows": one["windows"]["first_rows"], "y": one["windows"]["y"],
                                "train": one["windows"]["train"]},
                               one["checkpoints"], one["repeats"], held_out, {}, 12).series
    expected = _evaluate(inputs).series
    expected = expected[expected["series"] == "a"].reset_index(drop=True).assign(series="value")
    pd.testing.assert_frame_equal(table, expected)


def test_the_training_rmse_is_the_single_series_ones_averaged_over_series(inputs):
    """diagnostics.csv's train_rmse: each series' RMSE over every fit's training windows, as the single-series
    diagnostics (walk_forward) score a series alone, averaged over series; the validation and test ones alike."""
    together = _evaluate(inputs).diagnostics
    alone = []
    for key in LENGTHS:
        one = _alone(inputs, key)
        windows = one["windows"] | {"y": np.zeros((len(one["windows"]["train"]), len(one["windows"]["first_rows"]),
                                                   N_OUT, 1))}
        alone.append(walk_forward.evaluate(CFG, one["frames"][key], one["fits_by_series"][key], one["plans"][key],
                                           windows, one["checkpoints"], one["repeats"],
                                           one["held_out"].drop(columns="series"), {}).diagnostics)
    assert np.isfinite(together["train_rmse"]).all() and len(together) == 2 * REPEATS  # 2 checkpoints x repeats
    for column in ("train_rmse", "val_rmse", "test_rmse"):
        np.testing.assert_allclose(together[column], np.mean([frame[column] for frame in alone], axis=0), rtol=1e-12)


def test_the_panel_report_has_the_verdict_means_distribution_and_worst_series(inputs, tmp_path):
    from lstm_tuning.reports import run_report

    result = _evaluate(inputs)
    loss = pd.DataFrame({"epoch": [1, 2, 3], "0": [0.5, 0.3, 0.2], "1": [0.6, 0.4, 0.1]})
    params = {"backtest": {"name": "holdout"}, "data": {"id_column": "series"}}
    run_report.write_panel(tmp_path, params, result.metrics, result.details, result.series, loss)
    report = (tmp_path / "report.md").read_text()
    assert report.startswith("# LSTM forecast report: a panel of 3 series\n\n" + result.details["verdict"])
    assert "| AutoETS (best) |" in report and "| persistence |" in report
    worst = result.series[result.series["role"] == "test"].sort_values("mase", ascending=False)
    listed = report.split("worst series by the LSTM's test MASE")[1]
    assert [line.split(" | ")[0].strip("| ") for line in listed.splitlines() if line.startswith("| ")
            and not line.startswith(("| series", "|---"))][:3] == list(worst["series"])
    assert "scaled by the one-step naive instead (1 here" in report
    assert (tmp_path / "mase_distribution.png").stat().st_size > 0 and (tmp_path / "training_loss.png").exists()


def test_the_stage_reads_the_panel_files_as_panel_md_lays_them_out(tmp_path, monkeypatch):
    """The evaluate stage's panel mode on files written here as the other stages write them (numeric-looking
    ids stay strings, in string order) gives the scores of the same inputs in memory."""
    import json

    from lstm_tuning import paths
    from stages import evaluate as stage

    inputs = _panel({"101": 40, "7": 36, "N3": 30}, option_params("backtest", "holdout"))
    monkeypatch.chdir(tmp_path)
    for path in (paths.SERIES, paths.CHECKPOINTS, paths.BASELINE_FORECASTS):
        path.parent.mkdir(parents=True, exist_ok=True)
    long = pd.concat([frame.reset_index().assign(series=key) for key, frame in inputs["frames"].items()])
    long[["series", "month", "value"]].to_csv(paths.SERIES, index=False)
    pd.concat([plan.to_frame(inputs["frames"][key].index).assign(series=key)
               for key, plan in inputs["plans"].items()]).pipe(
        lambda f: f[["series", *f.columns.drop("series")]]).to_csv(paths.ORIGINS, index=False)
    paths.SCALING.write_text(json.dumps({key: transforms.write_fits(fits)
                                         for key, fits in inputs["fits_by_series"].items()}))
    np.savez(paths.WINDOWS, **inputs["windows"])
    np.savez(paths.CHECKPOINTS, **inputs["checkpoints"])
    inputs["repeats"].to_csv(paths.REPEATS, index=False)
    inputs["held_out"].to_csv(paths.BASELINE_FORECASTS, index=False)
    paths.BASELINE_INFO.write_text(json.dumps({"season": 12}))
    cfg = SimpleNamespace(task=CFG.task, data=SimpleNamespace(target="value", covariates=[], frequency=None),
                          baselines=SimpleNamespace(name="classical", season=12))
    stage.evaluate_panel(cfg, "series")
    written = pd.read_csv(paths.SERIES_SCORES, dtype={"series": str})
    expected = _evaluate(inputs).series
    assert list(written["series"].unique()) == ["101", "7", "N3"]
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    metrics = json.loads(paths.METRICS.read_text())
    assert metrics["series"] == 3
    assert metrics["test_ensemble"]["mase"] == pytest.approx(expected.query("role == 'test'")["mase"].mean())
    for path in (paths.DETAILS, paths.RMSE, paths.ORIGIN_SCORES, paths.SERIES_ORIGIN_SCORES, paths.FORECASTS,
                 paths.HORIZON, paths.DIAGNOSTICS, paths.DIAGNOSTICS_MEAN):  # every out dvc.yaml declares
        assert path.stat().st_size > 0, path


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # numpy's and pandas' statistics of inf
def test_a_series_repeating_every_season_has_no_finite_mase_and_says_so(inputs):
    frames = dict(inputs["frames"])
    pattern = np.tile(np.arange(12.0) + 50, 5)[: len(frames["a"])]
    frames["a"] = frames["a"].assign(value=pattern)  # seasonal naive exact in-sample: scale 0
    result = _evaluate(inputs | {"frames": frames})
    assert result.details["series_without_finite_mase"] == 1
    assert not np.isfinite(result.series.set_index(["series", "role"]).loc[("a", "test"), "mase"])


@pytest.mark.slow
def test_a_single_series_pipeline_writes_its_series_csv_and_keeps_its_headline(reproduced):
    """`dvc repro` on Shampoo: evaluation/series.csv has its one series (the panel metrics: MASE on the seasonal
    scale, sMAPE), whose ensemble RMSE is the headline's; the headline keeps its names."""
    import json

    table = pd.read_csv(reproduced / "evaluation/series.csv")
    metrics = json.loads((reproduced / "evaluation/metrics.json").read_text())
    assert table[["series", "role", "origins", "mase_scale"]].values.tolist() == [["Sales", "test", 1, "seasonal"]]
    assert table.loc[0, "rmse"] == pytest.approx(metrics["test_ensemble"]["rmse"], rel=1e-12)
    assert 0 < table.loc[0, "smape"] < 200 and "test_mase" not in metrics


def test_a_local_member_that_diverged_is_left_out_of_its_own_series_only(inputs):
    """Local models (checkpoints' `series_diverged` [fits, series, repeats]): repeat 0 of series "a" diverged in
    one fit. Series a's ensemble is repeat 1's alone; the other series keep both repeats; no repeat is dropped."""
    n_fits = len(next(iter(inputs["plans"].values())).fits)
    gone = np.zeros((n_fits, len(LENGTHS), REPEATS), bool)
    gone[0, 0, 0] = True
    local = _evaluate(inputs | {"checkpoints": inputs["checkpoints"] | {"series_diverged": gone}})
    both = _evaluate(inputs)
    assert local.details["members_diverged"] == 1 and local.details["repeats_diverged"] == 0
    assert "members_diverged" not in both.details
    series, whole = local.series.set_index(["series", "role"]), both.series.set_index(["series", "role"])
    pd.testing.assert_frame_equal(series.drop(index="a"), whole.drop(index="a"))
    # series a as if its repeat 0 had diverged everywhere: scored by repeat 1 alone
    repeat_1 = _evaluate(_alone(inputs, "a") | {"repeats": inputs["repeats"].assign(
        diverged=inputs["repeats"]["repeat"] == 0)}).series.set_index(["series", "role"])
    pd.testing.assert_frame_equal(series.loc[["a"]], repeat_1)
    assert not series.loc["a", "mase"].equals(whole.loc["a", "mase"])
    # repeat 0's means over series leave series a out
    assert np.isfinite(local.repeats.drop(columns="repeat").to_numpy()).all()
    every = gone.copy()
    every[0, 0] = True
    with pytest.raises(UserError, match="every repeat of series a diverged"):
        _evaluate(inputs | {"checkpoints": inputs["checkpoints"] | {"series_diverged": every}})
