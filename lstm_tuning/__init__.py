"""Reproducible tuning and comparison of LSTM time-series forecasters (DVC stages, Hydra config)."""

import importlib
import os

# TensorFlow's start-up chatter (no CUDA driver, XLA init) drowns the stage logs; users can lower it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def __getattr__(name: str):
    # `lstm_tuning.load("models")`: the forecaster the forecast stage saved (the `forecaster` artifact), whose
    # `.forecast(series, horizon=12)` continues a frame or CSV. Imported on first use: the stages never load it.
    if name == "load":
        return importlib.import_module("lstm_tuning.forecasting.forecaster").load
    raise AttributeError(f"module 'lstm_tuning' has no attribute {name!r}")
