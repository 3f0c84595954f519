"""Walk-forward scores in original units: RMSE per repeat, output series and forecast step, their summary,
skill against the baselines, and the errors over training (diagnostics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import root_mean_squared_error


def describe(scores: np.ndarray) -> dict[str, float]:
    """The seed's `DataFrame.describe()`: count, mean, std, min, 25%, 50%, 75%, max."""
    return {k: float(v) for k, v in pd.Series(scores).describe().items()}


def skill(rmse: float, baseline_rmse: float) -> float:
    """> 0 means better than the baseline; 1 would be a perfect forecast."""
    return 1.0 - rmse / baseline_rmse


def summarize(rmses: np.ndarray, baseline_rmses: dict[str, float]) -> dict:
    """The metrics file: the LSTM's RMSE summary, each baseline's RMSE, and the LSTM's skill against them."""
    summary = describe(rmses)
    best = min(baseline_rmses, key=baseline_rmses.get)
    return {
        "test_rmse": summary,
        "baselines": {f"{name}_rmse": rmse for name, rmse in baseline_rmses.items()},
        "best_baseline": best,
        "skill_vs_persistence": skill(summary["mean"], baseline_rmses["persistence"]),
        "skill_vs_best_baseline": skill(summary["mean"], baseline_rmses[best]),
    }


def actual_windows(observed: np.ndarray, first_rows: np.ndarray, n_out: int) -> np.ndarray:
    """The true values [n, n_out, n_targets] that windows starting at `first_rows` forecast."""
    return observed[first_rows[:, None] + np.arange(n_out)]


def step_scores(actual: np.ndarray, forecasts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RMSE of forecasts [repeats, n, n_out, n_targets] against actual [n, n_out, n_targets]:
    overall [repeats, n_targets] (all steps together) and per forecast step [repeats, n_out, n_targets]."""
    n, n_out, n_targets = actual.shape
    overall = [root_mean_squared_error(actual.reshape(-1, n_targets), f.reshape(-1, n_targets),
                                       multioutput="raw_values") for f in forecasts]
    per_step = [root_mean_squared_error(actual.reshape(n, -1), f.reshape(n, -1), multioutput="raw_values")
                for f in forecasts]
    return np.array(overall), np.array(per_step).reshape(len(forecasts), n_out, n_targets)


def per_series(names: list[str], scores: tuple[np.ndarray, np.ndarray],
               persistence_scores: tuple[np.ndarray, np.ndarray]) -> dict:
    """Per output series: the repeats' mean test RMSE and persistence's, overall and at each step t+h,
    from their `step_scores`."""
    (overall, per_step), (persistence_overall, persistence_step) = scores, persistence_scores
    return {
        name: {
            "test_rmse_mean": float(overall[:, j].mean()),
            "persistence_rmse": float(persistence_overall[0, j]),
            **{f"t+{h + 1}": {"test_rmse_mean": float(per_step[:, h, j].mean()),
                              "persistence_rmse": float(persistence_step[0, h, j])}
               for h in range(per_step.shape[1])},
        }
        for j, name in enumerate(names)
    }


def diagnostics(epochs: np.ndarray, levels: np.ndarray, actual: np.ndarray, segments: np.ndarray) -> pd.DataFrame:
    """RMSE of the target series (the last output) per checkpoint and repeat on each segment.

    levels [checkpoints, repeats, windows, n_out, n_targets] in original units; segments [windows] holds
    "train", "val" or "test". (numpy rather than sklearn: thousands of checkpoint x repeat pairs at once.)
    """
    squared = (levels[..., -1] - actual[..., -1]) ** 2  # [checkpoints, repeats, windows, n_out]
    checkpoints, repeats = squared.shape[:2]
    rmse = {
        f"{segment}_rmse": np.sqrt(squared[:, :, segments == segment].mean(axis=(2, 3))).ravel()
        if (segments == segment).any() else np.full(checkpoints * repeats, np.nan)
        for segment in ("train", "val", "test")
    }
    return pd.DataFrame({"epoch": np.repeat(epochs, repeats), "repeat": np.tile(np.arange(repeats), checkpoints),
                         **rmse})


def inflection(per_repeat: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Mean RMSE over repeats per checkpoint, and the epochs where the mean test and validation RMSE are lowest."""
    mean = per_repeat.drop(columns="repeat").groupby("epoch", as_index=False).mean()
    best = {}
    for segment in ("test", "val"):
        column = mean[f"{segment}_rmse"]
        if column.notna().any():
            row = mean.loc[column.idxmin()]
            best[f"best_{segment}_epoch"] = int(row["epoch"])
            best[f"best_{segment}_rmse_mean"] = float(row[f"{segment}_rmse"])
    return mean, best
