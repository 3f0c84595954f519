"""A panel (many series, long format): each series gets its own plan, transforms and windows, exactly as the
single-series functions give them for that series alone; nothing of one series leaks into another's, and no
held-out row into a scaler; series too short are refused or dropped; forecasts come back to original units."""

import json
import logging

import numpy as np
import pandas as pd
import pytest
from helpers import data_params, load_config, option_params, task_params

from lstm_tuning.data import backtest, framings, long_format, panel, transforms
from lstm_tuning.errors import UserError

LENGTHS = (30, 24, 41, 27, 35)  # ragged: different lengths, and (below) different starts


def make_panel(lengths=LENGTHS, seed=0, covariate=False, dates=False) -> dict[str, pd.DataFrame]:
    """Positive seasonal series with a trend and noise, each starting at its own time."""
    rng = np.random.default_rng(seed)
    found = {}
    for s, n in enumerate(lengths):
        start = int(rng.integers(0, 12))
        t = np.arange(n)
        values = {"value": 50 + 3 * s + 0.7 * t + 6 * np.sin(2 * np.pi * (t + start) / 12) + rng.normal(0, 1, n)}
        if covariate:
            values = {"x": 20 + np.cos(t / 3) * 4 + rng.normal(0, 0.5, n), **values}
        index = (pd.date_range("2001-01-01", periods=n + start, freq="MS", name="date")[start:] if dates
                 else pd.RangeIndex(start + 1, start + n + 1, name="month"))
        found[f"s{s:02d}"] = pd.DataFrame(values, index=index)
    return found


def params(**changes):
    values = {"target": "value", "covariates": [], "undifferenced": [], "diff_interval": 1, "n_lags": 3,
              "val_size": 2, "test_size": 3, "transform": None, "id_column": "series", "drop_short": False}
    return data_params("csv", **(values | changes))


HOLDOUT = option_params("backtest", "holdout")
BACKTESTS = {"holdout": HOLDOUT, "expanding": option_params("backtest", "expanding", step=2, horizon=2),
             "sliding": option_params("backtest", "sliding", step=2, horizon=2, refit_every=2, window=12)}


def prepared(series, data, task, options=HOLDOUT):
    """The transform and window stages' arrays (in memory), and the plans and fitted transforms."""
    plans = long_format.plans(options, series, data.val_size, data.test_size, "series.csv")
    scaled, fitted = panel.transform(series, data, plans, "series.csv")
    return plans, scaled, fitted, panel.windows(scaled, task, data, plans, "transformed.csv")


def single(frame, data, task, options=HOLDOUT):
    """One series alone through the single-series functions, as the single-series stages run them."""
    plan = backtest.plan(options, len(frame), data.val_size, data.test_size, "series").with_final_fit(len(frame))
    scaled, fitted = transforms.transform(frame, data, plan, "series")
    return plan, scaled, fitted, framings.split_windows(scaled, task, data, plan, "transformed")


def of_series(windows, s):
    """The windows of series number s, in the single-series keys."""
    mine = windows["series"] == s
    return {"X": windows["X"][:, mine], "y": windows["y"][:, mine], "first_rows": windows["first_rows"][mine],
            "train": windows["train"][:, mine], "stop": windows["stop"][mine], "final": windows["final"]}


def test_read_gives_each_series_as_the_single_series_reader_does(tmp_path):
    for dates in (False, True):
        series = make_panel(dates=dates, covariate=True)
        series = {f"0{i}": frame for i, frame in enumerate(series.values())}  # ids that look like numbers
        path = tmp_path / "series.csv"
        long_format.long_frame(series, "id").to_csv(path, index=False)
        read = long_format.read(path, "id")
        assert list(read) == list(series)
        for name, frame in series.items():
            pd.testing.assert_frame_equal(read[name], frame, check_freq=False)
        assert isinstance(read["00"].index, pd.DatetimeIndex) == dates


