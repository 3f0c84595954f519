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
    MemberLayout,
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

    `train.steps_per_epoch` null: each epoch visits every training window once, in batches of
    `train.batch_size`; k: each epoch is k batches drawn at random, with replacement, from each member's
    training windows. Every member reads its windows from the one copy of each fit's `X`: nothing is copied
    per repeat.

    A panel's windows (`windows["series"]`, the window's series) train one model per (fit, repeat) on every
    series (`model.scope: global`, as one series), or with `model.scope: local` one per (series, fit, repeat)
    on its own series' windows: each (series, fit) is then a fit of its own (`TrainedRepeats.fit_weights`
    [fits, series, repeats, ...]).

    Every `train.checkpoint_every` epochs each member forecasts every window of the series (a local member:
    its own series' windows): the forecasts evaluate scores; `on_checkpoint(epoch, forecasts)` sees them as
    they come.
    """
    layout = MemberLayout.of(windows, params)
    fits = layout.fits  # the (pseudo) fits: (series, fit) pairs for a local panel
    repeats, epochs, steps = train_cfg.repeats, train_cfg.epochs, train_cfg.steps_per_epoch
    counts = layout.train.sum(axis=1)
    if steps is None:
        batch_size = min(train_cfg.batch_size, int(counts.max()))
        order, group_fits, group_batches = group_fits_of(-(-counts // batch_size))
    else:  # every member takes `steps` full batches an epoch: one optimizer group
        batch_size, order = train_cfg.batch_size, np.arange(fits)
        group_fits, group_batches = (fits,), np.array([steps])
    counts = counts[order]
    n, n_batches = int(counts.max()), int(group_batches.max())
    # each fit's training windows, cycled to pad them all to one length (the padding is never read unmasked)
    train_rows = np.stack([np.resize(layout.training_windows(f), n) for f in order])
    X_source, y_source = windows["X"], windows["y"]
    one_fit = fits == 1 and steps is None
    members = initial_members(params, train_cfg, Shape(*X_source.shape[2:], *y_source.shape[2:]))
    model = members[0]
    stack = RepeatStack(members, params, group_fits)
    size = stack.size
    loss_fn = keras.losses.get(params.loss)
    real_rows = np.arange(n_batches * batch_size).reshape(n_batches, batch_size)[None] < counts[:, None, None]
    # each member's source fit of X and y, and its row of `train_rows`
    member_source = tf.constant(np.repeat(layout.source[order], repeats).astype("int32"))
    member_fit = tf.constant(np.repeat(np.arange(fits), repeats).astype("int32"))
    # each fit's X as its series' rows, each window a start row in them: memory grows with rows, not rows x lags
    rows_of_fit, window_start = rows_of_windows(X_source, windows.get("series"), windows["first_rows"])
    X_rows, window_start, y_shared = data(rows_of_fit), data(window_start, "int32"), data(y_source)
    n_lags = X_source.shape[2]
    if one_fit:  # every repeat reads the same windows (constants to the vectorized call, as before backtests)
        rows0 = train_rows[0][:, None, None]
        X_one = data(np.take_along_axis(X_source[order[0]], rows0, 0))
        y_one = data(np.take_along_axis(y_source[order[0]], rows0, 0))
        real_rows = data(real_rows[0])
    else:
        train_rows_tf = data(train_rows, "int32")
        real_rows = data(np.repeat(real_rows, repeats, axis=0))
        member_windows = tf.constant(np.repeat(counts, repeats), tf.float32)
        member_counts = tf.constant(np.repeat(counts, repeats), tf.float32)
        group_batches = tf.constant(group_batches.astype("int32"))

    def member_step(weights, states, x, y_true, mask):
        with tf.GradientTape() as tape:
            tape.watch(weights)
            y_pred, states, penalties = model.stateless_call(weights, states, x, training=True, return_losses=True)
            per_window = tf.reduce_mean(tf.reshape(loss_fn(y_true, y_pred), (batch_size, -1)), axis=1)
            # (a fit with no batch left this epoch has no real row: its step is skipped, never applied)
            loss = tf.reduce_sum(per_window * mask) / tf.maximum(tf.reduce_sum(mask), 1.0) + sum(penalties)
        return tape.gradient(loss, weights), states, loss

    def batch_of(positions):
        """[members, batch_size] positions in each member's training windows -> its windows' x and y, gathered
        from the one copy of its source fit."""
        # [members, batch_size] windows (a gather of whole rows of train_rows per step copied every window)
        chosen = tf.gather_nd(train_rows_tf.value(), tf.stack([tf.broadcast_to(member_fit[:, None], positions.shape),
                                                               positions], axis=-1))
        sources = tf.broadcast_to(member_source[:, None], positions.shape)
        lags = tf.gather(window_start.value(), chosen)[..., None] + tf.range(n_lags)  # their rows
        x = tf.gather_nd(X_rows.value(), tf.stack([tf.broadcast_to(sources[..., None], lags.shape), lags], axis=-1))
        return x, tf.gather_nd(y_shared.value(), tf.stack([sources, chosen], axis=-1))

    def fit_order(epoch, count):
        """[repeats, n_batches * batch_size] window positions; padding repeats position 0 and is masked out."""
        if shuffle:
            seed = tf.stack([tf.constant(train_cfg.seed, tf.int64), tf.cast(epoch, tf.int64)])
            order = tf.argsort(tf.random.stateless_uniform((repeats, count), seed=seed), axis=1)
        else:
            order = tf.tile(tf.range(count)[None], (repeats, 1))
        return tf.pad(order, [[0, 0], [0, n_batches * batch_size - count]])

    def epoch_order(epoch):
        """[members, n_batches, batch_size]: each fit's repeats visit its windows in the order they would alone
        (which depends on the number of windows only: fits as long share one draw)."""
        lengths, fit_length = np.unique(counts, return_inverse=True)
        drawn = [fit_order(epoch, int(count)) for count in lengths]
        order = tf.concat([drawn[k] for k in fit_length], axis=0) if len(lengths) < 8 else \
            tf.reshape(tf.gather(tf.stack(drawn), fit_length), (-1, n_batches * batch_size))
        return tf.reshape(order, (size, n_batches, batch_size))

    def run_batch(b, order, loss_sum):
        weights, states = stack.weights, [s.read_value() for s in stack.seed_states]
        real = real_rows.value()
        if one_fit:
            X_all, y_all = X_one.value(), y_one.value()
            grads, states, loss = tf.vectorized_map(
                lambda args: member_step(list(args[0]), list(args[1]), tf.gather(X_all, args[2]),
                                         tf.gather(y_all, args[2]), real[b]),
                (weights, states, order[:, b]),
            )
            stack.update(grads, states)
            # weighted by the batch's real windows, as fit's epoch loss
            return b + 1, order, loss_sum + loss * tf.reduce_sum(real[b])
        x, y_true = batch_of(order[:, b])
        grads, states, loss = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), *args[2:]),
            (weights, states, x, y_true, real[:, b]),
        )
        stack.update(grads, states, stepping=b < group_batches)
        return b + 1, order, loss_sum + loss * tf.reduce_sum(real[:, b], axis=1)

    def epoch_draws(epoch):
        """[steps, members, batch_size] positions of the windows each step of the epoch trains on: `batch_size`
        drawn with replacement from each member's training windows, the same draw for a repeat in every fit (so
        a fit trains as it would alone), scaled to its fit's number of windows."""
        seed = tf.stack([tf.constant(train_cfg.seed, tf.int64), tf.cast(epoch, tf.int64)])
        draw = tf.random.stateless_uniform((steps, 1, repeats, batch_size), seed=seed)
        counts = tf.reshape(member_counts, (1, fits, repeats, 1))
        positions = tf.minimum(tf.cast(draw * counts, tf.int32), tf.cast(counts, tf.int32) - 1)
        return tf.reshape(positions, (steps, size, batch_size))

    def run_sampled_step(k, draws, loss_sum):
        x, y_true = batch_of(draws[k])
        grads, states, loss = tf.vectorized_map(
            lambda args: member_step(list(args[0]), list(args[1]), *args[2:], tf.ones((batch_size,))),
            (stack.weights, [s.read_value() for s in stack.seed_states], x, y_true),
        )
        stack.update(grads, states)
        return k + 1, draws, loss_sum + loss

    def run_epoch(epoch):
        # Divergence is checked per epoch, not per batch as for the stateful model: a pass over every
        # stacked weight after each batch made this trainer ~30% slower.
        before = stack.snapshot()
        if steps is not None:
            _, _, loss_sum = tf.while_loop(lambda k, *_: k < steps, run_sampled_step,
                                           (tf.constant(0), epoch_draws(epoch), tf.zeros((size,))))
            return tf.where(stack.stop_diverged(loss_sum, before), loss_sum / steps, np.nan)
        _, _, loss_sum = tf.while_loop(
            lambda b, *_: b < n_batches, run_batch, (tf.constant(0), epoch_order(epoch), tf.zeros((size,)))
        )
        return tf.where(stack.stop_diverged(loss_sum, before), loss_sum / (n if one_fit else member_windows), np.nan)

    forecast_every_window = _checkpoint_program(model, stack, layout, order, repeats, X_rows, window_start, n_lags)
    ckpt_epochs, ckpt_forecasts = checkpoint_epochs(epochs, train_cfg.checkpoint_every), []

    def checkpoint(epoch):
        ckpt_forecasts.append(layout.to_windows(forecast_every_window().numpy(), order, repeats))
        if on_checkpoint:
            on_checkpoint(epoch, ckpt_forecasts[-1])
    chunk = min(train_cfg.checkpoint_every, MAX_EPOCHS_PER_CALL)
    start = time.perf_counter()
    with backend.determinism_lifted_where_xla_refuses(model):
        history = run_in_chunks(
            compile_epochs(run_epoch, chunk, size), epochs, chunk, size, progress,
            stops=ckpt_epochs, on_stop=checkpoint, what="" if steps is None else f", {steps} steps an epoch",
        )
    seconds = time.perf_counter() - start
    weights = fit_weights_of([w.numpy() for w in stack.weights], repeats, order)
    diverged, series_diverged = layout.diverged(~stack.alive.numpy(), repeats, order)
    return TrainedRepeats(
        stack.to_members(seed_states=True, first=int(np.argsort(order)[-1]) * repeats),  # the last fit's repeats
        layout.per_fit(per_fit(history, 1, repeats, order), axis=1, reduce=np.nanmean), diverged,
        best_epoch=np.zeros((layout.source_fits, repeats), int), checkpoint_epochs=np.array(ckpt_epochs),
        checkpoint_forecasts=np.stack(ckpt_forecasts), seconds=seconds,
        fit_weights=[layout.weights(w) for w in weights], series_diverged=series_diverged,
    )


