"""How the held-out rows are walked (`backtest`): which rows each fit trains on, and which rows each
forecast origin forecasts with which fit.

The last `data.val_size` + `data.test_size` rows are held out: validation rows (used to choose) and then
test rows (scored once). An origin is a point in time: a fit made with the rows before it forecasts the
rows from it on. Options:

- `holdout` (the seed's protocol): one fit on every row before the held-out ones, walked forward through
  them: one origin for the validation rows, one for the test rows.
- `expanding`: an origin every `step` rows through the held-out rows, each forecasting `horizon` rows;
  a fit at every `refit_every`-th origin (0: one fit at the first, walked forward) on every row before it.
- `sliding`: the same, each fit on the `window` rows before it only.

Between refits an origin is forecast by the latest fit, walked forward with the true values before it and
its weights left alone. No fit ever trains on a row that it forecasts, and a validation origin never
scores a row of the test period.

The pipeline's plan ends with one more fit, the *final* fit (`Plan.with_final_fit`): on every row, it
forecasts past the end of the data (the forecast stage's models) and no origin of the backtest. It is scaled,
framed and trained with the others; evaluate and the baselines see the backtest alone (`Plan.backtest`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data.specs import TOO_SHORT_FIX
from lstm_tuning.errors import UserError

ROLES = ("val", "test")


@dataclass(frozen=True)
class Fit:
    start: int  # trains on rows [start, cut)
    cut: int
    final: bool = False  # the fit on every row: it forecasts past the end, no origin of the backtest


@dataclass(frozen=True)
class Origin:
    role: str  # "val" or "test"
    first: int  # forecasts the windows whose first forecast row is in [first, end)
    end: int
    fit: int  # index of the fit that forecasts it


@dataclass
class Plan:
    fits: list[Fit]
    origins: list[Origin]

    @property
    def first_test_row(self) -> int:
        return min(o.first for o in self.origins if o.role == "test")

    def counts(self) -> dict[str, int]:
        """How many origins each role has."""
        return {role: sum(o.role == role for o in self.origins) for role in ROLES}

    def roles(self) -> list[str]:
        return [role for role, count in self.counts().items() if count]

    @property
    def final_fit(self) -> int | None:
        """The index of the final fit (the last), if the plan has one."""
        return len(self.fits) - 1 if self.fits[-1].final else None

    def with_final_fit(self, n_rows: int) -> Plan:
        """This backtest and, last, the final fit: on all `n_rows` rows, forecasting past the end."""
        return Plan([*self.backtest().fits, Fit(0, n_rows, final=True)], self.origins)

    def backtest(self) -> Plan:
        """The plan without its final fit: the fits and origins evaluate scores."""
        return Plan([fit for fit in self.fits if not fit.final], self.origins)

    def to_frame(self, index: pd.Index) -> pd.DataFrame:
        """One row per origin, with the time label of its first row and its fit's training rows; the final fit
        as a last row of role `final` (its first row is the end of the data, and it has no time label)."""
        rows = [{"origin": i, **asdict(o), "time": index[o.first], "fit_start": self.fits[o.fit].start,
                 "fit_cut": self.fits[o.fit].cut} for i, o in enumerate(self.origins)]
        if self.final_fit is None:
            return pd.DataFrame(rows)
        fit = self.fits[self.final_fit]
        rows.append({"origin": len(rows), "role": "final", "first": fit.cut, "end": fit.cut, "fit": self.final_fit,
                     "fit_start": fit.start, "fit_cut": fit.cut})
        frame = pd.DataFrame(rows)
        # no label past the end: missing, in the labels' own type (whole numbers stay whole)
        times = pd.Series(index[[o.first for o in self.origins]])
        whole = pd.api.types.is_integer_dtype(times)
        frame["time"] = times.astype("Int64" if whole else times.dtype).reindex(frame.index)
        return frame[["origin", "role", "first", "end", "fit", "time", "fit_start", "fit_cut"]]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Plan:
        fits = frame.drop_duplicates("fit").sort_values("fit")
        origins = frame[frame["role"] != "final"]
        return cls([Fit(int(s), int(c), r == "final") for s, c, r in
                    zip(fits["fit_start"], fits["fit_cut"], fits["role"])],
                   [Origin(r, int(f), int(e), int(k)) for r, f, e, k in
                    zip(origins["role"], origins["first"], origins["end"], origins["fit"])])


@dataclass
class Scored:
    """The (origin, window) pairs a backtest scores: window `window[i]` forecast by fit `fit[i]` at origin
    `origin[i]`, in role `role[i]`."""

    origin: np.ndarray
    window: np.ndarray
    fit: np.ndarray
    role: np.ndarray

    @classmethod
    def of(cls, plan: Plan, first_rows: np.ndarray, n_out: int, n_rows: int) -> Scored:
        """Each origin's windows: those whose first forecast row is one of its rows; a validation window must
        end before the test rows (it never scores a test row)."""
        pairs = []
        for i, origin in enumerate(plan.origins):
            end = plan.first_test_row if origin.role == "val" else n_rows
            windows = np.flatnonzero((first_rows >= origin.first) & (first_rows < origin.end)
                                     & (first_rows + n_out <= end))
            pairs += [(i, w, origin.fit, origin.role) for w in windows]
        origin, window, fit, role = (np.array(column) for column in zip(*pairs))
        return cls(origin, window, fit, role)


def _holdout_origins(params, first_val: int, first_test: int, n_rows: int) -> list[tuple[str, int, int]]:
    return [("val", first_val, first_test)] * (first_test > first_val) + [("test", first_test, n_rows)]


def _rolling_origins(params, first_val: int, first_test: int, n_rows: int) -> list[tuple[str, int, int]]:
    return [(role, first, min(first + params.horizon, end))
            for role, start, end in (("val", first_val, first_test), ("test", first_test, n_rows))
            for first in range(start, end, params.step)]


@dataclass(frozen=True, kw_only=True)
class Strategy:
    """How a backtest option (its params: `specs.BACKTESTS`) lays out its origins and fits."""

    # (params, first validation row, first test row, rows) -> (role, first row, end row) of every origin
    origins: object
    refit_every: object  # params -> k (0: never)
    window: object = None  # params -> rows each fit trains on (None: every row before its origin)


STRATEGIES = {
    "holdout": Strategy(origins=_holdout_origins, refit_every=lambda p: 0),
    "expanding": Strategy(origins=_rolling_origins, refit_every=lambda p: p.refit_every),
    "sliding": Strategy(origins=_rolling_origins, refit_every=lambda p: p.refit_every, window=lambda p: p.window),
}


def plan(params, n_rows: int, val_size: int, test_size: int, source: str) -> Plan:
    """The fits and origins of backtest `params` over a series of `n_rows` rows."""
    option = STRATEGIES[params.name]
    first_test = n_rows - test_size
    first_val = first_test - val_size
    if first_val < 1:
        raise UserError(f"{source}: {n_rows} rows leave no training row before data.val_size={val_size} validation "
                        f"and data.test_size={test_size} test rows; {TOO_SHORT_FIX}")
    every = option.refit_every(params)
    fits, origins = [], []
    for i, (role, first, end) in enumerate(option.origins(params, first_val, first_test, n_rows)):
        if not fits or (every and i % every == 0):
            window = option.window(params) if option.window else None
            start = 0 if window is None else first - window
            if start < 0:
                raise UserError(f"{source}: backtest.window={window} is longer than the {first} rows before the first "
                                "origin; shorten backtest.window, or hold out fewer rows (data.val_size)")
            fits.append(Fit(start, first))
        origins.append(Origin(role, first, end, len(fits) - 1))
    return Plan(fits, origins)
