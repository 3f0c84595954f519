"""Stage evaluate: walk-forward forecasts by the LSTMs and the classical baselines; RMSE and diagnostics."""

import json
import logging
import time

import numpy as np
import pandas as pd

from lstm_tuning import config, evaluation, outputs, paths
from lstm_tuning.errors import run_stage
from lstm_tuning.transforms import Scaling
from lstm_tuning.windows import trim_to_batches

log = logging.getLogger("evaluate")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).baselines
    import keras  # after validation: TensorFlow takes seconds to load and logs on import

    from lstm_tuning import baselines, training

    repeats = pd.read_csv(paths.REPEATS)
    trained = repeats.loc[~repeats["diverged"], "repeat"].to_numpy()
    members = [keras.saving.load_model(paths.MODELS / paths.model_file(r)) for r in trained]
    batch_size = members[0].input_shape[0]
    windows = np.load(paths.WINDOWS)
    series = pd.read_csv(paths.TRANSFORMED)
    scaling_payload = json.loads(paths.SCALING.read_text())
    scaling, interval = Scaling.from_dict(scaling_payload), scaling_payload["diff_interval"]

    X_state = windows["X_train"][trim_to_batches(len(windows["X_train"]), batch_size):]
    # Walk forward through the validation period and on through the test period, never refitting.
    scaled = training.forecast(members, X_state, np.concatenate([windows["X_val"], windows["X_test"]]))
    values = series["value"].to_numpy()
    val_targets, targets = windows["targets_val"], windows["targets_test"]
    previous = values[np.concatenate([val_targets, targets]) - interval]
    forecasts = evaluation.to_original_units(scaled, scaling, previous)
    val_forecasts, forecasts = forecasts[:, : len(val_targets)], forecasts[:, len(val_targets) :]
    actual = values[targets]
    rmses = evaluation.rmse_per_repeat(actual, forecasts)

    started = time.perf_counter()
    baseline_forecasts = baselines.forecast_all(cfg, values, targets)
    baseline_seconds = time.perf_counter() - started
    baseline_rmses = {name: evaluation.rmse_per_repeat(actual, f[None])[0] for name, f in baseline_forecasts.items()}
    metrics = evaluation.summarize(rmses, baseline_rmses)
    if len(val_targets):
        metrics["val_rmse"] = evaluation.describe(evaluation.rmse_per_repeat(values[val_targets], val_forecasts))
    metrics["repeats_diverged"] = int(repeats["diverged"].sum())
    per_checkpoint = evaluation.diagnostics(pd.read_csv(paths.CHECKPOINTS), scaling)
    per_checkpoint = per_checkpoint[per_checkpoint["repeat"].isin(trained)]
    mean_per_checkpoint, metrics["diagnostics"] = evaluation.inflection(per_checkpoint)

    outputs.write_json(paths.METRICS, metrics)
    outputs.write_csv(paths.DIAGNOSTICS, per_checkpoint)
    outputs.write_csv(paths.DIAGNOSTICS_MEAN, mean_per_checkpoint)
    outputs.write_csv(paths.RMSE, pd.DataFrame({"repeat": trained, "test_rmse": rmses}))
    outputs.write_csv(paths.FORECASTS, pd.DataFrame({
        "step": np.arange(1, len(targets) + 1),
        "date": series["date"].to_numpy()[targets],
        "actual": actual,
        "forecast_mean": forecasts.mean(axis=0),
        "forecast_min": forecasts.min(axis=0),
        "forecast_max": forecasts.max(axis=0),
        **baseline_forecasts,
    }))
    summary = metrics["test_rmse"]
    log.info("read %d models from %s/; test RMSE mean %.3f std %.3f over %d repeats (%d diverged)",
             len(members), paths.MODELS, summary["mean"], summary["std"], len(rmses), metrics["repeats_diverged"])
    log.info("baselines (%.1f s): %s; skill vs best (%s) %.3f; wrote %s", baseline_seconds,
             ", ".join(f"{name} {rmse:.3f}" for name, rmse in baseline_rmses.items()), metrics["best_baseline"],
             metrics["skill_vs_best_baseline"], paths.METRICS)


if __name__ == "__main__":
    run_stage(main)
