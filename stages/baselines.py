"""Stage baselines: statsforecast's classical models fit on the rows each fit of the backtest trains on, and
their forecasts from every held-out row, for evaluate to score; and fit on every row, their forecasts of the
`forecast.horizon` steps past the end, for the forecast stage's figure. Reads no LSTM param, so a change of
model, task or train never refits them and DVC's run cache restores them."""

import logging
import time

import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import timeline
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.evaluation import baselines

log = logging.getLogger("baselines")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    series = timeline.read(paths.SERIES)
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    started = time.perf_counter()
    values = series[cfg.data.target].to_numpy(float)
    forecasts, info = baselines.forecast_held_out(cfg.baselines, values, plan,
                                                  timeline.season(series.index, cfg.data.frequency))
    past_end = baselines.forecast_past_end(cfg.baselines, values, info, cfg.forecast.horizon)
    seconds = time.perf_counter() - started
    outputs.write_csv(paths.BASELINE_FORECASTS, forecasts)
    outputs.write_json(paths.BASELINE_INFO, info)
    outputs.write_csv(paths.BASELINE_PAST_END, past_end)
    outputs.write_json(paths.BASELINE_TIME, {"seconds": round(seconds, 2)})
    chosen = "; ".join(f"{name}: {', '.join(dict.fromkeys(fits))}" for name, fits in info["fits"].items())
    log.info("season %s (%s); %d fit(s) and one on every row in %.1f s: %s; wrote %s, %s, %s and %s", info["season"],
             info["season_source"], len(plan.backtest().fits), seconds, chosen, paths.BASELINE_FORECASTS,
             paths.BASELINE_INFO, paths.BASELINE_PAST_END, paths.BASELINE_TIME)


if __name__ == "__main__":
    run_stage(main)
