"""Stage evaluate: walk-forward forecasts by the LSTMs and the baselines, in original units; RMSE per
output series and forecast step, and the diagnostics over training."""

import json
import logging
import time

import numpy as np
import pandas as pd

from lstm_tuning import config, evaluation, framings, outputs, paths
from lstm_tuning.errors import run_stage
from lstm_tuning.per_series_transforms import SeriesTransform, to_original_units
from lstm_tuning.windows import trim_to_batches

log = logging.getLogger("evaluate")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    import keras  # after validation: TensorFlow takes seconds to load and logs on import

    from lstm_tuning import baselines, stateless_training, training

    repeats = pd.read_csv(paths.REPEATS)
    trained = repeats.loc[~repeats["diverged"], "repeat"].to_numpy()
    members = [keras.saving.load_model(paths.MODELS / paths.model_file(r)) for r in trained]
    windows = np.load(paths.WINDOWS)
    series = pd.read_csv(paths.SERIES, index_col=0)
    transforms = {name: SeriesTransform.from_dict(p) for name, p in json.loads(paths.SCALING.read_text()).items()}
    _, names = framings.series_roles(cfg.task, cfg.data)
    observed = series[names].to_numpy(float)
    n_out = windows["y_test"].shape[1]

    def original_units(scaled, first_rows):
        return to_original_units(scaled, first_rows, [transforms[name] for name in names], observed)

    # Every window holds true earlier values: forecasting the validation and test windows in order, never
    # refitting, is the seed's walk-forward.
    held_rows = np.concatenate([windows["targets_val"], windows["targets_test"]])
    if cfg.model.name == "stateful_lstm":
        # the stateful model first builds up its state over the training rows it was trained on (train
        # dropped the oldest and said so)
        batch_size = members[0].input_shape[0]
        X_state = windows["X_train"][trim_to_batches(len(windows["X_train"]), batch_size, warn=False) :, :, 0]
        X_held = np.concatenate([windows["X_val"], windows["X_test"]])[..., 0]
        scaled = training.forecast(members, X_state, X_held)[..., None, None]
    else:
        scaled = stateless_training.predict(members, np.concatenate([windows["X_val"], windows["X_test"]]))
    held = original_units(scaled, held_rows)
    n_val = len(windows["targets_val"])
    val_forecasts, forecasts = held[:, :n_val], held[:, n_val:]
    first_rows = windows["targets_test"]
    actual = evaluation.actual_windows(observed, first_rows, n_out)
    overall, per_step = evaluation.step_scores(actual, forecasts)
    rmses = overall[:, -1]  # the target series (data.target) is the last output

    started = time.perf_counter()
    baseline_forecasts = baselines.forecast_all(cfg.baselines, observed[:, -1], first_rows, n_out)
    baseline_seconds = time.perf_counter() - started
    # each baseline's forecasts [n, n_out] of the target, scored as one more repeat: overall, per step
    baseline_scores = {name: evaluation.step_scores(actual[..., -1:], f[None, ..., None])
                       for name, f in baseline_forecasts.items()}
    baseline_rmses = {name: float(scores[0][0, 0]) for name, scores in baseline_scores.items()}
    metrics = evaluation.summarize(rmses, baseline_rmses)
    if n_val:
        val_actual = evaluation.actual_windows(observed, windows["targets_val"], n_out)
        metrics["val_rmse"] = evaluation.describe(evaluation.step_scores(val_actual, val_forecasts)[0][:, -1])
    persistence = np.repeat(observed[first_rows - 1][:, None], n_out, axis=1)  # every series' last value
    metrics["per_series"] = evaluation.per_series(
        names, (overall, per_step), evaluation.step_scores(actual, persistence[None]))
    metrics["repeats_diverged"] = int(repeats["diverged"].sum())

    checkpoints = np.load(paths.CHECKPOINTS)
    segments = np.select([np.isin(checkpoints["first_rows"], windows["targets_test"]),
                          np.isin(checkpoints["first_rows"], windows["targets_val"])], ["test", "val"], "train")
    per_checkpoint = evaluation.diagnostics(
        checkpoints["epochs"], original_units(checkpoints["forecasts"], checkpoints["first_rows"]),
        evaluation.actual_windows(observed, checkpoints["first_rows"], n_out), segments,
    )
    per_checkpoint = per_checkpoint[per_checkpoint["repeat"].isin(trained)]
    mean_per_checkpoint, metrics["diagnostics"] = evaluation.inflection(per_checkpoint)
    # the training error of the weights evaluated: the last epoch's, or each repeat's best with early stopping
    final_epoch = repeats.set_index("repeat")["best_epoch"].where(lambda e: e > 0, cfg.train.epochs)
    final = per_checkpoint[per_checkpoint["epoch"].to_numpy() == final_epoch[per_checkpoint["repeat"]].to_numpy()]
    metrics["train_rmse"] = evaluation.describe(final["train_rmse"].to_numpy())

    outputs.write_json(paths.METRICS, metrics)
    outputs.write_csv(paths.DIAGNOSTICS, per_checkpoint)
    outputs.write_csv(paths.DIAGNOSTICS_MEAN, mean_per_checkpoint)
    outputs.write_csv(paths.RMSE, pd.DataFrame({"repeat": trained, "test_rmse": rmses}))
    outputs.write_csv(paths.FORECASTS, pd.DataFrame({
        "step": np.arange(1, len(first_rows) + 1),
        "time": series.index.to_numpy()[first_rows],
        "actual": actual[:, 0, -1],
        "forecast_mean": forecasts[:, :, 0, -1].mean(axis=0),
        "forecast_min": forecasts[:, :, 0, -1].min(axis=0),
        "forecast_max": forecasts[:, :, 0, -1].max(axis=0),
        **{name: f[:, 0] for name, f in baseline_forecasts.items()},
    }))
    outputs.write_csv(paths.HORIZON, pd.DataFrame({
        "horizon": np.arange(1, n_out + 1),
        "lstm_mean": per_step[:, :, -1].mean(axis=0),
        "lstm_min": per_step[:, :, -1].min(axis=0),
        "lstm_max": per_step[:, :, -1].max(axis=0),
        **{name: scores[1][0, :, 0] for name, scores in baseline_scores.items()},
    }))
    summary = metrics["test_rmse"]
    log.info("read %d models from %s/; test RMSE of %s (%d step(s)) mean %.3f std %.3f over %d repeats "
             "(%d diverged)", len(members), paths.MODELS, names[-1], n_out, summary["mean"], summary["std"],
             len(rmses), metrics["repeats_diverged"])
    log.info("baselines (%.1f s): %s; skill vs best (%s) %.3f; wrote %s", baseline_seconds,
             ", ".join(f"{name} {rmse:.3f}" for name, rmse in baseline_rmses.items()), metrics["best_baseline"],
             metrics["skill_vs_best_baseline"], paths.METRICS)


if __name__ == "__main__":
    run_stage(main)
