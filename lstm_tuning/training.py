"""Train all repeats of a configuration together, in one XLA-compiled program.

Each repeat is a real Keras model with its own initialisation. Their weights are stacked along a
leading repeat axis; `tf.vectorized_map` runs the model's `stateless_call` and gradient for every
repeat at once, and one elementwise Keras optimizer over the stacked weights gives each repeat exactly
the update (and optimizer state) it would get trained alone. The epoch and batch loops run inside the
compiled program, so 30 repeats x 1000 epochs cost about what one Python-driven epoch used to.

Stateful semantics are the seed's: batches in order (no shuffling), the LSTM state carried from batch
to batch (row i of a batch continues row i of the previous one), reset to zero at every epoch, and no
gradient flowing into earlier batches.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from tqdm.auto import tqdm

from lstm_tuning import models
from lstm_tuning.config import ModelConfig, TrainConfig

log = logging.getLogger(__name__)

PROGRESS_UPDATES = 20
# Python regains control (to show progress and to handle Ctrl-C or SIGTERM) between calls of the
# compiled loop, so no call may run long.
MAX_EPOCHS_PER_CALL = 200


@dataclass
class Held:
    """Rows scored at every checkpoint (never trained on): the validation and the test windows."""

    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


SEGMENTS = ("train", "val", "test")


@dataclass
class TrainedRepeats:
    models: list[keras.Model]  # one stateful Keras model per repeat, trained
    loss: np.ndarray  # [epochs, repeats] mean training loss of each epoch; NaN once a repeat stopped
    diverged: np.ndarray  # [repeats] bool: the loss became NaN or inf and that repeat was stopped
    best_epoch: np.ndarray  # [repeats] epoch of the lowest validation error (0 without early stopping)
    checkpoint_epochs: np.ndarray  # [checkpoints] epochs after which the walk-forward errors were measured
    checkpoint_mse: np.ndarray  # [checkpoints, repeats, 3] walk-forward MSE (scaled units) on SEGMENTS
    # [checkpoints, repeats, windows, n_out, n_targets]: forecasts (scaled) of the training, validation and
    # test windows, in that order, at every checkpoint; evaluate turns them into errors in original units
    checkpoint_forecasts: np.ndarray
    seconds: float


def member_seeds(seed: int, repeats: int) -> list[int]:
    """Independent, reproducible seeds for each repeat, derived from `train.seed`."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(repeats)]


def configure_determinism(seed: int) -> None:
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def stack_weights(members: list[keras.Model]) -> list[np.ndarray]:
    """Each repeat's trainable weights, stacked along a leading repeat axis (what stateless_call takes)."""
    return [np.stack([v.numpy() for v in per_repeat]) for per_repeat in zip(*(m.trainable_variables for m in members))]


def stack_non_trainable(members: list[keras.Model]) -> list[np.ndarray]:
    """Each repeat's own non-trainable state (dropout seed generators), stacked like the weights."""
    per_member = (m.non_trainable_variables for m in members)
    return [np.stack([v.numpy() for v in per_repeat]) for per_repeat in zip(*per_member)]


def initial_members(model_cfg: ModelConfig, train_cfg: TrainConfig, n_features: int) -> list[keras.Model]:
    """One freshly initialised stateful model per repeat, each from its own derived seed."""
    configure_determinism(train_cfg.seed)
    members = []
    for seed in member_seeds(train_cfg.seed, train_cfg.repeats):
        keras.utils.set_random_seed(seed)
        members.append(models.build_stateful(model_cfg, train_cfg.batch_size, n_features))
    return members


def _as_batches(X: np.ndarray, batch_size: int) -> np.ndarray:
    """[n, n_features] -> [n / batch_size, batch_size, 1 timestep, n_features]."""
    return X.reshape(-1, batch_size, 1, X.shape[-1]).astype("float32")


def _padded_batches(X: np.ndarray, batch_size: int) -> tf.Tensor:
    """Batches for a walk forward, the last one padded: padding follows every real row, so it cannot
    change their forecasts (a stateful model only carries state forward)."""
    return tf.constant(_as_batches(np.concatenate([X, np.zeros((-len(X) % batch_size, X.shape[-1]))]), batch_size))


def checkpoint_epochs(epochs: int, every: int) -> list[int]:
    """Every `every` epochs, and the last one."""
    return sorted(set(range(every, epochs + 1, every)) | {epochs})


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


