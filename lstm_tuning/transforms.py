"""Differencing and [-1, 1] scaling, fit on the training part only, and their exact inverses."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from sklearn.preprocessing import MinMaxScaler

FEATURE_RANGE = (-1.0, 1.0)


def difference(values: np.ndarray, interval: int) -> np.ndarray:
    """d[t] = v[t] - v[t - interval]; the first `interval` entries are NaN (no earlier value)."""
    values = np.asarray(values, dtype=float)
    diffs = np.full_like(values, np.nan)
    diffs[interval:] = values[interval:] - values[:-interval]
    return diffs


def inverse_difference(diffs: np.ndarray, previous_values: np.ndarray) -> np.ndarray:
    """Undo differencing with the true value `interval` steps earlier (walk-forward, as the seed does)."""
    return np.asarray(diffs, dtype=float) + np.asarray(previous_values, dtype=float)


@dataclass(frozen=True)
class Scaling:
    """Everything needed to invert the scaling exactly; JSON-serialisable."""

    data_min: float
    data_max: float
    feature_range: tuple[float, float] = FEATURE_RANGE

    @classmethod
    def fit(cls, train_diffs: np.ndarray) -> "Scaling":
        scaler = MinMaxScaler(feature_range=FEATURE_RANGE).fit(np.asarray(train_diffs, float).reshape(-1, 1))
        return cls(float(scaler.data_min_[0]), float(scaler.data_max_[0]))

    @property
    def scaler(self) -> MinMaxScaler:
        # Refitting on the two extremes rebuilds the fitted scaler bit for bit.
        return MinMaxScaler(feature_range=tuple(self.feature_range)).fit([[self.data_min], [self.data_max]])

    def transform(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        return self.scaler.transform(values.reshape(-1, 1)).reshape(values.shape)

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        scaled = np.asarray(scaled, dtype=float)
        return self.scaler.inverse_transform(scaled.reshape(-1, 1)).reshape(scaled.shape)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, payload: dict) -> "Scaling":
        return cls(payload["data_min"], payload["data_max"], tuple(payload["feature_range"]))
