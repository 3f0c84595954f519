"""Walk-forward scoring in original units: per-repeat RMSE, its summary, and the persistence baseline."""

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


def summarize(rmses: np.ndarray, persistence_rmse: float) -> dict:
    summary = describe(rmses)
    return {
        "test_rmse": summary,
        "persistence_rmse": persistence_rmse,
        # > 0 means the LSTM beats persistence on average; 1 would be a perfect forecast
        "skill_vs_persistence": 1.0 - summary["mean"] / persistence_rmse,
    }
