"""Read and check a CSV of series into a clean frame indexed by time: parsed dates, the numbers of a numeric
time column (years written as numbers, step numbers) kept as labels, or row order."""

from __future__ import annotations

import csv
import logging
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

from lstm_tuning.errors import UserError

log = logging.getLogger(__name__)


def read_series(
    path: str | Path, date_column: str | None, columns: list[str], date_format: str | None = None,
    fill: str | None = None
) -> pd.DataFrame:
    """Return `columns` (the last one is data.target, the others data.covariates) indexed by time, or raise
    UserError naming what is wrong. The time column holds dates, or numbers (kept as they are, unless
    `date_format` says they are dates); `date_column` None numbers the rows.

    Missing values fail unless `fill` says how to fill them ("ffill" or "interpolate").
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: file not found; set data.path to an existing CSV")
    try:
        # as text, so "n/a" or "NaN" is reported as written rather than silently read as missing
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise UserError(f"{path}: file is empty; it needs a header row and one row per date") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    _check_header(path)
    *covariates, target = columns
    wanted = [*([("data.date_column", date_column)] if date_column is not None else []), ("data.target", target),
              *(("data.covariates", name) for name in covariates)]
    for param, column in wanted:
        if column not in frame.columns:
            found = ", ".join(map(str, frame.columns))
            if _looks_like_data(frame.columns):
                raise UserError(f"{path}: no header row (the first line is data: {found}); "
                                f"add a header naming the columns, e.g. {date_column or 'Month'},{target}")
            raise UserError(f"{path}: no column {column!r} ({param}); columns found: {found}")
    if frame.empty:
        raise UserError(f"{path}: has a header but no data rows")

    # the target first: its errors are the ones a one-series user sees
    values = {name: _numbers(frame[name], path, name, fill) for name in [target, *covariates]}
    frame_values = pd.DataFrame({name: values[name] for name in columns})
    if date_column is None:
        return frame_values.set_index(pd.RangeIndex(len(frame), name="step"))
    return frame_values.set_index(_time_index(frame[date_column], path, date_column, date_format))


def _time_index(text: pd.Series, path: Path, column: str, date_format: str | None) -> pd.Index:
    """The time column as dates, or as the numbers it holds; unique and increasing."""
    numbers = pd.to_numeric(text.str.strip(), errors="coerce")
    if date_format is None and numbers.notna().all():
        times = numbers.astype(int) if (numbers == numbers.round()).all() else numbers
        index, what, earlier = pd.Index(times, name=column), "time", times.diff() < 0
    else:
        try:
            with warnings.catch_warnings():  # pandas' guess at a format ("Could not infer format"): the error says it
                warnings.simplefilter("ignore", UserWarning)
                dates = pd.to_datetime(text, format=date_format)
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"{path}: column {column!r} has a date that does not parse ({str(exc).splitlines()[0]}); "
                "set data.date_format"
            ) from None
        index, what, earlier = pd.DatetimeIndex(dates, name="date"), "date", dates.diff() < pd.Timedelta(0)
    duplicated = index.duplicated()
    if duplicated.any():
        row = int(duplicated.argmax())
        raise UserError(f"{path}: column {column!r} row {row + 2}: {what} {text[row]} appears twice")
    if not index.is_monotonic_increasing:
        row = int(earlier.idxmax())
        raise UserError(
            f"{path}: column {column!r} row {row + 2}: {what}s are not in increasing order; sort the file by {what}"
        )
    return index

def _numbers(text: pd.Series, path: Path, column: str, fill: str | None) -> pd.Series:
    """A column of the CSV as floats; rows are reported as the line numbers of the file (the header is line 1)."""
    text = text.str.strip()
    missing = text == ""
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        row = int(bad.idxmax())
        raise UserError(
            f"{path}: column {column!r} row {row + 2}: {text[row]!r} is not a number; fix or remove that row"
        )
    infinite = values.notna() & ~values.map(lambda v: abs(v) < float("inf"))
    if infinite.any():
        row = int(infinite.idxmax())
        raise UserError(f"{path}: column {column!r} row {row + 2}: {text[row]!r} is not a finite number (or too "
                        "large for a float); fix or remove that row")
    if missing.any():
        values = _fill(values, missing, fill, path, column)
    return values.astype(float)


def _check_header(path: Path) -> None:
    """pandas renames a repeated column name (Sales, Sales.1): refuse it, so no other column is read."""
    with path.open(newline="") as handle:
        header = next(csv.reader(handle), [])
    repeated = [name for name, count in Counter(header).items() if count > 1 and name.strip()]
    if repeated:
        positions = [str(i + 1) for i, name in enumerate(header) if name == repeated[0]]
        raise UserError(f"{path}: the header names column {repeated[0]!r} {len(positions)} times (columns "
                        f"{', '.join(positions)}); give each column its own name")


def _looks_like_data(columns) -> bool:
    return any(pd.notna(pd.to_numeric(str(c), errors="coerce")) for c in columns)


def _fill(values: pd.Series, missing: pd.Series, how: str | None, path: Path, column: str) -> pd.Series:
    row = int(missing.idxmax())
    where = f"{path}: column {column!r} row {row + 2}"
    if how is None:
        raise UserError(f"{where} is empty; fill or remove missing values, or set data.fill to ffill or interpolate")
    filled = values.ffill() if how == "ffill" else values.interpolate(limit_area="inside")
    if filled.isna().any():
        row = int(filled.isna().idxmax())
        raise UserError(f"{path}: column {column!r} row {row + 2} is empty and data.fill={how} cannot fill it "
                        "(nothing before or around it); remove that row")
    log.warning("%s: filled %d missing %r values (data.fill=%s)", path, int(missing.sum()), column, how)
    return filled
