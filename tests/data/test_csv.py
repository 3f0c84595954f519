"""The CSV reader: time columns of dates (ISO, quarters, months by name, decimal years), of numbers kept as
labels, or none (row order); one series of a file of several, and text columns nothing reads; a panel (every
series of a long file, data.id_column) and its one-line errors."""

import logging

import numpy as np
import pandas as pd
import pytest
from helpers import copy_repo, data_params, dvc, set_params

from lstm_tuning import outputs
from lstm_tuning.data import sources, timeline
from lstm_tuning.errors import UserError


def write_csv(tmp_path, header, times, values):
    path = tmp_path / "series.csv"
    rows = [header] + [f"{t},{v}" for t, v in zip(times, values)] if times is not None else \
        [header] + [str(v) for v in values]
    path.write_text("\n".join(rows) + "\n")
    return str(path)


def read(path, **params):
    return sources.load(data_params("csv", path=path, target="value", **params))


def test_whole_numbers_in_the_time_column_are_kept_as_labels(tmp_path):
    frame = read(write_csv(tmp_path, "year,value", range(1990, 1996), range(6)), date_column="year")
    assert list(frame.index) == [1990, 1991, 1992, 1993, 1994, 1995] and frame.index.name == "year"
    assert frame.index.dtype.kind == "i"


@pytest.mark.parametrize("times", [
    [0.5, 1.0, 1.5, 2.0],  # not years
    [1990.1, 1990.2, 1990.3, 1990.4],  # years, but tenths are not months
    [5000.25, 5000.5, 5000.75, 5001.0],  # quarters of no calendar year
])
def test_numbers_that_are_not_calendar_times_are_kept_as_labels(tmp_path, times):
    frame = read(write_csv(tmp_path, "t,value", times, [1.0, 2.0, 3.0, 4.0]), date_column="t")
    np.testing.assert_array_equal(frame.index, times)
    assert frame.index.name == "t" and timeline.season(frame.index, None) is None


MONTHS_1949 = pd.date_range("1949-01-01", periods=24, freq="MS")
QUARTERS_1981 = pd.date_range("1981-01-01", periods=12, freq="QS")


@pytest.mark.parametrize("times, dates, season", [
    ([repr(1949 + i / 12) for i in range(24)], MONTHS_1949, 12),  # R's write.csv(time(AirPassengers))
    ([f"{1949 + i / 12:.4f}" for i in range(24)], MONTHS_1949, 12),  # 1949.0833
    ([f"{1949 + i / 12:.2f}" for i in range(24)], MONTHS_1949, 12),  # 1949.08
    ([f"{1981 + i / 4:g}" for i in range(12)], QUARTERS_1981, 4),  # 1981, 1981.25
    ([f"{1981 + i // 4} Q{i % 4 + 1}" for i in range(12)], QUARTERS_1981, 4),
    ([f"{1981 + i // 4}Q{i % 4 + 1}" for i in range(12)], QUARTERS_1981, 4),
    ([f"{1981 + i // 4}-q{i % 4 + 1}" for i in range(12)], QUARTERS_1981, 4),
    ([f"{d:%Y %b}" for d in MONTHS_1949], MONTHS_1949, 12),
    ([f"{d:%b %Y}" for d in MONTHS_1949], MONTHS_1949, 12),
    ([f"{d:%B %Y}" for d in MONTHS_1949], MONTHS_1949, 12),
    ([f"{1990 + i / 2:g}" for i in range(6)], pd.date_range("1990-01-01", periods=6, freq="6MS"), 2),  # half years
], ids=["decimal months R", "decimal months 4 digits", "decimal months 2 digits", "decimal quarters",
        "1981 Q1", "1981Q1", "1981-q1", "1949 Jan", "Jan 1949", "January 1949", "decimal half years"])
def test_times_people_write_are_dates_with_their_season_through_ingest_and_back(tmp_path, times, dates, season):
    frame = read(write_csv(tmp_path, "Time,value", times, range(len(times))), date_column="Time")
    assert isinstance(frame.index, pd.DatetimeIndex) and list(frame.index) == list(dates)
    assert timeline.season(frame.index, None) == season
    # as ingest writes data/series.csv and the later stages read it
    outputs.write_csv(tmp_path / "series.csv", frame.reset_index())
    series = timeline.read(tmp_path / "series.csv")
    assert list(series.index) == list(dates) and timeline.season(series.index, None) == season
    following = timeline.after(series.index, None, 1, "series")  # forecast.csv's first time
    assert following[0] == dates[-1] + dates.freq
    assert timeline.label(following, 0) == f"{dates[-1] + dates.freq:%Y-%m-%d}"


