"""Calendar inputs (data.calendar): each feature's sine and cosine for known dates, the windows carrying the
calendar of the time each input row forecasts next (one series and a panel, the panel exactly as each series
alone), the times past the end continued by the frequency, and the refusals: an unknown feature, a time column
without dates, a feature finer than the data's frequency, the stateful model."""

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT, data_params, load_config, option_params, task_params, windows_in_memory

from lstm_tuning.data import calendar, framings, long_format, panel, sources, timeline, transforms
from lstm_tuning.data.specs import CALENDAR
from lstm_tuning.errors import UserError

ALL = ["month_of_year", "quarter_of_year", "day_of_week"]


def angles(positions, period):
    """The expected (sin, cos) pairs of positions in a cycle of `period`."""
    angle = 2 * np.pi * np.asarray(positions) / period
    return np.stack([np.sin(angle), np.cos(angle)], axis=1)


def test_each_feature_is_the_sine_and_cosine_of_its_position_in_its_cycle():
    # Monday 1 January, Thursday 1 March (2001), Sunday 1 April, Sunday 1 July, Monday 1 October, Saturday 1 December
    times = pd.DatetimeIndex(["2001-01-01", "2001-03-01", "2001-04-01", "2001-07-01", "2001-10-01", "2001-12-01"])
    found = calendar.encode(times, ALL)
    assert calendar.columns(ALL) == ["month_of_year_sin", "month_of_year_cos", "quarter_of_year_sin",
                                     "quarter_of_year_cos", "day_of_week_sin", "day_of_week_cos"]
    np.testing.assert_allclose(found[0], [0, 1, 0, 1, 0, 1], atol=1e-12)  # January, the first quarter, a Monday
    np.testing.assert_allclose(found[:, :2], angles([0, 2, 3, 6, 9, 11], 12), atol=1e-12)
    np.testing.assert_allclose(found[2, :2], [1, 0], atol=1e-12)  # April: a quarter of the year
    np.testing.assert_allclose(found[3, :2], [0, -1], atol=1e-12)  # July: half
    np.testing.assert_allclose(found[:, 2:4], angles([0, 0, 1, 2, 3, 3], 4), atol=1e-12)
    np.testing.assert_allclose(found[:, 4:], angles([0, 3, 6, 6, 0, 5], 7), atol=1e-12)
    assert np.abs(found).max() <= 1
    assert list(calendar.CYCLES) == list(CALENDAR)  # the spec's names (config reads them without pandas)
    # December and January are neighbours, as close as January and February
    december, january, february = calendar.encode(pd.DatetimeIndex(["2000-12-01", "2001-01-01", "2001-02-01"]),
                                                  ["month_of_year"])
    assert np.linalg.norm(december - january) == pytest.approx(np.linalg.norm(february - january))


def test_a_row_carries_the_calendar_of_the_next_row_and_past_the_end_the_dates_continued():
    index = pd.date_range("2001-10-01", periods=3, freq="MS", name="date")  # October to December
    carried = calendar.ahead(index, None, ["month_of_year"], 1, 2, "s")
    # November, December, then January and February 2002 (past the end), then March (the last fed-back row's)
    np.testing.assert_allclose(carried, angles([10, 11, 0, 1, 2], 12), atol=1e-12)
    np.testing.assert_allclose(calendar.ahead(index, None, ["month_of_year"], 0, 0, "s"), angles([9, 10, 11], 12),
                               atol=1e-12)
    # several series at once: each one's last row continued by the step, never by the next series' first
    times = pd.DatetimeIndex(["2001-01-01", "2001-02-01", "2005-06-01", "2005-07-01", "2005-08-01"])
    found = calendar.carried(times, [2, 3], ["month_of_year"], pd.offsets.MonthBegin(), 1)
    np.testing.assert_allclose(found, angles([1, 2, 6, 7, 8], 12), atol=1e-12)


def shampoo(tmp_path, *changes):
    return load_config(tmp_path, ["model=vanilla", "data.n_lags=3", *changes])


@pytest.mark.parametrize("n_out", [1, 3])
def test_windows_carry_the_calendar_of_the_time_each_lag_row_forecasts_next(tmp_path, n_out):
    task = ["task=univariate"] if n_out == 1 else ["task=multistep_vector", f"task.n_out={n_out}"]
    cfg = shampoo(tmp_path, "data.calendar=[month_of_year,quarter_of_year]", *task)
    windows = windows_in_memory(cfg, final_fit=True)
    plain = windows_in_memory(shampoo(tmp_path, *task), final_fit=True)
    times = timeline.read(ROOT / "data" / "shampoo-sales.csv").index  # shampoo's months: 1901-01 ...
    assert isinstance(pd.read_csv(ROOT / "data" / "shampoo-sales.csv", index_col=0, parse_dates=True).index,
                      pd.DatetimeIndex)
    X = windows["X"]
    assert X.shape == (*plain["X"].shape[:3], 1 + 4)
    np.testing.assert_array_equal(X[..., :1], plain["X"])  # the values as without, the calendar after them
    for k in (0, 1):
        for w in (0, 7, len(windows["first_rows"]) - 1):
            # lag row i of window w is row first - n_lags + i: it carries the month of the row after it
            rows = windows["first_rows"][w] - 3 + np.arange(3) + 1
            times_next = pd.DatetimeIndex(times[rows])
            expected = np.concatenate([angles(times_next.month - 1, 12), angles(times_next.quarter - 1, 4)], axis=1)
            np.testing.assert_allclose(X[k, w, :, 1:], expected, atol=1e-6)
    # the last lag row carries the first forecast step's month
    first = pd.DatetimeIndex(times[windows["first_rows"]])
    np.testing.assert_allclose(X[0, :, -1, 1:3], angles(first.month - 1, 12), atol=1e-6)
    assert (X[..., 1:] == X[:1, ..., 1:]).all()  # never scaled: the same in every fit


