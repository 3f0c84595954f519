"""The series a run reads (`data.source`), as a frame with one column per series, covariates first.

Sources: a CSV (`data.path`); statsmodels' `macrodata`, which ships inside the installed package (no
download); and the seeds' toy sequences, generated from params.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning.config import DataConfig
from lstm_tuning.data import load_series
from lstm_tuning.errors import UserError


def load(cfg: DataConfig) -> pd.DataFrame:
    frame = _SOURCES[cfg.source](cfg)
    wanted = [*cfg.covariates, cfg.target]
    missing = [name for name in wanted if name not in frame.columns]
    if missing:
        raise UserError(f"data.source={cfg.source}: no series {missing[0]!r} (data.target or data.covariates); "
                        f"series found: {', '.join(map(str, frame.columns))}")
    return frame[wanted]


def _csv(cfg: DataConfig) -> pd.DataFrame:
    # load_series checks the target column; the covariates' columns are checked here to name their param
    columns = list(pd.read_csv(cfg.path, nrows=0).columns) if cfg.covariates and Path(cfg.path).is_file() else []
    absent = [name for name in cfg.covariates if columns and name not in columns]
    if absent:
        raise UserError(f"{cfg.path}: no column {absent[0]!r} (data.covariates); columns found: {', '.join(columns)}")
    return pd.concat(
        [load_series(cfg.path, cfg.date_column, name, cfg.date_format, cfg.fill)
         for name in [*cfg.covariates, cfg.target]],
        axis=1,
    )


def _macrodata(cfg: DataConfig) -> pd.DataFrame:
    from statsmodels.datasets import macrodata  # imported here: only this source needs statsmodels

    raw = macrodata.load_pandas().data
    quarters = pd.PeriodIndex.from_fields(year=raw["year"].astype(int), quarter=raw["quarter"].astype(int), freq="Q")
    return raw.drop(columns=["year", "quarter"]).set_index(quarters.to_timestamp().rename("date"))


def _steps(cfg: DataConfig) -> pd.RangeIndex:
    return pd.RangeIndex(cfg.length, name="step")


def _seed004_univariate(cfg: DataConfig) -> pd.DataFrame:
    return pd.DataFrame({"seq": cfg.step * np.arange(1, cfg.length + 1)}, index=_steps(cfg))


def _seed004_multiple_input(cfg: DataConfig) -> pd.DataFrame:
    in1 = cfg.step * np.arange(1, cfg.length + 1)
    in2 = in1 + cfg.offset
    return pd.DataFrame({"in1": in1, "in2": in2, "out": in1 + in2}, index=_steps(cfg))


def _seed003_sine(cfg: DataConfig) -> pd.DataFrame:
    return pd.DataFrame({"sine": np.sin(cfg.step * np.arange(cfg.length))}, index=_steps(cfg))


_SOURCES = {
    "csv": _csv,
    "macrodata": _macrodata,
    "seed004_univariate": _seed004_univariate,
    "seed004_multiple_input": _seed004_multiple_input,
    "seed003_sine": _seed003_sine,
}
