"""Long runs: the train stage's cost against its number of epochs, side by side in one run (issue 23, item 8).

    python benchmarks/checkpoint_speed.py [--epochs 5000 20000 60000] [--checkpoint-every 10]

In a fresh copy of the repository, the stages before train run once; then `python -m stages.train
train.epochs=N` runs for each N with the defaults otherwise (30 repeats of the seed 002 model, a checkpoint
every 10 epochs). For each it prints the training's seconds (`training/time.json`, compile included) and the
repeat-epochs trained per second: when every checkpoint costs the same, that rate is the same for every N
(apart from the compile, which weighs most on the shortest run). On a busy machine, pass smaller N
(e.g. `--epochs 2000 8000 24000`). Not a test: it prints, and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

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
        for epochs in args.epochs:
            process = run([sys.executable, "-m", "stages.train", f"train.epochs={epochs}",
                           f"train.checkpoint_every={args.checkpoint_every}"], repo)
            seconds = json.loads((repo / "training/time.json").read_text())["train_seconds"]
            repeats = 30
            rows.append((epochs, process, seconds, repeats * epochs / seconds))
    print(f"train stage, defaults, train.checkpoint_every={args.checkpoint_every}:")
    print(f"{'epochs':>8} {'process s':>10} {'training s':>11} {'repeat-epochs/s':>16} {'x first':>8}")
    for epochs, process, seconds, rate in rows:
        print(f"{epochs:>8} {process:>10.1f} {seconds:>11.2f} {rate:>16,.0f} {rate / rows[0][3]:>8.2f}")


if __name__ == "__main__":
    main()