def test_the_multiple_input_framing_carries_each_row_its_own_time():
    index = pd.date_range("2001-01-01", periods=30, freq="MS", name="date")
    series = pd.DataFrame({"x": np.arange(30.0), "y": np.arange(30.0) * 2}, index=index)
    data = data_params("csv", target="y", covariates=["x"], n_lags=3, calendar=["month_of_year"])
    cut = framings.frame(series, task_params("multiple_input"), data)
    # covariates up to and including the forecast step: its last row is the step itself
    np.testing.assert_allclose(cut.X[:, -1, 1:], angles(index.month[cut.target_rows] - 1, 12), atol=1e-6)
    np.testing.assert_allclose(cut.X[:, 0, 1:], angles(index.month[cut.target_rows - 2] - 1, 12), atol=1e-6)


def dated_panel():
    params = data_params("generated_panel", n_series=5, length=40, seed=1, start="2003-07", id_column="series",
                         target="value", date_column="month")
    long = sources.load(params)
    return {name: rows.drop(columns="series").set_index("date") for name, rows in long.groupby("series")}


def test_a_generated_panel_with_a_start_has_monthly_dates_and_otherwise_its_numbers():
    numbered = sources.load(data_params("generated_panel", n_series=5, length=40, seed=1, id_column="series",
                                        target="value", date_column="month"))
    dated = sources.load(data_params("generated_panel", n_series=5, length=40, seed=1, start="2003-07",
                                     id_column="series", target="value", date_column="month"))
    assert list(dated.columns) == ["series", "date", "value"] and list(numbered.columns) == ["series", "month", "value"]
    np.testing.assert_array_equal(dated["value"], numbered["value"])  # the same panel, dated
    months = pd.DatetimeIndex(dated["date"])
    np.testing.assert_array_equal((months.year - 2003) * 12 + months.month - 7 + 1, numbered["month"])
    assert dated.groupby("series")["date"].max().eq(pd.Timestamp("2006-10-01")).all()  # month 40: October 2006
    with pytest.raises(UserError, match=r"^data.start='July' is not a month; give one as 2001-01"):
        sources.load(data_params("generated_panel", n_series=2, start="July", id_column="series", target="value"))


@pytest.mark.parametrize("task", ["univariate", "multiple_parallel_multistep"])
def test_panel_windows_carry_each_series_own_calendar_as_that_series_alone(task, monkeypatch):
    monkeypatch.setattr(panel, "CHUNK_ROWS", 50)  # windows cut two or three series at a time
    frames = dated_panel()
    covariates = []
    if task != "univariate":
        frames = {name: frame.assign(x=np.cos(np.arange(len(frame)))) for name, frame in frames.items()}
        frames = {name: frame[["x", "value"]] for name, frame in frames.items()}
        covariates = ["x"]
    data = data_params("csv", target="value", covariates=covariates, n_lags=4, val_size=3, test_size=4,
                       id_column="series", calendar=["month_of_year", "quarter_of_year"])
    framing = task_params(task, 1 if task == "univariate" else 2)
    holdout = option_params("backtest", "holdout")
    plans = long_format.plans(holdout, frames, data.val_size, data.test_size, "series.csv")
    scaled, _ = panel.transform(frames, data, plans, "series.csv")
    windows = panel.windows(scaled, framing, data, plans, "transformed.csv")
    for s, (name, frame) in enumerate(frames.items()):
        plan = plans[name]
        alone, _ = transforms.transform(frame, data, plan, "series")
        own = framings.split_windows(alone, framing, data, plan, "transformed")
        mine = windows["series"] == s
        np.testing.assert_array_equal(windows["X"][:, mine], own["X"], err_msg=name)
        # the series' own months: the last lag row carries the month of the first step it forecasts
        first = pd.DatetimeIndex(frame.index[windows["first_rows"][mine]])
        np.testing.assert_allclose(windows["X"][0, mine, -1, -4:-2], angles(first.month - 1, 12), atol=1e-6)