def test_read_refuses_a_missing_id_column_or_a_series_split_in_two(tmp_path):
    path = tmp_path / "series.csv"
    long = long_format.long_frame(make_panel(), "series")
    long.to_csv(path, index=False)
    with pytest.raises(UserError, match="no column 'store' .data.id_column"):
        long_format.read(path, "store")
    pd.concat([long.iloc[:5], long.iloc[40:], long.iloc[5:40]]).to_csv(path, index=False)
    with pytest.raises(UserError, match="series 's00' are not together"):
        long_format.read(path, "series")


@pytest.mark.parametrize("name", list(BACKTESTS))
def test_each_series_has_its_own_plan_over_its_own_last_rows(name):
    series, data = make_panel(), params()
    plans = long_format.plans(BACKTESTS[name], series, data.val_size, data.test_size, "series.csv")
    assert list(plans) == list(series)
    for frame, plan in zip(series.values(), plans.values()):
        n = len(frame)
        expected = backtest.plan(BACKTESTS[name], n, data.val_size, data.test_size, "s").with_final_fit(n)
        assert plan == expected
        assert plan.first_test_row == n - data.test_size  # held out: its own last rows
        assert min(o.first for o in plan.origins) == n - data.test_size - data.val_size
    assert len({len(plan.fits) for plan in plans.values()}) == 1


@pytest.mark.parametrize("dates", [False, True])
def test_origins_file_is_each_series_plan_frame_and_reads_back(tmp_path, dates):
    series = make_panel(dates=dates)
    plans = long_format.plans(BACKTESTS["expanding"], series, 2, 3, "series.csv")
    written = long_format.origins_frame(plans, series)
    blocks = [plan.to_frame(series[name].index) for name, plan in plans.items()]
    for name, block in zip(plans, blocks):
        block.insert(0, "series", name)
    expected = pd.concat(blocks, ignore_index=True)
    pd.testing.assert_frame_equal(written, expected)
    path = tmp_path / "origins.csv"
    written.to_csv(path, index=False)
    assert path.read_text() == expected.to_csv(index=False)
    assert long_format.read_plans(pd.read_csv(path, dtype={"series": str})) == plans
    for name, plan in plans.items():  # as Plan.from_frame reads each series' block
        assert plan == backtest.Plan.from_frame(written[written["series"] == name].drop(columns="series"))


