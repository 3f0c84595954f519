"""What both batch regimes share: the weights of every repeat of every fit of the backtest stacked along a
leading member axis and trained in one XLA-compiled program.

Each repeat is a real Keras model with its own initialisation, the same in every fit. `tf.vectorized_map`
runs the model's `stateless_call` and gradient for every member at once, and elementwise Keras optimizers
over the stacked weights give each member exactly the update (and optimizer state) it would get trained
alone. The epoch and batch loops run inside the compiled program, so 12 fits x 30 repeats x 1000 epochs
cost about what one Python-driven epoch used to.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

from lstm_tuning.errors import UserError, raise_if_interrupted
from lstm_tuning.models import builders
from lstm_tuning.models.base import Shape
from lstm_tuning.training.backend import keras, tf

# Python regains control (to show progress and to handle Ctrl-C or SIGTERM) between calls of the
# compiled loop, so no call may run long.
MAX_EPOCHS_PER_CALL = 200
# called with a checkpoint's epoch and its forecasts [fits, repeats, windows, n_out, n_targets] (scaled)
OnCheckpoint = Callable[[int, np.ndarray], None]


def xla_program(function: Callable) -> Callable:
    """`function`, traced once and compiled by XLA. Its loops and branches are written as `tf.while_loop` and
    `tf.cond`, so AutoGraph, which would rewrite Python's (over a second of each TensorFlow stage's start-up),
    is off."""
    return tf.function(function, jit_compile=True, autograph=False)


@dataclass
class TrainedRepeats:
    models: list[keras.Model]  # one Keras model per repeat, trained: those of the last fit (the final fit, if any)
    loss: np.ndarray  # [epochs, fits, repeats] mean training loss of each epoch; NaN once a member stopped
    diverged: np.ndarray  # [fits, repeats] bool: the loss became NaN or inf and that member was stopped
    best_epoch: np.ndarray  # [fits, repeats] epoch of the lowest validation error (0 without early stopping)
    checkpoint_epochs: np.ndarray  # [checkpoints] epochs after which every window was forecast
    # [checkpoints, fits, repeats, windows, n_out, n_targets]: every window's forecast (scaled, each fit's
    # scaling) at every checkpoint; NaN for the windows a stateful fit's walk does not reach
    checkpoint_forecasts: np.ndarray
    seconds: float
    # every fit's kept weights: per trainable variable [fits, repeats, ...] (`models` hold the last fit's); a
    # local panel's [fits, series, repeats, ...] (`models`: the last series'; loss over series, `diverged`: a
    # repeat diverged in every series)
    fit_weights: list[np.ndarray]
    # a local panel: [fits, series, repeats] which (series, fit, repeat) members diverged (each is left out of its
    # own series' ensemble only); None otherwise
    series_diverged: np.ndarray | None = None

    @property
    def final_epoch(self) -> np.ndarray:
        """[fits, repeats] the epoch whose weights each member keeps: its best with early stopping, else the last."""
        return np.where(self.best_epoch > 0, self.best_epoch, self.checkpoint_epochs[-1])

    @property
    def forecasts(self) -> np.ndarray:
        """[fits, repeats, windows, n_out, n_targets] every window's forecast (scaled) by the weights each
        member keeps."""
        index = np.searchsorted(self.checkpoint_epochs, self.final_epoch)
        fits, repeats = np.indices(index.shape)
        return self.checkpoint_forecasts[index, fits, repeats]


def member_seeds(seed: int, repeats: int) -> list[int]:
    """Independent, reproducible seeds for each repeat, derived from `train.seed`."""
    return [int(child.generate_state(1)[0]) for child in np.random.SeedSequence(seed).spawn(repeats)]


def initial_members(params, train_cfg, shape: Shape) -> list[keras.Model]:
    """One freshly initialised model per repeat; its weights and dropout seed come from its derived seed."""
    keras.utils.set_random_seed(train_cfg.seed)
    tf.config.experimental.enable_op_determinism()
    members = []
    for seed in member_seeds(train_cfg.seed, train_cfg.repeats):
        # Keras draws the seeds of a model's initializers and dropout from Python's and NumPy's generators.
        # (`keras.utils.set_random_seed` would also reset TensorFlow's global seed, which empties TensorFlow's
        # kernel cache: building 30 models took a third longer.)
        random.seed(seed)
        np.random.seed(seed)
        members.append(builders.build(params, shape))
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


class MemberLayout:
    """Which windows each (pseudo) fit trains on and forecasts, and where its X comes from.

    Each fit sees its windows along an axis of its own: position j of fit p is window `reads[p, j]` of the
    panel, in source fit `source[p]`'s X, for j < `read_counts[p]` (past that, padding: its own windows
    again); `train` [fits, width] marks its training windows on that axis. Global scope (and one series): the
    window stage's fits as they are, each reading every window. Local scope on a panel of S series: fit p =
    series s x fit f (p = s * fits + f) reads its own series' windows only (an axis as long as the longest
    series'), trains on those `train[f]` marks, reads X of fit f and forecasts its own windows: what each
    holds grows with its series' rows, not with the panel's."""

    def __init__(self, train, source, reads, read_counts, source_fits, n_series, local, n_windows):
        self.train, self.source, self.reads, self.read_counts = train, source, reads, read_counts
        self.source_fits, self.n_series, self.local, self.n_windows = source_fits, n_series, local, n_windows
        self.fits = len(train)

    @classmethod
    def of(cls, windows, params) -> MemberLayout:
        train = windows["train"]
        fits, n = train.shape
        series = windows.get("series")
        local = getattr(params, "scope", "global") == "local" and series is not None and len(np.unique(series)) > 1
        if not local:
            return cls(train, np.arange(fits), np.arange(n)[None].repeat(fits, 0), np.full(fits, n), fits, 1, False, n)
        ids, counts = np.unique(series, return_counts=True)
        own = np.split(np.argsort(series, kind="stable"), np.cumsum(counts)[:-1])  # each series' windows, in order
        width = int(counts.max())
        reads = np.stack([np.resize(own[s], width) for s in range(len(ids)) for _ in range(fits)])
        read_counts = np.repeat(counts, fits)
        source = np.tile(np.arange(fits), len(ids))
        own_train = train[source[:, None], reads] & (np.arange(width)[None] < read_counts[:, None])
        empty = np.flatnonzero(~own_train.any(axis=1))
        if len(empty):
            s, f = divmod(int(empty[0]), fits)
            name = windows["ids"][s] if "ids" in windows else s
            raise UserError(f"windows: series {name} has no training window in fit {f}; model.scope=local trains "
                            "each series on its own windows: lengthen it, set data.drop_short=true or use "
                            "model.scope=global")
        return cls(own_train, source, reads, read_counts, fits, len(ids), True, n)

    def training_windows(self, fit: int) -> np.ndarray:
        """The panel's windows that (pseudo) fit `fit` trains on, in order."""
        return self.reads[fit][self.train[fit]]

    def series_name(self, windows, fit: int) -> str:
        """The id of the series of (pseudo) fit `fit`."""
        s = fit // self.source_fits
        return str(windows["ids"][s]) if "ids" in windows else str(s)

    def to_windows(self, forecasts, order, repeats) -> np.ndarray:
        """[fits (group order), repeats, reads, ...] -> [source fits, repeats, n windows, ...]."""
        forecasts = per_fit(forecasts.reshape(-1, *forecasts.shape[2:]), 0, repeats, order)
        if not self.local:
            return forecasts
        out = np.full((self.source_fits, repeats, self.n_windows, *forecasts.shape[3:]), np.nan, forecasts.dtype)
        for p in range(self.fits):
            k = self.read_counts[p]
            out[self.source[p], :, self.reads[p, :k]] = forecasts[p, :, :k].swapaxes(0, 1)
        return out

    def per_fit(self, values, axis, reduce):
        """Per (pseudo) fit values along `axis` -> per source fit (a local panel's series reduced)."""
        if not self.local:
            return values
        shaped = values.reshape(*values.shape[:axis], self.n_series, self.source_fits, *values.shape[axis + 1:])
        return reduce(shaped, axis=axis)

    def own_windows(self, values):
        """[checkpoints, fits, repeats, reads, ...] -> [checkpoints, source fits, repeats, n windows, ...]: each
        window forecast by its own series' members (global: as they are)."""
        if not self.local:
            return values
        checkpoints, _, repeats, _, *rest = values.shape
        out = np.full((checkpoints, self.source_fits, repeats, self.n_windows, *rest), np.nan, values.dtype)
        for p in range(self.fits):
            k = self.read_counts[p]
            out[:, self.source[p]][:, :, self.reads[p, :k]] = values[:, p, :, :k]
        return out

    def diverged(self, stopped, repeats, order) -> tuple[np.ndarray, np.ndarray | None]:
        """`stopped` [members] (fits in group `order`) -> diverged [source fits, repeats] and, for a local panel,
        [source fits, series, repeats] (then a repeat diverged only where it did in every series)."""
        stopped = per_fit(stopped, 0, repeats, order)
        if not self.local:
            return stopped, None
        return self.per_fit(stopped, axis=0, reduce=np.all), self.weights(stopped)

    def weights(self, values):
        """[fits, repeats, ...] -> global: as they are; local: [source fits, series, repeats, ...]."""
        if not self.local:
            return values
        return values.reshape(self.n_series, self.source_fits, *values.shape[1:]).swapaxes(0, 1)



