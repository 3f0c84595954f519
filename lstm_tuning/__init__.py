"""Reproducible tuning and comparison of LSTM time-series forecasters (DVC stages, Hydra config)."""

import os

# TensorFlow's start-up chatter (no CUDA driver, XLA init) drowns the stage logs; users can lower it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def load(directory="models"):
    """The forecaster the forecast stage saved (the `forecaster` artifact): `load("models").forecast(series,
    horizon=12)` forecasts the steps after the end of `series` (a frame indexed by time, or a CSV path)."""
    from lstm_tuning.forecasting.forecaster import load as load_forecaster

    return load_forecaster(directory)
