"""Each series transformed on its own, fit on the training rows of each fit of the backtest only: a power
transform (log, or Box-Cox with its lambda estimated on those rows), differencing at each lag of
`data.diff_interval` in turn (e.g. first then seasonal), then [-1, 1] scaling; a series in
`data.undifferenced` is only scaled. And the exact way back to original units for forecasts."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from lstm_tuning.data import timeline
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


def min_max(data_min, data_max, feature_range: tuple[float, float] = FEATURE_RANGE) -> tuple:
    """MinMaxScaler's `scale_` and `min_` for each (data_min, data_max), elementwise (scalars or arrays: a panel's
    series at once), in its arithmetic: a near-constant range (below 10 machine epsilons) counts as 1."""
    low, high = (np.float64(bound) for bound in feature_range)
    data_min = np.asarray(data_min, np.float64)
    data_range = np.asarray(data_max, np.float64) - data_min
    scale = (high - low) / np.where(data_range < 10 * np.finfo(np.float64).eps, np.float64(1.0), data_range)
    return scale[()], (low - data_min * scale)[()]


@dataclass(frozen=True)
class Scaling:
    """[-1, 1] min-max scaling, and everything needed to invert it exactly; JSON-serialisable.

    The arithmetic is scikit-learn's MinMaxScaler's, operation for operation, so results are bit for bit its own
    (tests/data/test_transforms.py compares them): importing scikit-learn would cost each stage that scales or
    unscales most of a second, for three lines of arithmetic."""

    data_min: float
    data_max: float
    feature_range: tuple[float, float] = FEATURE_RANGE

    @classmethod
    def fit(cls, train_values: np.ndarray) -> Scaling:
        train_values = np.asarray(train_values, float)
        return cls(float(np.nanmin(train_values)), float(np.nanmax(train_values)))

    @property
    def scale(self) -> np.float64:
        """MinMaxScaler's `scale_`."""
        return min_max(self.data_min, self.data_max, self.feature_range)[0]

    @property
    def shift(self) -> np.float64:
        """MinMaxScaler's `min_`."""
        return min_max(self.data_min, self.data_max, self.feature_range)[1]

    def transform(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype=float) * self.scale + self.shift

    def inverse(self, scaled: np.ndarray) -> np.ndarray:
        return (np.asarray(scaled, dtype=float) - self.shift) / self.scale


@dataclass(frozen=True)
class PowerTransform:
    """What `data.transform` applies before differencing, so that growth and seasonality that multiply the
    level add to it instead: `log`, `boxcox` (its lambda estimated on a fit's training rows), or None."""

    name: str | None = None
    boxcox_lambda: float | None = None

    @classmethod
    def fit(cls, name: str | None, train_values: np.ndarray) -> PowerTransform:
        if name != "boxcox":
            return cls(name)
        from scipy import stats  # a second to import: only for Box-Cox

        return cls(name, float(stats.boxcox(train_values)[1]))

    def forward(self, values: np.ndarray) -> np.ndarray:
        if self.name is None:
            return values
        if self.name == "log":
            return np.log(values)
        from scipy import special

        return special.boxcox(values, self.boxcox_lambda)

    def inverse(self, values: np.ndarray) -> np.ndarray:
        if self.name is None:
            return values
        if self.name == "log":
            return np.exp(values)
        # Box-Cox maps the positive values onto one side of -1/lambda: a forecast past that edge comes back as
        # the limit (0 for lambda > 0, infinity for lambda < 0), where inv_boxcox would give NaN
        edge = -1.0 / self.boxcox_lambda if self.boxcox_lambda else None
        if edge is not None:
            values = np.maximum(values, edge) if self.boxcox_lambda > 0 else np.minimum(values, edge)
        from scipy import special

        return special.inv_boxcox(values, self.boxcox_lambda)


def steps(values: np.ndarray, power: PowerTransform, diff_lags: tuple[int, ...]) -> list[np.ndarray]:
    """The series after each step: power transformed, then differenced at each lag in turn (the last one is what
    is scaled). A differenced step starts with NaNs (no earlier value)."""
    done = [power.forward(np.asarray(values, dtype=float))]
    for lag in diff_lags:
        done.append(difference(done[-1], lag))
    return done


@dataclass(frozen=True)
class SeriesTransform:
    diff_lags: tuple[int, ...]  # differenced at each lag in turn; (): the series is not differenced
    scaling: Scaling
    power: PowerTransform = PowerTransform()

    def steps(self, values: np.ndarray) -> list[np.ndarray]:
        return steps(values, self.power, self.diff_lags)

    def describe(self) -> str:
        """e.g. "log, differenced at lags 1, 12" (the last fit's, for the stage's log)."""
        power = ""
        if self.power.name == "log":
            power = "log, "
        elif self.power.name == "boxcox":
            power = f"Box-Cox (lambda {self.power.boxcox_lambda:.4g}), "
        lags = ", ".join(map(str, self.diff_lags))
        s = "s" if len(self.diff_lags) > 1 else ""
        return power + (f"differenced at lag{s} {lags}" if lags else "not differenced")

    def to_dict(self) -> dict:
        # diff_interval as today's files have it when there is one lag or none (0); a list when several
        lags = self.diff_lags
        interval = list(lags) if len(lags) > 1 else lags[0] if lags else 0
        return {"transform": self.power.name, "boxcox_lambda": self.power.boxcox_lambda, "diff_interval": interval,
                **asdict(self.scaling)}

    @classmethod
    def from_dict(cls, payload: dict) -> SeriesTransform:
        scaling = Scaling(payload["data_min"], payload["data_max"], tuple(payload["feature_range"]))
        interval = payload["diff_interval"]
        lags = tuple(interval) if isinstance(interval, list) else (interval,) if interval else ()
        # files written before data.transform existed have no power transform
        return cls(lags, scaling, PowerTransform(payload.get("transform"), payload.get("boxcox_lambda")))


