"""Each series transformed on its own: lag differencing (a series may opt out) then [-1, 1] scaling fit on
the training rows of each fit of the backtest only; and the way back to original units for forecasts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler

from lstm_tuning.data.backtest import Plan
from lstm_tuning.data.specs import TOO_SHORT_FIX, SeriesParams
from lstm_tuning.errors import UserError

FEATURE_RANGE = (-1.0, 1.0)


def difference(values: np.ndarray, interval: int) -> np.ndarray:
    """d[t] = v[t] - v[t - interval]; the first `interval` entries are NaN (no earlier value)."""
    values = np.asarray(values, dtype=float)
    diffs = np.full_like(values, np.nan)
    diffs[interval:] = values[interval:] - values[:-interval]
    return diffs


@dataclass(frozen=True)
class Scaling:
    """Everything needed to invert the scaling exactly; JSON-serialisable."""

    data_min: float
    data_max: float
    feature_range: tuple[float, float] = FEATURE_RANGE

    @classmethod
    def fit(cls, train_values: np.ndarray) -> Scaling:
        scaler = MinMaxScaler(feature_range=FEATURE_RANGE).fit(np.asarray(train_values, float).reshape(-1, 1))
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


@dataclass(frozen=True)
class SeriesTransform:
    diff_interval: int  # 0: the series is scaled as it is
    scaling: Scaling

    def to_dict(self) -> dict:
        return {"diff_interval": self.diff_interval, **asdict(self.scaling)}

    @classmethod
    def from_dict(cls, payload: dict) -> SeriesTransform:
        scaling = Scaling(payload["data_min"], payload["data_max"], tuple(payload["feature_range"]))
        return cls(payload["diff_interval"], scaling)


def fit_transform(
    series: pd.DataFrame, diff_interval: int, undifferenced: list[str], fit_rows: slice
) -> tuple[pd.DataFrame, dict[str, SeriesTransform]]:
    """Transform every column; each scaler sees only the rows `fit_rows` (never held-out data).

    Differenced columns start with `diff_interval` NaNs (no earlier value).
    """
    fitted = {}
    for name in series.columns:
        interval = 0 if name in undifferenced else diff_interval
        values = series[name].to_numpy(float)
        changes = difference(values, interval) if interval else values
        training = changes[fit_rows]
        fitted[name] = SeriesTransform(interval, Scaling.fit(training[np.isfinite(training)]))
    return apply(series, fitted), fitted


def apply(series: pd.DataFrame, fitted: dict[str, SeriesTransform]) -> pd.DataFrame:
    """Every column differenced and scaled by its fitted transform (nothing refit)."""
    transformed = {}
    for name in series.columns:
        interval = fitted[name].diff_interval
        values = series[name].to_numpy(float)
        changes = difference(values, interval) if interval else values
        scaled = fitted[name].scaling.transform(np.nan_to_num(changes))
        transformed[name] = np.where(np.isfinite(changes), scaled, np.nan)
    return pd.DataFrame(transformed, index=series.index)


def transform(
    series: pd.DataFrame, params: SeriesParams, plan: Plan, source: str
) -> tuple[pd.DataFrame, list[dict[str, SeriesTransform]]]:
    """The transform stage: every series transformed once per fit of the backtest `plan`, each time with
    scalers fit on that fit's training rows only (the only data a scaler may see). The frames of all fits,
    one after another, with a `fit` column; and each fit's transforms."""
    differenced = any(name not in params.undifferenced for name in series.columns)
    frames, fitted = [], []
    for k, fit in enumerate(plan.fits):
        usable = fit.cut - max(fit.start, params.diff_interval * differenced)
        if usable < 2:
            which = f" (fit {k} of the backtest: rows {fit.start}..{fit.cut - 1})" if len(plan.fits) > 1 else ""
            raise UserError(f"{source}: {len(series)} rows leave {max(usable, 0)} training values to fit the scalers on"
                            f"{which} with data.diff_interval={params.diff_interval}, data.val_size={params.val_size} "
                            f"and data.test_size={params.test_size}; {TOO_SHORT_FIX}")
        scaled, transforms = fit_transform(series, params.diff_interval, params.undifferenced,
                                           slice(fit.start, fit.cut))
        scaled.insert(0, "fit", k)
        frames.append(scaled)
        fitted.append(transforms)
    return pd.concat(frames), fitted


def read_fits(payload: list[dict]) -> list[dict[str, SeriesTransform]]:
    """The transforms of every fit, as the transform stage writes them to JSON."""
    return [{name: SeriesTransform.from_dict(p) for name, p in fit.items()} for fit in payload]


def write_fits(fitted: list[dict[str, SeriesTransform]]) -> list[dict]:
    return [{name: t.to_dict() for name, t in fit.items()} for fit in fitted]


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
    for j, series_transform in enumerate(transforms):
        changes = series_transform.scaling.inverse(scaled[..., j])
        d = series_transform.diff_interval
        if not d:
            levels[..., j] = changes
            continue
        for h in range(scaled.shape[-2]):
            previous = levels[..., h - d, j] if h >= d else observed[first_rows + h - d, j]
            levels[..., h, j] = changes[..., h] + previous
    return levels
