"""Transforms of several series, each its own: lag differencing (a series may opt out) then [-1, 1]
scaling fit on the training rows only; and the way back to original units for forecasts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_tuning.transforms import Scaling, difference


@dataclass(frozen=True)
class SeriesTransform:
    diff_interval: int  # 0: the series is scaled as it is
    scaling: Scaling

    def to_dict(self) -> dict:
        return {"diff_interval": self.diff_interval, **self.scaling.to_dict()}

    @classmethod
    def from_dict(cls, payload: dict) -> "SeriesTransform":
        return cls(payload["diff_interval"], Scaling.from_dict(payload))


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
        scaled = fitted[name].scaling.transform(np.nan_to_num(changes))
        transformed[name] = np.where(np.isfinite(changes), scaled, np.nan)
    return pd.DataFrame(transformed, index=series.index), fitted


def to_original_units(
    scaled: np.ndarray, first_rows: np.ndarray, transforms: list[SeriesTransform], observed: np.ndarray
) -> np.ndarray:
    """Forecasts [..., n, n_out, n_targets] in scaled units -> original units, walking forward.

    Window i forecasts rows first_rows[i] .. first_rows[i] + n_out - 1 of target series j (values in
    observed[:, j]). A differenced step adds its forecast change to the value `diff_interval` rows
    earlier: the true one when that row was observed before the forecast was made (the seed's
    walk-forward), else the step's own earlier forecast (multi-step).
    """
    scaled = np.asarray(scaled, float)
    scaled = np.where(np.isinf(scaled), np.nan, scaled)  # a diverged repeat's forecast: scored as missing
    levels = np.empty_like(scaled)
    for j, transform in enumerate(transforms):
        changes = transform.scaling.inverse(scaled[..., j])
        d = transform.diff_interval
        if not d:
            levels[..., j] = changes
            continue
        for h in range(scaled.shape[-2]):
            previous = levels[..., h - d, j] if h >= d else observed[first_rows + h - d, j]
            levels[..., h, j] = changes[..., h] + previous
    return levels
