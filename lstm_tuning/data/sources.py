"""Where the series come from (`data.source`): each source declares its params and reads or makes a frame
with one column per series, covariates first, indexed by time.

Sources: a CSV (`data.path`); statsmodels' `macrodata`, which ships inside the installed package (no
download); and generated toys: the seed 004 guide's arithmetic sequences and seed 003's sine wave.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_tuning.data.csv import read_series
from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, param

# how to fix a series too short for its params, whichever stage finds it
TOO_SHORT_FIX = ("the series needs at least sum(diff_interval) + n_lags + n_out + val_size + test_size + batch_size "
                 "rows: lengthen it or shrink those params")


@dataclass
class SeriesParams:
    """What every source has: the series to forecast and how they are prepared and held out."""

    name: str = "shampoo"
    source: str = "csv"
    # what ingest depends on (dvc.yaml): the CSV, or for the other sources their conf file
    path: str = "data/shampoo-sales.csv"
    target: str = "Sales"
    covariates: list[str] = field(default_factory=list)  # series besides the target, in column order
    undifferenced: list[str] = field(default_factory=list)  # series scaled as they are: no transform, no differencing
    # every other series before differencing: log, or Box-Cox with its lambda estimated on each fit's training rows
    transform: str | None = param(None, choices=(None, "log", "boxcox"))
    # the lags differenced in turn: 1, or [1, 12] (first then seasonal differences); [] none. Any: OmegaConf has
    # no int-or-list type, so check_series checks it
    diff_interval: Any = 1
    n_lags: int = param(1, at_least=1)
    val_size: int = param(0, at_least=0)
    test_size: int = param(12, at_least=1)
    # the step between rows: a pandas frequency for dates (MS, QS, D...), the step for a numeric time column;
    # null: inferred (a warning names the first gap when the dates skip a period)
    frequency: str | None = None

    @property
    def diff_lags(self) -> tuple[int, ...]:
        """data.diff_interval as the lags differenced in turn: 1 -> (1,), [1, 12] -> (1, 12), [] -> ()."""
        lags = self.diff_interval
        return tuple(lags) if isinstance(lags, list | tuple) else (lags,)


@dataclass
class CsvParams(SeriesParams):
    date_column: str | None = "Month"  # dates, or numbers kept as labels (years, steps); null: row order
    date_format: str | None = None
    fill: str | None = param(None, choices=(None, "ffill", "interpolate"))


@dataclass
class GeneratedParams(SeriesParams):
    length: int = param(9, at_least=1)  # number of points
    step: float = 10.0  # spacing of the points


@dataclass
class SummedParams(GeneratedParams):
    offset: float = 5.0  # in2 = in1 + offset


def check_series(cfg, source: str) -> None:
    data = cfg.data
    if not all(isinstance(lag, int) and not isinstance(lag, bool) and lag >= 1 for lag in data.diff_lags):
        raise UserError(f"{source}: data.diff_interval={data.diff_interval} must be a lag >= 1 or a list of them, "
                        "differenced in turn (e.g. [1, 12]: first then seasonal differences; [] for none)")
    if data.target in data.covariates:
        raise UserError(f"{source}: data.covariates names data.target={data.target!r}; list only the other series")
    unknown = [name for name in data.undifferenced if name not in (data.target, *data.covariates)]
    if unknown:
        raise UserError(f"{source}: data.undifferenced names {unknown[0]!r}, which is neither data.target nor "
                        "in data.covariates")


@dataclass(frozen=True, kw_only=True)
class Source(Option):
    read: Callable[[SeriesParams], pd.DataFrame]
    check: Callable = check_series


SOURCES = Registry("data", "source")


def load(params: SeriesParams) -> pd.DataFrame:
    """The series `params` name, covariates first and the target last, indexed by time."""
    frame = SOURCES[params.source].read(params)
    wanted = [*params.covariates, params.target]
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise UserError(f"data.source={params.source}: no series {missing[0]!r} (data.target or data.covariates); "
                        f"series found: {', '.join(map(str, frame.columns))}")
    return frame[wanted]


def _csv(params: CsvParams) -> pd.DataFrame:
    return read_series(params.path, params.date_column, [*params.covariates, params.target], params.date_format,
                       params.fill)


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


SOURCES.add(Source(name="csv", params=CsvParams, read=_csv))
SOURCES.add(Source(name="macrodata", params=SeriesParams, read=_macrodata))
SOURCES.add(Source(name="arithmetic_sequence", params=GeneratedParams, read=_arithmetic_sequence))
SOURCES.add(Source(name="summed_sequences", params=SummedParams, read=_summed_sequences))
SOURCES.add(Source(name="sine_wave", params=GeneratedParams, read=_sine_wave))
