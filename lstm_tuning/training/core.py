"""What both batch regimes share: every repeat's weights stacked along a leading repeat axis and trained in
one XLA-compiled program.

Each repeat is a real Keras model with its own initialisation. `tf.vectorized_map` runs the model's
`stateless_call` and gradient for every repeat at once, and one elementwise Keras optimizer over the
stacked weights gives each repeat exactly the update (and optimizer state) it would get trained alone.
The epoch and batch loops run inside the compiled program, so 30 repeats x 1000 epochs cost about what
one Python-driven epoch used to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from lstm_tuning import models
from lstm_tuning.models.base import Shape
from lstm_tuning.training.backend import keras, tf

# Python regains control (to show progress and to handle Ctrl-C or SIGTERM) between calls of the
# compiled loop, so no call may run long.
MAX_EPOCHS_PER_CALL = 200
SEGMENTS = ("train", "val", "test")


@dataclass
class TrainedRepeats:
    models: list[keras.Model]  # one Keras model per repeat, trained
    loss: np.ndarray  # [epochs, repeats] mean training loss of each epoch; NaN once a repeat stopped
    diverged: np.ndarray  # [repeats] bool: the loss became NaN or inf and that repeat was stopped
    best_epoch: np.ndarray  # [repeats] epoch of the lowest validation error (0 without early stopping)
    checkpoint_epochs: np.ndarray  # [checkpoints] epochs after which every window was forecast
    # [checkpoints, repeats, windows, n_out, n_targets]: forecasts (scaled) of the training, validation and
    # test windows, in that order, at every checkpoint
    checkpoint_forecasts: np.ndarray
    first_rows: np.ndarray  # [windows] the row each of those windows forecasts first
    seconds: float

    @property
    def final_epoch(self) -> np.ndarray:
        """[repeats] the epoch whose weights each repeat keeps: its best with early stopping, else the last."""
        return np.where(self.best_epoch > 0, self.best_epoch, self.checkpoint_epochs[-1])

    @property
    def forecasts(self) -> np.ndarray:
        """[repeats, windows, n_out, n_targets] every window's forecast (scaled) by the weights each repeat keeps."""
        index = np.searchsorted(self.checkpoint_epochs, self.final_epoch)
        return self.checkpoint_forecasts[index, np.arange(len(index))]


def member_seeds(seed: int, repeats: int) -> list[int]:
    """Independent, reproducible seeds for each repeat, derived from `train.seed`."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(repeats)]


def initial_members(params, train_cfg, shape: Shape) -> list[keras.Model]:
    """One freshly initialised model per repeat; its weights and dropout seed come from its derived seed."""
    keras.utils.set_random_seed(train_cfg.seed)
    tf.config.experimental.enable_op_determinism()
    members = []
    for seed in member_seeds(train_cfg.seed, train_cfg.repeats):
        keras.utils.set_random_seed(seed)
        members.append(models.build(params, shape))
    return members


def stack_weights(members: list[keras.Model]) -> list[np.ndarray]:
    """Each repeat's trainable weights, stacked along a leading repeat axis (what stateless_call takes)."""
    return [np.stack([v.numpy() for v in per_repeat]) for per_repeat in zip(*(m.trainable_variables for m in members))]


def stack_non_trainable(members: list[keras.Model]) -> list[np.ndarray]:
    """Each repeat's own non-trainable state (dropout seed generators), stacked like the weights."""
    per_member = (m.non_trainable_variables for m in members)
    return [np.stack([v.numpy() for v in per_repeat]) for per_repeat in zip(*per_member)]


def checkpoint_epochs(epochs: int, every: int) -> list[int]:
    """Every `every` epochs, and the last one."""
    return sorted(set(range(every, epochs + 1, every)) | {epochs})


class RepeatStack:
    """Every repeat's trainable weights and dropout seed states stacked along a leading repeat axis, one
    elementwise optimizer over them, and which repeats are still alive.

    A repeat whose loss or weights turn NaN/inf is stopped: its weights go back to where its last finite
    update left them and it is reported as diverged, so it cannot poison the other repeats' aggregate.
    """

    def __init__(self, members: list[keras.Model], params):
        self.members, self.repeats = members, len(members)
        self.weights = [keras.Variable(w) for w in stack_weights(members)]
        self.seed_states = [tf.Variable(s) for s in stack_non_trainable(members)]
        self.optimizer = type(keras.optimizers.get(params.optimizer))(learning_rate=params.learning_rate)
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
