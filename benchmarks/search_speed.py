"""Search throughput: trials per minute of `lstm-tuning search` next to plain `dvc exp run`, in one run.

    python benchmarks/search_speed.py [--trials 6]
    python benchmarks/search_speed.py --storages [--trials 2]

On the default configuration (the seed 002 model, 30 repeats x 1000 epochs on Shampoo, 6 validation months),
each trial drawing only a new `train.seed` (so each really trains: no run-cache hit, no pruning), prints:
- plain `dvc exp run --temp evaluate -S train.seed=<k>`, one after another: seconds per trial;
- `lstm-tuning search` with -j 1: seconds per trial, and its overhead per trial over the plain runs;
- `lstm-tuning search` with -j 2: trials per minute (target: at least 6 on the 2-core machine).
The searches are timed without their choice and report (`--no-finish`).
With --storages, on small settings (20 epochs x 3 repeats, as the tests), it prints trials per minute with 1
and 2 worker processes (each `-j 1`) on the journal file of one machine, and on a PostgreSQL database (a server
of this machine's installation started for the run, as the tests start it), in one run.
Not a test: timings on a shared machine are noisy, so only figures measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from repo_copy import ROOT, copy_repo, run

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


def workers_seconds(repo: Path, name: str, seed: int, trials: int, workers: int, storage: str) -> tuple[float, float]:
    """Wall seconds for `workers` worker processes to run `trials` trials of a small search on `storage` (a
    sampler seed of its own: another search's draws would be run-cache hits), and the trials' own span as the
    study records it (first start to last end: without each worker's start-up)."""
    small = {"train.epochs": 20, "train.repeats": 3, "data.val_size": 6}
    (repo / "conf/search" / f"{name}.yaml").write_text(yaml.safe_dump(SPACE | {"trials": trials, "seed": seed,
                                                                              "fixed": small}))
    env = dict(os.environ, DVC_NO_ANALYTICS="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    command = [sys.executable, "-m", "lstm_tuning", "search", name, "--no-finish", "--storage", storage]
    start = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) for _ in range(workers)]
    for process in processes:
        if process.wait():
            sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read()[-2000:]}")
    wall = time.perf_counter() - start
    import optuna

    from lstm_tuning.search.storage import storage as open_storage

    found = optuna.load_study(study_name=name, storage=open_storage(storage if "://" in storage else
                                                                    str(repo / storage))).get_trials()
    span = max(t.datetime_complete for t in found) - min(t.datetime_start for t in found)
    return wall, span.total_seconds()


def storages(n: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import PostgreSQL

    server = PostgreSQL(Path(tempfile.gettempdir()))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp)
            copy_repo(repo)
            (repo / "conf/search").mkdir(exist_ok=True)
            run([sys.executable, "-m", "dvc", "repro"], repo)
            figures = {}
            for label, storage in (("journal file", lambda name: f"studies/{name}/journal.log"),
                                   ("PostgreSQL", lambda name: server.database(name))):
                for workers in (1, 2):
                    name = f"{label.split()[0].lower()}_{workers}"
                    figures[label, workers] = workers_seconds(repo, name, 10 + len(figures), n, workers,
                                                              storage(name))
    finally:
        server.stop()
    print(f"{n} trials each; trials/min over the workers' wall time (start-up included) and over the trials' span")
    for (label, workers), (wall, span) in figures.items():
        print(f"{label:<12} {workers} worker{'s' if workers > 1 else ' '}: {60 * n / wall:4.1f} trials/min "
              f"({wall / n:5.1f} s per trial); trials' span: {60 * n / span:4.1f} trials/min")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int)
    parser.add_argument("--storages", action="store_true", help="the journal file against PostgreSQL, 1 and 2 workers")
    args = parser.parse_args()
    if args.storages:
        storages(args.trials or 2)
        return
    n = args.trials or 6
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
