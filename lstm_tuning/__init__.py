"""Reproducible tuning and comparison of LSTM time-series forecasters (DVC stages, Hydra config)."""

import os

# TensorFlow's start-up chatter (no CUDA driver, XLA init) drowns the stage logs; users can lower it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