def rows_of_windows(X: np.ndarray, series: np.ndarray | None, first_rows: np.ndarray):
    """X [fits, n, n_lags, n_inputs] as rows [fits, m, n_inputs] and each window's first row `start` [n], so
    that X[:, w] == rows[:, start[w] : start[w] + n_lags]. A window that continues the one before it (the
    same series, the next row, its lags those of the one before shifted by one in every fit) adds only its
    newest row: a series' m rows hold its n windows, whatever n_lags."""
    fits, n, n_lags, _ = X.shape
    continues = np.zeros(n, bool)
    if n > 1:
        same_series = np.ones(n - 1, bool) if series is None else series[1:] == series[:-1]
        shifted = (X[:, 1:, :-1] == X[:, :-1, 1:]).all(axis=(0, 2, 3))
        continues[1:] = same_series & (np.diff(first_rows) == 1) & shifted
    taken = np.where(continues[:, None], np.arange(n_lags) == n_lags - 1, True)  # [n, n_lags] rows each adds
    added = taken.sum(axis=1)
    first_added = np.cumsum(added) - added
    return X[:, taken], np.where(continues, first_added - (n_lags - 1), first_added)


def data(values: np.ndarray, dtype: str = "float32") -> tf.Variable:
    """Arrays as large as the windows, held as variables the compiled programs read when they run: a constant
    would be folded into the program, whose compilation then took longer the more windows there were (50 s
    for 100 series of 120 months)."""
    return tf.Variable(np.asarray(values, dtype), trainable=False)


