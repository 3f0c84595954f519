"""Transforms of several series, each its own: lag differencing (a series may opt out) then [-1, 1]
scaling fit on the training rows only, with the inverse of the scaling."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.transforms import Scaling, difference


@dataclass(frozen=True)
class SeriesTransform:
    diff_interval: int  # 0: the series is scaled as it is
    scaling: Scaling

    def inverse_scaling(self, scaled: np.ndarray) -> np.ndarray:
        """Back to differences (or values, for an undifferenced series) in original units."""
        return self.scaling.inverse(scaled)


def fit_transform(
    series: pd.DataFrame, diff_interval: int, undifferenced: list[str], fit_rows: int
) -> tuple[pd.DataFrame, dict[str, SeriesTransform]]:
    """Transform every column; each scaler sees only the first `fit_rows` rows (never held-out data).

    Differenced columns start with `diff_interval` NaNs (no earlier value), as `transforms.difference`.
    """
    transformed, fitted = {}, {}
    for name in series.columns:
        interval = 0 if name in undifferenced else diff_interval
        values = series[name].to_numpy(float)
        changes = difference(values, interval) if interval else values
        training = changes[:fit_rows]
        fitted[name] = SeriesTransform(interval, Scaling.fit(training[np.isfinite(training)]))
        transformed[name] = np.where(np.isfinite(changes), fitted[name].scaling.transform(np.nan_to_num(changes)), np.nan)
    return pd.DataFrame(transformed, index=series.index), fitted