def fit_transform(
    series: pd.DataFrame, diff_lags: tuple[int, ...], undifferenced: list[str], fit_rows: slice,
    transform: str | None = None, source: str = "series",
) -> tuple[pd.DataFrame, dict[str, SeriesTransform]]:
    """Transform every column; the Box-Cox lambda and each scaler see only the rows `fit_rows` (never held-out
    data). A series in `undifferenced` is scaled as it is.

    Differenced columns start with sum(diff_lags) NaNs (no earlier value).
    """
    fitted = {}
    for name in series.columns:
        as_it_is = name in undifferenced
        values = series[name].to_numpy(float)
        power_name = None if as_it_is else transform
        _check_positive(values, power_name, name, series.index, source)
        training = values[fit_rows]
        try:
            power = PowerTransform.fit(power_name, training[np.isfinite(training)])
        except ValueError as exc:  # scipy: constant data, too few values
            rows = range(len(series))[fit_rows]
            first, last = timeline.label(series.index, rows[0]), timeline.label(series.index, rows[-1])
            raise UserError(f"{source}: column {name!r}, training rows {first}..{last}: data.transform={transform} "
                            f"cannot estimate the Box-Cox lambda ({exc}); use data.transform=log or null") from None
        lags = () if as_it_is else tuple(diff_lags)
        changes = steps(values, power, lags)[-1][fit_rows]
        fitted[name] = SeriesTransform(lags, Scaling.fit(changes[np.isfinite(changes)]), power)
    return apply(series, fitted, source), fitted


def _check_positive(values: np.ndarray, transform: str | None, name: str, index: pd.Index, source: str) -> None:
    if transform is None:
        return
    bad = np.flatnonzero(values <= 0)
    if len(bad):
        i = bad[0]
        raise UserError(f"{source}: column {name!r} row {i + 2} ({timeline.label(index, i)}) is {values[i]:g}: "
                        f"data.transform={transform} needs positive values; set data.transform=null, or list "
                        f"{name!r} in data.undifferenced to scale it as it is")


def apply(series: pd.DataFrame, fitted: dict[str, SeriesTransform], source: str = "series") -> pd.DataFrame:
    """Every column transformed, differenced and scaled by its fitted transform (nothing refit)."""
    transformed = {}
    for name in series.columns:
        values = series[name].to_numpy(float)
        _check_positive(values, fitted[name].power.name, name, series.index, source)
        changes = fitted[name].steps(values)[-1]
        scaled = fitted[name].scaling.transform(np.nan_to_num(changes))
        transformed[name] = np.where(np.isfinite(changes), scaled, np.nan)
    return pd.DataFrame(transformed, index=series.index)


def transform(
    series: pd.DataFrame, params: SeriesParams, plan: Plan, source: str
) -> tuple[pd.DataFrame, list[dict[str, SeriesTransform]]]:
    """The transform stage: every series transformed once per fit of the backtest `plan`, each time with the
    Box-Cox lambda and the scalers fit on that fit's training rows only (the only data they may see). The
    frames of all fits, one after another, with a `fit` column; and each fit's transforms."""
    differenced = any(name not in params.undifferenced for name in series.columns)
    lost = sum(params.diff_lags) * differenced  # the leading rows differencing leaves empty
    needed = max(2, params.n_lags)  # two values to scale, and a window of a framing whose inputs end at its target
    frames, fitted = [], []
    for k, fit in enumerate(plan.fits):
        usable = fit.cut - max(fit.start, lost)
        if usable < needed:
            which = f" (fit {k} of the backtest: rows {fit.start}..{fit.cut - 1})" if len(plan.fits) > 1 else ""
            raise UserError(f"{source}: {len(series)} rows leave {max(usable, 0)} training values to fit the scalers on"
                            f"{which} after differencing at data.diff_interval={params.diff_interval}, fewer than the "
                            f"{needed} a training window of data.n_lags={params.n_lags} needs, with data.val_size="
                            f"{params.val_size} and data.test_size={params.test_size}; {TOO_SHORT_FIX}")
        scaled, transforms = fit_transform(series, params.diff_lags, params.undifferenced, slice(fit.start, fit.cut),
                                           params.transform, source)
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
    observed[:, j]). The scaling is inverted, then each difference, last lag first: a step adds its forecast
    change to the value `lag` rows earlier at the level below, the true one (from the observed values) when
    that row was observed before the forecast was made (the seed's walk-forward), else the step's own
    earlier forecast (multi-step, or recursive past the end); then the power transform.
    """
    scaled = np.asarray(scaled, float)
    scaled = np.where(np.isinf(scaled), np.nan, scaled)  # a diverged repeat's forecast: scored as missing
    levels = np.empty_like(scaled)
    for j, series_transform in enumerate(transforms):
        rebuilt = series_transform.scaling.inverse(scaled[..., j])
        known = series_transform.steps(observed[:, j])  # the observed series at each step of the transform
        for lag, below in zip(reversed(series_transform.diff_lags), reversed(known[:-1])):
            level = np.empty_like(rebuilt)
            for h in range(scaled.shape[-2]):
                previous = level[..., h - lag] if h >= lag else below[first_rows + h - lag]
                level[..., h] = rebuilt[..., h] + previous
            rebuilt = level
        levels[..., j] = series_transform.power.inverse(rebuilt)
    return levels