@pytest.mark.parametrize("times, message", [
    (["1981 Q1", "1981 Q2", "1981 Q5"], r"column 'Time' row 4: '1981 Q5' is not a quarter written like row 2's "
                                        r"'1981 Q1'; fix that row"),
    (["Jan 1939", "Feb 1939", "Mar 39"], r"column 'Time' row 4: 'Mar 39' is not a month written like row 2's "
                                         r"'Jan 1939'; fix that row"),
    (["1981 Q1", "1981 Q1"], r"column 'Time' row 3: date 1981 Q1 appears twice"),
    (["1949.5", "1949.25"], r"column 'Time' row 3: dates are not in increasing order"),
])
def test_a_row_unlike_the_others_is_named(tmp_path, times, message):
    with pytest.raises(UserError, match=message):
        read(write_csv(tmp_path, "Time,value", times, range(len(times))), date_column="Time")


def test_no_time_column_numbers_the_rows(tmp_path):
    frame = read(write_csv(tmp_path, "value", None, [5.0, 6.0, 7.0]), date_column=None)
    assert list(frame.index) == [0, 1, 2] and frame.index.name == "step"
    assert list(frame["value"]) == [5.0, 6.0, 7.0]


def test_numbers_given_a_date_format_are_dates(tmp_path):
    frame = read(write_csv(tmp_path, "day,value", [20240101, 20240102], [1, 2]), date_column="day",
                 date_format="%Y%m%d")
    assert isinstance(frame.index, pd.DatetimeIndex) and str(frame.index[1].date()) == "2024-01-02"


@pytest.mark.parametrize("times, message", [
    ([1, 2, 2, 3], r"column 'step' row 4: time 2 appears twice"),
    ([1, 3, 2, 4], r"column 'step' row 4: times are not in increasing order; sort the file by time"),
])
def test_numeric_times_must_be_unique_and_increasing(tmp_path, times, message):
    with pytest.raises(UserError, match=message):
        read(write_csv(tmp_path, "step,value", times, [1, 2, 3, 4]), date_column="step")


def long_file(tmp_path, header="Country,Quarter,Trips"):
    """Three countries' quarterly series one after the other (long form)."""
    rows = [f"{country},{1998 + i // 4} Q{i % 4 + 1},{n * 100 + i}"
            for n, country in enumerate(["Australia", "New Zealand", "United Kingdom"]) for i in range(8)]
    path = tmp_path / "long.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return str(path)


def test_data_where_keeps_one_series_and_names_rows_as_lines_of_the_file(tmp_path):
    path = long_file(tmp_path)
    frame = sources.load(data_params("csv", path=path, date_column="Quarter", target="Trips",
                                     where={"Country": "New Zealand"}))
    assert list(frame["Trips"]) == list(range(100, 108))
    assert list(frame.index) == list(pd.date_range("1998-01-01", periods=8, freq="QS"))
    text = open(path).read().replace("New Zealand,1999 Q2,105", "New Zealand,1999 Q2,n/a")
    open(path, "w").write(text)
    with pytest.raises(UserError, match=r"column 'Trips' row 15: 'n/a' is not a number"):
        sources.load(data_params("csv", path=path, date_column="Quarter", target="Trips",
                                 where={"Country": "New Zealand"}))


@pytest.mark.parametrize("where, message", [
    ({"Country": "Australia "}, None),  # spaces around a value do not count
    ({"Country": "Austria"}, r"long.csv: no row has Country='Austria' \(data.where\); column 'Country' holds "
                             r"Australia, New Zealand, United Kingdom$"),
    ({"Land": "Australia"}, r"long.csv: no column 'Land' \(data.where\); columns found: Country, Quarter, Trips"),
])
def test_data_where_names_what_it_cannot_find(tmp_path, where, message):
    params = data_params("csv", path=long_file(tmp_path), date_column="Quarter", target="Trips", where=where)
    if message is None:
        assert len(sources.load(params)) == 8
    else:
        with pytest.raises(UserError, match=message):
            sources.load(params)


