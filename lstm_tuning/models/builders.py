"""The Keras model of an architecture, built by its module: `lstm_tuning/models/<model.name>.py`'s `build`.
Loaded by name, on first use, so only the stages that train import a builder (and Keras)."""

from __future__ import annotations

import importlib


def build(params, shape):
    """A freshly initialised Keras model of the architecture `params.name` (the random seed is the caller's)."""
    return importlib.import_module(f"{__package__}.{params.name}").build(params, shape)
