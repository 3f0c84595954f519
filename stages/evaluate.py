"""Stage evaluate: the walk-forward forecasts train made and the baselines', in original units; RMSE per
output series and forecast step, and the diagnostics over training. Loads no model (no TensorFlow)."""

import json
import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data.transforms import SeriesTransform
from lstm_tuning.errors import run_stage
from lstm_tuning.evaluation import walk_forward

log = logging.getLogger("evaluate")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    series = pd.read_csv(paths.SERIES, index_col=0)
    transforms = {name: SeriesTransform.from_dict(p) for name, p in json.loads(paths.SCALING.read_text()).items()}
    result = walk_forward.evaluate(cfg, series, transforms, np.load(paths.WINDOWS), np.load(paths.CHECKPOINTS),
                                 pd.read_csv(paths.REPEATS))
    outputs.write_json(paths.METRICS, result.metrics)
    outputs.write_csv(paths.DIAGNOSTICS, result.diagnostics)
    outputs.write_csv(paths.DIAGNOSTICS_MEAN, result.diagnostics_mean)
    outputs.write_csv(paths.RMSE, result.rmse)
    outputs.write_csv(paths.FORECASTS, result.forecasts)
    outputs.write_csv(paths.HORIZON, result.horizon)
    metrics, summary = result.metrics, result.metrics["test_rmse"]
    log.info("test RMSE of %s (%d step(s)) mean %.3f std %.3f over %d repeats (%d diverged)", cfg.data.target,
             len(result.horizon), summary["mean"], summary["std"], len(result.rmse), metrics["repeats_diverged"])
    log.info("baselines (%.1f s): %s; skill vs best (%s) %.3f; wrote %s", result.baseline_seconds,
             ", ".join(f"{name} {rmse:.3f}" for name, rmse in metrics["baselines"].items()),
             metrics["best_baseline"], metrics["skill_vs_best_baseline"], paths.METRICS)


if __name__ == "__main__":
    run_stage(main)
