"""Baselines (`baselines`): statsforecast's classical models, forecast from every held-out row with the fits
of the backtest.

Each baseline is fit on exactly the rows each fit of the backtest trains on, and at a later origin of the
same fit it is walked forward with the true values before the window and its estimated params left alone
(statsforecast's `forward`), like the LSTM's weights. The forecasts from each held-out row run to the end of
its role's rows, so the evaluate stage picks the steps of any framing without refitting. Options:
`classical` (AutoETS, AutoARIMA and AutoTheta with the data's season, seasonal naive, persistence, drift)
and `persistence` alone, for series too short to fit the others on.

The same baselines, fit on every row, also forecast the `forecast.horizon` steps past the end
(`forecast_past_end`): the forecast stage draws the best one's beside the LSTM's without loading statsforecast.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import classical
from lstm_tuning.evaluation.specs import LABELS

log = logging.getLogger(__name__)


@dataclass
class Season:
    """The season the baselines use, and why: what the details and the log say about it."""

    length: int | None  # seasonal naive's; None: no seasonal naive
    models: int  # the seasonal models' season_length (1: non-seasonal)
    source: str  # "baselines.season", "the data's frequency" or "unknown"
    notes: list[str]


def resolve_season(cfg, data_season: int | None, shortest: int) -> Season:
    """The season of option `cfg` (baselines.season, else a year of the data's frequency), dropped with a
    warning where the shortest fit is too short for it."""
    notes = []
    if cfg.name != "classical":
        return Season(None, 1, "unused", notes)
    season, source = (cfg.season, "baselines.season") if cfg.season else (data_season, "the data's frequency")
    if season is None:
        source = "unknown"
        notes.append("the data's season is unknown (numeric time labels, or no frequency): the classical baselines "
                     "are non-seasonal and seasonal naive is left out; set baselines.season to give one")
        return Season(None, 1, source, notes)
    if season == 1:
        return Season(None, 1, source, notes)
    length = season
    if season > shortest:
        notes.append(f"baselines.season={season} is longer than the {shortest} rows the shortest fit trains on: "
                     "seasonal naive is left out; set baselines.season to at most that")
        length = None
    models = season
    if shortest < 2 * season:
        notes.append(f"baselines.season={season} needs two seasons ({2 * season} rows) per fit and the shortest fit "
                     f"trains on {shortest}: AutoETS, AutoARIMA and AutoTheta are fit without seasonality")
        models = 1
    return Season(length, models, source, notes)


def models(cfg, season: Season) -> dict:
    """Unfitted statsforecast models of option `cfg`, by name."""
    if cfg.name == "persistence":
        return {"persistence": classical.model("persistence", 1)}
    names = ["persistence", *(["seasonal_naive"] if season.length else []), "drift", *classical.SEASONAL]
    return {name: classical.model(name, season.length if name == "seasonal_naive" else season.models) for name in names}


def describe_fit(name: str, fitted) -> str:
    """The model a fit chose, e.g. ETS(M,A,M) or ARIMA(0,1,1)(0,1,1)[12]."""
    model = fitted.model_
    if name == "auto_ets":
        return str(model["method"])
    if name == "auto_arima":
        from statsforecast.arima import arima_string

        return arima_string(model).strip()
    if name == "auto_theta":
        return f"{model['modeltype']} (season {model['m']})"
    return LABELS[name]


def forecast_held_out(cfg, values: np.ndarray, plan, data_season: int | None) -> tuple[pd.DataFrame, dict]:
    """Every baseline's forecasts from every held-out row, by the fit of the backtest `plan` that forecasts it:
    one row per (fit, row, step), steps up to the end of the row's role (validation rows stop before the
    test rows), one column per baseline. And what was fit: the season, notes and each fit's chosen models."""
    from threadpoolctl import threadpool_limits

    first_test = plan.first_test_row
    starts = {}  # (fit, row) -> the rows left in its role from it
    for origin in plan.origins:
        end = first_test if origin.role == "val" else len(values)
        for row in range(origin.first, origin.end):
            starts[(origin.fit, row)] = end - row
    used = sorted({fit for fit, _ in starts})
    shortest = min(plan.fits[k].cut - plan.fits[k].start for k in used)
    if shortest < 2 and cfg.name == "classical":
        raise UserError(f"params.yaml: a fit of the backtest trains on {shortest} row; the classical baselines "
                        "need at least 2; use -S baselines=persistence")
    season = resolve_season(cfg, data_season, shortest)
    for note in season.notes:
        log.warning(note)
    columns = {"fit": [], "row": [], "step": []}
    forecasts: dict[str, list] = {}
    chosen = {}
    # The fits are tiny: extra BLAS threads only fight over the cores when experiments run two at a time.
    with threadpool_limits(limits=1):
        for k in used:
            fit = plan.fits[k]
            training = values[fit.start : fit.cut]
            rows = sorted(row for f, row in starts if f == k)
            for name, model in models(cfg, season).items():
                try:
                    fitted = model.fit(y=training)
                    walked = [classical.walk(name, fitted, values[fit.start : row], starts[(k, row)]) for row in rows]
                except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, NotImplementedError) as exc:
                    raise UserError(
                        f"params.yaml: the {name} baseline cannot be fit on the {len(training)} rows "
                        f"{fit.start}..{fit.cut - 1} ({_first_line(exc)}); set baselines.season, or "
                        "-S baselines=persistence") from exc
                forecasts.setdefault(name, []).extend(np.concatenate(walked))
                chosen.setdefault(name, []).append(describe_fit(name, fitted))
            for row in rows:
                steps = starts[(k, row)]
                columns["fit"] += [k] * steps
                columns["row"] += [row] * steps
                columns["step"] += list(range(1, steps + 1))
    frame = pd.DataFrame(columns | forecasts)
    info = {"season": season.length or season.models, "season_source": season.source,
            "seasonal_models_season": season.models, "notes": season.notes, "fits": chosen}
    return frame, info


