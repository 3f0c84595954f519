"""Stage evaluate: the backtest scored. The forecasts train made and the baselines stage's, at the same origins
with the same fits, in original units; RMSE, MAE and MASE per repeat, for the ensemble and for every
baseline, overall and per origin and forecast step; the diagnostics over training; the headline and its
verdict. Loads no model (no TensorFlow) and fits nothing.

A panel (`data.id_column` set) is scored per series (`evaluation.panel`): MASE on the seasonal naive's scale,
sMAPE and RMSE per (series, role) in evaluation/series.csv and per (series, origin) in series_origins.csv, their
means over series the headline. A single series writes both too (the panel's metrics for its one series), its
headline unchanged."""

import json
import logging
import time

import numpy as np
import pandas as pd

from lstm_tuning import config, outputs, paths
from lstm_tuning.data import long_format, timeline, transforms
from lstm_tuning.data import panel as panel_data
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.evaluation import panel, scale, scores, walk_forward

log = logging.getLogger("evaluate")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.data.id_column:
        evaluate_panel(cfg, cfg.data.id_column)
        return
    series = timeline.read(paths.SERIES)
    fitted = transforms.read_fits(json.loads(paths.SCALING.read_text()))
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    windows, checkpoints = np.load(paths.WINDOWS), np.load(paths.CHECKPOINTS)
    repeats, held_out = pd.read_csv(paths.REPEATS), pd.read_csv(paths.BASELINE_FORECASTS)
    info = json.loads(paths.BASELINE_INFO.read_text())
    result = walk_forward.evaluate(cfg, series, fitted, plan, windows, checkpoints, repeats, held_out, info)
    as_panel = panel.evaluate_one(cfg, series, fitted, plan, windows, checkpoints, repeats, held_out, info,
                                  scale.season(cfg, series.index))
    _write(result, result.rmse, as_panel)
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


def evaluate_panel(cfg, id_column: str) -> None:
    started = time.perf_counter()
    frames = long_format.read(paths.SERIES, id_column)
    fits = panel_data.read_fits(json.loads(paths.SCALING.read_text()))
    first = next(iter(frames.values()))
    plans = long_format.read_plans(pd.read_csv(paths.ORIGINS, dtype={"series": str}))
    result = panel.evaluate(cfg, frames, fits, plans, np.load(paths.WINDOWS),
                            np.load(paths.CHECKPOINTS), pd.read_csv(paths.REPEATS),
                            pd.read_csv(paths.BASELINE_FORECASTS, dtype={"series": str}),
                            json.loads(paths.BASELINE_INFO.read_text()), scale.season(cfg, first.index))
    _write(result, result.repeats, result)
    if result.details["series_without_finite_mase"]:
        log.warning("%d series have no finite MASE (their training rows repeat exactly every season, or a forecast "
                    "is missing): the means over series are not finite; see evaluation/series.csv",
                    result.details["series_without_finite_mase"])
    scaled = result.details["mase_scale"]
    log.info("%d series scored in %.1f s; MASE on the seasonal naive's scale (season %d), the one-step scale for %d "
             "series too short for it", result.metrics["series"], time.perf_counter() - started, scaled["season"],
             scaled["one-step"])
    log.info("%s Wrote %s, %s and %s", result.details["verdict"], paths.METRICS, paths.SERIES_SCORES, paths.DETAILS)


def _write(result, per_repeat: pd.DataFrame, as_panel: panel.PanelEvaluation) -> None:
    """Every output dvc.yaml declares, for one series (`walk_forward`'s result, and `as_panel` its scores as a panel
    of one) and a panel (`panel`'s result, both) alike."""
    outputs.write_json(paths.METRICS, result.metrics)
    outputs.write_json(paths.DETAILS, result.details)
    outputs.write_csv(paths.SERIES_SCORES, as_panel.series)
    outputs.write_csv(paths.SERIES_ORIGIN_SCORES, as_panel.series_origins)
    outputs.write_csv(paths.RMSE, per_repeat)
    outputs.write_csv(paths.ORIGIN_SCORES, result.origins)
    outputs.write_csv(paths.FORECASTS, result.forecasts)
    outputs.write_csv(paths.HORIZON, result.horizon)
    outputs.write_csv(paths.DIAGNOSTICS, result.diagnostics)
    outputs.write_csv(paths.DIAGNOSTICS_MEAN, result.diagnostics_mean)


if __name__ == "__main__":
    run_stage(main)
