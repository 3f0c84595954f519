"""Scores in original units: RMSE, MAE and MASE per repeat, output series and forecast step, their summary,
skill against the baselines, and the epochs of the lowest errors over training."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import mean_absolute_error, root_mean_squared_error


def describe(scores: np.ndarray) -> dict[str, float]:
    """The seed's `DataFrame.describe()`: count, mean, std, min, 25%, 50%, 75%, max."""
    return {k: float(v) for k, v in pd.Series(scores).describe().items()}


def skill(rmse: float, baseline_rmse: float) -> float:
    """> 0 means better than the baseline; 1 would be a perfect forecast."""
    return 1.0 - rmse / baseline_rmse


def skills(metrics: dict) -> dict:
    """The best baseline on the test origins and the LSTM's skill (mean test RMSE over repeats) against it
    and against persistence."""
    lstm = metrics["test_rmse"]["mean"]
    rmse = {name: scores["test_rmse"] for name, scores in metrics["baselines"].items()}
    best = min(rmse, key=rmse.get)
    return {"best_baseline": best, "skill_vs_persistence": skill(lstm, rmse["persistence"]),
            "skill_vs_best_baseline": skill(lstm, rmse[best])}


def errors(actual: np.ndarray, forecasts: np.ndarray, scale: np.ndarray) -> dict[str, np.ndarray]:
    """RMSE, MAE and MASE [repeats] of forecasts [repeats, n, n_out] of one series against actual [n, n_out];
    window i's absolute errors are divided by scale[i] for MASE (its fit's in-sample naive error)."""
    flat = actual.reshape(-1, 1)
    absolute = np.abs(forecasts - actual)
    return {
        "rmse": np.array([root_mean_squared_error(flat, f.reshape(-1, 1)) for f in forecasts]),
        "mae": np.array([mean_absolute_error(flat, f.reshape(-1, 1)) for f in forecasts]),
        "mase": (absolute / scale[:, None]).mean(axis=(1, 2)),
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