def test_several_series_in_one_file_are_refused_rather_than_read_as_one(tmp_path):
    path = long_file(tmp_path)
    with pytest.raises(UserError, match=r"long.csv: column 'Country' is 'Australia' on row 2 and 'New Zealand' on "
                       r"row 10 \(3 values, each on several rows\): the file holds several series, and "
                       r"data.date_column=null would read them as one; keep one with data.where: "
                       r"\{Country: Australia\} \(and set data.date_column: Quarter\)"):
        sources.load(data_params("csv", path=path, date_column=None, target="Trips"))
    with pytest.raises(UserError, match=r"column 'Quarter' repeats '1998 Q1' on row 10: the file holds several "
                       r"series; keep one with data.where: \{Country: Australia\}"):
        sources.load(data_params("csv", path=path, date_column="Quarter", target="Trips"))


def test_a_text_column_nothing_reads_is_named_in_a_warning(tmp_path, caplog):
    path = tmp_path / "visits.csv"
    path.write_text("Month,Weekday,Unit,Note,Visits\n" + "\n".join(
        f"2020-{m:02d},{'Mon' if m % 2 else 'Tue'},people,{'x' * m},{m}" for m in range(1, 7)) + "\n")
    with caplog.at_level(logging.WARNING):
        frame = sources.load(data_params("csv", path=str(path), target="Visits"))
    assert len(frame) == 6
    # Unit holds one value: it cannot tell series apart, and is not named
    assert ("visits.csv: text columns 'Weekday', 'Note' are not read (neither data.date_column, data.target nor "
            "data.covariates); several series in one file? keep one with data.where: {Weekday: Mon}") in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        sources.load(data_params("csv", path=str(path), target="Visits", date_column=None, where={"Weekday": "Tue"}))
    assert ("text columns 'Month', 'Note' are not read (neither data.date_column, data.target nor "
            "data.covariates); if 'Month' is the time, set data.date_column: Month") in caplog.text


