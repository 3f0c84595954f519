"""Batches in order with the LSTM state carried across them: the seed 002 regime.

As the seed trains its stateful model: no shuffling, row i of a batch continues row i of the previous
batch, the state is reset to zero at every epoch, and no gradient flows into earlier batches. Every window
is one timestep whose features are its lags; the oldest training windows are dropped until the batch size
divides the rest.
"""

from __future__ import annotations

import functools
import logging
import math
import time

import numpy as np

from lstm_tuning.data.specs import TOO_SHORT_FIX
from lstm_tuning.errors import UserError
from lstm_tuning.models.base import Shape
from lstm_tuning.models.stateful_lstm import step_twin
from lstm_tuning.training.backend import keras, tf
from lstm_tuning.training.core import (
    MAX_EPOCHS_PER_CALL,
    MemberLayout,
    OnCheckpoint,
    RepeatStack,
    TrainedRepeats,
    checkpoint_epochs,
    compile_epochs,
    initial_members,
    per_fit,
    run_in_chunks,
    stack_weights,
    xla_program,
)
from lstm_tuning.training.core import (
    fit_weights as fit_weights_of,
)
from lstm_tuning.training.core import (
    group_fits as group_fits_of,
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


def _walk_forward(step, non_trainable, params, x_batches, batch_size: int, units: int, per_member: bool = False):
    """Forecast every batch in order from a zero state, carrying state: [n_batches, members, batch_size].
    x_batches: [n_batches, batch_size, 1, features], or with `per_member` [n_batches, members, ...]."""
    members, n_batches = params[0].shape[0], x_batches.shape[0]

    def call(weights, h, c, x):
        return step.stateless_call(list(weights), non_trainable, [x, h, c])[0]

    def body(b, h, c, outputs):
        x = x_batches[b]
        if per_member:
            y, h, c = tf.vectorized_map(lambda args: call(*args), (params, h, c, x))
        else:
            y, h, c = tf.vectorized_map(lambda args: call(*args, x), (params, h, c))
        return b + 1, h, c, tf.tensor_scatter_nd_update(outputs, [[b]], [y[..., 0]])

    zeros = tf.zeros((members, batch_size, units))
    outputs = tf.zeros((n_batches, members, batch_size))
    return tf.while_loop(lambda b, *_: b < n_batches, body, (tf.constant(0), zeros, zeros, outputs))[3]


def train(params, train_cfg, windows, progress: bool = True, source: str = "windows",
          on_checkpoint: OnCheckpoint | None = None) -> TrainedRepeats:
    """Train `train_cfg.repeats` independent stateful models for every fit of `windows` (the window stage's
    arrays), all together.

    Every `train.checkpoint_every` epochs each member walks from its first training window through every
    later window of the series (as the seed's walk-forward): the forecasts evaluate scores. With
    `train.early_stopping` = N (one fit), a repeat stops after N checkpoints without a lower error on the
    `stop` windows and keeps the weights of its best one. `on_checkpoint(epoch, forecasts)` sees each
    checkpoint's forecasts when the compiled loop next hands control back.

    The final fit (`windows["final"]`: on every row, validation rows included) has nothing to stop on: with
    early stopping each of its repeats follows the same repeat of the last backtest fit, keeping the weights
    of the epoch that repeat chose on validation and stopping when it stops.
    """
    batch_size, repeats, epochs = train_cfg.batch_size, train_cfg.repeats, train_cfg.epochs
    # a local panel: each (series, fit) is a fit of its own, on its series' consecutive windows; every fit's
    # arrays are along its own windows (`MemberLayout.reads`): a local member's, its series' only
    layout = MemberLayout.of(windows, params)
    if layout.local and train_cfg.early_stopping:
        raise UserError(f"{source}: train.early_stopping={train_cfg.early_stopping} is not implemented yet for "
                        "model.scope=local; set train.early_stopping=0 or model.scope=global")
    train_mask = layout.train
    fits, width = train_mask.shape
    counts = train_mask.sum(axis=1)
    if counts.min() < batch_size:
        which = f" (fit {int(np.argmin(counts))} of the backtest)" if (~windows["final"]).sum() > 1 else ""
        if layout.local:
            which = f" (series {layout.series_name(windows, int(np.argmin(counts)))})"
        raise UserError(f"{source}: {counts.min()} training samples{which} are fewer than train.batch_size="
                        f"{batch_size}; {TOO_SHORT_FIX}")
    if train_cfg.early_stopping and not windows["stop"].any():
        raise UserError(f"{source}: train.early_stopping={train_cfg.early_stopping} needs validation windows: set "
                        "data.val_size >= 1 (early stopping never looks at the test period)")
    final = windows["final"][layout.source]
    backtest = int((~windows["final"]).sum())  # the final fit trims as the others, unannounced
    dropped = np.array([trim_to_batches(int(n), batch_size, warn=backtest == 1 and not is_final and not layout.local)
                        for n, is_final in zip(counts, final)])
    if (backtest > 1 or layout.local) and dropped[~final].any():
        log.warning("%d of %d %s have training windows that are not a multiple of train.batch_size=%d: each drops its "
                    "oldest (up to %d)", np.count_nonzero(dropped[~final]), np.count_nonzero(~final),
                    "(series, fit) pairs of the backtest" if layout.local else "fits", batch_size, dropped.max())
    first = train_mask.argmax(axis=1) + dropped  # each fit's training windows are consecutive (on its own axis)
    fit_batches = (counts - dropped) // batch_size
    order, group_fits, group_batches = group_fits_of(fit_batches)
    first, fit_batches = first[order], fit_batches[order]
    n_batches = int(fit_batches.max())

    # [fits, reads, features]: each fit's windows of its source fit (a local panel's: its series' only)
    source_fit, reads = layout.source[order][:, None], layout.reads[order]
    X_all = np.stack([_rows(x) for x in windows["X"]])[source_fit, reads]
    y_all = windows["y"][:, :, 0, 0].astype("float32")[source_fit, reads]
    x_batches = np.zeros((fits, n_batches * batch_size, X_all.shape[-1]), "float32")
    y_batches = np.zeros((fits, n_batches * batch_size), "float32")
    for i in range(fits):
        n = fit_batches[i] * batch_size
        x_batches[i, :n], y_batches[i, :n] = X_all[i, first[i] : first[i] + n], y_all[i, first[i] : first[i] + n]
    x_batches = x_batches.reshape(fits, n_batches, batch_size, 1, -1).transpose(1, 0, 2, 3, 4)
    y_batches = y_batches.reshape(fits, n_batches, batch_size, 1).transpose(1, 0, 2, 3)

    shape = Shape(X_all.shape[-1], 1, 1, 1, batch_size)
    members = initial_members(params, train_cfg, shape)
    step = step_twin(members[0])
    units = members[0].layers[0].units
    stack = RepeatStack(members, params, group_fits)
    size = stack.size
    loss_fn = keras.losses.get(params.loss)
    non_trainable = [v.value for v in step.non_trainable_variables]
    one_fit = fits == 1
    # one fit: every repeat reads the same batch (a constant to the vectorized call, as before backtests)
    x_batches = tf.constant(x_batches[:, 0] if one_fit else np.repeat(x_batches, repeats, axis=1))
    y_batches = tf.constant(y_batches[:, 0] if one_fit else np.repeat(y_batches, repeats, axis=1))
    member_batches = tf.constant(np.repeat(fit_batches, repeats).astype("int32"))
    group_batches = tf.constant(group_batches.astype("int32"))

    # A checkpoint walks each fit from its first training window through the last window of the series.
    walk_end = layout.read_counts[order]
    walk_length = walk_end - first
    walk_batches = -(-int(walk_length.max()) // batch_size)
    walk_x = np.zeros((fits, walk_batches * batch_size, X_all.shape[-1]), "float32")
    for i in range(fits):
        walk_x[i, : walk_length[i]] = X_all[i, first[i] : walk_end[i]]
    walk_x = walk_x.reshape(fits, walk_batches, batch_size, 1, -1).transpose(1, 0, 2, 3, 4)
    walk_x = tf.constant(walk_x[:, 0] if one_fit else np.repeat(walk_x, repeats, axis=1))
    # member m's walk position of window w, and whether its walk reaches w
    position = np.arange(width)[None] - np.repeat(first, repeats)[:, None]
    reached = (position >= 0) & (np.arange(width)[None] < np.repeat(walk_end, repeats)[:, None])
    position = tf.constant(np.where(reached, position, 0))
    reached = tf.constant(reached)
    member_y = tf.constant(np.repeat(y_all, repeats, axis=0))  # [members, reads]
    stop_windows = tf.constant(windows["stop"])  # (early stopping: global scope, every fit reading every window)

    ckpt_epochs = checkpoint_epochs(epochs, train_cfg.checkpoint_every)

    early_stopped = tf.Variable(tf.zeros((size,), tf.bool))
    best_val = tf.Variable(tf.fill((size,), np.inf))
    best_epoch = tf.Variable(tf.zeros((size,), tf.int32))
    since_best = tf.Variable(tf.zeros((size,), tf.int32))
    best_weights = [tf.Variable(w) for w in stack.weights]
    # the member whose validation error decides each member's early stopping: its own, or for the final
    # fit's, the same repeat's of the last backtest fit
    decider = np.arange(size).reshape(fits, repeats)
    final = final[order]
    if final.any() and not final.all():
        decider[final] = decider[np.flatnonzero(~final)[np.argsort(order[~final])[-1]]]  # (local: no early stopping)
    decider = tf.constant(decider.ravel())

    def member_step(weights, seeds, h, c, x, y_true):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            (y_pred, h, c), seeds, penalties = step.stateless_call(
                weights, seeds, [x, h, c], training=True, return_losses=True
            )
            loss = tf.reduce_mean(loss_fn(y_true, y_pred)) + tf.add_n([0.0, *penalties])
        return tape.gradient(loss, weights), seeds, loss, h, c

    def run_batch(b, h, c, loss_sum):
        before = stack.snapshot()
        states = [s.value() for s in stack.seed_states]
        if one_fit:
            x, y_true = x_batches[b], y_batches[b]
            grads, seeds, loss, h, c = tf.vectorized_map(
                lambda args: member_step(list(args[0]), list(args[1]), args[2], args[3], x, y_true),
                (before, states, h, c),
            )
            stack.update(grads, seeds)
            training = stack.stop_diverged(loss, before, ~early_stopped)
            return b + 1, h, c, loss_sum + tf.where(training, loss, np.nan)
        # fits with fewer batches than this epoch's longest skip the rest: no step, no optimizer update
        active = b < member_batches
        grads, seeds, loss, h, c = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), *args[2:]),
            (before, states, h, c, x_batches[b], y_batches[b]),
        )
        stack.update(grads, seeds, stepping=b < group_batches)
        training = stack.stop_diverged(tf.where(active, loss, 0.0), before, ~early_stopped & active)
        return b + 1, h, c, loss_sum + tf.where(training, loss, tf.where(active, np.nan, 0.0))

    def checkpoint(epoch):
        weights = stack.weights
        walked = _walk_forward(step, non_trainable, weights, walk_x, batch_size, units, per_member=not one_fit)
        walked = tf.reshape(tf.transpose(walked, (1, 0, 2)), (size, -1))
        forecasts = tf.where(reached, tf.gather(walked, position, batch_dims=1), np.nan)
        if train_cfg.early_stopping:
            val_mse = tf.reduce_mean(tf.boolean_mask(tf.square(forecasts - member_y), stop_windows, axis=1), axis=1)
            val_mse = tf.gather(val_mse, decider)
            improved = stack.alive & ~early_stopped & (val_mse < best_val)
            best_val.assign(tf.where(improved, val_mse, best_val))
            best_epoch.assign(tf.where(improved, epoch, best_epoch))
            for best, weight in zip(best_weights, weights):
                best.assign(tf.where(stack.per_member(improved, weight), weight, best))
            since_best.assign(tf.where(improved, 0, since_best + 1))
            early_stopped.assign(early_stopped | (since_best >= train_cfg.early_stopping))
        return forecasts

    def run_epoch(epoch):
        # the state starts at zero every epoch and is carried from batch to batch
        zeros = tf.zeros((size, batch_size, units))
        _, _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), zeros, zeros, tf.zeros((size,)))
        )
        done = epoch + 1
        due = tf.equal(done % train_cfg.checkpoint_every, 0) | tf.equal(done, epochs)
        forecasts = tf.cond(due, lambda: checkpoint(done), lambda: tf.zeros((size, width)))
        return loss_sum / tf.cast(member_batches, tf.float32), due, forecasts

    chunk = min(math.ceil(epochs / PROGRESS_UPDATES), MAX_EPOCHS_PER_CALL)
    slots = chunk // train_cfg.checkpoint_every + 3  # the checkpoints one call can reach, and a scratch slot
    recorded = []  # each call's checkpoint forecasts [checkpoints, members, reads]

    def hand_over(_, forecasts, count):
        recorded.append(forecasts[: int(count)].numpy())
        if on_checkpoint:
            seen = sum(len(r) for r in recorded[:-1])
            new = layout.own_windows(per_fit(recorded[-1], 1, repeats, order))[..., None, None]
            for epoch, forecasts in zip(ckpt_epochs[seen:], new):
                on_checkpoint(epoch, forecasts)

    start = time.perf_counter()
    history = run_in_chunks(compile_epochs(run_epoch, chunk, size, record=(slots, size, width)), epochs, chunk,
                            size, progress, after_chunk=hand_over)
    seconds = time.perf_counter() - start
    ckpt_forecasts = np.concatenate(recorded)
    weights = [w.numpy() for w in best_weights] if train_cfg.early_stopping else [w.numpy() for w in stack.weights]
    stack.to_members(weights, first=int(np.argsort(order)[-1]) * repeats)  # the last fit's repeats
    diverged, series_diverged = layout.diverged(~stack.alive.numpy(), repeats, order)
    return TrainedRepeats(
        members, layout.per_fit(per_fit(history, 1, repeats, order), axis=1, reduce=np.nanmean), diverged,
        layout.per_fit(per_fit(best_epoch.numpy(), 0, repeats, order), axis=0, reduce=np.max), np.array(ckpt_epochs),
        layout.own_windows(per_fit(ckpt_forecasts, 1, repeats, order))[..., None, None], seconds,
        [layout.weights(w) for w in fit_weights_of(weights, repeats, order)], series_diverged,
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
    run = xla_program(_walk_forward)
    outputs = run(step, non_trainable, weights, x_batches, batch_size, units)
    outputs = tf.transpose(outputs, (1, 0, 2)).numpy().reshape(len(members), -1)
    return outputs[:, len(X_state) : len(X_state) + len(X), None, None]


def forecast_ahead(members: list[keras.Model], X: np.ndarray, train: np.ndarray, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None = None) -> np.ndarray:
    """Recursive forecasts [repeats, len(origins), steps, 1] (scaled) of the `steps` values from each origin on.

    The walk starts, as training's, at the first training window (`train` [n] marks them of `X` [n, n_lags,
    1]) left once the oldest are trimmed to whole batches: window i continues row i % batch_size of the
    previous batch, from the state window i - batch_size left. Windows before an origin read their true
    lags; from the origin's window on, a window's newest lags are the member's own earlier forecasts.
    `weights` (stacked per repeat) replace the members' own.
    """
    first = int(train.argmax()) + trim_to_batches(int(train.sum()), members[0].input_shape[0], warn=False)
    return _forecast_walk(members, X[first:], origins - first, steps, weights)[..., None]


def _forecast_walk(members: list[keras.Model], X: np.ndarray, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None) -> np.ndarray:
    """`forecast_ahead` along a walk `X` that starts at its first training window: [repeats, origins, steps]."""
    run = _ahead_program(members[0])
    batch_size, units = members[0].input_shape[0], members[0].layers[0].units
    stacked = [tf.constant(w) for w in (weights if weights is not None else stack_weights(members))]
    repeats, lanes, n_lags = len(stacked[0]), len(origins), X.shape[1]
    walk = _rows(X)
    # each lane's lags at its origin, then its forecasts, newest last
    lags = np.zeros((repeats, lanes, n_lags + steps), "float32")
    lags[:, :, :n_lags] = walk[origins]
    h = np.zeros((batch_size, repeats, lanes, units), "float32")
    c = np.zeros_like(h)
    forecasts = np.full((repeats, lanes, steps), np.nan, "float32")
    for i in range(int(origins.max()) + steps):
        ahead = i - origins  # steps past each lane's origin; < 0 before it
        own = np.clip(ahead, 0, steps - 1)[:, None] + np.arange(n_lags)  # [lanes, n_lags]
        x = np.where((ahead < 0)[None, :, None], walk[min(i, len(walk) - 1)],
                     np.take_along_axis(lags, np.broadcast_to(own, lags.shape[:2] + own.shape[1:]), axis=2))
        stream = i % batch_size
        y, h[stream], c[stream] = (t.numpy() for t in run(stacked, tf.constant(x[:, :, None]), h[stream], c[stream]))
        lanes_ahead = np.flatnonzero((ahead >= 0) & (ahead < steps))
        forecasts[:, lanes_ahead, ahead[lanes_ahead]] = y[:, lanes_ahead, 0]
        lags[:, lanes_ahead, n_lags + ahead[lanes_ahead]] = y[:, lanes_ahead, 0]
    return forecasts


@functools.cache
def _ahead_program(model: keras.Model):
    """One step of `model`'s step twin for stacked weights [repeats, ...] over lanes: (weights, x [repeats, lanes,
    1, features], h, c [repeats, lanes, units]) -> (y, h, c). Traced once per model for any number of repeats and
    lanes (XLA compiles each shape it meets): every backtest fit and the forecast past the end share it."""
    step = step_twin(model, any_batch=True)
    non_trainable = [v.value for v in step.non_trainable_variables]
    units, features = model.layers[0].units, model.input_shape[-1]
    state = tf.TensorSpec((None, None, units), tf.float32)
    signature = [[tf.TensorSpec((None, *v.shape), v.dtype) for v in step.trainable_variables],
                 tf.TensorSpec((None, None, 1, features), tf.float32), state, state]

    def run(weights, x, h, c):
        return tf.vectorized_map(
            lambda a: step.stateless_call(list(a[0]), non_trainable, [a[1], a[2], a[3]])[0], (weights, x, h, c)
        )

    return tf.function(run, jit_compile=True, autograph=False, input_signature=signature)
