"""Global training at the M3 experiment's workload against plain Keras `fit`, at growing step counts (issue 24,
item 9a), measured side by side in one run.

    python benchmarks/m3_training.py [--windows data/windows.npz] [--steps 50 100 250] [--warm 100]

The model and training are `conf/experiment/m3_monthly.yaml`'s (vanilla LSTM, 32 units tanh, 11 lags -> 18
months, batch 64, 5 repeats, 20 epochs, the backtest's 3 fits: 15 members); `--steps` sets
`train.steps_per_epoch` (100 in the experiment: 20 x 100 = 2,000 gradient steps a member). The windows are M3's
from the window stage (`--windows`: a `data/windows.npz` of `-S experiment=m3_monthly`; without it they are
made by ingest, transform and window in a throw-away copy of the repository).

For each step count, each side in a process of its own (peak resident memory per process, getrusage maxrss):
- project: `training.train` on every fit's windows, the 15 members together; its seconds
  (`TrainedRepeats.seconds`: tracing, XLA compilation, the steps and the checkpoint forecast of all 126,150
  windows by every member), with the XLA cache off (what a machine that never ran the program pays); at
  `--warm` steps also with the persistent XLA cache holding the programs (run once to fill it, then timed);
- Keras: each member's plain `model.fit` one after another: the same builder and initial weights (the
  project's `initial_members`), the same optimizer, loss and batch size, on its fit's training windows, and
  the same work: epochs x steps batches of windows drawn at random with replacement, fresh batches every
  epoch (`fit(steps_per_epoch=k)` on the drawn windows, whose iterator runs on across epochs). Keras' default
  `jit_compile="auto"` means no XLA on a CPU-only machine; each member's first epoch traces its train step.

Wall seconds and CPU seconds (`time.process_time` around the same code: both cores' threads; less swayed than
wall time by the other processes on a shared machine). The marginal cost of a step (the difference of two step
counts' totals over their difference in steps) leaves the fixed costs out: start-up and the checkpoint forecast
for the project, tracing for Keras.
Not a test: it prints, and asserts nothing.

Measured 2026-12-02 06:30-06:47 UTC on the shared 2-core machine, with the lead's M3 windows (`--windows` from
its `dvc exp run -S experiment=m3_monthly`), `python benchmarks/m3_training.py --windows ...`; the load average
(other helpers' tests and experiments) went from 7.9 to 2.5 during the run, beside each figure:

    steps a member  project s  keras s  ratio  project CPU s  keras CPU s  CPU ratio  project MB  keras MB  load p/k
             1,000      74.72   174.93  2.34x           33.6         82.2      2.45x        1501       928  7.9/7.2
             2,000      58.94   112.07  1.90x           39.5         81.9      2.07x        1499       958  6.8/6.3
      warm cache        53.03           2.11x           25.6                   3.19x        1414            8.3
             5,000      71.71   216.88  3.02x           70.1        226.9      3.24x        1502      1065  4.8/2.5

The wall seconds follow the load more than the steps (the project took longer for 1,000 steps than for 5,000);
the CPU seconds hold better: a step of a member costs the project 0.61 ms of CPU and Keras 2.41 ms (3.97x, 1,000
-> 5,000 steps), and the fixed costs are 24.5 s for the project (tracing, XLA compilation: 10-14 s of it,
which the warm XLA cache saves; building 15 models; the checkpoint forecast of 126,150 windows by 15 members)
against 46 s for Keras (tracing each member's train step: about 3 s x 15).
A second run at 2,000 steps (06:48-06:53, `--steps 100`): project 42.36 s (load 3.8), warm cache 36.64 s (6.2),
Keras 141.91 s (9.9): wall 3.35x / 3.87x, but the loads differ; CPU 35.3 / 25.5 against 77.4 s: 2.19x / 3.04x.
So at the experiment's workload the project is about 2x Keras with a cold XLA cache (CPU 2.07x and 2.19x) and
3x with a warm one; the ratio grows toward 4x with the steps.
On a quiet machine (15:37-15:39 UTC, load 1.0-1.8, `--steps 100 --warm 100`): 2,000 steps, project 16.36 s (warm
cache 14.12 s), Keras 68.42 s: 4.18x wall (4.84x warm); CPU 29.1 (25.0) against 70.6 s: 2.43x (2.83x).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from measured import child, print_figures, stage_windows

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ["experiment=m3_monthly"]


def configuration(steps: int):
    from lstm_tuning import config

    composed = config.compose(ROOT / "conf", "config", [*EXPERIMENT, f"train.steps_per_epoch={steps}"],
                              as_dict=False)
    cfg = config.checked(composed, "conf")
    return cfg.model, cfg.train


def project(windows_file: str, steps: int) -> dict:
    from lstm_tuning import training

    params, cfg = configuration(steps)
    windows = dict(np.load(windows_file))
    cpu = time.process_time()
    trained = training.train(params, cfg, windows, progress=False)
    return {"seconds": trained.seconds, "cpu": time.process_time() - cpu,
            "members": int(np.prod(trained.diverged.shape))}


def keras_fits(windows_file: str, steps: int) -> dict:
    from lstm_tuning.models.base import Shape
    from lstm_tuning.training import core
    from lstm_tuning.training.backend import keras

    params, cfg = configuration(steps)
    windows = dict(np.load(windows_file))
    X_all, y_all, trains = windows["X"], windows["y"], windows["train"]
    rng = np.random.default_rng(0)
    seconds, cpu = [], 0.0
    for fit in range(trains.shape[0]):
        X, y = X_all[fit][trains[fit]], y_all[fit][trains[fit]]
        for model in core.initial_members(params, cfg, Shape(*X.shape[1:], *y.shape[1:])):
            drawn = rng.integers(0, len(X), cfg.epochs * steps * cfg.batch_size)
            start, cpu_start = time.perf_counter(), time.process_time()
            optimizer = type(keras.optimizers.get(params.optimizer))(learning_rate=params.learning_rate)
            model.compile(optimizer=optimizer, loss=params.loss)
            model.fit(X[drawn], y[drawn], batch_size=cfg.batch_size, epochs=cfg.epochs, steps_per_epoch=steps,
                      shuffle=False, verbose=0)
            seconds.append(time.perf_counter() - start)
            cpu += time.process_time() - cpu_start
    return {"seconds": sum(seconds), "cpu": cpu, "members": len(seconds), "first_member": seconds[0],
            "mean_member": float(np.mean(seconds))}


def run_side(name: str, windows_file: str, steps: int, **env: str) -> dict:
    """One side at one step count in a process of its own: its figures, and the process's peak memory."""
    figures = child(__file__, name, "--windows", windows_file, "--steps", str(steps), **env)
    if "failed" in figures:
        sys.exit(f"{name} at {steps} steps failed:\n{figures['stderr']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", help="a data/windows.npz of -S experiment=m3_monthly (default: made anew)")
    parser.add_argument("--steps", type=int, nargs="+", default=[50, 100, 250], help="train.steps_per_epoch")
    parser.add_argument("--warm", type=int, nargs="*", default=[100], help="step counts also run with a warm cache")
    parser.add_argument("--child", choices=["project", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print_figures((project if args.child == "project" else keras_fits)(args.windows, args.steps[0]))
        return

    print(f"load average at start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        windows_file = args.windows or str(stage_windows(Path(tmp) / "repo", EXPERIMENT))
        epochs = configuration(args.steps[0])[1].epochs
        rows = []
        for steps in args.steps:
            row = {"steps": steps, "project": run_side("project", windows_file, steps, LSTM_TUNING_XLA_CACHE="off")}
            print(f"  {epochs * steps} steps: project {row['project']}", flush=True)
            if steps in args.warm:
                cache = str(Path(tmp) / f"xla-{steps}")
                run_side("project", windows_file, steps, LSTM_TUNING_XLA_CACHE=cache)  # fills the cache
                row["warm"] = run_side("project", windows_file, steps, LSTM_TUNING_XLA_CACHE=cache)
                print(f"  {epochs * steps} steps: project, warm XLA cache {row['warm']}", flush=True)
            row["keras"] = run_side("keras", windows_file, steps)
            print(f"  {epochs * steps} steps: keras {row['keras']}", flush=True)
            rows.append(row)

    members = rows[0]["keras"]["members"]
    print(f"\n(a) M3 experiment's global training (vanilla 32 units, 11 lags -> 18, batch 64, {epochs} epochs, "
          f"{members} members = 3 fits x 5 repeats):")
    print(f"{'steps/member':>12} {'project s':>10} {'warm cache s':>13} {'keras s':>9} {'ratio':>6} {'ratio warm':>11} "
          f"{'project cpu s':>14} {'keras cpu s':>12} {'cpu ratio':>10} {'project MB':>11} {'keras MB':>9} "
          f"{'load p/k':>10}")
    for row in rows:
        p, k, w = row["project"], row["keras"], row.get("warm")
        print(f"{epochs * row['steps']:>12,} {p['seconds']:>10.2f} {w['seconds'] if w else float('nan'):>13.2f} "
              f"{k['seconds']:>9.2f} {k['seconds'] / p['seconds']:>5.2f}x "
              f"{k['seconds'] / w['seconds'] if w else float('nan'):>10.2f}x {p['cpu']:>14.1f} {k['cpu']:>12.1f} "
              f"{k['cpu'] / p['cpu']:>9.2f}x {p['peak_mb']:>11.0f} {k['peak_mb']:>9.0f} "
              f"{p['load']:>4.1f}/{k['load']:<4.1f}")
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        more = epochs * (last["steps"] - first["steps"]) * members
        for measure in ("seconds", "cpu"):
            marginal = {side: 1000 * (last[side][measure] - first[side][measure]) / more
                        for side in ("project", "keras")}
            print(f"marginal {measure} of a step, per member ({epochs * first['steps']:,} -> "
                  f"{epochs * last['steps']:,} steps): project {marginal['project']:.3f} ms, "
                  f"keras {marginal['keras']:.3f} ms: "
                  f"{marginal['keras'] / marginal['project']:.2f}x")
            for side in ("project", "keras"):
                fixed = first[side][measure] - marginal[side] / 1000 * epochs * first["steps"] * members
                print(f"  {side}: fixed {measure} (total less the marginal cost of its steps) {fixed:.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
