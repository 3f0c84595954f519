"""Train all repeats of a configuration together, in one XLA-compiled program.

Each repeat is a real Keras model with its own initialisation. Their weights are stacked along a
leading repeat axis; `tf.vectorized_map` runs the model's `stateless_call` and gradient for every
repeat at once, and one elementwise Keras optimizer over the stacked weights gives each repeat exactly
the update (and optimizer state) it would get trained alone. The epoch and batch loops run inside the
compiled program, so 30 repeats x 1000 epochs cost about what one Python-driven epoch used to.

`RepeatStack`, `compile_epochs` and `run_in_chunks` are the core this stateful trainer shares with the
zoo's (`stateless_training`). Stateful semantics are the seed's: batches in order (no shuffling), the
LSTM state carried from batch to batch (row i of a batch continues row i of the previous one), reset to
zero at every epoch, and no gradient flowing into earlier batches.
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


class RepeatStack:
    """What both trainers share: every repeat's trainable weights and dropout seed states stacked along a
    leading repeat axis, one elementwise optimizer over them, and which repeats are still alive.

    A repeat whose loss or weights turn NaN/inf is stopped: its weights go back to where its last finite
    update left them and it is reported as diverged, so it cannot poison the other repeats' aggregate.
    """

    def __init__(self, members: list[keras.Model], model_cfg: ModelConfig):
        self.members, self.repeats = members, len(members)
        self.weights = [keras.Variable(w) for w in stack_weights(members)]
        self.seed_states = [tf.Variable(s) for s in stack_non_trainable(members)]
        self.optimizer = models.make_optimizer(model_cfg)
        self.optimizer.build(self.weights)
        self.alive = tf.Variable(tf.ones((self.repeats,), tf.bool))

    def per_repeat(self, flags, like):
        """[repeats] flags shaped to broadcast against a stacked tensor like `like`."""
        return tf.reshape(flags, (self.repeats,) + (1,) * (len(like.shape) - 1))

    def snapshot(self) -> list[tf.Tensor]:
        return [tf.identity(w.value) for w in self.weights]  # copies, not the variables themselves

    def update(self, grads, seed_states) -> None:
        self.optimizer.apply(list(grads), self.weights)
        for variable, state in zip(self.seed_states, seed_states):
            variable.assign(state)

    def stop_diverged(self, loss, before, training=None):
        """Stop the repeats whose `loss` or weights are no longer finite, and put back the weights of
        `before` for every repeat not training (stopped, or `training` False). Returns who trained."""
        finite = tf.math.is_finite(loss)
        for weight in self.weights:  # an update can overflow even when the loss was finite
            finite &= tf.reduce_all(tf.math.is_finite(weight.value), axis=range(1, len(weight.shape)))
        self.alive.assign(self.alive & finite)
        trained = self.alive if training is None else self.alive & training
        for weight, old in zip(self.weights, before):
            weight.assign(tf.where(self.per_repeat(trained, weight), weight.value, old))
        return trained

    def to_members(self, weights=None, seed_states: bool = False) -> list[keras.Model]:
        """Each repeat's slice of `weights` (default: the trained ones), and its seed state, into its model."""
        stacked = [w.numpy() for w in (weights or self.weights)]
        states = [s.numpy() for s in self.seed_states] if seed_states else []
        for r, member in enumerate(self.members):
            for variable, values in zip(member.trainable_variables, stacked):
                variable.assign(values[r])
            for variable, values in zip(member.non_trainable_variables, states):
                variable.assign(values[r])
        return self.members


def compile_epochs(run_epoch, chunk: int, repeats: int):
    """One XLA program running `run_epoch(epoch)` -> loss [repeats] for up to `chunk` epochs in a row."""

    @tf.function(jit_compile=True)
    def run_epochs(first_epoch, n_epochs):
        def body(e, history):
            return e + 1, tf.tensor_scatter_nd_update(history, [[e]], [run_epoch(first_epoch + e)])

        return tf.while_loop(lambda e, _: e < n_epochs, body, (tf.constant(0), tf.zeros((chunk, repeats))))[1]

    return run_epochs


