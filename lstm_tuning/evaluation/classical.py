"""statsforecast's classical models by name: an unfitted model, its forecasts walked forward with the params
of its fit left alone, and the best one's forecast past the end (the forecast figure's). The backtest protocol
that fits them at each fit of the backtest is `baselines`; the forecast stage needs only this module."""

from __future__ import annotations

import numpy as np
import pandas as pd

# statsforecast's class for each baseline; the seasonal ones take season_length
SEASONAL = {"auto_ets": "AutoETS", "auto_arima": "AutoARIMA", "auto_theta": "AutoTheta"}
LABELS = {"persistence": "persistence", "seasonal_naive": "seasonal naive", "drift": "drift",
          "auto_ets": "AutoETS", "auto_arima": "AutoARIMA", "auto_theta": "AutoTheta"}


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


def past_end(metrics: dict, fitted: dict, target: pd.Series, forecast: pd.DataFrame) -> pd.DataFrame:
    """The best baseline of evaluate's headline `metrics`, with the season the baselines stage used (`fitted`,
    its info), fit on every row of `target` and forecasting the steps the LSTM's `forecast` has past the end."""
    name = metrics["best_baseline"]
    times = forecast.loc[forecast["series"] == target.name, "time"]
    season = (fitted.get("season") or 1) if name == "seasonal_naive" else fitted.get("seasonal_models_season", 1)
    values = target.to_numpy(float)
    ahead = walk(name, model(name, season).fit(y=values), values, len(times)) if len(times) else []
    return pd.DataFrame({"series": target.name, "time": list(times), "forecast": ahead,
                         "baseline": LABELS.get(name, name)})