def train(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    X: np.ndarray,
    y: np.ndarray,
    held: Held | None = None,
    progress: bool = True,
) -> TrainedRepeats:
    """Train `train_cfg.repeats` independent models on X [n, n_features] -> y [n]; n divisible by batch size.

    Every `train.checkpoint_every` epochs each repeat forecasts the training rows and walks on through
    the held-out rows (as evaluate does) to record its error on each: the seed's diagnostics. With
    `train.early_stopping` = N, a repeat stops after N checkpoints without a lower validation error and
    keeps the weights of its best one. The test error is recorded, never used.
    """
    batch_size, repeats, epochs = train_cfg.batch_size, train_cfg.repeats, train_cfg.epochs
    if len(X) % batch_size:
        raise ValueError(f"{len(X)} training rows are not a multiple of batch size {batch_size}")
    held = held or Held(*(np.zeros((0,) + a.shape[1:]) for a in (X, y, X, y)))
    if train_cfg.early_stopping and not len(held.y_val):
        raise ValueError("early stopping needs validation rows")
    members = initial_members(model_cfg, train_cfg, X.shape[-1])
    step = models.step_twin(members[0])
    units = models.state_size(members[0])
    weights = [keras.Variable(w) for w in stack_weights(members)]
    optimizer = models.make_optimizer(model_cfg)
    optimizer.build(weights)
    loss_fn = keras.losses.get(model_cfg.loss)
    non_trainable = [v.value for v in step.non_trainable_variables]
    # Dropout draws from each repeat's own seed-generator state, carried from step to step.
    seed_states = [tf.Variable(w) for w in stack_non_trainable(members)]
    x_batches = tf.constant(_as_batches(X, batch_size))
    y_batches = tf.constant(y.reshape(-1, batch_size, 1).astype("float32"))
    n_batches = len(X) // batch_size

    # Checkpoints forecast all rows in one walk: training rows, then validation, then test (padded).
    segment_sizes = (len(X), len(held.y_val), len(held.y_test))
    all_x_batches = _padded_batches(np.concatenate([X, held.X_val, held.X_test]), batch_size)
    all_y = tf.constant(np.concatenate([y, held.y_val, held.y_test]).astype("float32"))
    ckpt_epochs = checkpoint_epochs(epochs, train_cfg.checkpoint_every)
    ckpt_mse = tf.Variable(tf.fill((len(ckpt_epochs), repeats, len(SEGMENTS)), np.nan))
    ckpt_forecasts = tf.Variable(tf.fill((len(ckpt_epochs), repeats, sum(segment_sizes)), np.nan))

    # A repeat whose loss turns NaN/inf is stopped: its weights stay at their last finite values and it
    # is reported as diverged, so it cannot poison the other repeats' aggregate.
    alive = tf.Variable(tf.ones((repeats,), tf.bool))
    early_stopped = tf.Variable(tf.zeros((repeats,), tf.bool))
    best_val = tf.Variable(tf.fill((repeats,), np.inf))
    best_epoch = tf.Variable(tf.zeros((repeats,), tf.int32))
    since_best = tf.Variable(tf.zeros((repeats,), tf.int32))
    best_weights = [tf.Variable(w.value) for w in weights]

    def per_repeat(mask, like):
        return tf.reshape(mask, (repeats,) + (1,) * (len(like.shape) - 1))

    def member_step(params, seeds, h, c, x, y_true):
        with tf.GradientTape() as tape:
            tape.watch(params)
            (y_pred, h, c), seeds, penalties = step.stateless_call(
                params, seeds, [x, h, c], training=True, return_losses=True
            )
            loss = tf.reduce_mean(loss_fn(y_true, y_pred)) + tf.add_n([0.0, *penalties])
        return tape.gradient(loss, params), seeds, loss, h, c

    def run_epoch():
        def run_batch(b, h, c, loss_sum):
            x, y_true = x_batches[b], y_batches[b]
            params = [tf.identity(w.value) for w in weights]  # a snapshot, not the variable itself
            grads, seeds, loss, h, c = tf.vectorized_map(
                lambda args: member_step(list(args[0]), list(args[1]), args[2], args[3], x, y_true),
                (params, [s.value() for s in seed_states], h, c),
            )
            for state, new in zip(seed_states, seeds):
                state.assign(new)
            optimizer.apply(list(grads), weights)
            finite = tf.math.is_finite(loss)
            for weight in weights:  # an update can overflow even when the loss was finite
                finite &= tf.reduce_all(tf.math.is_finite(weight.value), axis=range(1, len(weight.shape)))
            alive.assign(alive & finite)
            training = alive & ~early_stopped
            for weight, before in zip(weights, params):
                weight.assign(tf.where(per_repeat(training, weight), weight.value, before))
            return b + 1, h, c, loss_sum + tf.where(training, loss, np.nan)

        zeros = tf.zeros((repeats, batch_size, units))
        _, _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), zeros, zeros, tf.zeros((repeats,)))
        )
        return loss_sum / n_batches

    def checkpoint(epoch, index):
        params = [w.value for w in weights]
        forecasts = _walk_forward(step, non_trainable, params, all_x_batches, batch_size, units)
        forecasts = tf.reshape(tf.transpose(forecasts, (1, 0, 2)), (repeats, -1))[:, : sum(segment_sizes)]
        errors = tf.square(forecasts - all_y)
        mse = tf.stack([tf.reduce_mean(part, axis=1) for part in tf.split(errors, segment_sizes, axis=1)], 1)
        ckpt_mse.scatter_nd_update([[index]], [mse])
        ckpt_forecasts.scatter_nd_update([[index]], [forecasts])
        if train_cfg.early_stopping:
            improved = alive & ~early_stopped & (mse[:, 1] < best_val)
            best_val.assign(tf.where(improved, mse[:, 1], best_val))
            best_epoch.assign(tf.where(improved, epoch, best_epoch))
            for best, weight in zip(best_weights, weights):
                best.assign(tf.where(per_repeat(improved, weight), weight.value, best))
            since_best.assign(tf.where(improved, 0, since_best + 1))
            early_stopped.assign(early_stopped | (since_best >= train_cfg.early_stopping))
        return index + 1

    @tf.function(jit_compile=True)
    def run_epochs(first_epoch, n_epochs, next_checkpoint):
        def body(e, index, history):
            history = tf.tensor_scatter_nd_update(history, [[e - first_epoch]], [run_epoch()])
            epoch = e + 1
            due = tf.equal(epoch % train_cfg.checkpoint_every, 0) | tf.equal(epoch, epochs)
            index = tf.cond(due, lambda: checkpoint(epoch, index), lambda: index)
            return e + 1, index, history

        _, index, history = tf.while_loop(
            lambda e, *_: e < first_epoch + n_epochs,
            body,
            (first_epoch, next_checkpoint, tf.zeros((chunk, repeats))),
        )
        return index, history

    chunk = min(math.ceil(epochs / PROGRESS_UPDATES), MAX_EPOCHS_PER_CALL)
    history, next_checkpoint = [], tf.constant(0)
    start = time.perf_counter()
    with tqdm(total=epochs, unit="epoch", desc=f"train {repeats} repeats", disable=not progress) as bar:
        while len(history) < epochs:
            n = min(chunk, epochs - len(history))
            next_checkpoint, losses = run_epochs(tf.constant(len(history)), tf.constant(n), next_checkpoint)
            history.extend(losses.numpy()[:n])
            bar.update(n)
    seconds = time.perf_counter() - start
    final = best_weights if train_cfg.early_stopping else weights
    for r, member in enumerate(members):
        member.set_weights([w.numpy()[r] for w in final])
    return TrainedRepeats(
        members, np.asarray(history), ~alive.numpy(), best_epoch.numpy(), np.array(ckpt_epochs),
        ckpt_mse.numpy(), ckpt_forecasts.numpy()[..., None, None], seconds,
    )


def forecast(members: list[keras.Model], X_state: np.ndarray, X_forecast: np.ndarray) -> np.ndarray:
    """Walk-forward one-step forecasts [repeats, len(X_forecast)] in scaled units, as the seed makes them.

    From a zero state each model first runs over `X_state` (the training rows) to build up state, then
    forecasts `X_forecast` batch by batch with the true inputs, carrying state on, never refitting.
    """
    step = models.step_twin(members[0])
    batch_size, units = members[0].input_shape[0], models.state_size(members[0])
    if len(X_state) % batch_size:
        raise ValueError(f"{len(X_state)} state rows are not a multiple of batch size {batch_size}")
    x_batches = _padded_batches(np.concatenate([X_state, X_forecast]), batch_size)
    params = [tf.constant(w) for w in stack_weights(members)]
    non_trainable = [v.value for v in step.non_trainable_variables]
    run = tf.function(_walk_forward, jit_compile=True)
    outputs = run(step, non_trainable, params, x_batches, batch_size, units)
    outputs = tf.transpose(outputs, (1, 0, 2)).numpy().reshape(len(members), -1)
    return outputs[:, len(X_state) : len(X_state) + len(X_forecast)]