def test_an_unknown_or_repeated_feature_is_refused_listing_the_valid_ones(tmp_path):
    with pytest.raises(UserError, match=r"data.calendar names 'month'.*valid: month_of_year, quarter_of_year, "
                                        r"day_of_week$"):
        shampoo(tmp_path, "data.calendar=[month]")
    with pytest.raises(UserError, match=r"names a feature twice"):
        shampoo(tmp_path, "data.calendar=[month_of_year,month_of_year]")


@pytest.mark.parametrize(("choice", "message"), [
    (["data=m3_monthly"], r"data.source=m3 numbers each series' months \(M3 ships no dates\) in column 'month'"),
    (["data=generated_panel"], r"data.source=generated_panel numbers each series' months \(data.start is null\) in "
                               r"column 'month'"),
    (["data=sine_wave"], r"data.source=sine_wave numbers its rows in column 'step'"),
])
def test_data_without_dates_is_refused_naming_the_param_the_column_and_the_fix(tmp_path, choice, message):
    with pytest.raises(UserError, match=r"data.calendar=\[month_of_year\] is derived from dates, but " + message
                       + r"; use data with a dated time column \(a CSV of dates, or data=generated_panel with "
                         r"data.start set\), or set data.calendar=\[\]$"):
        load_config(tmp_path, [*choice, "model=vanilla", "data.calendar=[month_of_year]"])
    cfg = load_config(tmp_path, ["data=generated_panel", "model=vanilla", "data.calendar=[month_of_year]",
                                 "data.start=2001-01"])
    assert cfg.data.calendar == ["month_of_year"] and cfg.data.start == "2001-01"


def test_a_numbered_time_column_a_feature_finer_than_the_frequency_or_no_frequency_is_refused():
    with pytest.raises(UserError, match=r"^s: data.calendar=\[month_of_year\] is derived from dates, but the time "
                                        r"column 'year' holds numbers; give the data a dated time column"):
        calendar.offset(pd.Index([1990, 1991, 1992], name="year"), None, ["month_of_year"], "s")
    months = pd.date_range("2001-01-01", periods=24, freq="MS", name="date")
    with pytest.raises(UserError, match=r"^s: data.calendar names day_of_week, which counts days, finer than the "
                                        r"data's frequency MS; drop it from data.calendar \(this frequency tells "
                                        r"apart: month_of_year, quarter_of_year\)$"):
        calendar.offset(months, None, ["month_of_year", "day_of_week"], "s")
    quarters = pd.date_range("2001-01-01", periods=12, freq="QS", name="date")
    with pytest.raises(UserError, match=r"names month_of_year, which counts months, finer than the data's frequency "
                                        r"QS-\w+; drop it.*tells apart: quarter_of_year\)$"):
        calendar.offset(quarters, None, ["month_of_year"], "s")
    years = pd.date_range("2001-01-01", periods=12, freq="YS", name="date")
    with pytest.raises(UserError, match=r"finer than the data's frequency YS-JAN; drop it from data.calendar$"):
        calendar.offset(years, None, ["quarter_of_year"], "s")
    with pytest.raises(UserError, match=r"needs the dates' frequency, and they have none; set data.frequency"):
        calendar.offset(pd.DatetimeIndex(["2001-01-01", "2001-01-05"], name="date"), None, ["day_of_week"], "s")
    assert quarters[-1] + calendar.offset(quarters, None, ["quarter_of_year"], "s") == pd.Timestamp("2004-01-01")
    days = pd.date_range("2001-01-01", periods=30, freq="B", name="date")  # business days: 1 to 3 days apart
    assert calendar.offset(days, None, ALL, "s") == pd.offsets.BusinessDay()
    weeks = pd.date_range("2001-01-07", periods=30, freq="W", name="date")
    assert calendar.offset(weeks, None, ["month_of_year", "quarter_of_year"], "s") == pd.offsets.Week(weekday=6)


def test_the_stateful_model_is_refused_in_one_line(tmp_path):
    with pytest.raises(UserError, match=r"model=stateful_lstm reads the n_lags target values as one timestep, with "
                                        r"no room for data.calendar=\[month_of_year\]; set data.calendar=\[\], or "
                                        r"pick a model that reads a window of inputs \(vanilla, stacked...\)$"):
        load_config(tmp_path, ["data.calendar=[month_of_year]"])


def test_ingest_refuses_a_numbered_csv_and_writes_nothing(tmp_path, monkeypatch):
    from stages import ingest

    (tmp_path / "data").mkdir()
    pd.DataFrame({"year": range(1990, 2010), "y": np.arange(20.0)}).to_csv(tmp_path / "years.csv", index=False)
    # params.yaml as `dvc exp run -S ...` composes it
    load_config(tmp_path, ["model=vanilla", "data.path=years.csv", "data.date_column=year", "data.target=y",
                           "data.calendar=[month_of_year]"])
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UserError, match=r"^years.csv: data.calendar=\[month_of_year\] is derived from dates, but the "
                                        r"time column 'year' holds numbers"):
        ingest.main([])
    assert not (tmp_path / "data" / "series.csv").exists()