class RepeatStack:
    """Every member's trainable weights and dropout seed states stacked along a leading member axis, the
    elementwise optimizers over them, and which members are still alive.

    A member is one repeat of one fit of the backtest: `group_fits` fits of `len(members)` repeats each, in
    groups, fit-major (member i * repeats + r is repeat r of the group-ordered fit i). Every repeat starts from
    its own model's weights in every fit. The fits of a group take the same number of optimizer steps per
    epoch and share one optimizer; a group whose fits have no batch left skips the step entirely, so every
    member's optimizer state (Adam's moments and step count too) is what it would be if trained alone.

    A member whose loss or weights turn NaN/inf is stopped: its weights go back to where its last finite
    update left them and it is reported as diverged, so it cannot poison the others' aggregate.
    """

    def __init__(self, members: list[keras.Model], params, group_fits: tuple[int, ...] = (1,)):
        self.members, self.repeats = members, len(members)
        self.group_sizes = [k * self.repeats for k in group_fits]
        self.size = sum(self.group_sizes)
        fits = sum(group_fits)
        self.groups = [[keras.Variable(np.concatenate([w] * k)) for w in stack_weights(members)] for k in group_fits]
        self.optimizers = []
        for weights in self.groups:
            optimizer = type(keras.optimizers.get(params.optimizer))(learning_rate=params.learning_rate)
            optimizer.build(weights)
            self.optimizers.append(optimizer)
        self.seed_states = [tf.Variable(np.concatenate([s] * fits)) for s in stack_non_trainable(members)]
        self.alive = tf.Variable(tf.ones((self.size,), tf.bool))
        self.member_group = tf.constant(np.repeat(np.arange(len(group_fits)), self.group_sizes))

    @property
    def weights(self) -> list[tf.Tensor]:
        """The current weights of every member, stacked."""
        if len(self.groups) == 1:
            return [w.value for w in self.groups[0]]
        return [tf.concat(parts, 0) for parts in zip(*([w.value for w in group] for group in self.groups))]

    def _per_group(self, stacked: list) -> list[list]:
        if len(self.groups) == 1:
            return [list(stacked)]
        return [list(parts) for parts in zip(*(tf.split(s, self.group_sizes) for s in stacked))]

    def assign(self, weights) -> None:
        for group, parts in zip(self.groups, self._per_group(weights)):
            for variable, part in zip(group, parts):
                variable.assign(part)

    def per_member(self, flags, like):
        """[members] flags shaped to broadcast against a stacked tensor like `like`."""
        return tf.reshape(flags, (self.size,) + (1,) * (len(like.shape) - 1))

    def snapshot(self) -> list[tf.Tensor]:
        return [tf.identity(w) for w in self.weights]  # copies, not the variables themselves

    def update(self, grads, seed_states, stepping=None) -> None:
        """One optimizer step for every group, or only for the groups `stepping` [groups] marks (the others'
        weights, optimizer state and dropout seed states stay as they are)."""
        for g, (group, optimizer, part) in enumerate(zip(self.groups, self.optimizers, self._per_group(grads))):
            if stepping is None:
                optimizer.apply(part, group)
                continue

            def step(optimizer=optimizer, part=part, group=group):
                optimizer.apply(part, group)
                return tf.constant(0)

            tf.cond(stepping[g], step, lambda: tf.constant(0))
        for variable, state in zip(self.seed_states, seed_states):
            if stepping is not None:
                state = tf.where(self.per_member(tf.gather(stepping, self.member_group), state), state, variable)
            variable.assign(state)

    def stop_diverged(self, loss, before, training=None):
        """Stop the members whose `loss` or weights are no longer finite, and put back the weights of
        `before` for every member not training (stopped, or `training` False). Returns who trained."""
        finite = tf.math.is_finite(loss)
        current = self.weights
        for weight in current:  # an update can overflow even when the loss was finite
            finite &= tf.reduce_all(tf.math.is_finite(weight), axis=range(1, len(weight.shape)))
        self.alive.assign(self.alive & finite)
        trained = self.alive if training is None else self.alive & training
        self.assign([tf.where(self.per_member(trained, w), w, old) for w, old in zip(current, before)])
        return trained

    def to_members(self, weights=None, seed_states: bool = False, first: int = 0) -> list[keras.Model]:
        """The slices of members first .. first + repeats - 1 of `weights` (default: the trained ones), and
        their seed states, into the repeats' models."""
        stacked = [np.asarray(w) for w in (weights or self.weights)]
        states = [s.numpy() for s in self.seed_states] if seed_states else []
        for r, member in enumerate(self.members):
            for variable, values in zip(member.trainable_variables, stacked):
                variable.assign(values[first + r])
            for variable, values in zip(member.non_trainable_variables, states):
                variable.assign(values[first + r])
        return self.members