# windows forecast at once per member in a checkpoint: bounds the LSTM's activations on a large panel
FORECAST_CHUNK = 4096


def _checkpoint_program(model, stack, layout: MemberLayout, order, repeats: int, X_rows, window_start, n_lags: int):
    """The compiled forecast of every member's windows: [fits (group order), repeats, reads, n_out, n_targets].
    One (pseudo) fit and one chunk of its windows at a time, vectorized over its repeats, which read the same
    windows (so no window is copied per repeat)."""
    reads = layout.reads[order]
    width = reads.shape[1]
    chunk = min(width, FORECAST_CHUNK)
    n_chunks = -(-width // chunk)
    # the last chunk of each fit padded with that fit's own first reads (sliced off below); np.resize of the 2-D
    # array would cycle the flattened reads, shifting every later fit's windows by the padding
    reads = data(np.take(reads, np.arange(n_chunks * chunk) % width, axis=1), "int32")
    sources = tf.constant(layout.source[order].astype("int32"))
    fits = layout.fits
    y_shape = model.output_shape[1:]

    @xla_program
    def forecast_every_window():
        states = [s.read_value() for s in stack.seed_states]
        weights = stack.weights

        def body(i, out):
            p, c = i // n_chunks, i % n_chunks
            chosen = tf.gather(reads.value()[p], c * chunk + tf.range(chunk))
            x = tf.gather(tf.gather(X_rows.value(), sources[p]),
                          tf.gather(window_start.value(), chosen)[:, None] + tf.range(n_lags))
            own = p * repeats + tf.range(repeats)
            mine, own_states = [tf.gather(w, own) for w in weights], [tf.gather(s, own) for s in states]
            y = tf.vectorized_map(lambda args: model.stateless_call(list(args[0]), list(args[1]), x)[0],
                                  (mine, own_states))
            return i + 1, tf.tensor_scatter_nd_update(out, [[p, c]], [y])

        out = tf.zeros((fits, n_chunks, repeats, chunk, *y_shape))
        out = tf.while_loop(lambda i, _: i < fits * n_chunks, body, (tf.constant(0), out))[1]
        return tf.reshape(tf.transpose(out, (0, 2, 1, 3, *range(4, 4 + len(y_shape)))),
                          (fits, repeats, n_chunks * chunk, *y_shape))[:, :, :width]

    return forecast_every_window


def forecast(members: list[keras.Model], context, windows: np.ndarray) -> np.ndarray:
    """Forecasts [repeats, n, n_out, n_targets] of every member for `windows` [n, n_lags, n_features]; each
    window is read on its own (`context` is the carried-state regime's).

    Every window holds true earlier values, so forecasting the test windows is the seed's walk-forward
    without refitting: each window's own forecast, never fed back.
    """
    return forecast_ahead(members, windows, None, np.arange(len(windows)), members[0].output_shape[1])


def forecast_ahead(members: list[keras.Model], X: np.ndarray, train, origins: np.ndarray, steps: int,
                   weights: list[np.ndarray] | None = None, known: np.ndarray | None = None) -> np.ndarray:
    """Recursive forecasts [repeats, len(origins), steps, n_targets] (scaled) from the windows `X[origins]`
    [n_lags, n_features], n_out steps at a time: each next window's newest rows are the member's own
    forecasts (the framing's outputs are its inputs), followed by `known` [len(origins), steps, n_known] (the
    calendar inputs each fed-back row carries). Each window is read on its own, so the training windows
    (`train`) play no part. `weights` (stacked per repeat) replace the members' own.
    """
    stacked = weights if weights is not None else stack_weights(members)
    rows = np.repeat(X[origins][None], len(stacked[0]), axis=0)
    return forecast_lanes(members[0], stacked, rows, steps,
                          None if known is None else np.repeat(known[None], len(stacked[0]), axis=0))


# members forecast in one call of `forecast_lanes`: each holds its own weights inside the vectorized call, so a
# local panel's (series x repeats) members go in chunks of this many (padded to it: one compiled shape)
MEMBER_CHUNK = 1024


def forecast_lanes(model: keras.Model, weights: list[np.ndarray], rows: np.ndarray, steps: int,
                   known: np.ndarray | None = None) -> np.ndarray:
    """Recursive forecasts [members, lanes, steps, n_targets] (scaled) of members with stacked `weights`
    [members, ...] per variable (in `model`'s layout), each from its own windows `rows` [members, lanes, n_lags,
    n_features]: `forecast_ahead` where every member has windows of its own (a local panel's members, series x
    repeats, each forecasting its own series), `known` [members, lanes, steps, n_known] the inputs after the
    forecasts in each fed-back row. One compiled program serves every chunk of `MEMBER_CHUNK` members."""
    run = _ahead_program(model)
    members = len(rows)
    chunk = min(members, MEMBER_CHUNK)
    n_chunks = -(-members // chunk)
    padded = np.arange(n_chunks * chunk) % members  # the last chunk padded with members forecast twice
    # the non-trainable state is dropout's seed, unused when forecasting: any member's serves every member
    states = [tf.constant(s) for s in stack_non_trainable([model] * chunk)]
    n_lags = rows.shape[2]
    out = []
    for c in range(n_chunks):
        chosen = padded[c * chunk : (c + 1) * chunk]
        stacked = [tf.constant(np.asarray(w)[chosen]) for w in weights]
        lanes = np.asarray(rows[chosen], "float32")
        forecasts = [run(stacked, states, tf.constant(lanes[:, :, -n_lags:])).numpy()]
        while (done := sum(f.shape[2] for f in forecasts)) < steps:  # fed back only past the first n_out steps
            fed = forecasts[-1]
            if known is not None:  # steps done - n_out .. done - 1 of the forecast, each row with its known inputs
                fed = np.concatenate([fed, known[chosen][:, :, done - fed.shape[2] : done].astype("float32")], axis=3)
            lanes = np.concatenate([lanes, fed], axis=2)
            forecasts.append(run(stacked, states, tf.constant(lanes[:, :, -n_lags:])).numpy())
        out.append(np.concatenate(forecasts, axis=2)[:, :, :steps])
    return np.concatenate(out)[:members]


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
