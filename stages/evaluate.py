"""Stage evaluate: walk-forward forecasts of the test period by the LSTMs and the classical baselines."""

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

    model_files = sorted(paths.MODELS.glob("*.keras"))
    members = [keras.saving.load_model(f) for f in model_files]
    batch_size = members[0].input_shape[0]
    windows = np.load(paths.WINDOWS)
    series = pd.read_csv(paths.TRANSFORMED)
    scaling_payload = json.loads(paths.SCALING.read_text())
    scaling, interval = Scaling.from_dict(scaling_payload), scaling_payload["diff_interval"]

    X_state = windows["X_train"][trim_to_batches(len(windows["X_train"]), batch_size):]
    scaled = training.forecast(members, X_state, windows["X_test"])
    targets = windows["test_targets"]
    values = series["value"].to_numpy()
    actual, previous = values[targets], values[targets - interval]
    forecasts = evaluation.to_original_units(scaled, scaling, previous)
    rmses = evaluation.rmse_per_repeat(actual, forecasts)

    started = time.perf_counter()
    baseline_forecasts = baselines.forecast_all(cfg, values, targets)
    baseline_seconds = time.perf_counter() - started
    baseline_rmses = {name: evaluation.rmse_per_repeat(actual, f[None])[0] for name, f in baseline_forecasts.items()}
    metrics = evaluation.summarize(rmses, baseline_rmses)

    outputs.write_json(paths.METRICS, metrics)
    outputs.write_csv(paths.RMSE, pd.DataFrame({"repeat": np.arange(len(rmses)), "test_rmse": rmses}))
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
    log.info("read %d models from %s/; test RMSE mean %.3f std %.3f over %d repeats", len(members), paths.MODELS,
             summary["mean"], summary["std"], len(rmses))
    log.info("baselines (%.1f s): %s; skill vs best (%s) %.3f; wrote %s", baseline_seconds,
             ", ".join(f"{name} {rmse:.3f}" for name, rmse in baseline_rmses.items()), metrics["best_baseline"],
             metrics["skill_vs_best_baseline"], paths.METRICS)


if __name__ == "__main__":
    run_stage(main)
