"""Read and validate the input CSV into a clean, date-indexed series."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lstm_tuning.errors import UserError


def load_series(path: str | Path, date_column: str, target: str, date_format: str | None = None) -> pd.Series:
    """Return the target column indexed by parsed dates, or raise UserError naming what is wrong."""
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
    for param, column in (("data.date_column", date_column), ("data.target", target)):
        if column not in frame.columns:
            found = ", ".join(map(str, frame.columns))
            raise UserError(f"{path}: no column {column!r} ({param}); columns found: {found}")
    if frame.empty:
        raise UserError(f"{path}: has a header but no data rows")

    # rows are reported as the line numbers of the file: the header is line 1
    text = frame[target].str.strip()
    missing = text == ""
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        row = int(bad.idxmax())
        raise UserError(
            f"{path}: column {target!r} row {row + 2}: {text[row]!r} is not a number; fix or remove that row"
        )
    if missing.any():
        row = int(missing.idxmax())
        raise UserError(f"{path}: column {target!r} row {row + 2} is empty; fill or remove missing values")

    try:
        dates = pd.to_datetime(frame[date_column], format=date_format)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{path}: column {date_column!r} has a date that does not parse ({str(exc).splitlines()[0]}); "
            "set data.date_format"
        ) from None
    duplicated = dates.duplicated()
    if duplicated.any():
        row = int(duplicated.idxmax())
        raise UserError(f"{path}: column {date_column!r} row {row + 2}: date {frame[date_column][row]} appears twice")
    if not dates.is_monotonic_increasing:
        row = int((dates.diff() < pd.Timedelta(0)).idxmax())
        raise UserError(
            f"{path}: column {date_column!r} row {row + 2}: dates are not in increasing order; sort the file by date"
        )
    return pd.Series(values.to_numpy(dtype=float), index=pd.DatetimeIndex(dates, name="date"), name=target)