@pytest.mark.slow  # real DVC in a copy of the repository
def test_one_quarterly_series_of_a_long_file_is_forecast_with_dates(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    rows = [f"{country},{1981 + i // 4} Q{i % 4 + 1},{level + 2 * i + [10, -5, 20, -15][i % 4]}"
            for country, level in (("Australia", 100), ("New Zealand", 40)) for i in range(40)]
    (repo / "data/visitors.csv").write_text("\n".join(["Country,Quarter,Trips", *rows]) + "\n")
    set_params(repo, **{"data.path": "data/visitors.csv", "data.date_column": "Quarter", "data.target": "Trips",
                        "data.where": {"Country": "Australia"}, "data.test_size": 8, "forecast.horizon": 4,
                        "train.epochs": 5, "train.repeats": 1})
    dvc("repro", "forecast", cwd=repo)  # ingest, transform, forecast
    series = pd.read_csv(repo / "data/series.csv")
    assert list(series.columns) == ["date", "Trips"] and len(series) == 40
    assert list(series["date"][:2]) == ["1981-01-01", "1981-04-01"] and series["Trips"].iloc[0] == 110
    forecast = pd.read_csv(repo / "forecast/forecast.csv")
    assert list(forecast["time"]) == ["1991-01-01", "1991-04-01", "1991-07-01", "1991-10-01"]
    assert timeline.season(timeline.read(repo / "data/series.csv").index, None) == 4  # seasonal naive's season


# panels: data.id_column names each row's series; every series is read


def panel_params(path, **params):
    values = {"path": str(path), "id_column": "store", "date_column": "Month", "target": "sales",
              "covariates": ["price", "promo"]} | params
    return data_params("csv", **values)


def write_rows(tmp_path, header, rows, name="panel.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


RAGGED = {  # id -> (first month, values of sales); b starts later and ends earlier, a10 sorts before a9
    "a9": ("2020-01", [10.0, 11.0, 12.5, 13.0, 14.0, 15.0]),
    "b": ("2020-03", [7.0, 8.0, 9.0]),
    "a10": ("2020-02", [1.0, 2.0, 3.0, 4.0, 5.0]),
}


def ragged_rows():
    """The RAGGED panel as a long file sorted by month then id (the order of an export by date), each row
    `store,Month,price,sales,promo`: two covariates around the target."""
    rows = []
    for id_, (first, values) in RAGGED.items():
        for i, sales in enumerate(values):
            month = pd.Period(first, "M") + i
            rows.append((str(month), id_, f"{id_},{month},{2 * sales},{sales},{i % 2}"))
    return [row for _, _, row in sorted(rows)]


def test_a_ragged_panel_is_read_long_sorted_by_id_then_time_and_round_trips_through_series_csv(tmp_path):
    path = write_rows(tmp_path, "store,Month,price,sales,promo", ragged_rows())
    panel = sources.load(panel_params(path))
    assert list(panel.columns) == ["store", "date", "price", "promo", "sales"]
    assert list(dict.fromkeys(panel["store"])) == ["a10", "a9", "b"]  # string order, as pandas sorts text ids
    for id_, (first, values) in RAGGED.items():
        rows = panel[panel["store"] == id_]
        assert list(rows["date"]) == list(pd.date_range(f"{first}-01", periods=len(values), freq="MS"))
        assert list(rows["sales"]) == values and list(rows["price"]) == [2 * v for v in values]
        assert list(rows["promo"]) == [i % 2 for i in range(len(values))]
    # as ingest writes data/series.csv: long, one block per series
    outputs.write_csv(tmp_path / "series.csv", panel)
    written = pd.read_csv(tmp_path / "series.csv", dtype={"store": str}, parse_dates=["date"])
    pd.testing.assert_frame_equal(written, panel, check_dtype=False)
    assert (tmp_path / "series.csv").read_text().splitlines()[:2] == ["store,date,price,promo,sales",
                                                                      "a10,2020-02-01,2.0,0.0,1.0"]


def test_each_series_has_its_own_time_format_and_numbers_stay_labels(tmp_path):
    rows = [f"x,{1981 + i // 4} Q{i % 4 + 1},{i}" for i in range(6)] + [f"y,{1982 + i // 4}Q{i % 4 + 1},{i}"
                                                                        for i in range(4)]
    panel = sources.load(panel_params(write_rows(tmp_path, "store,Month,sales", rows), covariates=[]))
    assert panel["date"].iloc[0] == pd.Timestamp("1981-01-01") and panel["date"].iloc[6] == pd.Timestamp("1982-01-01")
    numbered = [f"{id_},{t},{t * 2}" for id_, times in (("x", [3, 4, 5]), ("y", [1, 2])) for t in times]
    panel = sources.load(panel_params(write_rows(tmp_path, "store,t,sales", numbered), date_column="t", covariates=[]))
    assert list(panel.columns) == ["store", "t", "sales"] and list(panel["t"]) == [3, 4, 5, 1, 2]
    unnumbered = sources.load(panel_params(write_rows(tmp_path, "store,sales", ["x,1", "y,5", "x,2"]),
                                           date_column=None, covariates=[]))
    assert list(unnumbered["step"]) == [0, 1, 0] and list(unnumbered["sales"]) == [1, 2, 5]


def test_data_where_keeps_rows_and_data_fill_fills_within_each_series(tmp_path, caplog):
    rows = ["x,2020-01,1,A", "x,2020-02,,A", "x,2020-03,3,A", "y,2020-01,,A", "y,2020-02,6,A", "z,2020-01,9,B",
            "z,2020-02,9,B"]
    path = write_rows(tmp_path, "store,Month,sales,region", rows)
    params = panel_params(path, covariates=[], where={"region": "A"}, fill="interpolate")
    with pytest.raises(UserError, match=r"panel.csv: series 'y': column 'sales' row 5 is empty and "
                                        r"data.fill=interpolate cannot fill it \(nothing before or around it\)"):
        sources.load(params)  # not from the series before it
    path.write_text(path.read_text().replace("y,2020-01,,A", "y,2020-01,4,A"))
    with caplog.at_level(logging.WARNING):
        panel = sources.load(params)
    assert list(panel["store"]) == ["x", "x", "x", "y", "y"] and list(panel["sales"]) == [1, 2, 3, 4, 6]
    assert "panel.csv: filled 1 missing 'sales' values within each series (data.fill=interpolate)" in caplog.text


@pytest.mark.parametrize("rows, params, message", [
    (["x,2020-01,1", "x,2020-02,2"], {"id_column": "shop"},
     r"panel.csv: no column 'shop' \(data.id_column\); columns found: store, Month, sales; set data.id_column to "
     r"the column naming each row's series \(null for a file of one series\)$"),
    (["x,2020-01,1", "y,2020-01,2", "x,2020-02,3", "y,2020-01,4"], {},
     r"panel.csv: series 'y' rows 3 and 5: date 2020-01 appears twice \(columns 'store', 'Month'\); keep one row "
     r"per series and time$"),
    (["x,2020-01,1", "y,2020-01,2", "y,2020-02,inf"], {},
     r"panel.csv: series 'y': column 'sales' row 4: 'inf' is not a finite number \(or too large for a float\); "
     r"fix or remove that row$"),
    (["x,2020-01,1", "y,2020-01,nan"], {},
     r"panel.csv: series 'y': column 'sales' row 3: 'nan' is not a number; fix or remove that row$"),
    (["x,2020-01,1", "y,2020-01,", "y,2020-02,2"], {},
     r"panel.csv: series 'y': column 'sales' row 3 is empty; fill or remove missing values, or set data.fill"),
    (["x,2020-01,1", ",2020-02,2"], {},
     r"panel.csv: column 'store' \(data.id_column\) row 3 is empty; name the series of every row, or remove that row$"),
    (["x,2020-02,1", "y,2020-01,2", "x,2020-01,3"], {},
     r"panel.csv: series 'x': column 'Month' row 4: dates are not in increasing order; sort the file by date$"),
    (["x,2020-01,1", "y,2020,2"], {},
     r"panel.csv: series 'y' has numbers in column 'Month' where series 'x' has dates; write every series' times "
     r"alike$"),
    (["x,1981 Q1,1", "x,1981 Q7,2"], {},
     r"panel.csv: series 'x': column 'Month' row 3: '1981 Q7' is not a quarter written like row 2's '1981 Q1'"),
], ids=["missing id column", "duplicated pair", "infinite", "not a number", "missing value", "empty id",
        "unsorted within a series", "mixed time kinds", "bad quarter"])
def test_bad_panel_input_is_one_line_naming_file_series_and_row(tmp_path, rows, params, message):
    path = write_rows(tmp_path, "store,Month,sales", rows)
    with pytest.raises(UserError, match=message):
        sources.load(panel_params(path, covariates=[], **params))


def test_a_panel_read_at_once_is_the_panel_read_series_by_series(tmp_path):
    """The fast path (every series written alike, nothing missing) reads what the series-by-series reading
    (the one that names the series in errors and fills within each) reads."""
    from lstm_tuning.data import csv

    path = write_rows(tmp_path, "store,Month,price,sales,promo", ragged_rows())
    at_once = sources.load(panel_params(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    ids = frame["store"].str.strip()
    values, times = csv._read_by_series(frame, ids, path, "Month", ["price", "promo", "sales"], None, None)
    by_series = pd.DataFrame({"store": ids, "date": times, **{name: values[name].to_numpy() for name in values}})
    by_series = by_series.sort_values("store", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(by_series[at_once.columns], at_once)


def test_a_text_column_a_panel_does_not_read_is_named_and_its_times_repeat_across_series(tmp_path, caplog):
    rows = [f"{id_},{category},2020-0{m},{m}" for id_, category in (("x", "MICRO"), ("y", "MACRO"), ("z", "MICRO"))
            for m in range(1, 4)]
    path = write_rows(tmp_path, "store,category,Month,sales", rows)
    with caplog.at_level(logging.WARNING):
        panel = sources.load(panel_params(path, covariates=[]))
    assert len(panel) == 9
    assert ("panel.csv: text column 'category' is not read (neither data.id_column, data.date_column, data.target "
            "nor data.covariates)") in caplog.text
    kept = sources.load(panel_params(path, covariates=[], where={"category": "MICRO"}))
    assert list(dict.fromkeys(kept["store"])) == ["x", "z"]