def fit_weights(weights, repeats: int, order: np.ndarray) -> list[np.ndarray]:
    """Stacked member weights (fits in group `order`) -> per variable [fits, repeats, ...] in fit order."""
    return [per_fit(np.asarray(w), 0, repeats, order) for w in weights]


def group_fits(batches: np.ndarray) -> tuple[np.ndarray, tuple[int, ...], np.ndarray]:
    """Fits ordered so those with the same number of batches per epoch are neighbours (one optimizer group):
    the order, how many fits each group has, and each group's number of batches."""
    order = np.argsort(batches, kind="stable")
    group_batches, sizes = np.unique(batches[order], return_counts=True)
    return order, tuple(int(k) for k in sizes), group_batches


def per_fit(values: np.ndarray, axis: int, repeats: int, order: np.ndarray) -> np.ndarray:
    """Per-member values (members along `axis`, fits in group `order`) -> [..., fits, repeats, ...] with
    the fits in their own order."""
    shaped = values.reshape(*values.shape[:axis], len(order), repeats, *values.shape[axis + 1 :])
    return np.take(shaped, np.argsort(order), axis=axis)


def compile_epochs(run_epoch, chunk: int, repeats: int, record: tuple[int, ...] | None = None):
    """One XLA program running `run_epoch(epoch)` -> loss [repeats] for up to `chunk` epochs in a row.

    With `record` (slots, *shape), `run_epoch(epoch)` returns (loss, due, values of that shape) instead, and the
    program returns, beside the losses, the values of the epochs where `due` held, in order, and how many
    (`slots` must exceed the most epochs that can be due in one call). Each call keeps only its own, in a
    buffer sized for one call: a buffer for the whole run, passed through every call and every epoch, made
    each checkpoint cost more the longer the run (60,000 epochs trained at a sixth of the rate of 5,000)."""

    @xla_program
    def run_epochs(first_epoch, n_epochs):
        def body(e, history):
            return e + 1, tf.tensor_scatter_nd_update(history, [[e]], [run_epoch(first_epoch + e)])

        def body_recording(e, history, kept, count):
            loss, due, values = run_epoch(first_epoch + e)
            kept = tf.tensor_scatter_nd_update(kept, [[count]], [values])  # the slot at `count` is scratch until due
            return e + 1, tf.tensor_scatter_nd_update(history, [[e]], [loss]), kept, count + tf.cast(due, tf.int32)

        history = tf.zeros((chunk, repeats))
        if record is None:
            return (tf.while_loop(lambda e, _: e < n_epochs, body, (tf.constant(0), history))[1],)
        start = (tf.constant(0), history, tf.zeros(record), tf.constant(0))
        return tf.while_loop(lambda e, *_: e < n_epochs, body_recording, start)[1:]

    return run_epochs


