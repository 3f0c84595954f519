"""Search throughput: trials per minute of `lstm-tuning search` next to plain `dvc exp run`, in one run.

    python benchmarks/search_speed.py [--trials 6]

On the default configuration (the seed 002 model, 30 repeats x 1000 epochs on Shampoo, 6 validation months),
each trial drawing only a new `train.seed` (so each really trains: no run-cache hit, no pruning), prints:
- plain `dvc exp run --temp evaluate -S train.seed=<k>`, one after another: seconds per trial;
- `lstm-tuning search` with -j 1: seconds per trial, and its overhead per trial over the plain runs;
- `lstm-tuning search` with -j 2: trials per minute (target: at least 6 on the 2-core machine).
The searches are timed without their choice and report (`--no-finish`).
Not a test: timings on a shared machine are noisy, so only figures measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml
from repo_copy import copy_repo, run

SPACE = {
    "objective": "val_ensemble.rmse",
    "pruner": {"name": "none"},
    "fixed": {"data.val_size": 6},
    "params": {"train.seed": {"int": [100, 1_000_000]}},
}


def search_seconds(repo: Path, name: str, trials: int, jobs: int) -> float:
    # a sampler seed of its own: another search's seeds would be run-cache hits, not trials
    (repo / "conf/search" / f"{name}.yaml").write_text(yaml.safe_dump(SPACE | {"trials": trials, "seed": jobs}))
    return run([sys.executable, "-m", "lstm_tuning", "search", name, "-j", str(jobs), "--no-finish"], repo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6)
    args = parser.parse_args()
    n = args.trials
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo)
        (repo / "conf/search").mkdir(exist_ok=True)
        run([sys.executable, "-m", "dvc", "repro"], repo)  # what a search does first
        plain = sum(run([sys.executable, "-m", "dvc", "exp", "run", "--temp", "evaluate", "-S", "data.val_size=6",
                         "-S", f"train.seed={seed}"], repo) for seed in range(1, n + 1))
        one = search_seconds(repo, "one_at_a_time", n, 1)
        two = search_seconds(repo, "two_at_a_time", n, 2)
    print(f"plain `dvc exp run --temp evaluate`, {n} one after another: {plain / n:6.1f} s per trial "
          f"({60 * n / plain:.1f} trials/min)")
    print(f"`lstm-tuning search -j 1`, {n} trials:                    {one / n:6.1f} s per trial "
          f"({60 * n / one:.1f} trials/min); overhead {(one - plain) / n:+.1f} s per trial")
    print(f"`lstm-tuning search -j 2`, {n} trials:                    {two / n:6.1f} s per trial "
          f"({60 * n / two:.1f} trials/min; target >= 6)")


if __name__ == "__main__":
    main()
