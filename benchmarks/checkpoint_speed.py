"""Long runs: the train stage's cost against its number of epochs, side by side in one run (issue 23.8).

    python benchmarks/checkpoint_speed.py [--epochs 5000 20000 60000] [--checkpoint-every 10]

In a fresh copy of the repository, the stages before train run once; then `python -m stages.train
train.epochs=N` runs for each N with the defaults otherwise (30 repeats of the seed 002 model for each fit,
the holdout's and the final fit, a checkpoint every 10 epochs). For each it prints the training's seconds
(`training/time.json`, the better of two runs: the second loads the program the first compiled), the
repeat-epochs (members x epochs) trained per second, and the rate at the margin from the run before (the
extra repeat-epochs over the extra seconds: the tracing and the first call cancel out). When every checkpoint
costs the same, the marginal rate does not fall as N grows. On a busy machine, pass smaller N (e.g.
`--epochs 2000 8000 24000`). Not a test: it prints, and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from repo_copy import copy_repo, run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, nargs="+", default=[5000, 20000, 60000])
    parser.add_argument("--checkpoint-every", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo)
        run([sys.executable, "-m", "dvc", "repro", "window"], repo)
        members = np.load(repo / "data/windows.npz")["train"].shape[0] * 30  # fits x the default 30 repeats
        for epochs in args.epochs:
            best = None
            for _ in range(2):  # the second loads the compiled program the first compiled (the XLA cache)
                process = run([sys.executable, "-m", "stages.train", f"train.epochs={epochs}",
                               f"train.checkpoint_every={args.checkpoint_every}"], repo)
                seconds = json.loads((repo / "training/time.json").read_text())["train_seconds"]
                best = min(best or (process, seconds), (process, seconds), key=lambda t: t[1])
            rows.append((epochs, *best))
    print(f"train stage, defaults ({members} members), train.checkpoint_every={args.checkpoint_every}:")
    print(f"{'epochs':>8} {'process s':>10} {'training s':>11} {'repeat-epochs/s':>16} {'at the margin':>14}")
    previous = None
    for epochs, process, seconds in rows:
        margin = members * (epochs - previous[0]) / (seconds - previous[2]) if previous else float("nan")
        print(f"{epochs:>8} {process:>10.1f} {seconds:>11.2f} {members * epochs / seconds:>16,.0f} {margin:>14,.0f}")
        previous = (epochs, process, seconds)


if __name__ == "__main__":
    main()
