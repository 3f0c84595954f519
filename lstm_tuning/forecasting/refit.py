"""The forecast stage: the configuration refit on every row, with the backtest's fits trained again beside
it (one program, the repeats of every fit together) so that each of their origins gives out-of-sample errors
of the same recursive forecast at every step ahead; intervals from those errors; the forecast past the end.

Early stopping has no rows to check a refit on every row against: every fit here trains `train.epochs`.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data import framings, timeline, transforms
from lstm_tuning.data.backtest import Fit, Plan, Scored
from lstm_tuning.forecasting import intervals
from lstm_tuning.forecasting.forecaster import Forecaster

log = logging.getLogger(__name__)


@dataclass
class Refit:
    forecaster: Forecaster
    forecast: pd.DataFrame  # forecaster.forecast of the series: steps past its end, bounds per level
    intervals: pd.DataFrame  # per step and series: errors behind each interval, half-widths, test coverage
    metrics: dict  # coverage on the test origins per level, and what it rests on
    seconds: float


def refit(cfg, series: pd.DataFrame, plan: Plan, progress: bool = True, source: str = "data/series.csv") -> Refit:
    """`series` as ingested and the backtest `plan` (the transform stage's): the forecaster refit on every
    row, its forecast of the `forecast.horizon` steps after the end and the intervals' calibration."""
    from lstm_tuning import training  # TensorFlow takes seconds to load: after the config checks

    recursive = framings.TASKS[cfg.task.name].inputs != "covariates"  # else the future inputs are unknown
    if recursive:  # before training: the dates past the end need a frequency
        timeline.after(series.index, cfg.data.frequency, cfg.forecast.horizon, source)
    fits = [*plan.fits, Fit(0, len(series))] if recursive else [Fit(0, len(series))]
    every_fit = Plan(fits, plan.origins)
    scaled, fitted = transforms.transform(series, cfg.data, every_fit, source)
    windows = framings.split_windows(scaled, cfg.task, cfg.data, every_fit, source)
    log.info("refitting on all %d rows%s: %d fit(s) x %d repeats x %d epochs", len(series),
             " beside the backtest's fits (for the intervals)" if recursive else "", len(fits), cfg.train.repeats,
             cfg.train.epochs)
    trained = training.train(cfg.model, dataclasses.replace(cfg.train, early_stopping=0), windows, progress, source)
    kept = training.kept_repeats(trained, cfg.model, fit=-1)  # the refit's repeats that did not diverge
    levels = list(cfg.forecast.levels)
    horizon = cfg.forecast.horizon
    _, targets = framings.series_roles(cfg.task, cfg.data)
    if recursive:
        errors, origin_rows, tested = _backtest_errors(cfg, series, plan, windows, fitted, trained, horizon)
    else:
        log.warning("task=%s forecasts %s from the covariates of the same steps, whose values past the end are "
                    "unknown: no forecast past the end (forecast.csv lists none)", cfg.task.name, cfg.data.target)
        errors = np.full((0, horizon, len(targets)), np.nan)
        origin_rows, tested = np.zeros(0, int), np.zeros(0, bool)
    widths, counts, exact = intervals.half_widths(errors, levels)
    inside = intervals.coverage(errors, origin_rows, tested, levels)
    forecaster = Forecaster(cfg, [trained.models[r] for r in kept], [int(r) for r in kept], fitted[-1],
                            dict(zip(levels, widths)))
    forecast = forecaster.forecast(series, horizon) if recursive else _no_forecast(targets, levels)
    return Refit(forecaster, forecast, _intervals_table(targets, levels, widths, counts, exact, inside),
                 _metrics(levels, inside, counts, tested), trained.seconds)


def _backtest_errors(cfg, series, plan, windows, fitted, trained, horizon):
    """Errors [origins, horizon, targets] of the ensemble's recursive forecasts from every origin of the
    backtest (NaN where the row is past the end), each made by the fit that forecasts that origin with its
    repeats that did not diverge; and each origin's row and whether it is a test origin."""
    from lstm_tuning import training

    _, targets = framings.series_roles(cfg.task, cfg.data)
    observed = series[targets].to_numpy(float)
    first_rows = windows["first_rows"]
    scored = Scored.of(plan, first_rows, 1, len(series))  # every window from a held-out row on: one origin each
    origin_rows = first_rows[scored.window]
    errors = np.full((len(origin_rows), horizon, len(targets)), np.nan)
    rows = origin_rows[:, None] + np.arange(horizon)
    resolved = rows < len(series)
    for k in np.unique(scored.fit):
        pairs = np.flatnonzero(scored.fit == k)
        kept = np.flatnonzero(~trained.diverged[k])
        if not len(kept):
            log.warning("every repeat of fit %d of the backtest diverged: its %d origins give the intervals no error",
                        k, len(pairs))
            continue
        weights = [w[k][kept] for w in trained.fit_weights]
        ahead = training.forecast_ahead([trained.models[r] for r in kept], windows["X"][k], windows["train"][k],
                                        scored.window[pairs], horizon, weights)
        levels = transforms.to_original_units(ahead, origin_rows[pairs], [fitted[k][n] for n in targets], observed)
        ensemble = levels.mean(axis=0)  # [pairs, horizon, targets]
        actual = observed[np.minimum(rows[pairs], len(series) - 1)]
        errors[pairs] = np.where(resolved[pairs, :, None], actual - ensemble, np.nan)
    return errors, origin_rows, scored.role == "test"


def _no_forecast(targets: list[str], levels: list[float]) -> pd.DataFrame:
    bounds = [f"{side}_{level:g}" for level in levels for side in ("lower", "upper")]
    return pd.DataFrame(columns=["time", "step", "series", "forecast", *bounds])


def _intervals_table(targets, levels, widths, counts, exact, inside) -> pd.DataFrame:
    """Per step and series: how many backtest errors each interval rests on, its half-width per level, whether
    that many errors reach the level's conformal rank, and the coverage on the test origins."""
    rows = []
    for h in range(widths.shape[1]):
        for j, name in enumerate(targets):
            row = {"step": h + 1, "series": name, "errors": int(counts[h, j])}
            for i, level in enumerate(levels):
                checked = inside[i, :, h, j]
                row[f"half_width_{level:g}"] = widths[i, h, j]
                row[f"guaranteed_{level:g}"] = bool(exact[i, h, j])
                row[f"coverage_{level:g}"] = np.nanmean(checked) if np.isfinite(checked).any() else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _metrics(levels, inside, counts, tested) -> dict:
    """Coverage over every test origin and step whose interval had earlier errors to rest on."""
    checks = int(np.isfinite(inside[0]).sum()) if len(levels) else 0
    metrics = {f"coverage_{level:g}": (round(float(np.nanmean(inside[i])), 4) if checks else None)
               for i, level in enumerate(levels)}
    return metrics | {"coverage_checks": checks, "test_origins": int(tested.sum()),
                      "errors_per_step": [int(c) for c in counts.min(axis=1)]}
