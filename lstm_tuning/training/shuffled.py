"""Shuffled batches of independent windows: the regime of Keras `fit`, for every model that carries no
state between batches.

Every epoch each repeat visits the training windows in its own random order (or in order,
`shuffle=False`), in batches of `train.batch_size` with the remainder as a smaller last batch. To keep
one static shape for XLA the last batch is padded and the padding masked out of the loss. The loss is the
configured one plus the layers' weight penalties, as `fit` computes it. Each repeat's dropout masks come
from its own seed state, stacked like the weights.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager

import numpy as np

from lstm_tuning.models.base import Shape
from lstm_tuning.training.backend import keras, tf
from lstm_tuning.training.core import (
    MAX_EPOCHS_PER_CALL,
    RepeatStack,
    TrainedRepeats,
    checkpoint_epochs,
    compile_epochs,
    initial_members,
    run_in_chunks,
    stack_non_trainable,
    stack_weights,
)


@contextmanager
def _max_pool_gradients_allowed(model: keras.Model):
    """Let XLA compile MaxPool gradients (CNN-LSTM) while op determinism is on.

    TensorFlow refuses them under op determinism because the GPU kernel is not deterministic; on CPU,
    XLA computes them with a sequential select-and-scatter, which is (a test trains a CNN-LSTM twice and
    compares). Determinism is restored for every other op as soon as the program is compiled and run.
    """
    # not exported by tf.config: the only way to lift op determinism again once `initial_members` set it
    from tensorflow.python.framework.config import disable_op_determinism, is_op_determinism_enabled

    pooling = any(isinstance(getattr(layer, "layer", layer), keras.layers.MaxPooling1D) for layer in model.layers)
    lift = pooling and is_op_determinism_enabled() and not tf.config.list_logical_devices("GPU")
    if lift:
        disable_op_determinism()
    try:
        yield
    finally:
        if lift:
            tf.config.experimental.enable_op_determinism()


def train(params, train_cfg, windows, progress: bool = True, shuffle: bool = True) -> TrainedRepeats:
    """Train `train_cfg.repeats` independent models on the training windows X [n, n_lags, n_features] ->
    y [n, n_out, n_targets] of `windows`.

    Every `train.checkpoint_every` epochs each repeat forecasts the training windows and the held-out
    ones: the seed's diagnostics. The test error is recorded, never used.
    """
    X, y = windows["X_train"], windows["y_train"]
    repeats, epochs, n = train_cfg.repeats, train_cfg.epochs, len(X)
    batch_size = min(train_cfg.batch_size, n)
    n_batches = math.ceil(n / batch_size)
    members = initial_members(params, train_cfg, Shape(*X.shape[1:], *y.shape[1:]))
    model = members[0]
    stack = RepeatStack(members, params)
    loss_fn = keras.losses.get(params.loss)
    X_all, y_all = tf.constant(X, tf.float32), tf.constant(y, tf.float32)
    real_rows = tf.constant(np.arange(n_batches * batch_size).reshape(n_batches, batch_size) < n, tf.float32)
    X_every = tf.constant(np.concatenate([X, windows["X_val"], windows["X_test"]]), tf.float32)
    first_rows = np.concatenate([windows["targets_train"], windows["targets_val"], windows["targets_test"]])

    def member_step(weights, states, rows, mask):
        x, y_true = tf.gather(X_all, rows), tf.gather(y_all, rows)
        with tf.GradientTape() as tape:
            tape.watch(weights)
            y_pred, states, penalties = model.stateless_call(weights, states, x, training=True, return_losses=True)
            per_window = tf.reduce_mean(tf.reshape(loss_fn(y_true, y_pred), (batch_size, -1)), axis=1)
            loss = tf.reduce_sum(per_window * mask) / tf.reduce_sum(mask) + sum(penalties)
        return tape.gradient(loss, weights), states, loss

    def epoch_order(epoch):
        """[repeats, n_batches, batch_size] window indices; padding repeats window 0 and is masked out."""
        if shuffle:
            seed = tf.stack([tf.constant(train_cfg.seed, tf.int64), tf.cast(epoch, tf.int64)])
            order = tf.argsort(tf.random.stateless_uniform((repeats, n), seed=seed), axis=1)
        else:
            order = tf.tile(tf.range(n)[None], (repeats, 1))
        return tf.reshape(tf.pad(order, [[0, 0], [0, n_batches * batch_size - n]]), (repeats, n_batches, batch_size))

    def run_batch(b, order, loss_sum):
        grads, states, loss = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), args[2], real_rows[b]),
            ([w.value for w in stack.weights], [s.read_value() for s in stack.seed_states], order[:, b]),
        )
        stack.update(grads, states)
        # weighted by the batch's real windows, as fit's epoch loss
        return b + 1, order, loss_sum + loss * tf.reduce_sum(real_rows[b])

    def run_epoch(epoch):
        # Divergence is checked per epoch, not per batch as for the stateful model: a pass over every
        # stacked weight after each batch made this trainer ~30% slower.
        before = stack.snapshot()
        _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), epoch_order(epoch), tf.zeros((repeats,)))
        )
        return tf.where(stack.stop_diverged(loss_sum, before), loss_sum / n, np.nan)

    @tf.function(jit_compile=True)
    def forecast_every_window():
        return tf.vectorized_map(
            lambda args: model.stateless_call(list(args[0]), list(args[1]), X_every)[0],
            ([w.value for w in stack.weights], [s.read_value() for s in stack.seed_states]),
        )

    ckpt_epochs, ckpt_forecasts = checkpoint_epochs(epochs, train_cfg.checkpoint_every), []
    chunk = min(train_cfg.checkpoint_every, MAX_EPOCHS_PER_CALL)
    start = time.perf_counter()
    with _max_pool_gradients_allowed(model):
        history = run_in_chunks(
            compile_epochs(run_epoch, chunk, repeats), epochs, chunk, repeats, progress,
            stops=ckpt_epochs, on_stop=lambda _: ckpt_forecasts.append(forecast_every_window().numpy()),
        )
    seconds = time.perf_counter() - start
    return TrainedRepeats(
        stack.to_members(seed_states=True), history, ~stack.alive.numpy(), best_epoch=np.zeros(repeats, int),
        checkpoint_epochs=np.array(ckpt_epochs), checkpoint_forecasts=np.stack(ckpt_forecasts),
        first_rows=first_rows, seconds=seconds,
    )


def forecast(members: list[keras.Model], windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] of every member for `windows` [n, n_lags, n_features].

    Every window holds true earlier values, so forecasting the test windows is the seed's walk-forward
    without refitting.
    """
    model = members[0]
    weights = [tf.constant(w) for w in stack_weights(members)]
    states = [tf.constant(s) for s in stack_non_trainable(members)]
    X_all = tf.constant(windows, tf.float32)

    @tf.function(jit_compile=True)
    def run():
        return tf.vectorized_map(
            lambda args: model.stateless_call(list(args[0]), list(args[1]), X_all)[0], (weights, states)
        )

    return run().numpy()