def run_in_chunks(run_epochs, epochs: int, chunk: int, repeats: int, progress: bool, stops=(), on_stop=None,
                  after_chunk=None, what: str = ""):
    """Drive a compiled `run_epochs` to `epochs`, handing control back to Python (progress, signals) at
    least every `chunk` epochs and at every epoch in `stops`, where `on_stop(epoch)` runs, and
    `after_chunk(epoch, *recorded)` after every call (`recorded`: what a recording program returned beside
    the losses). Losses [epochs, repeats]. The progress bar (`what` adds to its label) shows the epochs done,
    the time left and the mean loss over the members of the latest epoch."""
    history = []
    with tqdm(total=epochs, unit="epoch", desc=f"train {repeats} members{what}", disable=not progress) as bar:
        for stop in sorted({*stops, epochs}):
            while len(history) < stop:
                raise_if_interrupted()
                n = min(chunk, stop - len(history))
                losses, *recorded = run_epochs(tf.constant(len(history)), tf.constant(n))
                history.extend(losses.numpy()[:n])
                latest = history[-1]
                if np.isfinite(latest).any():
                    bar.set_postfix(loss=f"{np.nanmean(np.where(np.isfinite(latest), latest, np.nan)):.4g}",
                                    refresh=False)
                bar.update(n)
                if after_chunk:
                    after_chunk(len(history), *recorded)
            if on_stop and stop in stops:
                on_stop(stop)
    return np.asarray(history)
