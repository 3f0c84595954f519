"""Read and check a CSV of series into a clean frame indexed by time.

The time column may hold ISO dates (or any format `data.date_format` names), quarters (`1981 Q1`, `1981Q1`,
`1981-Q1`), months by name (`1939 Jan`, `Jan 1939`), or decimal years (R's `ts` time: `1949.0833` is
February 1949, `1981.25` the second quarter of 1981): all become dates, a month or quarter at its first day.
Other numbers (whole years, step numbers) are kept as labels; no time column numbers the rows.

A file can hold several series side by side in long form (a text column such as `Country`): `data.where`
keeps the rows of one; text columns nothing reads are named in a warning, and refused when they repeat and
nothing else tells the series apart. With `data.id_column` the file is a panel: every series of it is read
(`read_panel`), each one's times, values and missing values as a file of one series has them.
"""

from __future__ import annotations

import csv
import json
import logging
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning.data.timeline import DATES
from lstm_tuning.errors import UserError

log = logging.getLogger(__name__)

# year first, then the quarter: 1981 Q1, 1981Q1, 1981-Q1 (pandas' Period parser reads the last two only)
QUARTER = r"(?P<year>\d{4})\s*-?\s*[Qq](?P<quarter>[1-4])"
# months by name, abbreviated or in full, either order: tried in turn on the first row
MONTH_FORMATS = ("%Y %b", "%b %Y", "%Y-%b", "%b-%Y", "%Y %B", "%B %Y", "%Y-%B", "%B-%Y")
# decimal years: each value within 0.1 month of a month's or a quarter's start, the values between these
YEARS = (1000, 3000)
MONTHS_OFF = 0.1


def read_series(
    path: str | Path, date_column: str | None, columns: list[str], date_format: str | None = None,
    fill: str | None = None, where: dict[str, str] | None = None
) -> pd.DataFrame:
    """Return `columns` (the last one is data.target, the others data.covariates) indexed by time, or raise
    UserError naming what is wrong. `date_column` None numbers the rows; `where` (data.where) keeps the
    rows where each of its columns holds its value.

    Missing values fail unless `fill` says how to fill them ("ffill" or "interpolate").
    """
    path = Path(path)
    frame = _read_rows(path, None, date_column, columns, where)
    *covariates, target = columns
    # the target first: its errors are the ones a one-series user sees
    values = {name: _numbers(frame[name], path, name, fill) for name in [target, *covariates]}
    frame_values = pd.DataFrame({name: values[name] for name in columns})
    if date_column is None:
        return frame_values.set_index(pd.RangeIndex(len(frame), name="step"))
    return frame_values.set_index(_time_index(frame[date_column], path, date_column, date_format))


def read_panel(
    path: str | Path, id_column: str, date_column: str | None, columns: list[str], date_format: str | None = None,
    fill: str | None = None, where: dict[str, str] | None = None
) -> pd.DataFrame:
    """A long file of many series (a panel): one row per (series, time), the series' rows in any order of
    series. Return the columns `id_column` (the ids, as text), the time (`date` for dates, else `date_column`;
    `step`, the row order of each series, when `date_column` is None), then `columns`; sorted by id, then time.
    Each series is read as `read_series` reads a file of one: its own time format, its missing values filled
    within it, its errors named with the series and the row of the file. Series may start and end at
    different times.
    """
    path = Path(path)
    frame = _read_rows(path, id_column, date_column, columns, where)
    ids = frame[id_column].str.strip()
    if (ids == "").any():
        row = int((ids == "").to_numpy().argmax())
        raise UserError(f"{path}: column {id_column!r} (data.id_column) row {ids.index[row] + 2} is empty; name the "
                        "series of every row, or remove that row")
    *covariates, target = columns
    try:  # the usual file, every series' times written alike and no value missing: read at once (fast)
        values = {name: _numbers(frame[name], path, name, None) for name in [target, *covariates]}
        times = _times(frame[date_column], path, date_column, date_format) if date_column is not None else None
    except UserError:  # series by series: the error names its series, and data.fill fills within each
        values, times = _read_by_series(frame, ids, path, date_column, columns, date_format, fill)
    if date_column is None:
        times = pd.Index(ids.groupby(ids).cumcount().to_numpy(), name="step")
    else:
        _check_each_series_in_time_order(ids, times, frame[date_column].str.strip(), path, id_column, date_column)
    panel = pd.DataFrame({id_column: ids.to_numpy(), times.name: times,
                          **{name: values[name].to_numpy(float) for name in columns}})
    return panel.iloc[np.argsort(ids.to_numpy(), kind="stable")].reset_index(drop=True)  # str ids: string order


