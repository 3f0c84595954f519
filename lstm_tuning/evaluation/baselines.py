"""Baselines (`baselines`), scored on the LSTM's test points with the same walk-forward protocol.

Each forecaster sees only the values before the step it forecasts (its `history`) and is refit from
scratch at every step, as the ARIMA and exponential smoothing baselines of the seed's related tutorials.
Options: `classical` (persistence, seasonal naive, drift, ARIMA, exponential smoothing) and `persistence`
alone, for series too short to fit the others on.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from threadpoolctl import threadpool_limits

from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, param

log = logging.getLogger(__name__)

# history -> forecasts of the next `steps` values
Forecaster = Callable[[np.ndarray, int], np.ndarray]


def persistence(history: np.ndarray, steps: int = 1) -> np.ndarray:
    return np.full(steps, float(history[-1]))


def seasonal_naive(history: np.ndarray, steps: int = 1, *, season: int) -> np.ndarray:
    return np.resize(history[-season:], steps).astype(float)  # the last season, repeated


def drift(history: np.ndarray, steps: int = 1) -> np.ndarray:
    """The line through the first and last values of the history, extended."""
    return history[-1] + (history[-1] - history[0]) / (len(history) - 1) * np.arange(1, steps + 1)


def arima(history: np.ndarray, steps: int = 1, *, order: tuple[int, int, int]) -> np.ndarray:
    from statsmodels.tsa.arima.model import ARIMA  # statsmodels loads in seconds: only when fitting

    return np.asarray(ARIMA(history, order=order).fit().forecast(steps), float)


def exponential_smoothing(history: np.ndarray, steps: int = 1, *, trend: str | None, damped: bool) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    model = ExponentialSmoothing(history, trend=trend, damped_trend=damped, initialization_method="estimated")
    return np.asarray(model.fit().forecast(steps), float)


@dataclass
class PersistenceParams:
    name: str = "persistence"


@dataclass
class ClassicalParams:
    name: str = "classical"
    season: int = param(12, at_least=1)  # seasonal naive forecasts the value one season earlier
    arima_order: list[int] = field(default_factory=lambda: [2, 1, 0])  # statsmodels ARIMA (p, d, q)
    exp_smoothing_trend: str | None = param("add", choices=(None, "add", "mul"))
    exp_smoothing_damped: bool = True


def _check_classical(cfg, source: str) -> None:
    order = cfg.baselines.arima_order
    if len(order) != 3 or min(order) < 0:
        raise UserError(f"{source}: baselines.arima_order={list(order)} must be three integers >= 0: [p, d, q]")


BASELINES = Registry("baselines", "name")
BASELINES.add(Option("classical", ClassicalParams, _check_classical))
BASELINES.add(Option("persistence", PersistenceParams))


def forecasters(cfg) -> dict[str, Forecaster]:
    if cfg.name == "persistence":
        return {"persistence": persistence}
    return {
        "persistence": persistence,
        "seasonal_naive": partial(seasonal_naive, season=cfg.season),
        "drift": drift,
        "arima": partial(arima, order=tuple(cfg.arima_order)),
        "exponential_smoothing": partial(
            exponential_smoothing, trend=cfg.exp_smoothing_trend, damped=cfg.exp_smoothing_damped
        ),
    }


def walk_forward(
    values: np.ndarray, targets: np.ndarray, forecaster: Forecaster, name: str, steps: int = 1
) -> np.ndarray:
    """Forecast `values[t : t + steps]` from `values[:t]` for every t in `targets`: [len(targets), steps]."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    not_converged = 0
    forecasts = []
    for t in targets:
        # A fit that stops at its iteration limit still gives a usable forecast: count it, say so once.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            try:
                forecasts.append(forecaster(values[:t], steps))
            except (np.linalg.LinAlgError, ValueError) as exc:
                raise UserError(
                    f"params.yaml: the {name} baseline cannot be fit on the {t} values before position {t} "
                    f"({_first_line(exc)}); change its params under `baselines`, or -S baselines=persistence"
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


def check(cfg, values: np.ndarray, first_target: int) -> None:
    """Reject params the history before the test period cannot support, naming the param."""
    if cfg.season > first_target:
        raise UserError(
            f"params.yaml: baselines.season={cfg.season} is longer than the {first_target} values before the "
            f"test period; use a season of at most {first_target}, or -S baselines=persistence"
        )
    if first_target < 2:
        raise UserError(f"params.yaml: data.test_size leaves {first_target} value before the test period; "
                        "the classical baselines need at least 2; use -S baselines=persistence")
    if cfg.exp_smoothing_trend == "mul" and (values[:first_target] <= 0).any():
        raise UserError("params.yaml: baselines.exp_smoothing_trend=mul needs positive values; use add or null")


def forecast_all(
    cfg, values: np.ndarray, targets: np.ndarray, steps: int = 1
) -> dict[str, np.ndarray]:
    """Walk-forward forecasts [len(targets), steps] of every baseline from each of `targets` (positions in `values`)."""
    if cfg.name == "classical":
        check(cfg, values, int(targets[0]))
    # The fits are tiny: extra BLAS threads only fight over the cores, which made them 5-20x slower when
    # experiments run two at a time on two cores.
    with threadpool_limits(limits=1):
        return {name: walk_forward(values, targets, f, name, steps) for name, f in forecasters(cfg).items()}