CASES = {  # (data params, task, backtest)
    "univariate holdout": ({}, task_params("univariate"), "holdout"),
    "multistep log, first then seasonal differences, expanding": (
        {"transform": "log", "diff_interval": [1, 2]}, task_params("multistep_vector", 3), "expanding"),
    "boxcox sliding": ({"transform": "boxcox"}, task_params("univariate"), "sliding"),
    "multiple input, an undifferenced covariate": (
        {"covariates": ["x"], "undifferenced": ["x"]}, task_params("multiple_input_multistep", 2), "holdout"),
    "parallel multistep, no differencing": (
        {"covariates": ["x"], "diff_interval": []}, task_params("multiple_parallel_multistep", 2), "expanding"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_series_is_prepared_exactly_as_alone(case, monkeypatch):
    # windows cut from every series at once (the first case), or from two or three series at a time
    monkeypatch.setattr(panel, "CHUNK_ROWS", 100_000 if case == next(iter(CASES)) else 50)
    changes, task, options = CASES[case]
    series, data = make_panel(covariate=True), params(**changes)
    plans, scaled, fitted, windows = prepared(series, data, task, BACKTESTS[options])
    assert list(scaled.columns[:3]) == ["series", "fit", "month"]
    assert list(windows["ids"]) == list(series)
    for s, (name, frame) in enumerate(series.items()):
        plan, alone, alone_fitted, alone_windows = single(frame, data, task, BACKTESTS[options])
        assert plans[name] == plan
        assert fitted[name] == alone_fitted
        block = scaled[scaled["series"] == name].drop(columns="series").set_index("month")
        pd.testing.assert_frame_equal(block, alone)
        mine = of_series(windows, s)
        for key, array in alone_windows.items():
            np.testing.assert_array_equal(mine[key], array, err_msg=f"{name}: {key}")
            assert mine[key].dtype == array.dtype


def test_a_one_series_panel_gives_exactly_the_single_series_arrays():
    series, data, task = make_panel(lengths=(40,)), params(diff_interval=[1, 2]), task_params("multistep_vector", 2)
    *_, windows = prepared(series, data, task)
    *_, alone = single(series["s00"], data, task)
    assert set(windows) == {*alone, "series", "ids"}
    for key, array in alone.items():
        np.testing.assert_array_equal(windows[key], array)
        assert windows[key].shape == array.shape and windows[key].dtype == array.dtype
    assert (windows["series"] == 0).all() and list(windows["ids"]) == ["s00"]


def test_windows_layout_series_rows_and_training_masks():
    series, data, task = make_panel(), params(n_lags=4), task_params("multistep_vector", 2)
    plans, _, _, windows = prepared(series, data, task, BACKTESTS["expanding"])
    n_fits = len(next(iter(plans.values())).fits)
    n = len(windows["first_rows"])
    assert windows["X"].shape == (n_fits, n, 4, 1) and windows["y"].shape == (n_fits, n, 2, 1)
    assert windows["X"].dtype == windows["y"].dtype == np.float32
    assert (np.diff(windows["series"]) >= 0).all()  # series after series, in series order
    counts = np.bincount(windows["series"])
    # rows after the one lost to differencing, less a window's lags and steps
    np.testing.assert_array_equal(counts, [n_rows - 1 - 4 - 2 + 1 for n_rows in LENGTHS])
    for s, plan in enumerate(plans.values()):
        rows = windows["first_rows"][windows["series"] == s]
        np.testing.assert_array_equal(rows, np.arange(1 + 4, LENGTHS[s] - 2 + 1))  # each within its own series
        for k, fit in enumerate(plan.fits):
            trains = windows["train"][k, windows["series"] == s]
            np.testing.assert_array_equal(trains, (rows - 4 >= fit.start) & (rows + 1 < fit.cut))
    assert list(windows["final"]) == [False] * (n_fits - 1) + [True]
    assert windows["train"][-1].all()  # the final fit trains on every window of every series


def test_no_held_out_row_reaches_a_scaler_and_no_series_reaches_another():
    series, data, task = make_panel(), params(transform="boxcox", diff_interval=[1, 2]), task_params(
        "multistep_vector", 2)
    options = BACKTESTS["expanding"]
    plans, _, fitted, windows = prepared(series, data, task, options)
    mine = windows["series"] == 2
    backtest_fits = [k for k, fit in enumerate(plans["s02"].fits) if not fit.final]
    assert len(backtest_fits) > 1
    for k in backtest_fits:  # the rows fit k holds out (from its cut on) changed: nothing fit k trains on changes
        changed = dict(series)
        changed["s02"] = series["s02"].copy()
        changed["s02"].iloc[plans["s02"].fits[k].cut:] *= 3
        _, _, fitted_changed, changed_windows = prepared(changed, data, task, options)
        assert fitted_changed["s02"][k] == fitted["s02"][k]
        assert fitted_changed["s02"][-1] != fitted["s02"][-1]  # the final fit trains on every row
        trains = windows["train"][k] & mine
        np.testing.assert_array_equal(changed_windows["X"][k][trains], windows["X"][k][trains])
        np.testing.assert_array_equal(changed_windows["y"][k][trains], windows["y"][k][trains])
        assert not np.array_equal(changed_windows["y"][k][mine], windows["y"][k][mine])
    # every value of one series changed: every other series' windows and transforms stay as they were
    changed["s02"] = series["s02"] * 1.7 + 5
    _, _, fitted_changed, changed_windows = prepared(changed, data, task, options)
    others = ~mine
    for key in ("X", "y"):
        np.testing.assert_array_equal(changed_windows[key][:, others], windows[key][:, others])
        assert not np.array_equal(changed_windows[key][:, mine], windows[key][:, mine])
    assert all(fitted_changed[name] == fitted[name] for name in series if name != "s02")


def test_minimum_rows_is_the_shortest_series_the_single_series_functions_accept():
    data, task = params(diff_interval=[1, 2]), task_params("multistep_vector", 3)
    for options in BACKTESTS.values():
        needed = panel.minimum_rows(["value"], data, task, options)
        frame = make_panel(lengths=(needed,))["s00"]
        single(frame, data, task, options)  # accepted
        with pytest.raises(UserError):
            single(frame.iloc[1:], data, task, options)
    assert panel.minimum_rows(["value"], params(test_size=2), task, HOLDOUT) is None  # 3 steps, 2 test rows


def test_a_series_too_short_is_named_with_the_fix_or_dropped(caplog):
    series, data, task = make_panel(lengths=(30, 9, 24, 8)), params(), task_params("univariate")
    needed = panel.minimum_rows(["value"], data, task, HOLDOUT)
    assert 9 < needed <= 24
    with pytest.raises(UserError) as error:
        panel.long_enough(series, data, task, HOLDOUT, "data/series.csv")
    message = str(error.value)
    assert "\n" not in message
    for part in ("data/series.csv", "'s01' has 9 rows", f"the {needed} needed", "1 more series too short: s03)",
                 "-S data.drop_short=true", "shorten data.n_lags or the held-out rows"):
        assert part in message
    caplog.set_level(logging.INFO)
    kept = panel.long_enough(series, params(drop_short=True), task, HOLDOUT, "data/series.csv",
                             logging.getLogger("transform"))
    assert list(kept) == ["s00", "s02"]
    assert f"dropped 2 series too short (fewer than {needed} rows): s01, s03" in caplog.text
    with pytest.raises(UserError, match="every series is shorter"):
        panel.long_enough({"a": series["s01"]}, params(drop_short=True), task, HOLDOUT, "data/series.csv")


def test_a_value_log_cannot_take_names_its_series():
    series = make_panel()
    series["s03"] = series["s03"].copy()
    series["s03"].iloc[4, 0] = -1.0
    data = params(transform="log")
    plans = long_format.plans(HOLDOUT, series, 2, 3, "series.csv")
    with pytest.raises(UserError, match=r"series.csv: series 's03': column 'value' row 6 .* is -1"):
        panel.transform(series, data, plans, "series.csv")


@pytest.mark.parametrize("power", [None, "log", "boxcox"])
@pytest.mark.parametrize("lags", [[1], [1, 2], []])
def test_forecasts_come_back_to_original_units_per_series(lags, power):
    series, data, task = make_panel(), params(transform=power, diff_interval=lags), task_params("multistep_vector", 3)
    plans, _, fitted, windows = prepared(series, data, task, BACKTESTS["expanding"])
    fitted = panel.read_fits(json.loads(json.dumps(panel.write_fits(fitted))))  # as scaling.json holds them
    ids = list(windows["ids"])
    perfect = np.stack([windows["y"]] * 2, axis=1).astype(float)  # [fits, repeats, n, n_out, 1]
    levels = panel.to_original_units(perfect, windows["series"], windows["first_rows"], ids, fitted, series,
                                     ["value"])
    assert levels.shape == perfect.shape
    rows = windows["first_rows"][:, None] + np.arange(3)
    for s, name in enumerate(ids):
        mine = windows["series"] == s
        truth = series[name]["value"].to_numpy()[rows[mine]]
        for k in range(perfect.shape[0]):
            np.testing.assert_allclose(levels[k, :, mine, :, 0], np.stack([truth] * 2, axis=1), rtol=1e-5)
            alone = transforms.to_original_units(perfect[k][:, mine], windows["first_rows"][mine],
                                                 [fitted[name][k]["value"]], series[name][["value"]].to_numpy())
            np.testing.assert_array_equal(levels[k][:, mine], alone)
    # any subset of windows, in any order, with the fits named
    chosen = np.random.default_rng(1).permutation(len(windows["series"]))[:40]
    some = panel.to_original_units(perfect[[2]][:, :, chosen], windows["series"][chosen],
                                   windows["first_rows"][chosen], ids, fitted, series, ["value"], fits=[2])
    np.testing.assert_array_equal(some[0], levels[2][:, chosen])


def test_the_stages_write_the_panel_files(tmp_path, monkeypatch):
    from stages import transform as transform_stage
    from stages import window as window_stage

    series = make_panel(lengths=(30, 9, 24), dates=True)
    overrides = ["data.target=value", "data.id_column=series", "data.drop_short=true", "data.n_lags=3",
                 "data.val_size=2", "data.test_size=3", "data.diff_interval=1", "task=multistep_vector",
                 "task.n_out=2", "model=vanilla", "baselines=persistence"]
    load_config(tmp_path, conf_overrides=overrides)  # params.yaml in tmp_path
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    long_format.long_frame(series, "series").to_csv("data/series.csv", index=False)
    transform_stage.main([])
    window_stage.main([])
    origins = pd.read_csv("data/origins.csv")
    transformed = pd.read_csv("data/transformed.csv")
    assert origins.columns[0] == "series" and list(transformed.columns[:3]) == ["series", "fit", "date"]
    assert list(origins["series"].unique()) == ["s00", "s02"]  # s01 dropped: too short
    scaling = json.loads((tmp_path / "data/scaling.json").read_text())
    assert list(scaling) == ["s00", "s02"] and len(scaling["s00"]) == 2  # the holdout's fit and the final fit
    with np.load("data/windows.npz") as saved:
        windows = dict(saved)
    kept = {name: series[name] for name in ("s00", "s02")}
    data = params(n_lags=3, diff_interval=1)
    *_, expected = prepared(kept, data, task_params("multistep_vector", 2))
    assert set(windows) == set(expected)
    for key, array in expected.items():  # through the CSV files, the same arrays as in memory
        np.testing.assert_array_equal(windows[key], array, err_msg=key)


def test_several_targets_come_back_each_with_its_own_transform():
    series = make_panel(covariate=True)
    data = params(covariates=["x"], undifferenced=["x"], transform="log")
    task = task_params("multiple_parallel_multistep", 2)
    _, _, fitted, windows = prepared(series, data, task)
    forecasts = windows["y"][:, None].astype(float)  # [fits, 1 repeat, n, 2 steps, 2 targets: x, value]
    forecasts[0, 0, 3, 1, 1] = np.inf  # a diverged repeat's forecast: missing, as for one series
    levels = panel.to_original_units(forecasts, windows["series"], windows["first_rows"], list(windows["ids"]),
                                     fitted, series, ["x", "value"])
    assert np.isnan(levels[0, 0, 3, 1, 1]) and np.isfinite(np.delete(levels[0, 0, :, :, 1], 3, axis=0)).all()
    for s, name in enumerate(windows["ids"]):
        mine = windows["series"] == s
        for k in range(len(windows["final"])):
            alone = transforms.to_original_units(forecasts[k][:, mine], windows["first_rows"][mine],
                                                 [fitted[name][k]["x"], fitted[name][k]["value"]],
                                                 series[name][["x", "value"]].to_numpy())
            np.testing.assert_array_equal(levels[k][:, mine], alone)


@pytest.mark.parametrize("ids", [("s00", "s01"), ('a "quoted", id', "b")])
def test_the_fast_csv_writer_reads_back_as_the_frame_it_wrote(tmp_path, ids):
    series = make_panel(lengths=(20, 25), dates=True)
    series = dict(zip(ids, series.values()))
    plans = long_format.plans(HOLDOUT, series, 2, 3, "series.csv")
    scaled, _ = panel.transform(series, params(transform="log"), plans, "series.csv")
    path = tmp_path / "transformed.csv"
    panel.write_csv(path, scaled)
    text = path.read_text()
    assert text.splitlines()[0] == "series,fit,date,value"
    assert "00:00" not in text  # dates at midnight written as dates, as pandas writes them
    read = pd.read_csv(path, dtype={"series": str}, parse_dates=["date"], float_precision="round_trip",
                       keep_default_na=False, na_values=[""])
    pd.testing.assert_frame_equal(read, scaled, check_exact=True, check_dtype=False)