def _read_by_series(frame: pd.DataFrame, ids: pd.Series, path: Path, date_column: str | None, columns: list[str],
                    date_format: str | None, fill: str | None) -> tuple[dict[str, pd.Series], pd.Index | None]:
    """The values and times of a panel read one series at a time (in id order), in the rows' file order."""
    *covariates, target = columns
    values, times, filled, kinds = {name: [] for name in columns}, [], Counter(), {}
    for number, (series, rows) in enumerate(frame.groupby(ids, sort=True)):
        source = f"{path}: series {series!r}"
        for name in [target, *covariates]:
            values[name].append(_numbers(rows[name], source, name, fill, announce=False))
        filled.update({name: int((rows[name].str.strip() == "").sum()) for name in columns})
        if date_column is None:
            continue
        index = _times(rows[date_column], source, date_column, date_format, announce=number == 0)
        kinds.setdefault(_kind(index), series)
        if len(kinds) > 1:
            (first_kind, first), (kind, _) = kinds.items()
            raise UserError(f"{path}: series {series!r} has {kind} in column {date_column!r} where series {first!r} "
                            f"has {first_kind}; write every series' times alike")
        times.append(pd.Series(index, index=rows.index))
    if fill and sum(filled.values()):
        log.warning("%s: filled %s within each series (data.fill=%s)", path,
                    ", ".join(f"{count} missing {name!r} values" for name, count in filled.items() if count), fill)
    in_file_order = {name: pd.concat(parts).loc[frame.index] for name, parts in values.items()}
    if date_column is None:
        return in_file_order, None
    ordered = pd.concat(times).loc[frame.index]
    if kinds.popitem()[0] == "dates":
        return in_file_order, pd.DatetimeIndex(ordered, name=DATES)
    return in_file_order, pd.Index(ordered.to_numpy(), name=date_column)


def _kind(times: pd.Index) -> str:
    return "dates" if isinstance(times, pd.DatetimeIndex) else "numbers"


def _check_each_series_in_time_order(ids: pd.Series, times: pd.Index, text: pd.Series, path: Path, id_column: str,
                                     date_column: str) -> None:
    """One row per (series, time), named by both its rows of the file; each series' rows in time order."""
    what = "date" if isinstance(times, pd.DatetimeIndex) else "time"
    keyed = pd.DataFrame({"series": ids.to_numpy(), "time": times, "row": ids.index + 2, "text": text.to_numpy()})
    repeated = keyed.duplicated(["series", "time"])
    if repeated.any():
        second = keyed[repeated].iloc[0]
        first = keyed[(keyed["series"] == second["series"]) & (keyed["time"] == second["time"])].iloc[0]
        raise UserError(f"{path}: series {second['series']!r} rows {first['row']} and {second['row']}: {what} "
                        f"{second['text']} appears twice (columns {id_column!r}, {date_column!r}); keep one row per "
                        "series and time")
    by_series = keyed.iloc[np.argsort(ids.to_numpy(), kind="stable")]  # each series' rows in file order
    same_series = by_series["series"].eq(by_series["series"].shift())
    backwards = same_series & by_series["time"].lt(by_series["time"].shift())
    if backwards.any():
        late = by_series[backwards].sort_values("row").iloc[0]
        raise UserError(f"{path}: series {late['series']!r}: column {date_column!r} row {late['row']}: {what}s are not "
                        f"in increasing order; sort the file by {what}")


