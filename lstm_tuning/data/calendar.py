"""Calendar inputs (`data.calendar`): features of the time column known in the future, e.g. month of year.

Each feature is a position in its cycle (January is month 0 of 12), given to the model as the sine and cosine of
its angle: two inputs in [-1, 1] that make December and January neighbours. They are appended after the input
series' values in every window, and never scaled or differenced.

Alignment: an input row carries the calendar of the row the framing forecasts next from it (`Framing.lead` rows
later: the next row, or the row itself when the target depends on the covariates of the same step). So a window's
last lag row carries its first forecast step's calendar, and when forecasts are fed back as rows (recursive
forecasting, past the end of the data) each fed-back row carries the calendar of the time after it, known from the
dates that continue the series. Past a series' last row the times continue by the series' frequency.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from lstm_tuning.data import timeline
from lstm_tuning.data.specs import CALENDAR
from lstm_tuning.errors import UserError


class Cycle(NamedTuple):
    positions: int  # in the cycle
    field: str  # the DatetimeIndex field that numbers them
    first: int  # that field's number of the first position
    longest_step: float  # the longest step between rows (days) at which the feature still tells rows apart
    counts: str  # what it counts


CYCLES = {
    "month_of_year": Cycle(12, "month", 1, 31, "months"),
    "quarter_of_year": Cycle(4, "quarter", 1, 92, "quarters"),
    "day_of_week": Cycle(7, "dayofweek", 0, 1, "days"),  # Monday first
}


def columns(names: list[str]) -> list[str]:
    """The input columns of the features `names`, in order: <name>_sin, <name>_cos each."""
    return [f"{name}_{part}" for name in names for part in ("sin", "cos")]


def encode(times: pd.DatetimeIndex, names: list[str]) -> np.ndarray:
    """[len(times), 2 len(names)] the sine and cosine of each time's angle in each feature's cycle."""
    parts = []
    for name in names:
        cycle = CYCLES[name]
        angle = 2 * np.pi * (getattr(times, cycle.field).to_numpy() - cycle.first) / cycle.positions
        parts += [np.sin(angle), np.cos(angle)]
    return np.stack(parts, axis=1)


def offset(index: pd.Index, frequency: str | None, names: list[str], source: str):
    """The step between the rows of `index` as a pandas offset, after checking that the features `names` can be
    derived from it: the time column holds dates, they have a frequency, and no feature is finer than it."""
    from pandas.tseries.frequencies import to_offset

    listed = f"data.calendar=[{', '.join(names)}]"
    if not isinstance(index, pd.DatetimeIndex):
        raise UserError(f"{source}: {listed} is derived from dates, but the time column {index.name!r} holds "
                        "numbers; give the data a dated time column (e.g. 2001-01), or set data.calendar=[]")
    step = timeline.frequency(index, frequency, source)
    if step is None:
        raise UserError(f"{source}: {listed} needs the dates' frequency, and they have none; set data.frequency (a "
                        "pandas frequency such as MS, QS, W or D)")
    found = to_offset(step)
    days = pd.Series(pd.date_range("2001-01-01", periods=13, freq=found)).diff().median() / pd.Timedelta(days=1)
    for name in names:
        if days > CYCLES[name].longest_step:
            finer = [other for other in CALENDAR if days <= CYCLES[other].longest_step]
            raise UserError(f"{source}: data.calendar names {name}, which counts {CYCLES[name].counts}, finer than the "
                            f"data's frequency {step}; drop it from data.calendar"
                            + (f" (this frequency tells apart: {', '.join(finer)})" if finer else ""))
    return found


def carried(times: pd.DatetimeIndex, lengths, names: list[str], step, lead: int) -> np.ndarray:
    """[rows, 2 len(names)] the calendar each row of the series `times` (series after series, `lengths` rows each)
    carries: that of the row `lead` (0 or 1) rows later in its own series; the time after a series' last row is
    its own plus the offset `step`."""
    times = pd.DatetimeIndex(times)
    if lead == 0:
        return encode(times, names)
    following = times[np.minimum(np.arange(len(times)) + 1, len(times) - 1)].to_numpy().copy()
    ends = np.cumsum(lengths) - 1
    following[ends] = (times[ends] + step).to_numpy()
    return encode(pd.DatetimeIndex(following), names)


def ahead(index: pd.Index, frequency: str | None, names: list[str], lead: int, steps: int,
          source: str) -> np.ndarray:
    """[len(index) + steps, 2 len(names)] the calendar each row of a series carries (`carried`), for its rows
    then the `steps` rows after its end (the rows recursive forecasting feeds back), from the dates that continue
    it."""
    step = offset(index, frequency, names, source)
    times = index.append(timeline.after(index, frequency, steps, source)) if steps else index
    return carried(times, [len(times)], names, step, lead)
