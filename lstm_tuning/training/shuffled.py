"""Shuffled batches of independent windows: the regime of Keras `fit`, for every model that carries no
state between batches.

Every epoch each repeat visits the training windows in its own random order (or in order,
`shuffle=False`), in batches of `train.batch_size` with the remainder as a smaller last batch. To keep
one static shape for XLA the last batch is padded and the padding masked out of the loss. The loss is the
configured one plus the layers' weight penalties, as `fit` computes it. Each repeat's dropout masks come
from its own seed state, stacked like the weights.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from lstm_tuning.models.base import Shape
from lstm_tuning.training import backend
from lstm_tuning.training.backend import keras, tf
from lstm_tuning.training.core import (
    MAX_EPOCHS_PER_CALL,
    OnCheckpoint,
    RepeatStack,
    TrainedRepeats,
    checkpoint_epochs,
    compile_epochs,
    initial_members,
    per_fit,
    run_in_chunks,
    stack_non_trainable,
    stack_weights,
    xla_program,
)
from lstm_tuning.training.core import (
    fit_weights as fit_weights_of,
)
from lstm_tuning.training.core import (
    group_fits as group_fits_of,
)


def train(params, train_cfg, windows, progress: bool = True, source: str = "windows",
          on_checkpoint: OnCheckpoint | None = None, shuffle: bool = True) -> TrainedRepeats:
    """Train `train_cfg.repeats` independent models for every fit of `windows` (the window stage's arrays:
    X [fits, n, n_lags, n_features] -> y [fits, n, n_out, n_targets], and the windows each fit trains on),
    all together.

    Every `train.checkpoint_every` epochs each member forecasts every window of the series: the forecasts
    evaluate scores; `on_checkpoint(epoch, forecasts)` sees them as they come.
    """
    train_mask = windows["train"]
    fits, n_windows = train_mask.shape
    repeats, epochs = train_cfg.repeats, train_cfg.epochs
    counts = train_mask.sum(axis=1)
    batch_size = min(train_cfg.batch_size, int(counts.max()))
    order, group_fits, group_batches = group_fits_of(-(-counts // batch_size))
    counts = counts[order]
    n, n_batches = int(counts.max()), int(group_batches.max())
    # each fit's training windows, cycled to pad them all to one length (the padding is masked out)
    rows = np.stack([np.resize(np.flatnonzero(train_mask[f]), n) for f in order])[:, :, None, None]
    X, y = windows["X"][order], windows["y"][order]
    X_train, y_train = np.take_along_axis(X, rows, 1), np.take_along_axis(y, rows, 1)
    one_fit = fits == 1
    members = initial_members(params, train_cfg, Shape(*X.shape[2:], *y.shape[2:]))
    model = members[0]
    stack = RepeatStack(members, params, group_fits)
    size = stack.size
    loss_fn = keras.losses.get(params.loss)
    real_rows = np.arange(n_batches * batch_size).reshape(n_batches, batch_size)[None] < counts[:, None, None]
    if one_fit:  # every repeat reads the same windows (constants to the vectorized call, as before backtests)
        X_all, y_all = tf.constant(X_train[0], tf.float32), tf.constant(y_train[0], tf.float32)
        real_rows, X_every = tf.constant(real_rows[0], tf.float32), tf.constant(X[0], tf.float32)
    else:
        X_all = tf.constant(np.repeat(X_train, repeats, axis=0), tf.float32)
        y_all = tf.constant(np.repeat(y_train, repeats, axis=0), tf.float32)
        real_rows = tf.constant(np.repeat(real_rows, repeats, axis=0), tf.float32)
        X_every = tf.constant(np.repeat(X, repeats, axis=0), tf.float32)
        member_windows = tf.constant(np.repeat(counts, repeats), tf.float32)
        group_batches = tf.constant(group_batches.astype("int32"))

    def member_step(weights, states, rows, mask, X_all, y_all):
        x, y_true = tf.gather(X_all, rows), tf.gather(y_all, rows)
        with tf.GradientTape() as tape:
            tape.watch(weights)
            y_pred, states, penalties = model.stateless_call(weights, states, x, training=True, return_losses=True)
            per_window = tf.reduce_mean(tf.reshape(loss_fn(y_true, y_pred), (batch_size, -1)), axis=1)
            # (a fit with no batch left this epoch has no real row: its step is skipped, never applied)
            loss = tf.reduce_sum(per_window * mask) / tf.maximum(tf.reduce_sum(mask), 1.0) + sum(penalties)
        return tape.gradient(loss, weights), states, loss

    def fit_order(epoch, count):
        """[repeats, n_batches * batch_size] window positions; padding repeats position 0 and is masked out."""
        if shuffle:
            seed = tf.stack([tf.constant(train_cfg.seed, tf.int64), tf.cast(epoch, tf.int64)])
            order = tf.argsort(tf.random.stateless_uniform((repeats, count), seed=seed), axis=1)
        else:
            order = tf.tile(tf.range(count)[None], (repeats, 1))
        return tf.pad(order, [[0, 0], [0, n_batches * batch_size - count]])

    def epoch_order(epoch):
        """[members, n_batches, batch_size]: each fit's repeats visit its windows in the order they would alone."""
        order = tf.concat([fit_order(epoch, int(count)) for count in counts], axis=0)
        return tf.reshape(order, (size, n_batches, batch_size))

    def run_batch(b, order, loss_sum):
        weights, states = stack.weights, [s.read_value() for s in stack.seed_states]
        if one_fit:
            grads, states, loss = tf.vectorized_map(
                lambda args: member_step(list(args[0]), list(args[1]), args[2], real_rows[b], X_all, y_all),
                (weights, states, order[:, b]),
            )
            stack.update(grads, states)
            # weighted by the batch's real windows, as fit's epoch loss
            return b + 1, order, loss_sum + loss * tf.reduce_sum(real_rows[b])
        grads, states, loss = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), *args[2:]),
            (weights, states, order[:, b], real_rows[:, b], X_all, y_all),
        )
        stack.update(grads, states, stepping=b < group_batches)
        return b + 1, order, loss_sum + loss * tf.reduce_sum(real_rows[:, b], axis=1)

    def run_epoch(epoch):
        # Divergence is checked per epoch, not per batch as for the stateful model: a pass over every
        # stacked weight after each batch made this trainer ~30% slower.
        before = stack.snapshot()
        _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), epoch_order(epoch), tf.zeros((size,)))
        )
        return tf.where(stack.stop_diverged(loss_sum, before), loss_sum / (n if one_fit else member_windows), np.nan)

    @xla_program
    def forecast_every_window():
        states = [s.read_value() for s in stack.seed_states]
        if one_fit:
            return tf.vectorized_map(
                lambda args: model.stateless_call(list(args[0]), list(args[1]), X_every)[0], (stack.weights, states)
            )
        return tf.vectorized_map(
            lambda args: model.stateless_call(list(args[0]), list(args[1]), args[2])[0],
            (stack.weights, states, X_every),
        )

    ckpt_epochs, ckpt_forecasts = checkpoint_epochs(epochs, train_cfg.checkpoint_every), []

    def checkpoint(epoch):
        ckpt_forecasts.append(forecast_every_window().numpy())
        if on_checkpoint:
            on_checkpoint(epoch, per_fit(ckpt_forecasts[-1], 0, repeats, order))
    chunk = min(train_cfg.checkpoint_every, MAX_EPOCHS_PER_CALL)
    start = time.perf_counter()
    with backend.determinism_lifted_where_xla_refuses(model):
        history = run_in_chunks(
            compile_epochs(run_epoch, chunk, size), epochs, chunk, size, progress,
            stops=ckpt_epochs, on_stop=checkpoint,
        )
    seconds = time.perf_counter() - start
    return TrainedRepeats(
        stack.to_members(seed_states=True, first=int(np.argsort(order)[-1]) * repeats),  # the last fit's repeats
        per_fit(history, 1, repeats, order), per_fit(~stack.alive.numpy(), 0, repeats, order),
        best_epoch=np.zeros((fits, repeats), int), checkpoint_epochs=np.array(ckpt_epochs),
        checkpoint_forecasts=per_fit(np.stack(ckpt_forecasts), 1, repeats, order), seconds=seconds,
        fit_weights=fit_weights_of([w.numpy() for w in stack.weights], repeats, order),
    )


