"""statsforecast's classical models by name: an unfitted model, and its forecasts walked forward with the params
of its fit left alone. The backtest protocol that fits them at each fit of the backtest, and on every row for
the steps past the end, is `baselines`."""

from __future__ import annotations

import numpy as np

# statsforecast's class for each baseline; the seasonal ones take season_length
SEASONAL = {"auto_ets": "AutoETS", "auto_arima": "AutoARIMA", "auto_theta": "AutoTheta"}


def model(name: str, season_length: int):
    """Baseline `name` as an unfitted statsforecast model."""
    from statsforecast import models as sf  # loads in seconds: only when forecasting

    if name == "persistence":
        return sf.Naive()
    if name == "seasonal_naive":
        return sf.SeasonalNaive(season_length=season_length)
    if name == "drift":
        return sf.RandomWalkWithDrift()
    return getattr(sf, SEASONAL[name])(season_length=season_length)


def walk(name: str, fitted, history: np.ndarray, steps: int) -> np.ndarray:
    """`steps` forecasts after `history` by a model fitted on its first rows, its params left alone."""
    if name == "drift":  # statsforecast's drift has no forward: the slope estimated at the fit, from the last value
        return history[-1] + fitted.model_["slope"] * np.arange(1, steps + 1)
    return np.asarray(fitted.forward(y=history, h=steps)["mean"], float)

