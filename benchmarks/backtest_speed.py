"""A rolling-origin backtest's training against today's single-origin train stage, side by side in one run.

    python benchmarks/backtest_speed.py [--seed-epochs 30]

For the default configuration (1 unit, batch size 4, 30 repeats x 1000 epochs on Shampoo) prints:
- the train stage as a whole process on the seed's holdout (one fit);
- the same on an expanding backtest over the 12 test months, refit at every origin (12 fits x 30 repeats x
  1000 epochs, all trained together), and the ratio of the two (target: at most 3x);
- the same work done the way other forecasting libraries refit, one Keras `fit` loop per origin and repeat
  (the seed's harness: fit(epochs=1) and a state reset per epoch), extrapolated from `--seed-epochs` epochs
  of one (origin, repeat): running all 360 x 1000 epochs would take hours.
Not a test: timings on a shared machine are noisy, so only ratios measured side by side mean anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml
from pipeline_speed import seed_harness_seconds_per_epoch, train_stage_seconds
from repo_copy import copy_repo, run

ORIGINS = 12
REPEATS, EPOCHS = 30, 1000


def set_backtest(repo: Path, backtest: dict) -> None:
    params = yaml.safe_load((repo / "params.yaml").read_text())
    (repo / "params.yaml").write_text(yaml.safe_dump(params | {"backtest": backtest}, sort_keys=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-epochs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        copy_repo(repo)
        run([sys.executable, "-m", "dvc", "repro", "window"], repo)
        holdout, holdout_training = train_stage_seconds(repo)
        seed = seed_harness_seconds_per_epoch(repo, args.seed_epochs)
        set_backtest(repo, {"name": "expanding", "step": 1, "horizon": 1, "refit_every": 1})
        run([sys.executable, "-m", "dvc", "repro", "window"], repo)
        backtest, backtest_training = train_stage_seconds(repo)
    per_origin_fit = seed * ORIGINS * REPEATS * EPOCHS
    print(f"train stage, holdout (1 fit x {REPEATS} repeats x {EPOCHS} epochs):        {holdout:7.2f} s "
          f"(training {holdout_training:.2f} s)")
    print(f"train stage, expanding, {ORIGINS} origins refit each ({ORIGINS * REPEATS} trainings): {backtest:7.2f} s "
          f"(training {backtest_training:.2f} s)  ratio {backtest / holdout:.2f}x (target <= 3x)")
    print(f"one Keras fit loop per origin and repeat (seed harness, {seed * 1e3:.1f} ms/epoch over "
          f"{args.seed_epochs} epochs): ~{per_origin_fit / 3600:.1f} h  ratio ~{per_origin_fit / backtest:,.0f}x "
          "the backtest train stage")


if __name__ == "__main__":
    main()
