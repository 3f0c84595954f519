"""Per-training-epoch cost: the seed 002 harness (Keras 3 port) vs this project's trainer, in one run.

    python benchmarks/trainer_speed.py [--seed-epochs 30] [--epochs 1000] [--repeats 30]

Both train the seed's configuration (1 unit, batch size 4, the 20 Shampoo training rows). The seed's
harness is a Python loop of `fit(epochs=1)` + state reset, so it runs only a few epochs here. The
project's trainer runs the full study twice: once with `--epochs` and once with 4x as many; the
difference of the two is the marginal cost of a training-epoch, while the first run's wall time, set-up
(building each repeat's Keras model) and XLA compile included, gives the all-in cost. Not a test:
timings on a shared machine are noisy, so only ratios measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keras  # noqa: E402

from lstm_tuning import training  # noqa: E402
from lstm_tuning.config import ModelConfig, TrainConfig  # noqa: E402
from lstm_tuning.data import load_series  # noqa: E402
from lstm_tuning.transforms import Scaling, difference  # noqa: E402
from lstm_tuning.windows import frame  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data" / "shampoo-sales.csv"


def shampoo_training_rows():
    diffs = difference(load_series(DATA, "Month", "Sales").to_numpy(), 1)
    X, y, _ = frame(Scaling.fit(diffs[1:-12]).transform(diffs), 1)
    return X[2:22], y[2:22]


def seed_harness_seconds_per_epoch(X, y, epochs: int) -> float:
    model = keras.Sequential([keras.Input(batch_shape=(4, 1, 1)), keras.layers.LSTM(1, stateful=True),
                              keras.layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    X3 = X.reshape(len(X), 1, 1)
    model.fit(X3, y, epochs=1, batch_size=4, verbose=0, shuffle=False)  # first call builds the graph
    start = time.perf_counter()
    for _ in range(epochs):
        model.fit(X3, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
        model.layers[0].reset_states()
    return (time.perf_counter() - start) / epochs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-epochs", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    X, y = shampoo_training_rows()

    seed = seed_harness_seconds_per_epoch(X, y, args.seed_epochs)

    def wall(epochs: int) -> float:
        start = time.perf_counter()
        training.train(ModelConfig(units=1), TrainConfig(epochs=epochs, repeats=args.repeats), X, y, progress=False)
        return time.perf_counter() - start

    wall(10)  # warm-up: imports, TensorFlow runtime, caches
    total = min(wall(args.epochs) for _ in range(2))
    longer = min(wall(4 * args.epochs) for _ in range(2))
    all_in = total / (args.epochs * args.repeats)
    marginal = max(longer - total, 1e-9) / (3 * args.epochs * args.repeats)

    print(f"seed harness, fit(epochs=1) loop:  {seed * 1e3:9.4f} ms per training-epoch ({args.seed_epochs} epochs)")
    print(f"project trainer, all-in:           {all_in * 1e3:9.4f} ms per training-epoch "
          f"({args.repeats} repeats x {args.epochs} epochs in {total:.2f} s)")
    print(f"project trainer, marginal:         {marginal * 1e3:9.4f} ms per training-epoch "
          f"({args.repeats} repeats x {4 * args.epochs} epochs in {longer:.2f} s)")
    print(f"ratio all-in:   {seed / all_in:,.0f}x")
    print(f"ratio marginal: {seed / marginal:,.0f}x")
    print(f"the seed harness would need {seed * args.epochs * args.repeats / 60:.1f} min for the first run")


if __name__ == "__main__":
    main()
