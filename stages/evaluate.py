"""Stage evaluate: the backtest scored. The forecasts train made and the baselines stage's, at the same origins
with the same fits, in original units; RMSE, MAE and MASE per repeat, for the ensemble and for every
baseline, overall and per origin and forecast step; the diagnostics over training; the headline and its
verdict. Loads no model (no TensorFlow) and fits nothing."""

import json
import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import timeline, transforms
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.evaluation import scores, walk_forward

log = logging.getLogger("evaluate")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    series = timeline.read(paths.SERIES)
    fitted = transforms.read_fits(json.loads(paths.SCALING.read_text()))
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    result = walk_forward.evaluate(cfg, series, fitted, plan, np.load(paths.WINDOWS), np.load(paths.CHECKPOINTS),
                                   pd.read_csv(paths.REPEATS), pd.read_csv(paths.BASELINE_FORECASTS),
                                   json.loads(paths.BASELINE_INFO.read_text()))
    outputs.write_json(paths.METRICS, result.metrics)
    outputs.write_json(paths.DETAILS, result.details)
    outputs.write_csv(paths.DIAGNOSTICS, result.diagnostics)
    outputs.write_csv(paths.DIAGNOSTICS_MEAN, result.diagnostics_mean)
    outputs.write_csv(paths.RMSE, result.rmse)
    outputs.write_csv(paths.ORIGIN_SCORES, result.origins)
    outputs.write_csv(paths.FORECASTS, result.forecasts)
    outputs.write_csv(paths.HORIZON, result.horizon)
    details = result.details
    for role in ("val", "test"):
        if f"{role}_rmse" in details:
            summary, ensemble = details[f"{role}_rmse"], details[f"{role}_ensemble"]
            log.info("%s RMSE of %s over %d origin(s): mean %.3f std %.3f over %d repeats; ensemble %.3f (MASE %.3f)",
                     role, cfg.data.target, details["origins"][role], summary["mean"], summary["std"],
                     len(result.rmse), ensemble["rmse"], ensemble["mase"])
    tested = ", ".join(f"{name} {b['test_mase']:.3f}" for name, b in details["baselines"].items())
    log.info("baselines' test MASE: %s; %d repeats diverged", tested, details["repeats_diverged"])
    log.info("%s Wrote %s and %s", scores.verdict(result.metrics), paths.METRICS, paths.DETAILS)


if __name__ == "__main__":
    run_stage(main)
