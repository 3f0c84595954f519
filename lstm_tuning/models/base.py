"""What every architecture's builder shares: the shape it is built for and the layer options built from
the params of its LSTM layers (`specs.LSTMParams`).

Convention: a model maps a window [n_lags, n_features] to a forecast [n_out, n_targets] (one row per
forecast step, one column per target series), whatever the architecture or framing; models that read the
window in another layout reshape it inside. Recurrent layers are unrolled: windows are short, and XLA
cannot compile an RNN's internal while loop under `tf.vectorized_map`, which trains the repeats together.
Keras is imported inside the builders: the configuration is checked before TensorFlow (seconds) loads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lstm_tuning.models.specs import LSTMParams


@dataclass(frozen=True)
class Shape:
    """What a model is built for: windows [n_lags, n_features] -> forecasts [n_out, n_targets]; a model
    that carries state between batches is built for one batch size."""

    n_lags: int
    n_features: int
    n_out: int
    n_targets: int
    batch_size: int | None = None


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