def _read_rows(path: Path, id_column: str | None, date_column: str | None, columns: list[str],
               where: dict[str, str] | None) -> pd.DataFrame:
    """The rows of the CSV (the `where` ones) as text, each labelled by its position in the file; the columns
    the params name are checked to be there."""
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
    where = dict(where or {})
    wanted = [*([("data.date_column", date_column)] if date_column is not None else []),
              *([("data.id_column", id_column)] if id_column is not None else []), ("data.target", target),
              *(("data.covariates", name) for name in covariates), *(("data.where", name) for name in where)]
    for param, column in wanted:
        if column not in frame.columns:
            found = ", ".join(map(str, frame.columns))
            if _looks_like_data(frame.columns):
                raise UserError(f"{path}: no header row (the first line is data: {found}); "
                                f"add a header naming the columns, e.g. {date_column or 'Month'},{target}")
            fix = ("; set data.id_column to the column naming each row's series (null for a file of one series)"
                   if param == "data.id_column" else "")
            raise UserError(f"{path}: no column {column!r} ({param}); columns found: {found}{fix}")
    if frame.empty:
        raise UserError(f"{path}: has a header but no data rows")
    # the rows kept keep their labels: a label + 2 is the row's line in the file (the header is line 1)
    frame = _rows_where(frame, where, path)
    _check_unread_text(frame, path, date_column, [*columns, *where], id_column)
    return frame


def _rows_where(frame: pd.DataFrame, where: dict[str, str], path: Path) -> pd.DataFrame:
    for column, value in where.items():
        text = frame[column].str.strip()
        kept = text == str(value).strip()
        if not kept.any():
            found = text.unique()
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise UserError(f"{path}: no row has {column}={value!r} (data.where); column {column!r} holds {shown}")
        frame = frame[kept]
    return frame


def _check_unread_text(frame: pd.DataFrame, path: Path, date_column: str | None, read: list[str],
                       id_column: str | None = None) -> None:
    """Text columns that no param reads and that hold more than one value: a file of several series in long
    form (Country, State...) is refused when nothing tells its rows apart (no time column, or a time that
    repeats), else named in a warning. In a panel (`id_column`) such a column is only named: the ids tell
    its series apart, and a time repeated within one is refused naming both rows."""
    unread = [name for name in frame.columns
              if name not in read and name not in (date_column, id_column) and frame[name].str.strip().nunique() > 1
              and not _is_numeric(frame[name])]
    if unread and id_column is not None:
        several = len(unread) > 1
        log.warning("%s: text column%s %s %s not read (neither data.id_column, data.date_column, data.target nor "
                    "data.covariates)", path, "s" if several else "", ", ".join(map(repr, unread)),
                    "are" if several else "is")
        return
    if not unread:
        return
    dated = [name for name in unread if _looks_like_time(frame[name].str.strip())]
    # a column naming series: every value on several rows
    keys = [name for name in unread if name not in dated and frame[name].str.strip().value_counts().min() >= 2]
    hint = _where_hint(frame, keys)
    if keys and date_column is None:
        time = f"data.date_column: {dated[0]}" if dated else "data.date_column to its time column"
        raise UserError(f"{path}: {_changes(frame, keys[0])}: the file holds several series, and "
                        f"data.date_column=null would read them as one; keep one with data.where: {hint} (and set "
                        f"{time}), or delete the column if it does not name a series")
    times = frame[date_column].str.strip() if date_column is not None else None
    if keys and times.duplicated().any():
        line = times.index[int(times.duplicated().argmax())] + 2
        raise UserError(f"{path}: {_changes(frame, keys[0])}, and column {date_column!r} repeats "
                        f"{times[line - 2]!r} on row {line}: the file holds several series; keep one with "
                        f"data.where: {hint}")
    advice = ""
    if keys:
        advice = f"; several series in one file? keep one with data.where: {hint}"
    elif date_column is None and dated:
        advice = f"; if {dated[0]!r} is the time, set data.date_column: {dated[0]}"
    several = len(unread) > 1
    log.warning("%s: text column%s %s %s not read (neither data.date_column, data.target nor data.covariates)%s",
                path, "s" if several else "", ", ".join(map(repr, unread)), "are" if several else "is", advice)


