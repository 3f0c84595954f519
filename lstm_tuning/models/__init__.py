"""Every architecture, one module each, registered by the `ARCHITECTURE` it declares: its params (with
their bounds), its checks and its builder. Adding one is its module, its `conf/model/` file and a test."""

import importlib
import pkgutil

from lstm_tuning.options import Registry

MODELS = Registry("model", "name")
for _module in pkgutil.iter_modules(__path__):
    _architecture = getattr(importlib.import_module(f"{__name__}.{_module.name}"), "ARCHITECTURE", None)
    if _architecture is not None:
        MODELS.add(_architecture)


def build(params, shape):
    """A freshly initialised Keras model of the architecture `params.name` (the random seed is the caller's)."""
    return MODELS[params.name].build(params, shape)
