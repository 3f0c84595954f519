"""The default pipeline's cost against the seed 002 harness, measured side by side in one run.

    python benchmarks/pipeline_speed.py [--seed-epochs 30]

Prints, for the default configuration (1 unit, batch size 4, 30 repeats x 1000 epochs on Shampoo):
- the seed harness (a Keras 3 port: a Python loop of `fit(epochs=1)` + state reset) per training-epoch;
- the train stage as a whole process (`python -m stages.train`: start-up, imports, config, building the
  30 models, XLA compile, training, saving) per training-epoch, and the ratio of the two;
- the training alone (`training/time.json`), per training-epoch, and its ratio;
- `dvc repro` of the whole pipeline in a fresh copy of the repository: on a machine that has not run the
  project before (an empty XLA cache), and again in another fresh copy once the cache holds the programs;
- the floors under them: a process that loads TensorFlow and Keras and does nothing else, and `dvc repro`
  when every stage is up to date;
- every stage as a process (`python -m stages.<stage>`, best of 2), the forecast stage among them, and issue
  21's targets as ratios to the TensorFlow-and-Keras process: the forecast stage at most 1.5 s more than it,
  a fresh `dvc repro` at most twice it plus 15 s.
Not a test: timings on a shared machine are noisy, so only ratios measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from repo_copy import copy_repo, run

STAGES = ("ingest", "transform", "window", "train", "baselines", "evaluate", "report", "forecast")


def seed_harness_seconds_per_epoch(repo: Path, epochs: int) -> float:
    """The seed's loop on the seed's 20 training rows, in this process."""
    from lstm_tuning.training.backend import keras

    windows = np.load(repo / "data/windows.npz")
    trains = windows["train"][0]
    X, y = windows["X"][0][trains][2:].reshape(-1, 1, 1), windows["y"][0][trains][2:, 0]
    model = keras.Sequential([keras.Input(batch_shape=(4, 1, 1)), keras.layers.LSTM(1, stateful=True),
                              keras.layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    model.fit(X, y, epochs=1, batch_size=4, verbose=0, shuffle=False)  # the first call builds the graph
    start = time.perf_counter()
    for _ in range(epochs):
        model.fit(X, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
        model.layers[0].reset_states()
    return (time.perf_counter() - start) / epochs


def train_stage_seconds(repo: Path, cache: str) -> tuple[float, float]:
    """Best of two runs of the train stage as a process, and its training alone (training/time.json)."""
    process = min(run([sys.executable, "-m", "stages.train"], repo, LSTM_TUNING_XLA_CACHE=cache) for _ in range(2))
    return process, json.loads((repo / "training/time.json").read_text())["train_seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-epochs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        first, again, cache = Path(tmp, "first"), Path(tmp, "again"), str(Path(tmp, "xla"))
        copy_repo(first)
        copy_repo(again)
        repro_cold = run([sys.executable, "-m", "dvc", "repro"], first, LSTM_TUNING_XLA_CACHE=cache)
        repro_warm = run([sys.executable, "-m", "dvc", "repro"], again, LSTM_TUNING_XLA_CACHE=cache)
        repro_nothing = run([sys.executable, "-m", "dvc", "repro"], again)
        load_tensorflow = min(run([sys.executable, "-c", "import lstm_tuning.training.backend"], again,
                                  LSTM_TUNING_XLA_CACHE=cache) for _ in range(2))
        stages = {stage: min(run([sys.executable, "-m", f"stages.{stage}"], again, LSTM_TUNING_XLA_CACHE=cache)
                             for _ in range(2)) for stage in STAGES}
        train_process, train_seconds = train_stage_seconds(again, cache)
        seed = seed_harness_seconds_per_epoch(again, args.seed_epochs)
        # every fit's 30 repeats x 1000 epochs (the holdout's, and the final fit's since train trains it)
        training_epochs = np.load(again / "data/windows.npz")["train"].shape[0] * 30 * 1000
    stage, alone = train_process / training_epochs, train_seconds / training_epochs
    print(f"seed harness, fit(epochs=1) loop:   {seed * 1e3:8.4f} ms per training-epoch ({args.seed_epochs} epochs)")
    print(f"train stage as a whole process:     {stage * 1e3:8.4f} ms per training-epoch ({train_process:.2f} s, "
          f"best of 2)  ratio {seed / stage:,.0f}x")
    print(f"training alone (training/time.json): {alone * 1e3:8.4f} ms per training-epoch ({train_seconds:.2f} s)"
          f"  ratio {seed / alone:,.0f}x")
    print(f"process loading TensorFlow and Keras:  {load_tensorflow:.2f} s (best of 2)  ratio at most "
          f"{seed * training_epochs / load_tensorflow:,.0f}x for any stage that loads them")
    print(f"dvc repro, fresh copy, every stage:    {repro_cold:.1f} s with an empty XLA cache, {repro_warm:.1f} s "
          f"once it holds the programs; {repro_nothing:.1f} s with every stage up to date")
    print("each stage as a process (best of 2): " + ", ".join(f"{name} {t:.2f} s" for name, t in stages.items()))
    forecast = stages["forecast"]
    print(f"target: forecast stage <= TensorFlow-and-Keras process + 1.5 s = {load_tensorflow + 1.5:.2f} s: "
          f"{forecast:.2f} s ({forecast - load_tensorflow:+.2f} s)")
    print(f"target: fresh dvc repro <= 2 x TensorFlow-and-Keras process + 15 s = {2 * load_tensorflow + 15:.1f} s: "
          f"{repro_warm:.1f} s with the XLA cache warm, {repro_cold:.1f} s cold")


if __name__ == "__main__":
    main()