def _changes(frame: pd.DataFrame, column: str) -> str:
    """Where a column naming series first changes value, as rows of the file."""
    text = frame[column].str.strip()
    first, other = text.iloc[0], int((text != text.iloc[0]).to_numpy().argmax())
    return (f"column {column!r} is {first!r} on row {text.index[0] + 2} and {text.iloc[other]!r} on row "
            f"{text.index[other] + 2} ({text.nunique()} values, each on several rows)")


def _where_hint(frame: pd.DataFrame, columns: list[str]) -> str:
    """data.where keeping the series of the first row, as YAML (a value is quoted when YAML needs it)."""
    def scalar(value: str) -> str:
        plain = value and value.strip() == value and not any(c in value for c in ":,{}[]#&*!|>'\"%@`")
        return value if plain else json.dumps(value)
    return "{" + ", ".join(f"{name}: {scalar(frame[name].iloc[0].strip())}" for name in columns) + "}"


def _looks_like_time(text: pd.Series) -> bool:
    """Quarters, months by name or ISO dates on every row (the forms read without data.date_format)."""
    if text.str.fullmatch(QUARTER).all():
        return True
    formats = (*MONTH_FORMATS, "ISO8601")
    return any(pd.to_datetime(text, format=f, errors="coerce").notna().all() for f in formats)


def _is_numeric(text: pd.Series) -> bool:
    text = text.str.strip()
    return bool(pd.to_numeric(text[text != ""], errors="coerce").notna().all())


def _time_index(text: pd.Series, path: Path | str, column: str, date_format: str | None) -> pd.Index:
    """The time column as dates, or as the numbers it holds; unique and increasing."""
    index = _times(text, path, column, date_format)
    _check_times(index, text.str.strip(), path, column)
    return index


def _times(text: pd.Series, path: Path | str, column: str, date_format: str | None,
           announce: bool = True) -> pd.Index:
    """The time column as dates, or as the numbers it holds (`announce`: log how decimal years were read).
    `path` names the file (and the series of a panel) in messages."""
    text = text.str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    if date_format is None and numbers.notna().all():
        index = _decimal_years(numbers, path, column, announce)
        if index is None:
            times = numbers.astype(int) if (numbers == numbers.round()).all() else numbers
            index = pd.Index(times.to_numpy(), name=column)
        return index
    return _dates(text, path, column, date_format)


def _check_times(index: pd.Index, text: pd.Series, path: Path | str, column: str) -> None:
    what = "date" if isinstance(index, pd.DatetimeIndex) else "time"
    duplicated = index.duplicated()
    if duplicated.any():
        at = int(duplicated.argmax())
        raise UserError(f"{path}: column {column!r} row {text.index[at] + 2}: {what} {text.iloc[at]} appears twice")
    if not index.is_monotonic_increasing:
        at = int(np.argmax(index[1:] < index[:-1])) + 1
        raise UserError(
            f"{path}: column {column!r} row {text.index[at] + 2}: {what}s are not in increasing order; sort the "
            f"file by {what}"
        )


def _decimal_years(numbers: pd.Series, path: Path | str, column: str,
                   announce: bool = True) -> pd.DatetimeIndex | None:
    """Years written as decimals, R's `ts` time (year + (month - 1) / 12, or + (quarter - 1) / 4): the first
    day of each month or quarter. None when the numbers are not such years (whole numbers, outside YEARS, or
    a fraction off the grid of months): they stay labels."""
    if (numbers == numbers.round()).all() or not numbers.between(*YEARS).all():
        return None
    for per_year, field, name in ((4, "quarter", "quarters"), (12, "month", "months")):
        periods = numbers.to_numpy(float) * per_year
        counts = np.round(periods)
        if (np.abs(periods - counts) <= MONTHS_OFF * per_year / 12).all():
            counts = counts.astype(int)
            dates = pd.PeriodIndex.from_fields(year=counts // per_year, **{field: counts % per_year + 1},
                                               freq=field[0].upper()).to_timestamp().rename(DATES)
            if announce:
                log.info("%s: column %r holds decimal years: read as %s, %s to %s", path, column, name,
                         dates[0].strftime("%Y-%m"), dates[-1].strftime("%Y-%m"))
            return dates
    return None


