"""Classical baselines, scored on the LSTM's test points with the same walk-forward protocol.

Each forecaster sees only the values before the month it forecasts (its `history`) and is refit from
scratch at every step, as the ARIMA and exponential smoothing baselines of the seed's related tutorials.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.holtwinters import ExponentialSmoothing
from threadpoolctl import threadpool_limits

from lstm_tuning.config import BaselinesConfig
from lstm_tuning.errors import UserError

log = logging.getLogger(__name__)

Forecaster = Callable[[np.ndarray], float]


def persistence(history: np.ndarray) -> float:
    return float(history[-1])


def seasonal_naive(history: np.ndarray, season: int) -> float:
    return float(history[-season])


def drift(history: np.ndarray) -> float:
    """The last value plus the mean step of the history (the line through its first and last values)."""
    return float(history[-1] + (history[-1] - history[0]) / (len(history) - 1))


def arima(history: np.ndarray, order: tuple[int, int, int]) -> float:
    return float(ARIMA(history, order=order).fit().forecast(1)[0])


def exponential_smoothing(history: np.ndarray, trend: str | None, damped: bool) -> float:
    model = ExponentialSmoothing(history, trend=trend, damped_trend=damped, initialization_method="estimated")
    return float(model.fit().forecast(1)[0])


def forecasters(cfg: BaselinesConfig) -> dict[str, Forecaster]:
    return {
        "persistence": persistence,
        "seasonal_naive": partial(seasonal_naive, season=cfg.season),
        "drift": drift,
        "arima": partial(arima, order=tuple(cfg.arima_order)),
        "exponential_smoothing": partial(
            exponential_smoothing, trend=cfg.exp_smoothing_trend, damped=cfg.exp_smoothing_damped
        ),
    }


def walk_forward(values: np.ndarray, targets: np.ndarray, forecaster: Forecaster, name: str) -> np.ndarray:
    """Forecast `values[t]` from `values[:t]` for every t in `targets`."""
    not_converged = 0
    forecasts = []
    for t in targets:
        # A fit that stops at its iteration limit still gives a usable forecast: count it, say so once.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                forecasts.append(forecaster(values[:t]))
            except (np.linalg.LinAlgError, ValueError) as exc:
                raise UserError(
                    f"params.yaml: the {name} baseline cannot be fit on the {t} values before position {t} "
                    f"({_first_line(exc)}); change its params under `baselines`"
                ) from exc
        for warning in caught:
            if issubclass(warning.category, ConvergenceWarning):
                not_converged += 1
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    if not_converged:
        log.warning("%s: %d of %d walk-forward fits did not converge; their forecasts are kept",
                    name, not_converged, len(targets))
    return np.array(forecasts)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def check(cfg: BaselinesConfig, values: np.ndarray, first_target: int) -> None:
    """Reject params the history before the test period cannot support, naming the param."""
    if cfg.season > first_target:
        raise UserError(
            f"params.yaml: baselines.season={cfg.season} is longer than the {first_target} values before the "
            f"test period; use a season of at most {first_target}"
        )
    if first_target < 2:
        raise UserError(f"params.yaml: data.test_size leaves {first_target} value before the test period; "
                        "the baselines need at least 2")
    if cfg.exp_smoothing_trend == "mul" and (values[:first_target] <= 0).any():
        raise UserError("params.yaml: baselines.exp_smoothing_trend=mul needs positive values; use add or null")


def forecast_all(cfg: BaselinesConfig, values: np.ndarray, targets: np.ndarray) -> dict[str, np.ndarray]:
    """Walk-forward forecasts of every baseline at `targets` (positions in `values`)."""
    check(cfg, values, int(targets[0]))
    # The fits are tiny: extra BLAS threads only fight over the cores, which made them 5-20x slower when
    # experiments run two at a time on two cores.
    with threadpool_limits(limits=1):
        return {name: walk_forward(values, targets, f, name) for name, f in forecasters(cfg).items()}
