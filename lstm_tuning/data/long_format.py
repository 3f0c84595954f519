"""A panel's files between the stages, light to import (the baselines, evaluate and forecast stages read them
and prepare nothing): the long series file ingest writes, and each series' backtest plan in data/origins.csv
(`plans`, `origins_frame`, `read_plans`). `panel` prepares the series; this module only reads and lays out.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning.data import backtest, timeline
from lstm_tuning.data.backtest import Fit, Origin, Plan
from lstm_tuning.errors import UserError

SERIES = "series"  # the column naming each row's series in the panel's stage files (origins, transformed)


# -- the series file --------------------------------------------------------------------------------------------


def read(path: str | Path, id_column: str) -> dict[str, pd.DataFrame]:
    """The panel as ingest wrote it (long: `id_column`, time, variables; sorted by id then time): each series'
    frame in file order, indexed by its time as `timeline.read` gives one series, ids as strings."""
    frame = pd.read_csv(path, dtype={id_column: str}, keep_default_na=False, na_values=[""])
    if id_column not in frame.columns:
        raise UserError(f"{path}: no column {id_column!r} (data.id_column) to tell the series apart; run ingest "
                        "again, or set data.id_column to the file's series column")
    if frame.empty:
        raise UserError(f"{path}: no rows; run ingest again")
    ids = frame.pop(id_column).to_numpy()
    body = frame.set_index(frame.columns[0])
    if body.index.name == timeline.DATES:
        body.index = pd.DatetimeIndex(body.index, name=timeline.DATES)
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    bounds = [*starts, len(ids)]
    panel = {str(ids[a]): body.iloc[a:b] for a, b in itertools.pairwise(bounds)}
    if len(panel) < len(starts):
        repeated = pd.Series(ids[starts]).loc[lambda s: s.duplicated()].iloc[0]
        raise UserError(f"{path}: the rows of series {repeated!r} are not together (column {id_column!r}); sort the "
                        "file by series then time, or run ingest again")
    return panel


def long_frame(panel: dict[str, pd.DataFrame], id_column: str) -> pd.DataFrame:
    """The panel in long format, as `read` reads it back: `id_column`, time, variables."""
    frame = pd.concat(panel.values())
    frame.insert(0, id_column, np.repeat(np.array(list(panel), dtype=object), [len(f) for f in panel.values()]))
    return frame.reset_index()


# -- plans ------------------------------------------------------------------------------------------------------


def plans(backtest_params, panel: dict[str, pd.DataFrame], val_size: int, test_size: int,
          source: str) -> dict[str, Plan]:
    """Each series' plan over its own rows, with the final fit: the held-out rows are its own last ones."""

    @functools.cache
    def plan(n_rows: int) -> Plan:
        return backtest.plan(backtest_params, n_rows, val_size, test_size, source).with_final_fit(n_rows)

    return {name: plan(len(frame)) for name, frame in panel.items()}


def fit_bounds(all_plans: dict[str, Plan]) -> tuple[np.ndarray, np.ndarray]:
    """[fits, S] the first training row and the cut of each series' fits."""
    fits = {len(plan.fits) for plan in all_plans.values()}
    if len(fits) > 1:
        raise UserError(f"the series' backtests have {sorted(fits)} fits: every series of a panel needs the same "
                        "number; rerun the transform stage")
    bounds = np.array([[(fit.start, fit.cut) for fit in plan.fits] for plan in all_plans.values()])
    return bounds[..., 0].T, bounds[..., 1].T


def origins_frame(all_plans: dict[str, Plan], panel: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """data/origins.csv: each series' `Plan.to_frame` with a first column `series`, one block per series."""
    templates, rows = {}, []  # each distinct plan's frame (without time labels) once; each series' rows of them
    for plan in all_plans.values():
        if id(plan) not in templates:
            templates[id(plan)] = (plan.to_frame(pd.RangeIndex(plan.fits[-1].cut)).drop(columns="time"),
                                   sum(len(frame) for frame, _ in templates.values()))
        frame, offset = templates[id(plan)]
        rows.append(np.arange(offset, offset + len(frame)))
    sizes = [len(r) for r in rows]
    frame = pd.concat([frame for frame, _ in templates.values()], ignore_index=True).iloc[np.concatenate(rows)]
    frame = frame.reset_index(drop=True)
    frame.insert(0, SERIES, np.repeat(np.array(list(all_plans), dtype=object), sizes))
    # each origin's time label from its own series; none for the final fit, in the labels' own type (as to_frame)
    final = frame["role"].to_numpy() == "final"
    times = np.concatenate([panel[name].index.to_numpy() for name in all_plans])
    starts = np.repeat(np.r_[0, np.cumsum([len(panel[name]) for name in all_plans])[:-1]], sizes)
    times = pd.Series(times[(starts + frame["first"].to_numpy())[~final]], index=np.flatnonzero(~final))
    whole = pd.api.types.is_integer_dtype(times)
    frame["time"] = times.astype("Int64" if whole else times.dtype).reindex(frame.index)
    return frame[[SERIES, "origin", "role", "first", "end", "fit", "time", "fit_start", "fit_cut"]]


def read_plans(frame: pd.DataFrame) -> dict[str, Plan]:
    """Each series' plan from data/origins.csv (as `Plan.from_frame` reads one series' block), in file order."""
    columns = frame[[SERIES, "role", "first", "end", "fit", "fit_start", "fit_cut"]]
    found = {}
    rows = zip(columns[SERIES].astype(str), *(columns[c].tolist() for c in columns.columns[1:]))
    for name, block in itertools.groupby(rows, key=lambda row: row[0]):
        if name in found:
            raise UserError(f"data/origins.csv: the rows of series {name!r} are not together; rerun transform")
        fits, origins = {}, []
        for _, role, first, end, fit, start, cut in block:
            fits.setdefault(int(fit), Fit(int(start), int(cut), role == "final"))
            if role != "final":
                origins.append(Origin(role, int(first), int(end), int(fit)))
        found[name] = Plan([fits[k] for k in sorted(fits)], origins)
    return found
