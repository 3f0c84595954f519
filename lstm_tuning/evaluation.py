"""Walk-forward scoring in original units: per-repeat RMSE, its summary, and skill against the baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import root_mean_squared_error

from lstm_tuning.transforms import Scaling, inverse_difference


def to_original_units(scaled: np.ndarray, scaling: Scaling, previous_values: np.ndarray) -> np.ndarray:
    """Invert the scaling, then the differencing with the true earlier values (the seed's walk-forward)."""
    return inverse_difference(scaling.inverse(scaled), previous_values)


def rmse_per_repeat(actual: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
    """forecasts [repeats, n] against actual [n]."""
    return np.array([root_mean_squared_error(actual, f) for f in forecasts])


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


def diagnostics(checkpoints: pd.DataFrame, scaling: Scaling) -> pd.DataFrame:
    """Walk-forward RMSE in original units per checkpoint and repeat, from the scaled-unit MSE.

    Differencing is undone with the true earlier value and the scaling is linear, so an error in
    original units is the scaled error divided by the scaler's slope.
    """
    slope = float(scaling.scaler.scale_[0])
    rmse = {col.replace("_mse", "_rmse"): np.sqrt(checkpoints[col]) / slope for col in checkpoints if col.endswith("_mse")}
    return pd.DataFrame({"epoch": checkpoints["epoch"], "repeat": checkpoints["repeat"], **rmse})


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
