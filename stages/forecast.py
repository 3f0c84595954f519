"""Stage forecast: from what train kept, it trains nothing: the final fit's forecast of the `forecast.horizon`
steps past the end with intervals at `forecast.levels` from the backtest fits' out-of-sample errors, their
coverage on the test origins, and the final models (the `forecaster` artifact, read by
`lstm_tuning.load("models")`)."""

import json
import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import timeline, transforms
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.forecasting.past_end import best_baseline_past_end, forecast_past_end
from lstm_tuning.reports.forecast_figure import forecast_figure

log = logging.getLogger("forecast")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.data.id_column:  # a panel of many series
        return panel(cfg)
    series = timeline.read(paths.SERIES)
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    fitted = transforms.read_fits(json.loads(paths.SCALING.read_text()))
    windows, weights = dict(np.load(paths.WINDOWS)), dict(np.load(paths.FIT_WEIGHTS))
    result = forecast_past_end(cfg, series, plan, windows, fitted, weights, paths.FINAL_MODELS, str(paths.SERIES))
    with outputs.atomic_dir(paths.MODELS) as tmp:
        result.forecaster.save(tmp, paths.FINAL_MODELS)
    outputs.write_csv(paths.FORECAST, result.forecast)
    outputs.write_csv(paths.FORECAST_INTERVALS, result.intervals)
    outputs.write_json(paths.FORECAST_METRICS, result.metrics)
    best = best_baseline_past_end(json.loads(paths.METRICS.read_text()), pd.read_csv(paths.BASELINE_PAST_END),
                                  cfg.data.target, result.forecast)
    outputs.save_figure(forecast_figure(series, result.forecast, cfg.forecast.levels, best), paths.FORECAST_FIGURE)
    coverage = ", ".join(f"{level:g}%: {result.metrics[f'coverage_{level:g}']}" for level in cfg.forecast.levels)
    log.info("forecast %d step(s) past %s with %d repeats; coverage on the test origins %s over %d checks; wrote "
             "%s/, %s, %s, %s and %s", cfg.forecast.horizon, timeline.label(series.index, -1),
             len(result.forecaster.repeats), coverage, result.metrics["coverage_checks"], paths.MODELS,
             paths.FORECAST, paths.FORECAST_INTERVALS, paths.FORECAST_METRICS, paths.FORECAST_FIGURE)


def panel(cfg) -> None:
    """Every series' forecast past its own end by the global model, with intervals pooled over series."""
    from lstm_tuning.data import long_format
    from lstm_tuning.evaluation import scale
    from lstm_tuning.forecasting import panel as panel_forecast

    frames = long_format.read(paths.SERIES, cfg.data.id_column)
    plans = long_format.read_plans(pd.read_csv(paths.ORIGINS, dtype={"series": str}))
    fitted = {name: transforms.read_fits(fits) for name, fits in json.loads(paths.SCALING.read_text()).items()}
    windows, weights = dict(np.load(paths.WINDOWS)), dict(np.load(paths.FIT_WEIGHTS))
    season = scale.season(cfg, next(iter(frames.values())).index)
    result = panel_forecast.forecast_past_end(cfg, frames, plans, windows, fitted, weights, paths.FINAL_MODELS, season,
                                              str(paths.SERIES))
    with outputs.atomic_dir(paths.MODELS) as tmp:
        result.forecaster.save(tmp, paths.FINAL_MODELS)
    outputs.write_csv(paths.FORECAST, result.forecast)
    outputs.write_csv(paths.FORECAST_INTERVALS, result.intervals)
    outputs.write_json(paths.FORECAST_METRICS, result.metrics)
    history, shown = panel_forecast.figure_inputs(frames, result.forecast, cfg.data.target)
    outputs.save_figure(forecast_figure(history, shown, cfg.forecast.levels), paths.FORECAST_FIGURE)
    coverage = ", ".join(f"{level:g}%: {result.metrics[f'coverage_{level:g}']}" for level in cfg.forecast.levels)
    log.info("forecast %d step(s) past the end of each of %d series with %d repeats; intervals pooled over series "
             "(scale: seasonal naive, season %d; one-step for %d series); coverage on the test origins %s over %d "
             "checks; wrote %s/, %s, %s, %s and %s", cfg.forecast.horizon, result.metrics["series"],
             len(result.forecaster.repeats), season, result.metrics["one_step_scale_series"], coverage,
             result.metrics["coverage_checks"], paths.MODELS, paths.FORECAST, paths.FORECAST_INTERVALS,
             paths.FORECAST_METRICS, paths.FORECAST_FIGURE)


if __name__ == "__main__":
    run_stage(main)
