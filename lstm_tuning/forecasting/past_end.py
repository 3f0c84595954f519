"""The forecast stage's work, from what train kept (it trains nothing): the backtest fits' weights make the same
recursive forecast from every origin of the backtest, whose out-of-sample errors give the intervals at every
step ahead; the final fit's models (on every row) forecast past the end.

With early stopping the final fit keeps, per repeat, the weights of the epoch the same repeat of the last
backtest fit chose on validation (the final fit has no rows left to check against); without, `train.epochs`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstm_tuning import paths
from lstm_tuning.data import framings, timeline, transforms
from lstm_tuning.data.backtest import Plan, Scored
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation.specs import LABELS
from lstm_tuning.forecasting import intervals
from lstm_tuning.forecasting.forecaster import Forecaster

log = logging.getLogger("forecast")


@dataclass
class PastEnd:
    forecaster: Forecaster
    forecast: pd.DataFrame  # forecaster.forecast of the series: steps past its end, bounds per level
    intervals: pd.DataFrame  # per step and series: errors behind each interval, half-widths, test coverage
    metrics: dict  # coverage on the test origins per level, and what it rests on


def forecast_past_end(cfg, series: pd.DataFrame, plan: Plan, windows: dict, fitted: list[dict], weights: dict,
                      models: Path, source: str = "data/series.csv") -> PastEnd:
    """`series` as ingested, the `plan` (the transform stage's, its final fit last), the window stage's `windows`,
    each fit's transforms `fitted` and what train kept: `weights` (every fit's, stacked; and which members
    diverged) and the final fit's Keras files in `models`. The forecaster, its forecast of the
    `forecast.horizon` steps after the end and the intervals' calibration."""

    recursive = framings.TASKS[cfg.task.name].recursive
    if recursive:  # the dates past the end need a frequency
        timeline.after(series.index, cfg.data.frequency, cfg.forecast.horizon, source)
    final = plan.final_fit
    if final is None:
        raise UserError(f"{paths.ORIGINS}: no final fit (the fit on every row); rerun the pipeline from the transform "
                        "stage (`dvc repro`)")
    diverged, stacked, kept, model = trained_members(weights, final, models)
    levels = list(cfg.forecast.levels)
    horizon = cfg.forecast.horizon
    _, targets = framings.series_roles(cfg.task, cfg.data)
    if recursive:
        errors, origin_rows, tested = _backtest_errors(cfg, series, plan, windows, fitted, model, stacked, diverged,
                                                       horizon)
    else:
        log.warning("task=%s forecasts %s from the covariates of the same steps, whose values past the end are "
                    "unknown: no forecast past the end (forecast.csv lists none)", cfg.task.name, cfg.data.target)
        errors = np.full((0, horizon, len(targets)), np.nan)
        origin_rows, tested = np.zeros(0, int), np.zeros(0, bool)
    widths, counts, exact = intervals.half_widths(errors, levels)
    if recursive:
        warn_if_intervals_cannot_hold(levels, widths, counts, exact)
    inside = intervals.coverage(errors, origin_rows, tested, levels)
    forecaster = Forecaster(cfg, model, [w[final][kept] for w in stacked], [int(r) for r in kept], fitted[final],
                            dict(zip(levels, widths)))
    forecast = forecaster.forecast(series, horizon) if recursive else _no_forecast(targets, levels)
    return PastEnd(forecaster, forecast, intervals_table(targets, levels, widths, counts, exact, inside),
                   coverage_metrics(levels, inside, counts, tested))


def trained_members(weights: dict, final: int, models: Path) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, object]:
    """What train kept (`weights`: every fit's stacked weights and which members diverged; `models`: the final fit's
    Keras files): diverged [fits, repeats], the stacked weights per variable, the final fit's kept repeats, and a
    Keras model of the architecture (the layout of the weights)."""
    from lstm_tuning.training.backend import keras  # TensorFlow: only once forecasting

    diverged = weights["diverged"]
    stacked = [weights[name] for name in sorted(weights) if name.startswith("weight_")]
    kept = np.flatnonzero(~diverged[final])
    return diverged, stacked, kept, keras.saving.load_model(models / paths.model_file(int(kept[0])))


def best_baseline_past_end(metrics: dict, baselines_ahead: pd.DataFrame, target: str,
                           forecast: pd.DataFrame) -> pd.DataFrame:
    """The forecast past the end of evaluate's best baseline (its headline `metrics`) for the figure: its column
    of the baselines stage's `baselines_ahead` (fit on every row; `baselines.PAST_END_STEPS` steps, so that
    `forecast.horizon` reruns the forecast stage alone), at the times the LSTM's `forecast` has for `target`, up to
    the steps it has (none for a framing that cannot forecast past the end)."""
    name = metrics["best_baseline"]
    if name not in baselines_ahead:
        raise UserError(f"{paths.BASELINE_PAST_END} has no forecast by the best baseline, {name}: it is from another "
                        "baselines option; run `dvc repro` (the baselines stage) first")
    times = list(forecast.loc[forecast["series"] == target, "time"])[: len(baselines_ahead)]
    return pd.DataFrame({"series": target, "time": times,
                         "forecast": baselines_ahead[name].to_numpy(float)[: len(times)],
                         "baseline": LABELS.get(name, name)})


