"""The seed 002 model: a stateful LSTM over one timestep whose features are the lags, then Dense(1).

Training and walk-forward forecasting run its *step twin*: the same layers with the LSTM state passed in
and returned explicitly, so the compiled loop can carry the state from batch to batch.
"""

from __future__ import annotations

from lstm_tuning.models.base import Shape, recurrent_options
from lstm_tuning.models.specs import StatefulParams


def build(params: StatefulParams, shape: Shape):
    import keras

    options = recurrent_options(params) | {"stateful": True}  # one timestep: unrolled, as XLA needs
    return keras.Sequential([
        keras.Input(batch_shape=(shape.batch_size, 1, shape.n_lags * shape.n_features)),
        keras.layers.LSTM(params.units, **options),
        keras.layers.Dense(1),
    ], name=params.name)


def step_twin(model, any_batch: bool = False):
    """[x, h, c] -> [y, h', c'] with the weights layout of the stateful `model`, for its batch size (or
    with `any_batch`, any number of rows)."""
    import keras

    lstm, dense = model.layers
    batch_size, _, n_features = model.input_shape
    batch_size = None if any_batch else batch_size
    x = keras.Input(batch_shape=(batch_size, 1, n_features))
    h = keras.Input(batch_shape=(batch_size, lstm.units))
    c = keras.Input(batch_shape=(batch_size, lstm.units))
    lstm_step = keras.layers.LSTM.from_config(lstm.get_config() | {"stateful": False, "return_state": True})
    output, h_next, c_next = lstm_step(x, initial_state=[h, c])
    return keras.Model([x, h, c], [keras.layers.Dense.from_config(dense.get_config())(output), h_next, c_next])