def run_in_chunks(run_epochs, epochs: int, chunk: int, repeats: int, progress: bool, stops=(), on_stop=None):
    """Drive a compiled `run_epochs` to `epochs`, handing control back to Python (progress, signals) at
    least every `chunk` epochs and at every epoch in `stops`, where `on_stop(epoch)` runs. Losses [epochs, repeats]."""
    history = []
    with tqdm(total=epochs, unit="epoch", desc=f"train {repeats} repeats", disable=not progress) as bar:
        for stop in sorted({*stops, epochs}):
            while len(history) < stop:
                n = min(chunk, stop - len(history))
                history.extend(run_epochs(tf.constant(len(history)), tf.constant(n)).numpy()[:n])
                bar.update(n)
            if on_stop and stop in stops:
                on_stop(stop)
    return np.asarray(history)


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
    stack = RepeatStack(members, model_cfg)
    loss_fn = keras.losses.get(model_cfg.loss)
    non_trainable = [v.value for v in step.non_trainable_variables]
    x_batches = tf.constant(_as_batches(X, batch_size))
    y_batches = tf.constant(y.reshape(-1, batch_size, 1).astype("float32"))
    n_batches = len(X) // batch_size

    # Checkpoints forecast all rows in one walk: training rows, then validation, then test (padded).
    segment_sizes = (len(X), len(held.y_val), len(held.y_test))
    all_x_batches = _padded_batches(np.concatenate([X, held.X_val, held.X_test]), batch_size)
    all_y = tf.constant(np.concatenate([y, held.y_val, held.y_test]).astype("float32"))
    ckpt_epochs = checkpoint_epochs(epochs, train_cfg.checkpoint_every)
    ckpt_index = tf.Variable(0)
    ckpt_mse = tf.Variable(tf.fill((len(ckpt_epochs), repeats, len(SEGMENTS)), np.nan))
    ckpt_forecasts = tf.Variable(tf.fill((len(ckpt_epochs), repeats, sum(segment_sizes)), np.nan))

    early_stopped = tf.Variable(tf.zeros((repeats,), tf.bool))
    best_val = tf.Variable(tf.fill((repeats,), np.inf))
    best_epoch = tf.Variable(tf.zeros((repeats,), tf.int32))
    since_best = tf.Variable(tf.zeros((repeats,), tf.int32))
    best_weights = [tf.Variable(w.value) for w in stack.weights]

    def member_step(params, seeds, h, c, x, y_true):
        with tf.GradientTape() as tape:
            tape.watch(params)
            (y_pred, h, c), seeds, penalties = step.stateless_call(
                params, seeds, [x, h, c], training=True, return_losses=True
            )
            loss = tf.reduce_mean(loss_fn(y_true, y_pred)) + tf.add_n([0.0, *penalties])
        return tape.gradient(loss, params), seeds, loss, h, c

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
        params = [w.value for w in stack.weights]
        forecasts = _walk_forward(step, non_trainable, params, all_x_batches, batch_size, units)
        forecasts = tf.reshape(tf.transpose(forecasts, (1, 0, 2)), (repeats, -1))[:, : sum(segment_sizes)]
        errors = tf.square(forecasts - all_y)
        mse = tf.stack([tf.reduce_mean(part, axis=1) for part in tf.split(errors, segment_sizes, axis=1)], 1)
        ckpt_mse.scatter_nd_update([[ckpt_index]], [mse])
        ckpt_forecasts.scatter_nd_update([[ckpt_index]], [forecasts])
        if train_cfg.early_stopping:
            improved = stack.alive & ~early_stopped & (mse[:, 1] < best_val)
            best_val.assign(tf.where(improved, mse[:, 1], best_val))
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
