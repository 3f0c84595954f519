"""Baselines (`baselines`): statsforecast's classical models, forecast from every held-out row with the fits
of the backtest.

Each baseline is fit on exactly the rows each fit of the backtest trains on, and at a later origin of the
same fit it is walked forward with the true values before the window and its estimated params left alone
(statsforecast's `forward`), like the LSTM's weights. The forecasts from each held-out row run to the end of
its role's rows, so the evaluate stage picks the steps of any framing without refitting. Options:
`classical` (AutoETS, AutoARIMA and AutoTheta with the data's season, seasonal naive, persistence, drift),
`panel` (those of them it lists, by default all but AutoARIMA: the costly one over many series) and
`persistence` alone, for series too short to fit the others on.

Over a panel (`forecast_panel`) each series is forecast exactly as alone, with its own backtest, the series
shared out between processes in chunks: the fits dominate the cost, and `forward` (the walk) needs each
series' fitted models, which statsforecast's `StatsForecast.forecast` (one origin, no walk) would not keep.

The same baselines, fit on every row, also forecast `PAST_END_STEPS` steps past the end (`forecast_past_end`):
the forecast stage draws the best one's beside the LSTM's, up to `forecast.horizon` steps, without loading
statsforecast. A fixed number, not `forecast.horizon`, so that a new horizon reruns the forecast stage alone.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
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
    if cfg.name == "persistence":
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
    if cfg.name == "panel":
        names = [name for name in names if name in cfg.models]
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

    starts = _starts(plan, len(values))
    shortest = _shortest_fit(cfg, plan, starts, "params.yaml")
    season = resolve_season(cfg, data_season, shortest)
    for note in season.notes:
        log.warning(note)
    # The fits are tiny: extra BLAS threads only fight over the cores when experiments run two at a time.
    with threadpool_limits(limits=1):
        frame, chosen = _walk_fits(cfg, values, plan, starts, season, "params.yaml")
    info = {"season": season.length or season.models, "season_source": season.source,
            "seasonal_models_season": season.models, "notes": season.notes, "fits": chosen}
    return frame, info


def forecast_panel(cfg, panel: dict[str, np.ndarray], plans: dict, data_season: int | None,
                   n_jobs: int) -> tuple[pd.DataFrame, dict]:
    """`forecast_held_out` for every series of a panel (`panel`: each series' target values, in series order;
    `plans`: each series' own backtest, its rows numbered within the series), in `n_jobs` processes: the
    forecasts of each series are exactly those `forecast_held_out` gives it alone, under a first column
    `series`. Where a series' fits are too short for the panel's season (`resolve_season`), that series'
    seasonal models are non-seasonal and its seasonal naive is persistence (season 1, so every series has
    every column); info counts those series, and each model form the fits chose, over series and fits."""
    if not panel:
        raise UserError("data/series.csv has no series; run `dvc repro` (ingest)")
    missing = [series for series in panel if series not in plans]
    if missing:
        raise UserError(f"data/origins.csv has no origins for series {missing[0]!r} of data/series.csv "
                        f"({len(missing)} series have none): it is from other data; run `dvc repro` (transform)")
    panel_season = resolve_season(cfg, data_season, shortest=np.iinfo(np.int64).max)
    for note in panel_season.notes:
        log.warning(note)
    work = [(series, values, plans[series]) for series, values in panel.items()]
    chunks = np.array_split(np.arange(len(work)), min(len(work), 1 if n_jobs == 1 else 8 * n_jobs))
    one_chunk = functools.partial(_forecast_series, cfg, data_season, panel_season)
    done = _map(one_chunk, [[work[i] for i in chunk] for chunk in chunks], n_jobs)
    results = [result for chunk in done for result in chunk]
    frame = pd.concat([forecasts.assign(series=series)[["series", *forecasts.columns]]
                       for series, forecasts, _, _ in results], ignore_index=True)
    seasonal = [name for name in classical.SEASONAL if name in frame]  # the panel option may leave them out
    short = {"seasonal_naive_as_persistence": [series for series, _, _, season in results
                                               if "seasonal_naive" in frame and season.length == 1],
             "seasonal_models_non_seasonal": [series for series, _, _, season in results
                                              if seasonal and season.models < panel_season.models]}
    notes = list(panel_season.notes)
    if short["seasonal_naive_as_persistence"]:
        notes.append(_short_note(short["seasonal_naive_as_persistence"], f"shorter than the season "
                                 f"({panel_season.length} rows): their seasonal naive is persistence"))
    if short["seasonal_models_non_seasonal"]:
        notes.append(_short_note(short["seasonal_models_non_seasonal"], f"shorter than two seasons "
                                 f"({2 * panel_season.models} rows): "
                                 f"{', '.join(LABELS[name] for name in seasonal)} are fit without "
                                 "seasonality on them"))
    for note in notes[len(panel_season.notes):]:
        log.warning(note)
    chosen: dict[str, Counter] = {}
    for _, _, fits, _ in results:
        for name, forms in fits.items():
            chosen.setdefault(name, Counter()).update(forms)
    info = {"season": panel_season.length or panel_season.models, "season_source": panel_season.source,
            "seasonal_models_season": panel_season.models, "series": len(results),
            "series_too_short_for_season": {reason: len(ids) for reason, ids in short.items()}, "notes": notes,
            "chosen": {name: dict(counts.most_common()) for name, counts in chosen.items()}}
    return frame, info


def panel_data_season(cfg, indexes: dict[str, pd.Index], declared: str | None) -> int | None:
    """The season of the panel's frequency (`timeline.season` of each series' time index `indexes`), for the
    baselines option `cfg`: None where it sets its own season (or fits no seasonal model). Series whose
    frequencies give different seasons cannot share one: a UserError names two of them."""
    from lstm_tuning.data import timeline

    if cfg.name == "persistence" or cfg.season:
        return None
    seasons = {}
    for series, index in indexes.items():
        seasons.setdefault(timeline.season(index, declared), series)
    found = {season: series for season, series in seasons.items() if season is not None}
    if len(found) > 1:
        (a, first), (b, second) = list(found.items())[:2]
        raise UserError(f"data/series.csv: series {first!r} has a season of {a} rows and series {second!r} of {b}; "
                        "set baselines.season (e.g. -S baselines.season=12) or data.frequency to one for all")
    return next(iter(found), None)


def _forecast_series(cfg, data_season: int | None, panel_season: Season, work: list) -> list[tuple]:
    """(series, forecasts, chosen models, season) of each (series, values, plan) of `work`, one process's
    share of a panel."""
    from threadpoolctl import threadpool_limits

    results = []
    # one BLAS thread per process: the processes already use every core
    with threadpool_limits(limits=1):
        for series, values, plan in work:
            where = f"data/series.csv, series {series!r}"
            starts = _starts(plan, len(values))
            season = resolve_season(cfg, data_season, _shortest_fit(cfg, plan, starts, where))
            if panel_season.length and not season.length:
                season = dataclasses.replace(season, length=1)
            forecasts, chosen = _walk_fits(cfg, values, plan, starts, season, where)
            results.append((series, forecasts, chosen, season))
    return results


def _map(function, chunks: list, n_jobs: int) -> list:
    """`function` of every chunk, in order, in `n_jobs` processes; in this process when n_jobs is 1.

    The processes are forked from a fresh server process that has imported statsforecast once (forkserver):
    not from this one, which may hold threads (TensorFlow's in the test suite) that a fork would copy mid-lock,
    and not spawned, which imports everything again in every process (twice the start-up: seconds)."""
    if n_jobs == 1 or len(chunks) == 1:
        return [function(chunk) for chunk in chunks]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "statsforecast.models"])
    with ProcessPoolExecutor(n_jobs, mp_context=context) as pool:
        return list(pool.map(function, chunks))


def _short_note(ids: list[str], what: str) -> str:
    shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
    return f"{len(ids)} series have a fit {what} ({shown})"


def _starts(plan, n_rows: int) -> dict[tuple[int, int], int]:
    """(fit, row) of every held-out row -> the steps left in its role from it."""
    first_test = plan.first_test_row
    starts = {}
    for origin in plan.origins:
        end = first_test if origin.role == "val" else n_rows
        for row in range(origin.first, origin.end):
            starts[(origin.fit, row)] = end - row
    return starts


def _shortest_fit(cfg, plan, starts: dict, where: str) -> int:
    """The fewest rows a fit that forecasts a held-out row trains on; at least 2 for the classical models."""
    shortest = min(plan.fits[k].cut - plan.fits[k].start for k in {fit for fit, _ in starts})
    if shortest < 2 and cfg.name != "persistence":
        raise UserError(f"{where}: a fit of the backtest trains on {shortest} row; the classical baselines "
                        "need at least 2; use -S baselines=persistence")
    return shortest


def _walk_fits(cfg, values: np.ndarray, plan, starts: dict, season: Season,
               where: str) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The forecasts of every baseline from every held-out row of `starts` (one row per (fit, row, step)), and
    the model each fit chose, per baseline."""
    columns = {"fit": [], "row": [], "step": []}
    forecasts: dict[str, list] = {}
    chosen = {}
    for k in sorted({fit for fit, _ in starts}):
        fit = plan.fits[k]
        training = values[fit.start : fit.cut]
        rows = sorted(row for f, row in starts if f == k)
        for name, model in models(cfg, season).items():
            try:
                fitted = model.fit(y=training)
                walked = [classical.walk(name, fitted, values[fit.start : row], starts[(k, row)]) for row in rows]
            except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, NotImplementedError) as exc:
                raise UserError(
                    f"{where}: the {name} baseline cannot be fit on the {len(training)} rows "
                    f"{fit.start}..{fit.cut - 1} ({_first_line(exc)}); set baselines.season, or "
                    "-S baselines=persistence") from exc
            forecasts.setdefault(name, []).extend(np.concatenate(walked))
            chosen.setdefault(name, []).append(describe_fit(name, fitted))
        for row in rows:
            steps = starts[(k, row)]
            columns["fit"] += [k] * steps
            columns["row"] += [row] * steps
            columns["step"] += list(range(1, steps + 1))
    return pd.DataFrame(columns | forecasts), chosen


