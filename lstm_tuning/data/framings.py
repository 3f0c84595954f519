"""Supervised windows for the seed 004 framings (`task`, declared in `specs.TASKS`), cut with numpy stride
views, and which of them each fit of the backtest trains on.

Every framing gives X [n, n_lags, n_inputs] and y [n, n_out, n_targets] (one-step framings: n_out = 1); the
inputs are the input series' values, then with `data.calendar` each row's calendar inputs (`calendar`).
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

from lstm_tuning.data import calendar
from lstm_tuning.data.backtest import Plan
from lstm_tuning.data.specs import TASKS, TOO_SHORT_FIX, SeriesParams
from lstm_tuning.errors import UserError


def series_roles(task, data: SeriesParams) -> tuple[list[str], list[str]]:
    return TASKS[task.name].roles(data)


def input_columns(task, data: SeriesParams) -> list[str]:
    """What each row of a window holds: the input series, then the calendar inputs."""
    return [*series_roles(task, data)[0], *calendar.columns(data.calendar)]


def calendar_ahead(index: pd.Index, task, data: SeriesParams, steps: int, source: str) -> np.ndarray | None:
    """[len(index) + steps, 2 len(data.calendar)] the calendar inputs each row of a series carries, for its rows
    then the `steps` rows after its end (`calendar.ahead`: recursive forecasting feeds back rows there); None
    without data.calendar."""
    if not data.calendar:
        return None
    return calendar.ahead(index, data.frequency, data.calendar, TASKS[task.name].lead, steps, source)


def latest_with_calendar(latest: np.ndarray, index: pd.Index, task, data: SeriesParams, steps: int,
                         source: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The latest window of a series (`latest` [n_lags, n_inputs], its last rows; `index` its times) with each
    row's calendar inputs after its values, and the calendar inputs [steps, 2 len(data.calendar)] of the rows
    recursive forecasting feeds back after its end (the dates continue it); `latest` and None without
    data.calendar."""
    carried = calendar_ahead(index, task, data, steps, source)
    if carried is None:
        return latest, None
    end = len(index)
    return np.concatenate([latest, carried[end - len(latest) : end]], axis=1), carried[end:]


@dataclass
class Windows:
    X: np.ndarray  # [n, n_lags, n_inputs]
    y: np.ndarray  # [n, n_out, n_targets]
    target_rows: np.ndarray  # [n] row of each window's first forecast step in the framed series
    input_rows: np.ndarray  # [n] row of each window's first input


def make_windows(inputs: np.ndarray, targets: np.ndarray, n_lags: int, n_out: int, dependent: bool) -> Windows:
    """Windows over inputs [T, n_inputs] -> targets [T, n_targets]; `dependent` is the multiple-input framing."""
    first_target = n_lags - 1 if dependent else n_lags
    n = len(inputs) - first_target - n_out + 1
    if n < 1:
        raise ValueError(f"{len(inputs)} rows are too few for {n_lags} lags and {n_out} forecast steps")
    # sliding_window_view puts the window axis last: [T - width + 1, series, width] -> [.., width, series]
    X = sliding_window_view(inputs, n_lags, axis=0)[:n].transpose(0, 2, 1)
    y = sliding_window_view(targets, n_out, axis=0)[first_target : first_target + n].transpose(0, 2, 1)
    return Windows(X.astype("float32"), y.astype("float32"), np.arange(first_target, first_target + n), np.arange(n))


def frame(series: pd.DataFrame, task, data: SeriesParams, source: str = "series") -> Windows:
    """Windows over the rows of `series` after its leading NaNs (the rows differencing leaves empty); with
    data.calendar, each input row's calendar inputs after its values."""
    framing = TASKS[task.name]
    inputs, targets = framing.roles(data)
    start = int(np.argmax(series[[*inputs, *targets]].notna().all(axis=1).to_numpy()))
    rows = series.iloc[start:]
    values = rows[inputs].to_numpy(float)
    if data.calendar:
        values = np.concatenate([values, calendar_ahead(series.index, task, data, 0, source)[start:]], axis=1)
    windows = make_windows(values, rows[targets].to_numpy(float), data.n_lags, task.n_out,
                           dependent=framing.inputs == "covariates")
    windows.target_rows += start
    windows.input_rows += start
    return windows


def split_windows(scaled: pd.DataFrame, task, data: SeriesParams, plan: Plan, source: str) -> dict[str, np.ndarray]:
    """The window stage: every window of the series once per fit (each fit's scaling), and what each fit
    trains on.

    `X` [fits, n, n_lags, n_inputs], `y` [fits, n, n_out, n_targets], `first_rows` [n] (the first row each
    window forecasts), `train` [fits, n] (the windows that lie wholly in the fit's training rows) and `stop`
    [n] (the validation windows that lie wholly before the test rows: the early-stopping check of a holdout),
    `final` [fits] (the plan's final fit: on every row, forecasting past the end).
    """
    n_rows = len(scaled) // len(plan.fits)
    too_short = (f"{source}: {n_rows} rows are too few for data.n_lags={data.n_lags}, task.n_out={task.n_out}, "
                 f"data.val_size={data.val_size} and data.test_size={data.test_size}")
    per_fit = []
    for _, rows in scaled.groupby("fit", sort=True):
        try:
            per_fit.append(frame(rows.drop(columns="fit"), task, data, source))
        except ValueError:
            raise UserError(f"{too_short}; {TOO_SHORT_FIX}") from None
    first_rows, input_rows = per_fit[0].target_rows, per_fit[0].input_rows
    last_rows = first_rows + task.n_out - 1
    train = np.array([(input_rows >= fit.start) & (last_rows < fit.cut) for fit in plan.fits])
    first_test = plan.first_test_row
    if not (first_rows >= first_test).any():
        raise UserError(f"{too_short}: no window forecasts a test row; {TOO_SHORT_FIX}")
    for k, trains in enumerate(train):
        if not trains.any():
            raise UserError(f"{too_short}: fit {k} of the backtest (rows {plan.fits[k].start}..{plan.fits[k].cut - 1}) "
                            f"has no whole training window; {TOO_SHORT_FIX}")
    return {
        "X": np.stack([w.X for w in per_fit]),
        "y": np.stack([w.y for w in per_fit]),
        "first_rows": first_rows,
        "train": train,
        "stop": (first_rows >= first_test - data.val_size) & (last_rows < first_test),
        "final": np.array([fit.final for fit in plan.fits]),
    }
