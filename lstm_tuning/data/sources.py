"""Where the series come from (`data.source`): each source reads or makes a frame with one column per
series, covariates first, indexed by time (its params are declared in `specs`).

Sources: a CSV (`data.path`); statsmodels' `macrodata`, which ships inside the installed package (no
download); and generated toys: the seed 004 guide's arithmetic sequences and seed 003's sine wave.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from lstm_tuning.data.csv import read_series
from lstm_tuning.data.specs import CsvParams, GeneratedParams, SeriesParams, SummedParams
from lstm_tuning.errors import UserError


def load(params: SeriesParams) -> pd.DataFrame:
    """The series `params` name, covariates first and the target last, indexed by time."""
    frame = READERS[params.source](params)
    wanted = [*params.covariates, params.target]
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise UserError(f"data.source={params.source}: no series {missing[0]!r} (data.target or data.covariates); "
                        f"series found: {', '.join(map(str, frame.columns))}")
    return frame[wanted]


def _csv(params: CsvParams) -> pd.DataFrame:
    return read_series(params.path, params.date_column, [*params.covariates, params.target], params.date_format,
                       params.fill, params.where)


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


# each source's reader, by `data.source` (its params: `specs.SOURCES`)
READERS: dict[str, Callable[[SeriesParams], pd.DataFrame]] = {
    "csv": _csv,
    "macrodata": _macrodata,
    "arithmetic_sequence": _arithmetic_sequence,
    "summed_sequences": _summed_sequences,
    "sine_wave": _sine_wave,
}