PAST_END_STEPS = 120  # ten years of months: a forecast figure's horizon rarely goes further


def forecast_past_end(cfg, values: np.ndarray, info: dict, horizon: int = PAST_END_STEPS) -> pd.DataFrame:
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


def pick(frame: pd.DataFrame, fit_of: np.ndarray, rows: np.ndarray, steps: int,
         series: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Every baseline's forecasts [len(rows), steps] from `rows`, each by the fit `fit_of` names, out of the
    baselines stage's `frame`; in a panel's frame (a `series` column first), each from its series `series[i]`."""
    keys = ["fit", "row", "step"] if series is None else ["series", "fit", "row", "step"]
    table = frame.set_index(keys).sort_index()
    wanted = [np.repeat(fit_of, steps), np.repeat(rows, steps), np.tile(np.arange(1, steps + 1), len(rows))]
    wanted = pd.MultiIndex.from_arrays(wanted if series is None else [np.repeat(series, steps), *wanted])
    missing = ~wanted.isin(table.index)
    if missing.any():
        *of_series, fit, row, step = wanted[missing][0]
        where = f" of series {of_series[0]}" if of_series else ""
        raise UserError(f"baselines/forecasts.csv has no forecast of step {step} from row {row}{where} by fit {fit}: "
                        "it is from another backtest; run `dvc repro` (the baselines stage) first")
    picked = table.loc[wanted]
    return {name: picked[name].to_numpy(float).reshape(len(rows), steps) for name in table.columns}
