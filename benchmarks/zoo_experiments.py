"""Each architecture's default as a real DVC experiment on Shampoo Sales, timed side by side in one run.

    python benchmarks/zoo_experiments.py [model option ...]

Copies the repository (tracked files) to a temporary git repo, runs `dvc repro` once, then for every
model option `dvc exp run -f -S model=<option>` (CNN-LSTM and ConvLSTM in the seed's setup: 4 lags read as
2 subsequences of 2 steps): all six stages with 30 repeats x 1000 epochs, Python start-ups, XLA compile
and baselines included. Prints a Markdown row per option: wall time and training seconds, each also as a
ratio to the first option's (the seed 002 model by default), and the test and train RMSE. Not a test:
timings on a shared machine are noisy, so only ratios measured side by side mean anything.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from repo_copy import copy_repo, run

OPTIONS = ("stateful_lstm", "vanilla", "stacked", "bidirectional", "cnn_lstm", "conv_lstm", "encoder_decoder")
SEED_SETUPS = {
    "cnn_lstm": ["data.n_lags=4", "model.n_steps=2", "model.pool_size=2"],
    "conv_lstm": ["data.n_lags=4", "model.n_steps=2", "model.kernel_size=2"],
}


def main(options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo)
        run([sys.executable, "-m", "dvc", "repro"], repo)
        print(f"| `-S` | wall time | x {options[0]} | train seconds | x {options[0]} | test RMSE mean (std) | "
              "train RMSE mean |")
        print("|---|---|---|---|---|---|---|")
        reference = None
        for option in options:
            overrides = [f"model={option}", *SEED_SETUPS.get(option, [])]
            start = time.perf_counter()
            run([sys.executable, "-m", "dvc", "exp", "run", "-f", *(a for o in overrides for a in ("-S", o))], repo)
            wall = time.perf_counter() - start
            train = json.loads((repo / "training/time.json").read_text())["train_seconds"]
            test_rmse, train_rmse = (json.loads((repo / "evaluation/details.json").read_text())[key]
                                     for key in ("test_rmse", "train_rmse"))
            reference = reference or (wall, train)
            print(f"| `{' '.join(overrides)}` | {wall:.1f} s | {wall / reference[0]:.2f} | {train:.1f} | "
                  f"{train / reference[1]:.2f} | {test_rmse['mean']:.2f} ({test_rmse['std']:.2f}) | "
                  f"{train_rmse['mean']:.2f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(OPTIONS))
