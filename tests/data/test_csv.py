"""The CSV reader: time columns of dates, of numbers kept as labels, or none (row order)."""

import numpy as np
import pandas as pd
import pytest
from helpers import data_params

from lstm_tuning.data import sources
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


def test_decimal_years_are_kept_as_labels(tmp_path):
    times = [2000.0, 2000.25, 2000.5, 2000.75]
    frame = read(write_csv(tmp_path, "t,value", times, [1.0, 2.0, 3.0, 4.0]), date_column="t")
    np.testing.assert_array_equal(frame.index, times)


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
