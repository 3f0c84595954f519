"""The time axis of a series: its frequency (declared by `data.frequency` or inferred from the dates), the
first gap in it, the labels of the steps after its end, and the season of its frequency.

Dates follow a pandas frequency (`MS`, `QS`, `D`...). A numeric time column (years written as numbers, step
numbers) steps by its one regular difference, or by `data.frequency` read as a number; row order by 1.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning.errors import UserError

log = logging.getLogger(__name__)

DATES = "date"  # the index name of a series whose time column holds dates, in data/series.csv


def read(path: str | Path) -> pd.DataFrame:
    """A series as ingest wrote it, its dates parsed back."""
    frame = pd.read_csv(path, index_col=0)
    if frame.index.name == DATES:
        frame.index = pd.DatetimeIndex(frame.index, name=DATES)
    return frame


def label(index: pd.Index, row: int) -> str:
    """The time label of a row as a user reads it: a date without midnight, or the number."""
    value = index[row]
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value)


def _inferred(index: pd.DatetimeIndex) -> str | None:
    if len(index) < 3:
        return None
    with warnings.catch_warnings():  # pandas 3 announces an offset instead of a string: the string is what we keep
        warnings.simplefilter("ignore")
        return pd.infer_freq(index)


def frequency(index: pd.Index, declared: str | None, source: str, warn: bool = False) -> str | float | None:
    """The step between rows: `declared` (data.frequency) or inferred; None when there is none. With `warn`,
    a warning names the first date that breaks it (a skipped period) or says there is no regular frequency."""
    step, warning = _step(index, declared, source)
    if warn and warning:
        log.warning(*warning)
    return step


def panel_frequency(indexes: dict[str, pd.Index], declared: str | None, source: str) -> str | float | None:
    """The step between rows of the series of a panel (`indexes`: each one's time, by id), as `frequency`
    finds it for each; one warning names the first series with a gap (and how many others have one), another
    the first series whose step differs from the first series'. The first series' step, or None."""
    steps, gaps = {}, []
    for series, index in indexes.items():
        steps[series], warning = _step(index, declared, f"{source}: series {series!r}")
        if warning:
            gaps.append((series, warning))
    if gaps:
        (first, (message, *args)), others = gaps[0], [series for series, _ in gaps[1:]]
        more = f" ({len(others)} other series too: {_some(others)})" if others else ""
        log.warning(message + "%s", *args, more)
    found = [step for step in steps.values() if step is not None]
    differing = [series for series, step in steps.items() if step is not None and step != found[0]]
    if differing:
        first = next(series for series, step in steps.items() if step == found[0])
        log.warning("%s: series %r steps by %s, series %r by %s (%d series differ from the first); a panel's series "
                    "should share one frequency: set data.frequency, or keep series of one frequency", source,
                    differing[0], steps[differing[0]], first, found[0], len(differing))
    return found[0] if found else None


def _some(names: list[str], shown: int = 5) -> str:
    return ", ".join(names[:shown]) + (", ..." if len(names) > shown else "")


def _step(index: pd.Index, declared: str | None, source: str) -> tuple[str | float | None, tuple | None]:
    """The step between rows (as `frequency`), and the warning (logging arguments) that names the first date
    breaking it, or says there is none; None when the rows follow it."""
    if isinstance(index, pd.DatetimeIndex):
        if declared is not None:
            _check_offset(declared, source)
        inferred = _inferred(index)
        step = declared or inferred or _inferred(index[:3])
        if step is None:
            return step, ("%s: the dates have no regular frequency (%s); set data.frequency (a pandas frequency "
                          "such as MS, QS, W or D) to declare it", source, ", ".join(index[:3].strftime("%Y-%m-%d")))
        if step != inferred:
            expected = pd.date_range(index[0], periods=len(index), freq=step)
            row = max(int(np.argmax(index != expected)), 1)
            which = f"data.frequency={declared}" if declared else f"{step}, inferred from the first dates"
            return step, ("%s: the dates skip from %s to %s (frequency %s); add the missing rows, or set "
                          "data.frequency to the series' frequency", source, index[row - 1].date(),
                          index[row].date(), which)
        return step, None
    if declared is not None:
        try:
            return float(declared), None
        except ValueError:
            raise UserError(f"{source}: data.frequency={declared!r} is a pandas date frequency, but the time column "
                            "holds numbers; set it to their step (e.g. 1 or 0.25), or null") from None
    differences = np.diff(index.to_numpy(float))
    steps = np.unique(np.round(differences, 9))
    if len(steps) == 1:
        return (int(steps[0]) if steps[0] == int(steps[0]) else float(steps[0])), None
    if len(steps) > 1:
        row = int(np.argmax(~np.isclose(differences, steps.min()))) + 1
        return None, ("%s: the time column steps irregularly (from %s to %s); set data.frequency to its step",
                      source, index[row - 1], index[row])
    return None, None


def _check_offset(declared: str, source: str) -> None:
    from pandas.tseries.frequencies import to_offset

    try:
        to_offset(declared)
    except ValueError:
        raise UserError(f"{source}: data.frequency={declared!r} is not a pandas date frequency (MS, QS, W, D...), and "
                        "the time column holds dates; set it to one, or null to infer it") from None


def after(index: pd.Index, declared: str | None, steps: int, source: str) -> pd.Index:
    """The labels of the `steps` rows after the end of `index`."""
    step = frequency(index, declared, source)
    if step is None:
        raise UserError(f"{source}: the time column has no regular frequency to continue past its end; set "
                        "data.frequency (a pandas frequency such as MS or D for dates, the step for numbers)")
    if isinstance(index, pd.DatetimeIndex):
        return pd.date_range(index[-1], periods=steps + 1, freq=step)[1:].rename(index.name)
    last = index[-1]
    return pd.Index(last + step * np.arange(1, steps + 1), name=index.name)


def season(index: pd.Index, declared: str | None) -> int | None:
    """Rows per year of a dated series (12 for months, 4 for quarters, 2 for half years...); None without dates
    or frequency, or when a year is not a whole number of rows."""
    from pandas.tseries.frequencies import to_offset
    from statsmodels.tsa.tsatools import freq_to_period

    step = frequency(index, declared, "") if isinstance(index, pd.DatetimeIndex) else None
    if step is None:
        return None
    offset = to_offset(step)
    try:
        period = freq_to_period(offset)  # per year of the unit: 12 for 6MS as for MS
    except ValueError:
        return None
    if period % offset.n:
        return None
    period //= offset.n
    return period if period > 1 else None