def forecast_past_end(cfg, values: np.ndarray, info: dict, horizon: int) -> pd.DataFrame:
    """Every baseline of option `cfg` fit on every row of `values` with the season the held-out fits used (`info`,
    as `forecast_held_out` returns it), forecasting the `horizon` steps past the end: one row per step, one column
    per baseline."""
    from threadpoolctl import threadpool_limits

    # seasonal naive is among the baselines exactly when the held-out fits had its season
    season = Season(info["season"] if "seasonal_naive" in info["fits"] else None, info["seasonal_models_season"],
                    info["season_source"], info["notes"])
    ahead = {}
    with threadpool_limits(limits=1):
        for name, model in models(cfg, season).items():
            try:
                ahead[name] = classical.walk(name, model.fit(y=values), values, horizon)
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, NotImplementedError) as exc:
                raise UserError(
                    f"params.yaml: the {name} baseline cannot be fit on every row, 0..{len(values) - 1}, to forecast "
                    f"past the end ({_first_line(exc)}); set baselines.season, or -S baselines=persistence") from exc
    return pd.DataFrame({"step": np.arange(1, horizon + 1), **ahead})


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pick(frame: pd.DataFrame, fit_of: np.ndarray, rows: np.ndarray, steps: int) -> dict[str, np.ndarray]:
    """Every baseline's forecasts [len(rows), steps] from `rows`, each by the fit `fit_of` names, out of the
    baselines stage's `frame`."""
    table = frame.set_index(["fit", "row", "step"]).sort_index()
    wanted = pd.MultiIndex.from_arrays([np.repeat(fit_of, steps), np.repeat(rows, steps),
                                        np.tile(np.arange(1, steps + 1), len(rows))])
    missing = ~wanted.isin(table.index)
    if missing.any():
        fit, row, step = wanted[missing][0]
        raise UserError(f"baselines/forecasts.csv has no forecast of step {step} from row {row} by fit {fit}: it is "
                        "from another backtest; run `dvc repro` (the baselines stage) first")
    picked = table.loc[wanted]
    return {name: picked[name].to_numpy(float).reshape(len(rows), steps) for name in table.columns}