def _backtest_errors(cfg, series, plan, windows, fitted, model, stacked, diverged, horizon):
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
    # the calendar inputs of the rows fed back, past the end too (the dates continue it)
    carried = framings.calendar_ahead(series.index, cfg.task, cfg.data, horizon, str(paths.SERIES))
    for k in np.unique(scored.fit):
        pairs = np.flatnonzero(scored.fit == k)
        kept = np.flatnonzero(~diverged[k])
        if not len(kept):
            log.warning("every repeat of fit %d of the backtest diverged: its %d origins give the intervals no error",
                        k, len(pairs))
            continue
        known = None if carried is None else carried[rows[pairs]]  # [pairs, horizon, calendar inputs]
        ahead = training.forecast_ahead([model], windows["X"][k], windows["train"][k], scored.window[pairs], horizon,
                                        [w[k][kept] for w in stacked], known)
        levels = transforms.to_original_units(ahead, origin_rows[pairs], [fitted[k][n] for n in targets], observed)
        ensemble = levels.mean(axis=0)  # [pairs, horizon, targets]
        actual = observed[np.minimum(rows[pairs], len(series) - 1)]
        errors[pairs] = np.where(resolved[pairs, :, None], actual - ensemble, np.nan)
    return errors, origin_rows, scored.role == "test"


def _steps(steps: np.ndarray) -> str:
    """1-based steps as "3" or "3-12" (consecutive) or "1, 4, 7"."""
    steps = [int(h) + 1 for h in steps]
    if steps == list(range(steps[0], steps[-1] + 1)) and len(steps) > 1:
        return f"{steps[0]}-{steps[-1]}"
    return ", ".join(map(str, steps))


MORE_ERRORS = ("more backtest origins give more errors: hold out more rows (data.val_size) and refit along them "
               "(backtest), e.g. `dvc exp run -S backtest=expanding -S data.val_size=12`, or forecast fewer steps "
               "(forecast.horizon)")


def warn_if_intervals_cannot_hold(levels, widths, counts, exact) -> None:
    """One warning naming the steps whose intervals rest on no backtest error, on too few for their level's
    conformal rank, or on so few that two levels give the same interval; and what to change."""
    fewest = counts.min(axis=1)  # [steps]: over the output series
    problems = []
    empty = np.flatnonzero(fewest == 0)
    if len(empty):
        problems.append(f"no backtest error reaches step(s) {_steps(empty)}, whose intervals are empty")
    for i, level in enumerate(levels):
        short = np.flatnonzero(~exact[i].all(axis=1) & (fewest > 0))
        if len(short):
            needed = int(np.ceil(level / (100 - level) - 1e-9))  # the least n with ceil((n + 1) level) <= n
            errors = "-".join(map(str, sorted({int(fewest[short].min()), int(fewest[short].max())})))
            problems.append(f"the {level:g}% intervals at step(s) {_steps(short)} rest on {errors} error(s), fewer "
                            f"than the {needed} that level needs (they are the largest error)")
    for i in range(len(levels) - 1):
        same = np.flatnonzero((widths[i] == widths[i + 1]).all(axis=1))
        if len(same):
            problems.append(f"the {levels[i]:g}% and {levels[i + 1]:g}% intervals are equal at step(s) {_steps(same)}")
    if problems:
        log.warning("the intervals may not hold: %s; %s", "; ".join(problems), MORE_ERRORS)


def _no_forecast(targets: list[str], levels: list[float]) -> pd.DataFrame:
    bounds = [f"{side}_{level:g}" for level in levels for side in ("lower", "upper")]
    return pd.DataFrame(columns=["time", "step", "series", "forecast", *bounds])


def intervals_table(targets, levels, widths, counts, exact, inside, target_column: str = "series",
                    width_column: str = "half_width") -> pd.DataFrame:
    """Per step and target: how many backtest errors each interval rests on, its width per level (the panel's:
    a quantile of scaled errors), whether that many errors reach the level's conformal rank, and the coverage on
    the test origins."""
    rows = []
    for h in range(widths.shape[1]):
        for j, name in enumerate(targets):
            row = {"step": h + 1, target_column: name, "errors": int(counts[h, j])}
            for i, level in enumerate(levels):
                checked = inside[i, :, h, j]
                row[f"{width_column}_{level:g}"] = widths[i, h, j]
                row[f"guaranteed_{level:g}"] = bool(exact[i, h, j])
                row[f"coverage_{level:g}"] = np.nanmean(checked) if np.isfinite(checked).any() else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def coverage_metrics(levels, inside, counts, tested) -> dict:
    """Coverage over every test origin and step whose interval had earlier errors to rest on."""
    checks = int(np.isfinite(inside[0]).sum()) if len(levels) else 0
    metrics = {f"coverage_{level:g}": (round(float(np.nanmean(inside[i])), 4) if checks else None)
               for i, level in enumerate(levels)}
    return metrics | {"coverage_checks": checks, "test_origins": int(np.sum(tested)),
                      "errors_per_step": [int(c) for c in counts.min(axis=1)]}
