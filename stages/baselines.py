"""Stage baselines: statsforecast's classical models fit on the rows each fit of the backtest trains on, and
their forecasts from every held-out row, for evaluate to score; for every series of a panel (`data.id_column`
set), in a process per core. For one series also fit on every row, their forecasts past the end, for the
forecast stage's figure. Reads no LSTM param, so a change of model, task or train never refits them and DVC's
run cache restores them."""

import logging
import os
import time

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import long_format, timeline
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.evaluation import baselines

log = logging.getLogger("baselines")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    started = time.perf_counter()
    forecasts, info, past_end = _panel(cfg) if cfg.data.id_column else _single(cfg)
    seconds = time.perf_counter() - started
    outputs.write_csv(paths.BASELINE_FORECASTS, forecasts)
    outputs.write_json(paths.BASELINE_INFO, info)
    outputs.write_csv(paths.BASELINE_PAST_END, past_end)
    outputs.write_json(paths.BASELINE_TIME, {"seconds": round(seconds, 2)})
    log.info("wrote %s, %s, %s and %s in %.1f s", paths.BASELINE_FORECASTS, paths.BASELINE_INFO,
             paths.BASELINE_PAST_END, paths.BASELINE_TIME, seconds)


def _single(cfg) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    series = timeline.read(paths.SERIES)
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    values = series[cfg.data.target].to_numpy(float)
    forecasts, info = baselines.forecast_held_out(cfg.baselines, values, plan,
                                                  timeline.season(series.index, cfg.data.frequency))
    past_end = baselines.forecast_past_end(cfg.baselines, values, info)
    chosen = "; ".join(f"{name}: {', '.join(dict.fromkeys(fits))}" for name, fits in info["fits"].items())
    log.info("season %s (%s); %d fit(s) and one on every row: %s", info["season"], info["season_source"],
             len(plan.backtest().fits), chosen)
    return forecasts, info, past_end


def _panel(cfg) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    frames = long_format.read(paths.SERIES, cfg.data.id_column)
    plans = long_format.read_plans(pd.read_csv(paths.ORIGINS, dtype={"series": str}))
    n_jobs = len(os.sched_getaffinity(0))
    season = baselines.panel_data_season(cfg.baselines, {series: frame.index for series, frame in frames.items()},
                                         cfg.data.frequency)
    forecasts, info = baselines.forecast_panel(
        cfg.baselines, {series: frame[cfg.data.target].to_numpy(float) for series, frame in frames.items()},
        plans, season, n_jobs)
    chosen = "; ".join(f"{name}: " + ", ".join(f"{form} x{count}" for form, count in forms.items())
                       for name, forms in info["chosen"].items())
    log.info("%d series in %d process(es); season %s (%s); chosen: %s", info["series"], n_jobs, info["season"],
             info["season_source"], chosen)
    # the panel's forecast figure draws no baseline: nothing past the end (an empty table, so the out exists)
    return forecasts, info, pd.DataFrame(columns=["step"])


if __name__ == "__main__":
    run_stage(main)
