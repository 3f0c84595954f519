"""What every architecture shares: the params of its LSTM layers, the option it registers, and the
layer options built from those params.

Convention: a model maps a window [n_lags, n_features] to a forecast [n_out, n_targets] (one row per
forecast step, one column per target series), whatever the architecture or framing; models that read the
window in another layout reshape it inside. Recurrent layers are unrolled: windows are short, and XLA
cannot compile an RNN's internal while loop under `tf.vectorized_map`, which trains the repeats together.
Keras is imported inside the builders: the configuration is checked before TensorFlow (seconds) loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lstm_tuning.options import Option, param

# Optimizers whose update is elementwise, so one optimizer over weights stacked along a repeat axis gives
# every repeat exactly the update it would get alone (no norm or factor shared across repeats).
ELEMENTWISE_OPTIMIZERS = ("adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "sgd")
LOSSES = ("mse", "mae", "huber", "log_cosh")
ACTIVATIONS = ("tanh", "relu", "linear", "sigmoid", "elu", "selu", "softsign", "gelu", "swish")


@dataclass
class LSTMParams:
    """The params of every LSTM-bearing model: its cell, the seed 002 extensions (dropout, weight
    penalties) and how it is optimised."""

    name: str
    activation: str = param("relu", choices=ACTIVATIONS)  # of the LSTM cell and output (the gates stay sigmoid)
    dropout: float = param(0.0, at_least=0, below=1)  # fraction of the LSTM inputs dropped while training
    recurrent_dropout: float = param(0.0, at_least=0, below=1)  # of the recurrent state
    kernel_l1: float = param(0.0, at_least=0)  # L1/L2 weight penalties added to the loss (0 = none)
    kernel_l2: float = param(0.0, at_least=0)
    recurrent_l1: float = param(0.0, at_least=0)
    recurrent_l2: float = param(0.0, at_least=0)
    bias_l1: float = param(0.0, at_least=0)
    bias_l2: float = param(0.0, at_least=0)
    optimizer: str = param("adam", choices=ELEMENTWISE_OPTIMIZERS)
    learning_rate: float = param(0.001, above=0)
    loss: str = param("mse", choices=LOSSES)


@dataclass(frozen=True)
class Shape:
    """What a model is built for: windows [n_lags, n_features] -> forecasts [n_out, n_targets]; a model
    that carries state between batches is built for one batch size."""

    n_lags: int
    n_features: int
    n_out: int
    n_targets: int
    batch_size: int | None = None


@dataclass(frozen=True, kw_only=True)
class Architecture(Option):
    build: Callable  # (params, Shape) -> keras.Model
    # True: batches in order, the LSTM state carried from one batch to the next (the seed 002 model);
    # False: each window on its own, shuffled batches as Keras fit
    carries_state: bool = False


def regularizer(l1: float, l2: float):
    import keras

    return keras.regularizers.L1L2(l1=l1, l2=l2) if l1 or l2 else None


def recurrent_options(params: LSTMParams) -> dict:
    """What every LSTM-bearing layer takes from the params."""
    return {
        "activation": params.activation,
        "dropout": params.dropout,
        "recurrent_dropout": params.recurrent_dropout,
        "kernel_regularizer": regularizer(params.kernel_l1, params.kernel_l2),
        "recurrent_regularizer": regularizer(params.recurrent_l1, params.recurrent_l2),
        "bias_regularizer": regularizer(params.bias_l1, params.bias_l2),
        "unroll": True,
    }


def lstm(params, return_sequences: bool = False):
    from keras import layers

    return layers.LSTM(params.units, return_sequences=return_sequences, **recurrent_options(params))


def vector_model(params, shape: Shape, encode: Callable):
    """window -> `encode` -> Dense(n_out x n_targets) reshaped to the forecast [n_out, n_targets]."""
    import keras
    from keras import layers

    window = keras.Input((shape.n_lags, shape.n_features), name="window")
    encoding = encode(window)  # first: every layer draws its initialisation seeds when it is made
    vector = layers.Dense(shape.n_out * shape.n_targets)(encoding)
    forecast = layers.Reshape((shape.n_out, shape.n_targets))(vector)
    return keras.Model(window, forecast, name=params.name)