def forecast(members: list[keras.Model], context, windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] of every member for `windows` [n, n_lags, n_features]; each
    window is read on its own (`context` is the carried-state regime's).

    Every window holds true earlier values, so forecasting the test windows is the seed's walk-forward
    without refitting: each window's own forecast, never fed back.
    """
    return forecast_ahead(members, windows, None, np.arange(len(windows)), members[0].output_shape[1])


def forecast_ahead(members: list[keras.Model], X: np.ndarray, train, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None = None) -> np.ndarray:
    """Recursive forecasts [repeats, len(origins), steps, n_targets] (scaled) from the windows `X[origins]`
    [n_lags, n_features], n_out steps at a time: each next window's newest rows are the member's own
    forecasts (the framing's outputs are its inputs). Each window is read on its own, so the training windows
    (`train`) play no part. `weights` (stacked per repeat) replace the members' own.
    """
    model = members[0]
    run = _ahead_program(model)
    stacked = [tf.constant(w) for w in (weights if weights is not None else stack_weights(members))]
    # the non-trainable state is dropout's seed, unused when forecasting: any member's serves every repeat
    states = [tf.constant(s) for s in stack_non_trainable([model] * len(stacked[0]))]
    n_lags = X.shape[1]
    rows = np.repeat(X[origins][None], len(stacked[0]), axis=0).astype("float32")
    forecasts = [run(stacked, states, tf.constant(rows[:, :, -n_lags:])).numpy()]
    while sum(f.shape[2] for f in forecasts) < steps:  # fed back only past the first n_out steps
        rows = np.concatenate([rows, forecasts[-1]], axis=2)
        forecasts.append(run(stacked, states, tf.constant(rows[:, :, -n_lags:])).numpy())
    return np.concatenate(forecasts, axis=2)[:, :, :steps]


@functools.cache
def _ahead_program(model: keras.Model):
    """`model` for stacked weights and states [repeats, ...] over lanes: (weights, states, x [repeats, lanes,
    n_lags, n_features]) -> [repeats, lanes, n_out, n_targets]. Traced once per model for any number of repeats
    and lanes (XLA compiles each shape it meets): every backtest fit and the forecast past the end share it."""
    def spec(variables):
        return [tf.TensorSpec((None, *v.shape), v.dtype) for v in variables]

    signature = [spec(model.trainable_variables), spec(model.non_trainable_variables),
                 tf.TensorSpec((None, None, *model.input_shape[1:]), tf.float32)]

    def run(weights, states, x):
        return tf.vectorized_map(lambda a: model.stateless_call(list(a[0]), list(a[1]), a[2])[0], (weights, states, x))

    return tf.function(run, jit_compile=True, autograph=False, input_signature=signature)