def _dates(text: pd.Series, path: Path | str, column: str, date_format: str | None) -> pd.DatetimeIndex:
    """Dates in `date_format`, or with none: quarters, months by name, else what pandas parses (ISO dates)."""
    if date_format is None:
        quarters = text.str.fullmatch(QUARTER)
        if quarters.iloc[0]:
            _check_like_first(text, quarters, path, column, "a quarter")
            parts = text.str.extract(QUARTER).astype(int)
            return pd.PeriodIndex.from_fields(year=parts["year"], quarter=parts["quarter"],
                                              freq="Q").to_timestamp().rename(DATES)
        for month_format in MONTH_FORMATS:
            dates = pd.to_datetime(text, format=month_format, errors="coerce")
            if pd.notna(dates.iloc[0]):
                _check_like_first(text, dates.notna(), path, column, "a month")
                return pd.DatetimeIndex(dates, name=DATES)
    try:
        with warnings.catch_warnings():  # pandas' guess at a format ("Could not infer format"): the error says it
            warnings.simplefilter("ignore", UserWarning)
            dates = pd.to_datetime(text, format=date_format)
    except (ValueError, TypeError) as exc:
        raise UserError(
            f"{path}: column {column!r} has a date that does not parse ({str(exc).splitlines()[0]}); "
            "set data.date_format (a strftime format such as %d/%m/%Y), or write ISO dates (1981-01-01), quarters "
            "(1981 Q1) or months (1981 Jan)"
        ) from None
    return pd.DatetimeIndex(dates, name=DATES)


def _check_like_first(text: pd.Series, parsed: pd.Series, path: Path | str, column: str, what: str) -> None:
    if not parsed.all():
        at = int((~parsed).to_numpy().argmax())
        raise UserError(f"{path}: column {column!r} row {text.index[at] + 2}: {text.iloc[at]!r} is not {what} "
                        f"written like row {text.index[0] + 2}'s {text.iloc[0]!r}; fix that row")

def _numbers(text: pd.Series, path: Path | str, column: str, fill: str | None, announce: bool = True) -> pd.Series:
    """A column of the CSV as floats; rows are reported as the line numbers of the file (the header is line 1).
    `announce`: log how many missing values were filled."""
    text = text.str.strip()
    missing = text == ""
    values = pd.to_numeric(text.where(~missing), errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():  # pandas reads a number too large for a float (1e999) as missing, Python as infinite
        values[bad] = text[bad].map(_infinite)
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
        values = _fill(values, missing, fill, path, column, announce)
    return values.astype(float)


def _infinite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return np.nan
    return value if np.isinf(value) else np.nan


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


def _fill(values: pd.Series, missing: pd.Series, how: str | None, path: Path | str, column: str,
          announce: bool = True) -> pd.Series:
    row = int(missing.idxmax())
    where = f"{path}: column {column!r} row {row + 2}"
    if how is None:
        raise UserError(f"{where} is empty; fill or remove missing values, or set data.fill to ffill or interpolate")
    filled = values.ffill() if how == "ffill" else values.interpolate(limit_area="inside")
    if filled.isna().any():
        row = int(filled.isna().idxmax())
        raise UserError(f"{path}: column {column!r} row {row + 2} is empty and data.fill={how} cannot fill it "
                        "(nothing before or around it); remove that row")
    if announce:
        log.warning("%s: filled %d missing %r values (data.fill=%s)", path, int(missing.sum()), column, how)
    return filled
