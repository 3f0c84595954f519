"""The time axis: the frequency declared or inferred, the first gap named, the labels past the end, the season."""

import logging

import pandas as pd
import pytest

from lstm_tuning.data import timeline
from lstm_tuning.errors import UserError

MONTHS = pd.date_range("1901-01-01", periods=12, freq="MS", name="date")


def test_dates_that_skip_a_month_warn_naming_the_gap_and_keep_the_frequency_of_the_first_dates(caplog):
    skipping = MONTHS.delete(4)  # no May
    with caplog.at_level(logging.WARNING):
        assert timeline.frequency(skipping, None, "sales.csv", warn=True) == "MS"
    assert "sales.csv: the dates skip from 1901-04-01 to 1901-06-01 (frequency MS, inferred from" in caplog.text


def test_a_declared_frequency_is_checked_against_the_dates(caplog):
    with caplog.at_level(logging.WARNING):
        assert timeline.frequency(MONTHS, "MS", "sales.csv", warn=True) == "MS"
        assert not caplog.text
        timeline.frequency(MONTHS.delete(7), "MS", "sales.csv", warn=True)
    assert "skip from 1901-07-01 to 1901-09-01 (frequency data.frequency=MS)" in caplog.text


def test_dates_without_a_regular_frequency_ask_for_one(caplog):
    dates = pd.DatetimeIndex(["2020-01-01", "2020-01-05", "2020-02-17", "2020-03-01"], name="date")
    with caplog.at_level(logging.WARNING):
        assert timeline.frequency(dates, None, "visits.csv", warn=True) is None
    assert "visits.csv: the dates have no regular frequency (2020-01-01, 2020-01-05, 2020-02-17); set data.frequency" \
        in caplog.text
    with pytest.raises(UserError, match=r"visits.csv: the time column has no regular frequency .* set data.frequency"):
        timeline.after(dates, None, 3, "visits.csv")
    assert list(timeline.after(dates, "W", 2, "visits.csv")) == list(pd.to_datetime(["2020-03-08", "2020-03-15"]))


@pytest.mark.parametrize("index, declared, expected", [
    (MONTHS, None, ["1902-01-01", "1902-02-01"]),
    (pd.date_range("1959-01-01", periods=8, freq="QS", name="date"), None, ["1961-01-01", "1961-04-01"]),
    (pd.Index([2001, 2002, 2003], name="year"), None, [2004, 2005]),
    (pd.Index([2000.0, 2000.25, 2000.5], name="year"), None, [2000.75, 2001.0]),
    (pd.Index([1, 2, 4, 5], name="year"), "1", [6, 7]),
    (pd.RangeIndex(36, name="step"), None, [36, 37]),
])
def test_the_steps_past_the_end_continue_the_frequency(index, declared, expected):
    after = timeline.after(index, declared, 2, "series")
    if isinstance(index, pd.DatetimeIndex):
        expected = pd.to_datetime(expected)
    assert list(after) == list(expected) and after.name == index.name


def test_a_date_frequency_for_numbers_and_a_bad_date_frequency_are_refused():
    with pytest.raises(UserError, match=r"data.frequency='MS' is a pandas date frequency, but the time column holds"):
        timeline.after(pd.Index([2001, 2002], name="year"), "MS", 1, "series")
    with pytest.raises(UserError, match=r"data.frequency='monthly' is not a pandas date frequency"):
        timeline.frequency(MONTHS, "monthly", "series")


@pytest.mark.parametrize("index, expected", [
    (MONTHS, 12), (pd.date_range("2000-01-01", periods=9, freq="QS"), 4),
    (pd.date_range("2000-01-03", periods=20, freq="D"), 7), (pd.date_range("2000", periods=5, freq="YS"), None),
    (pd.RangeIndex(30), None), (pd.date_range("2000-01-01", periods=6, freq="6MS"), 2),
    (pd.date_range("2000-01-01", periods=6, freq="2MS"), 6), (pd.date_range("2000-01-01", periods=6, freq="5MS"), None),
])
def test_the_season_is_a_year_of_the_frequency(index, expected):
    assert timeline.season(index, None) == expected


def test_a_panel_warns_once_naming_the_first_series_with_a_gap_and_a_series_of_another_frequency(caplog):
    indexes = {"a": MONTHS, "b": MONTHS.delete(4), "c": MONTHS[3:].delete(2), "d": MONTHS.delete(9)}
    with caplog.at_level(logging.WARNING):
        assert timeline.panel_frequency(indexes, None, "sales.csv") == "MS"
    assert caplog.text.count("skip from") == 1
    assert ("sales.csv: series 'b': the dates skip from 1901-04-01 to 1901-06-01 (frequency MS, inferred from the "
            "first dates); add the missing rows, or set data.frequency to the series' frequency (2 other series "
            "too: c, d)") in caplog.text
    caplog.clear()
    quarters = pd.date_range("1901-01-01", periods=8, freq="QS", name="date")
    with caplog.at_level(logging.WARNING):
        timeline.panel_frequency({"a": MONTHS, "b": MONTHS, "q": quarters}, None, "sales.csv")
    assert "sales.csv: series 'q' steps by QS-OCT, series 'a' by MS (1 series differ from the first)" in caplog.text
