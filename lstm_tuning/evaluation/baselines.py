"""Baselines (`baselines`), scored at the LSTM's origins with the same fits.

Each baseline is fit on exactly the rows each fit of the backtest trains on, when that fit is made, and
forecasts the same windows: at a later origin of the same fit it is walked forward with the true values
before the window and its estimated params left alone, like the LSTM's weights. Options: `classical`
(persistence, seasonal naive, drift, ARIMA, exponential smoothing) and `persistence` alone, for series too
short to fit the others on.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
from threadpoolctl import threadpool_limits

from lstm_tuning.errors import UserError

log = logging.getLogger(__name__)

# (history, steps) -> forecasts of the `steps` values after the history
Predictor = Callable[[np.ndarray, int], np.ndarray]
# training rows -> a predictor with everything it estimates from them fixed
Forecaster = Callable[[np.ndarray], Predictor]


def persistence(training: np.ndarray) -> Predictor:
    return lambda history, steps: np.full(steps, float(history[-1]))


def seasonal_naive(training: np.ndarray, *, season: int) -> Predictor:
    return lambda history, steps: np.resize(history[-season:], steps).astype(float)  # the last season, repeated


def drift(training: np.ndarray) -> Predictor:
    """The slope of the line through the training rows' first and last values, from the last value."""
    slope = (training[-1] - training[0]) / (len(training) - 1)
    return lambda history, steps: history[-1] + slope * np.arange(1, steps + 1)


def arima(training: np.ndarray, *, order: tuple[int, int, int]) -> Predictor:
    from statsmodels.tsa.arima.model import ARIMA  # statsmodels loads in seconds: only when fitting

    fitted = ARIMA(training, order=order).fit()

    def predict(history, steps):  # later rows filtered with the estimated params (no refit)
        current = fitted if len(history) == len(training) else fitted.apply(history)
        return np.asarray(current.forecast(steps), float)

    return predict


def exponential_smoothing(training: np.ndarray, *, trend: str | None, damped: bool) -> Predictor:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    fitted = ExponentialSmoothing(training, trend=trend, damped_trend=damped, initialization_method="estimated").fit()
    estimated = fitted.params

    def predict(history, steps):  # later rows smoothed with the estimated params and initial state (no refit)
        if len(history) == len(training):
            return np.asarray(fitted.forecast(steps), float)
        model = ExponentialSmoothing(history, trend=trend, damped_trend=damped, initialization_method="known",
                                     initial_level=estimated["initial_level"],
                                     initial_trend=estimated["initial_trend"] if trend else None)
        smoothing = {"smoothing_level": estimated["smoothing_level"]}
        if trend:
            smoothing["smoothing_trend"] = estimated["smoothing_trend"]
        if damped:
            smoothing["damping_trend"] = estimated["damping_trend"]
        return np.asarray(model.fit(**smoothing, optimized=False).forecast(steps), float)

    return predict


def forecasters(cfg, season: int | None) -> dict[str, Forecaster]:
    """The baselines of option `cfg`; seasonal naive only with a `season`."""
    if cfg.name == "persistence":
        return {"persistence": persistence}
    return {
        "persistence": persistence,
        **({"seasonal_naive": partial(seasonal_naive, season=season)} if season else {}),
        "drift": drift,
        "arima": partial(arima, order=tuple(cfg.arima_order)),
        "exponential_smoothing": partial(
            exponential_smoothing, trend=cfg.exp_smoothing_trend, damped=cfg.exp_smoothing_damped
        ),
    }


def walk_forward(values: np.ndarray, fits: list, fit_of: np.ndarray, targets: np.ndarray, forecaster: Forecaster,
                 name: str, steps: int = 1) -> np.ndarray:
    """Forecast `values[t : t + steps]` for every t in `targets` with the baseline fit on the training rows
    [start, cut) of the fit `fit_of` names, walked forward with `values[start:t]`: [len(targets), steps]."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    not_converged = 0
    forecasts = np.full((len(targets), steps), np.nan)
    for k in np.unique(fit_of):
        fit = fits[k]
        # A fit that stops at its iteration limit still gives a usable forecast: count it, say so once.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                predict = forecaster(values[fit.start : fit.cut])
                for i in np.flatnonzero(fit_of == k):
                    forecasts[i] = predict(values[fit.start : targets[i]], steps)
            except (np.linalg.LinAlgError, ValueError) as exc:
                raise UserError(
                    f"params.yaml: the {name} baseline cannot be fit on the {fit.cut - fit.start} rows "
                    f"{fit.start}..{fit.cut - 1} ({_first_line(exc)}); change its params under `baselines`, "
                    "or -S baselines=persistence"
                ) from exc
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                not_converged += 1
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if not_converged:
        log.warning("%s: %d of %d fits did not converge; their forecasts are kept", name, not_converged,
                    len(np.unique(fit_of)))
    return forecasts


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def check(cfg, season: int | None, values: np.ndarray, fits: list) -> None:
    """Reject params the shortest fit's training rows cannot support, naming the param."""
    shortest = min(fit.cut - fit.start for fit in fits)
    if season and season > shortest:
        derived = "" if cfg.season else ", a year of the data's frequency,"
        raise UserError(
            f"params.yaml: baselines.season={season}{derived} is longer than the {shortest} rows the shortest fit of "
            f"the backtest trains on; set baselines.season to at most {shortest}, or -S baselines=persistence"
        )
    if shortest < 2:
        raise UserError(f"params.yaml: a fit of the backtest trains on {shortest} row; the classical baselines "
                        "need at least 2; use -S baselines=persistence")
    if cfg.exp_smoothing_trend == "mul" and any((values[f.start : f.cut] <= 0).any() for f in fits):
        raise UserError("params.yaml: baselines.exp_smoothing_trend=mul needs positive values; use add or null")


def forecast_all(cfg, values: np.ndarray, fits: list, fit_of: np.ndarray, targets: np.ndarray,
                 steps: int = 1, season: int | None = None) -> dict[str, np.ndarray]:
    """Forecasts [len(targets), steps] of every baseline from each of `targets` (positions in `values`), each
    by the fit `fit_of` names (`fits`: the backtest's). `season`: the data's, unless baselines.season is set."""
    used = [fits[k] for k in np.unique(fit_of)]
    season = cfg.season if cfg.name == "classical" and cfg.season else season
    if cfg.name == "classical":
        check(cfg, season, values, used)
    # The fits are tiny: extra BLAS threads only fight over the cores, which made them 5-20x slower when
    # experiments run two at a time on two cores.
    with threadpool_limits(limits=1):
        return {name: walk_forward(values, fits, fit_of, targets, f, name, steps)
                for name, f in forecasters(cfg, season).items()}
