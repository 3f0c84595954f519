"""Score a trained configuration: its walk-forward forecasts (made by train at its final checkpoint) and
the baselines' on the same test points, in original units; RMSE per output series and forecast step, and
the diagnostics over training. No model is loaded and nothing is refit here but the baselines."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data.framings import series_roles
from lstm_tuning.data.transforms import to_original_units
from lstm_tuning.evaluation import baselines, scores


@dataclass
class Evaluation:
    metrics: dict
    rmse: pd.DataFrame  # test RMSE per repeat
    forecasts: pd.DataFrame  # t+1 forecasts of the target at every test point: repeats' mean and range, baselines
    horizon: pd.DataFrame  # test RMSE of the target per forecast step
    diagnostics: pd.DataFrame  # RMSE per checkpoint and repeat on train, val and test
    diagnostics_mean: pd.DataFrame  # the same, averaged over repeats
    baseline_seconds: float


def evaluate(cfg, series: pd.DataFrame, transforms: dict, windows, checkpoints, repeats: pd.DataFrame) -> Evaluation:
    """`series` as ingested, each series' `transforms`, the window stage's `windows`, the train stage's
    `checkpoints` (epochs, first_rows, forecasts at every checkpoint, final forecasts) and `repeats` (which
    diverged, the epoch whose weights each one keeps)."""
    trained = repeats.loc[~repeats["diverged"], "repeat"].to_numpy()
    _, names = series_roles(cfg.task, cfg.data)
    observed = series[names].to_numpy(float)
    n_out = windows["y_test"].shape[1]
    first_rows = checkpoints["first_rows"]

    def original_units(scaled, rows):
        return to_original_units(scaled, rows, [transforms[name] for name in names], observed)

    # Every window holds true earlier values: forecasting the validation and test windows in order, never
    # refitting, is the seed's walk-forward.
    final = checkpoints["final"][trained]
    is_val, is_test = np.isin(first_rows, windows["targets_val"]), np.isin(first_rows, windows["targets_test"])
    test_rows = first_rows[is_test]
    forecasts = original_units(final[:, is_test], test_rows)
    actual = scores.actual_windows(observed, test_rows, n_out)
    overall, per_step = scores.step_scores(actual, forecasts)
    rmses = overall[:, -1]  # the target series (data.target) is the last output

    started = time.perf_counter()
    baseline_forecasts = baselines.forecast_all(cfg.baselines, observed[:, -1], test_rows, n_out)
    baseline_seconds = time.perf_counter() - started
    # each baseline's forecasts [n, n_out] of the target, scored as one more repeat: overall, per step
    baseline_scores = {name: scores.step_scores(actual[..., -1:], f[None, ..., None])
                       for name, f in baseline_forecasts.items()}
    baseline_rmses = {name: float(s[0][0, 0]) for name, s in baseline_scores.items()}
    metrics = scores.summarize(rmses, baseline_rmses)
    if is_val.any():
        val_rows = first_rows[is_val]
        val_actual = scores.actual_windows(observed, val_rows, n_out)
        val_scores = scores.step_scores(val_actual, original_units(final[:, is_val], val_rows))
        metrics["val_rmse"] = scores.describe(val_scores[0][:, -1])
    persistence = np.repeat(observed[test_rows - 1][:, None], n_out, axis=1)  # every series' last value
    metrics["per_series"] = scores.per_series(names, (overall, per_step),
                                              scores.step_scores(actual, persistence[None]))
    metrics["repeats_diverged"] = int(repeats["diverged"].sum())

    segments = np.select([is_test, is_val], ["test", "val"], "train")
    per_checkpoint = scores.diagnostics(
        checkpoints["epochs"], original_units(checkpoints["forecasts"], first_rows),
        scores.actual_windows(observed, first_rows, n_out), segments,
    )
    per_checkpoint = per_checkpoint[per_checkpoint["repeat"].isin(trained)]
    mean_per_checkpoint, metrics["diagnostics"] = scores.inflection(per_checkpoint)
    # the training error of the weights evaluated: the last epoch's, or each repeat's best with early stopping
    final_epoch = repeats.set_index("repeat")["final_epoch"]
    at_final = per_checkpoint["epoch"].to_numpy() == final_epoch[per_checkpoint["repeat"]].to_numpy()
    metrics["train_rmse"] = scores.describe(per_checkpoint[at_final]["train_rmse"].to_numpy())

    return Evaluation(
        metrics=metrics,
        rmse=pd.DataFrame({"repeat": trained, "test_rmse": rmses}),
        forecasts=pd.DataFrame({
            "step": np.arange(1, len(test_rows) + 1),
            "time": series.index.to_numpy()[test_rows],
            "actual": actual[:, 0, -1],
            "forecast_mean": forecasts[:, :, 0, -1].mean(axis=0),
            "forecast_min": forecasts[:, :, 0, -1].min(axis=0),
            "forecast_max": forecasts[:, :, 0, -1].max(axis=0),
            **{name: f[:, 0] for name, f in baseline_forecasts.items()},
        }),
        horizon=pd.DataFrame({
            "horizon": np.arange(1, n_out + 1),
            "lstm_mean": per_step[:, :, -1].mean(axis=0),
            "lstm_min": per_step[:, :, -1].min(axis=0),
            "lstm_max": per_step[:, :, -1].max(axis=0),
            **{name: s[1][0, :, 0] for name, s in baseline_scores.items()},
        }),
        diagnostics=per_checkpoint,
        diagnostics_mean=mean_per_checkpoint,
        baseline_seconds=baseline_seconds,
    )
