"""Training on panels, measured side by side in one run (issue 24, items 9a and 9c, the training side).

    python benchmarks/panel_training.py [--series 100 1000 10000] [--repeats 5] [--epochs 4] [--steps 250]

(a) The global vanilla LSTM (model=vanilla, 32 units, 12 lags, batch 32) trained by the project on a
generated panel of `--keras-series` series: `--repeats` repeats together, `--epochs` epochs of `--steps`
sampled batches (train.steps_per_epoch), against a plain Keras `model.fit` of the same model (the same
builder, initial weights and optimizer) on the same windows, the same batch size and number of gradient
steps, one repeat after another (each fit on `--steps` x 32 windows drawn at random, `--epochs` epochs).
Both times include tracing and XLA compilation (a fresh process pays them); the project's also include one
checkpoint forecast of every window.

(c) Generated panels of `--series` series x 120 months (seasonal + trend + noise, each series scaled on its
own training rows, the last 18 months held out), the same model and steps, each size trained in a process of
its own: the training's seconds (`TrainedRepeats.seconds`: compile, steps and a checkpoint forecast of every
window), the process's seconds (generating the windows included) and its peak resident memory (getrusage's
maxrss: TensorFlow's allocations included, which tracemalloc would miss).

Not a test: it prints, and asserts nothing. On a busy machine pass fewer series or steps.

Measured 2026-12-02 with the defaults, on the shared 2-core machine (load average 3.6 throughout):
(a) project 13.98 s for 5 repeats together (2.80 s a repeat) against Keras fit 21.39 s one by one (4.28 s):
1.53x in total; after the first epoch (compiled) 0.748 against 2.429 ms a step a repeat: 3.25x. The
project's start-up (tracing, XLA compilation: 10-20 s, varying with the load) is what keeps the total from 2x.
(c) 100 / 1,000 / 10,000 series (10,800 / 108,000 / 1,080,000 windows): training 20.4 / 10.8 / 28.2 s,
process 28.7 / 18.9 / 33.6 s, peak resident 1,034 / 1,021 / 1,140 MB (TensorFlow's own ~1 GB included):
a fixed number of steps costs about the same at every size; memory grows by ~0.1 GB for 100x the windows.
After a later fix (a step gathered its fit's whole list of training windows), 10,000 series alone (load 2.6):
training 18.4 s, process 24.6 s, peak 1,147 MB.
(a) at the M3 experiment's own workload (M3's windows, 11 lags -> 18, batch 64, 3 fits x 5 repeats) and at
1,000 / 2,000 / 5,000 steps: benchmarks/m3_training.py; (b), local training against the seed harness:
benchmarks/local_training.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("LSTM_TUNING_XLA_CACHE", "off")  # every run pays its compilation, as Keras' does

LENGTH, N_LAGS, HELD_OUT, UNITS, BATCH = 120, 12, 18, 32, 32


def panel_windows(n_series: int, seed: int = 0) -> dict:
    """The window stage's arrays for a generated panel (global scope, one holdout fit): every series'
    windows of 12 lags -> the next month, concatenated in series order; the windows wholly in a series'
    first 102 months train."""
    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    level = rng.uniform(50, 500, (n_series, 1))
    values = (level + rng.normal(0, 1, (n_series, 1)) * t + level * 0.2 * np.sin(2 * np.pi * t / 12 + rng.uniform(
        0, 2 * np.pi, (n_series, 1))) + rng.normal(0, 0.05, (n_series, LENGTH)) * level)
    training_rows = values[:, : LENGTH - HELD_OUT]
    low, high = training_rows.min(axis=1, keepdims=True), training_rows.max(axis=1, keepdims=True)
    scaled = ((values - low) / (high - low)).astype("float32")
    lags = np.lib.stride_tricks.sliding_window_view(scaled, N_LAGS + 1, axis=1)  # [series, windows, 13]
    per_series = lags.shape[1]
    target_rows = np.arange(N_LAGS, LENGTH)
    return {
        "X": lags[:, :, :N_LAGS].reshape(1, -1, N_LAGS, 1),
        "y": lags[:, :, N_LAGS:].reshape(1, -1, 1, 1),
        "train": np.tile(target_rows < LENGTH - HELD_OUT, n_series)[None],
        "first_rows": np.tile(target_rows, n_series),
        "series": np.repeat(np.arange(n_series), per_series),
        "ids": np.array([f"S{i:05d}" for i in range(n_series)]),
        "stop": np.zeros(n_series * per_series, bool),
        "final": np.array([False]),
    }


def configuration(repeats: int, epochs: int, steps: int | None, checkpoint_every: int | None = None):
    from helpers import model_params, option_params

    params = model_params("vanilla", units=UNITS)
    cfg = option_params("train", "default", epochs=epochs, batch_size=BATCH, repeats=repeats, seed=7,
                        checkpoint_every=checkpoint_every or epochs, steps_per_epoch=steps)
    return params, cfg


def ours(windows: dict, repeats: int, epochs: int, steps: int | None, every_epoch: bool = False):
    """The training's seconds; with `every_epoch` (a checkpoint forecast after each epoch) also the seconds
    from the end of the first epoch to the end of the last: compiled, steps and forecasts only."""
    from lstm_tuning import training

    params, cfg = configuration(repeats, epochs, steps, 1 if every_epoch else None)
    ends = []
    trained = training.train(params, cfg, windows, progress=False,
                             on_checkpoint=lambda *_: ends.append(time.perf_counter()))
    return (trained.seconds, ends[-1] - ends[0]) if every_epoch else trained.seconds


def keras_fits(windows: dict, repeats: int, epochs: int, steps: int) -> list[float]:
    """Seconds of each repeat's plain Keras fit, one after another, and of its epochs after the first (steps
    only: traced and compiled in the first)."""
    from lstm_tuning.models.base import Shape
    from lstm_tuning.training import core
    from lstm_tuning.training.backend import keras

    params, cfg = configuration(repeats, epochs, steps)
    X, y = windows["X"][0][windows["train"][0]], windows["y"][0][windows["train"][0]]
    members = core.initial_members(params, cfg, Shape(*X.shape[1:], *y.shape[1:]))
    rng = np.random.default_rng(0)
    seconds, later_epochs = [], []
    ends = []
    timer = keras.callbacks.LambdaCallback(on_epoch_end=lambda *_: ends.append(time.perf_counter()))
    for model in members:
        drawn = rng.integers(0, len(X), steps * BATCH)  # steps batches an epoch, as ours draws them
        start = time.perf_counter()
        optimizer = type(keras.optimizers.get(params.optimizer))(learning_rate=params.learning_rate)
        model.compile(optimizer=optimizer, loss=params.loss)
        ends.clear()
        model.fit(X[drawn], y[drawn], batch_size=BATCH, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
        seconds.append(time.perf_counter() - start)
        later_epochs.append(ends[-1] - ends[0])
    return seconds, later_epochs


def one_size(n_series: int, repeats: int, epochs: int, steps: int | None) -> None:
    """Child process: train one panel size and print its figures as JSON."""
    start = time.perf_counter()
    windows = panel_windows(n_series)
    training_seconds = ours(windows, repeats, epochs, steps)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    print(json.dumps({"series": n_series, "windows": int(windows["X"].shape[1]), "training_s": training_seconds,
                      "process_s": time.perf_counter() - start, "peak_mb": peak_mb}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--keras-series", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=250)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_size:
        return one_size(args.one_size, args.repeats, args.epochs, args.steps)

    print(f"load average at start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})", flush=True)
    sizes = []
    for n_series in args.series:
        child = subprocess.run([sys.executable, __file__, "--one-size", str(n_series), "--repeats", str(args.repeats),
                                "--epochs", str(args.epochs), "--steps", str(args.steps)],
                               capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        sizes.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"  (c) {n_series} series done", flush=True)

    windows = panel_windows(args.keras_series)
    together, ours_later = ours(windows, args.repeats, args.epochs, args.steps, every_epoch=True)
    sequential, keras_later = keras_fits(windows, args.repeats, args.epochs, args.steps)
    load = os.getloadavg()[0]

    gradient_steps, later_steps = args.epochs * args.steps, (args.epochs - 1) * args.steps
    keras_later = sum(keras_later)
    print(f"\n(a) global vanilla LSTM ({UNITS} units, {N_LAGS} lags, batch {BATCH}), {args.keras_series} series x "
          f"{LENGTH} months, {args.epochs} epochs x {args.steps} = {gradient_steps} gradient steps per repeat, "
          f"R = {args.repeats} repeats:")
    print(f"{'':<32} {'R repeats s':>12} {'per repeat s':>13} {'epochs 2.. s':>13} {'ms/step/repeat':>15}")
    print(f"{'project, R together':<32} {together:>12.2f} {together / args.repeats:>13.2f} {ours_later:>13.2f} "
          f"{1000 * ours_later / later_steps / args.repeats:>15.3f}")
    print(f"{'keras model.fit, R one by one':<32} {sum(sequential):>12.2f} {np.mean(sequential):>13.2f} "
          f"{keras_later:>13.2f} {1000 * keras_later / later_steps / args.repeats:>15.3f}")
    print("(totals include tracing and compiling; 'epochs 2..': after the first epoch, compiled: steps only, and "
          "for the project a checkpoint forecast of every window after each epoch)")
    print(f"ratio keras / project: {sum(sequential) / together:.2f}x in total, {keras_later / ours_later:.2f}x "
          "after the first epoch")

    print(f"\n(c) global training, {args.repeats} repeats x {args.epochs} epochs x {args.steps} steps, batch {BATCH}, "
          "a process per size:")
    print(f"{'series':>7} {'windows':>9} {'training s':>11} {'process s':>10} {'peak MB':>8} {'x series':>9} "
          f"{'x time':>7} {'x memory':>9}")
    base = sizes[0]
    for size in sizes:
        print(f"{size['series']:>7} {size['windows']:>9,} {size['training_s']:>11.2f} {size['process_s']:>10.2f} "
              f"{size['peak_mb']:>8.0f} {size['series'] / base['series']:>9.0f} "
              f"{size['process_s'] / base['process_s']:>7.2f} {size['peak_mb'] / base['peak_mb']:>9.2f}")
    print(f"load average at end: {load:.2f}")


if __name__ == "__main__":
    main()
