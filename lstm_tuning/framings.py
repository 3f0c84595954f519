"""Supervised windows for the seed 004 framings (`conf/task/`), cut with numpy stride views.

Every framing gives X [n, n_lags, n_inputs] and y [n, n_out, n_targets] (one-step framings: n_out = 1).
As the seed's `split_sequence` / `split_sequences`:
- univariate and parallel framings: the n_lags rows before step t -> the targets at t .. t + n_out - 1;
- multiple-input framings (the target depends on the covariates at the same step): the covariates over
  the n_lags rows up to and including t -> the target at t .. t + n_out - 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from lstm_tuning.config import TASK_INPUTS, DataConfig, TaskConfig


@dataclass
class Windows:
    X: np.ndarray  # [n, n_lags, n_inputs]
    y: np.ndarray  # [n, n_out, n_targets]
    target_rows: np.ndarray  # [n] row of each window's first forecast step in the framed series


def series_roles(task: TaskConfig, data: DataConfig) -> tuple[list[str], list[str]]:
    """The input and the target series of a framing, in the frame's column order (covariates first)."""
    everything = [*data.covariates, data.target]
    return {
        "target": ([data.target], [data.target]),
        "covariates": (list(data.covariates), [data.target]),
        "all": (everything, everything),
    }[TASK_INPUTS[task.name]]


def make_windows(inputs: np.ndarray, targets: np.ndarray, n_lags: int, n_out: int, dependent: bool) -> Windows:
    """Windows over inputs [T, n_inputs] -> targets [T, n_targets]; `dependent` is the multiple-input framing."""
    first_target = n_lags - 1 if dependent else n_lags
    n = len(inputs) - first_target - n_out + 1
    if n < 1:
        raise ValueError(f"{len(inputs)} rows are too few for {n_lags} lags and {n_out} forecast steps")
    # sliding_window_view puts the window axis last: [T - width + 1, series, width] -> [.., width, series]
    X = sliding_window_view(inputs, n_lags, axis=0)[:n].transpose(0, 2, 1)
    y = sliding_window_view(targets, n_out, axis=0)[first_target : first_target + n].transpose(0, 2, 1)
    return Windows(X.astype("float32"), y.astype("float32"), np.arange(first_target, first_target + n))


def frame(series: pd.DataFrame, task: TaskConfig, data: DataConfig) -> Windows:
    """Windows over the rows of `series` after its leading NaNs (the rows differencing leaves empty)."""
    inputs, targets = series_roles(task, data)
    start = int(np.argmax(series[[*inputs, *targets]].notna().all(axis=1).to_numpy()))
    rows = series.iloc[start:]
    windows = make_windows(rows[inputs].to_numpy(float), rows[targets].to_numpy(float), data.n_lags, task.n_out,
                           dependent=TASK_INPUTS[task.name] == "covariates")
    windows.target_rows += start
    return windows
