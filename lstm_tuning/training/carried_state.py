"""Batches in order with the LSTM state carried across them: the seed 002 regime.

As the seed trains its stateful model: no shuffling, row i of a batch continues row i of the previous
batch, the state is reset to zero at every epoch, and no gradient flows into earlier batches. Every window
is one timestep whose features are its lags; the oldest training windows are dropped until the batch size
divides the rest.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np

from lstm_tuning.data.sources import TOO_SHORT_FIX
from lstm_tuning.errors import UserError
from lstm_tuning.models.base import Shape
from lstm_tuning.models.stateful_lstm import step_twin
from lstm_tuning.training.backend import keras, tf
from lstm_tuning.training.core import (
    MAX_EPOCHS_PER_CALL,
    RepeatStack,
    TrainedRepeats,
    checkpoint_epochs,
    compile_epochs,
    initial_members,
    run_in_chunks,
    stack_weights,
)

log = logging.getLogger(__name__)

PROGRESS_UPDATES = 20


def trim_to_batches(n_rows: int, batch_size: int, warn: bool = True) -> int:
    """How many of the oldest rows to drop so the batch size divides the rest (as the seed does)."""
    dropped = n_rows % batch_size
    if dropped and warn:
        log.warning("%d training rows are not a multiple of train.batch_size=%d: dropping the %d oldest",
                    n_rows, batch_size, dropped)
    return dropped


def _rows(windows: np.ndarray) -> np.ndarray:
    """Windows [n, n_lags, n_features] -> one timestep of n_lags x n_features features [n, features]."""
    return windows.reshape(len(windows), int(np.prod(windows.shape[1:]))).astype("float32")


def _as_batches(X: np.ndarray, batch_size: int) -> np.ndarray:
    """[n, n_features] -> [n / batch_size, batch_size, 1 timestep, n_features]."""
    return X.reshape(-1, batch_size, 1, X.shape[-1]).astype("float32")


def _padded_batches(X: np.ndarray, batch_size: int) -> tf.Tensor:
    """Batches for a walk forward, the last one padded: padding follows every real row, so it cannot
    change their forecasts (a stateful model only carries state forward)."""
    return tf.constant(_as_batches(np.concatenate([X, np.zeros((-len(X) % batch_size, X.shape[-1]))]), batch_size))


def _walk_forward(step, non_trainable, params, x_batches, batch_size: int, units: int):
    """Forecast every batch in order from a zero state, carrying state: [n_batches, repeats, batch_size]."""
    repeats, n_batches = params[0].shape[0], x_batches.shape[0]

    def body(b, h, c, outputs):
        x = x_batches[b]
        y, h, c = tf.vectorized_map(
            lambda args: step.stateless_call(list(args[0]), non_trainable, [x, args[1], args[2]])[0],
            (params, h, c),
        )
        return b + 1, h, c, tf.tensor_scatter_nd_update(outputs, [[b]], [y[..., 0]])

    zeros = tf.zeros((repeats, batch_size, units))
    outputs = tf.zeros((n_batches, repeats, batch_size))
    return tf.while_loop(lambda b, *_: b < n_batches, body, (tf.constant(0), zeros, zeros, outputs))[3]


def train(params, train_cfg, windows, progress: bool = True, source: str = "windows") -> TrainedRepeats:
    """Train `train_cfg.repeats` independent stateful models on the training windows of `windows`.

    Every `train.checkpoint_every` epochs each repeat forecasts the training rows and walks on through
    the held-out rows (as the seed's walk-forward): the seed's diagnostics. With `train.early_stopping`
    = N, a repeat stops after N checkpoints without a lower validation error and keeps the weights of its
    best one. The test error is recorded, never used.
    """
    batch_size, repeats, epochs = train_cfg.batch_size, train_cfg.repeats, train_cfg.epochs
    if len(windows["X_train"]) < batch_size:
        raise UserError(
            f"{source}: {len(windows['X_train'])} training samples are fewer than train.batch_size={batch_size}; "
            f"{TOO_SHORT_FIX}"
        )
    if train_cfg.early_stopping and not len(windows["X_val"]):
        raise UserError(f"{source}: train.early_stopping={train_cfg.early_stopping} needs validation windows: set "
                        "data.val_size >= 1 (early stopping never looks at the test period)")
    dropped = trim_to_batches(len(windows["X_train"]), batch_size)
    X, y = _rows(windows["X_train"][dropped:]), windows["y_train"][dropped:, 0, 0].astype("float32")
    X_val, y_val = _rows(windows["X_val"]), windows["y_val"][:, 0, 0]
    X_test, y_test = _rows(windows["X_test"]), windows["y_test"][:, 0, 0]
    first_rows = np.concatenate([windows["targets_train"][dropped:], windows["targets_val"], windows["targets_test"]])

    shape = Shape(X.shape[-1], 1, 1, 1, batch_size)
    members = initial_members(params, train_cfg, shape)
    step = step_twin(members[0])
    units = members[0].layers[0].units
    stack = RepeatStack(members, params)
    loss_fn = keras.losses.get(params.loss)
    non_trainable = [v.value for v in step.non_trainable_variables]
    x_batches = tf.constant(_as_batches(X, batch_size))
    y_batches = tf.constant(y.reshape(-1, batch_size, 1))
    n_batches = len(X) // batch_size

    # Checkpoints forecast all rows in one walk: training rows, then validation, then test (padded).
    segment_sizes = (len(X), len(y_val), len(y_test))
    all_x_batches = _padded_batches(np.concatenate([X, X_val, X_test]), batch_size)
    all_y = tf.constant(np.concatenate([y, y_val, y_test]).astype("float32"))
    ckpt_epochs = checkpoint_epochs(epochs, train_cfg.checkpoint_every)
    ckpt_index = tf.Variable(0)
    ckpt_forecasts = tf.Variable(tf.fill((len(ckpt_epochs), repeats, sum(segment_sizes)), np.nan))

    early_stopped = tf.Variable(tf.zeros((repeats,), tf.bool))
    best_val = tf.Variable(tf.fill((repeats,), np.inf))
    best_epoch = tf.Variable(tf.zeros((repeats,), tf.int32))
    since_best = tf.Variable(tf.zeros((repeats,), tf.int32))
    best_weights = [tf.Variable(w.value) for w in stack.weights]

    def member_step(weights, seeds, h, c, x, y_true):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            (y_pred, h, c), seeds, penalties = step.stateless_call(
                weights, seeds, [x, h, c], training=True, return_losses=True
            )
            loss = tf.reduce_mean(loss_fn(y_true, y_pred)) + tf.add_n([0.0, *penalties])
        return tape.gradient(loss, weights), seeds, loss, h, c

    def run_batch(b, h, c, loss_sum):
        x, y_true = x_batches[b], y_batches[b]
        before = stack.snapshot()
        grads, seeds, loss, h, c = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), args[2], args[3], x, y_true),
            (before, [s.value() for s in stack.seed_states], h, c),
        )
        stack.update(grads, seeds)
        training = stack.stop_diverged(loss, before, ~early_stopped)
        return b + 1, h, c, loss_sum + tf.where(training, loss, np.nan)

    def checkpoint(epoch):
        weights = [w.value for w in stack.weights]
        forecasts = _walk_forward(step, non_trainable, weights, all_x_batches, batch_size, units)
        forecasts = tf.reshape(tf.transpose(forecasts, (1, 0, 2)), (repeats, -1))[:, : sum(segment_sizes)]
        ckpt_forecasts.scatter_nd_update([[ckpt_index]], [forecasts])
        if train_cfg.early_stopping:
            val_mse = tf.reduce_mean(tf.square(forecasts - all_y)[:, len(X) : len(X) + len(y_val)], axis=1)
            improved = stack.alive & ~early_stopped & (val_mse < best_val)
            best_val.assign(tf.where(improved, val_mse, best_val))
            best_epoch.assign(tf.where(improved, epoch, best_epoch))
            for best, weight in zip(best_weights, stack.weights):
                best.assign(tf.where(stack.per_repeat(improved, weight), weight.value, best))
            since_best.assign(tf.where(improved, 0, since_best + 1))
            early_stopped.assign(early_stopped | (since_best >= train_cfg.early_stopping))
        ckpt_index.assign_add(1)
        return 0

    def run_epoch(epoch):
        # the state starts at zero every epoch and is carried from batch to batch
        zeros = tf.zeros((repeats, batch_size, units))
        _, _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), zeros, zeros, tf.zeros((repeats,)))
        )
        done = epoch + 1
        due = tf.equal(done % train_cfg.checkpoint_every, 0) | tf.equal(done, epochs)
        tf.cond(due, lambda: checkpoint(done), lambda: 0)
        return loss_sum / n_batches

    chunk = min(math.ceil(epochs / PROGRESS_UPDATES), MAX_EPOCHS_PER_CALL)
    start = time.perf_counter()
    history = run_in_chunks(compile_epochs(run_epoch, chunk, repeats), epochs, chunk, repeats, progress)
    seconds = time.perf_counter() - start
    stack.to_members(best_weights if train_cfg.early_stopping else None)
    return TrainedRepeats(
        members, history, ~stack.alive.numpy(), best_epoch.numpy(), np.array(ckpt_epochs),
        ckpt_forecasts.numpy()[..., None, None], first_rows, seconds,
    )


def forecast(members: list[keras.Model], context: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Walk-forward forecasts [repeats, len(windows), 1, 1] in scaled units, as the seed makes them.

    From a zero state each model first runs over the `context` windows (the training windows it was
    trained on) to build up state, then forecasts `windows` batch by batch with the true inputs, carrying
    state on, never refitting.
    """
    step = step_twin(members[0])
    batch_size, units = members[0].input_shape[0], members[0].layers[0].units
    X_state, X = _rows(context), _rows(windows)
    if len(X_state) % batch_size:
        raise ValueError(f"{len(X_state)} state rows are not a multiple of batch size {batch_size}")
    x_batches = _padded_batches(np.concatenate([X_state, X]), batch_size)
    weights = [tf.constant(w) for w in stack_weights(members)]
    non_trainable = [v.value for v in step.non_trainable_variables]
    run = tf.function(_walk_forward, jit_compile=True)
    outputs = run(step, non_trainable, weights, x_batches, batch_size, units)
    outputs = tf.transpose(outputs, (1, 0, 2)).numpy().reshape(len(members), -1)
    return outputs[:, len(X_state) : len(X_state) + len(X), None, None]
