"""Local training of the seed 002 stateful model on M3's series against the seed harness, per training-epoch
(issue 24, item 9b), measured side by side in one run.

    python benchmarks/local_training.py [--windows data/windows.npz] [--series 10 50 200 400 800 1428] [--epochs 100]
                                        [--backtest holdout|expanding]

The windows are the window stage's for `data=m3_monthly model=stateful_lstm model.scope=local` (the seed
model's univariate task: 11 lags -> the next month; the holdout backtest: a fit before the 18 validation and 18
test months, and the final fit on every row; `--backtest expanding`: the m3_monthly experiment's 3 fits, at the
validation and test origins and on every row); `--windows` names such a `data/windows.npz`, else ingest,
transform and window make it in a throw-away copy of the repository. The first k series are its windows of the
first k series in id order (`data.first_series: k` gives the same arrays: each series is scaled on its own
rows).

For each k, in a process of its own: `training.train` with the seed model (1 unit, batch size 4, no shuffle,
state carried from batch to batch and reset every epoch), `train.repeats` 5 and `--epochs` epochs (one checkpoint,
after the last), every (series, fit, repeat) a member of its own (k x fits x 5 repeats), all together in one
compiled program; its seconds (`TrainedRepeats.seconds`: tracing, XLA compilation with the cache off, the epochs
and the checkpoint walk) per training-epoch (one epoch of one member: one series, fit and repeat), and the
process's peak resident memory (getrusage maxrss). Wall and CPU milliseconds (`time.process_time` around the
same code: both cores' threads; less swayed than wall time by the other processes on a shared machine).

The seed harness: its Keras 3 port (`benchmarks/pipeline_speed.py`'s loop: a stateful Keras model, `fit(epochs=1,
shuffle=False)` then a state reset, epoch after epoch) on the M3 series with the median number of training
windows (fit 0), timed over `--harness-epochs` epochs after one to build the graph: the same work per
training-epoch as one member above.
Not a test: it prints, and asserts nothing.

Measured 2026-12-02 14:09-14:38 UTC on the shared 2-core machine, load average 9.2-14.7 throughout (other helpers'
tests and experiments), `--epochs 300`, k = 10, 50, 200, 400, 800, 1,428 in one run (docs/training.md, (b)):
the seed harness on N2564 (84 training windows, 21 batches an epoch): 375.9 ms per training-epoch wall, 99.35 ms
CPU.

    series  members  windows  training s  ms/epoch  x harness  CPU ms/epoch  x harness  peak MB
        10      100      560       23.03    0.7678       490x        0.2138       465x      872
        50      500    2,832       30.50    0.2033     1,849x        0.0504     1,973x      874
       200    2,000   11,382       63.72    0.1062     3,540x        0.0259     3,838x      902
       400    4,000   29,793      199.99    0.1667     2,256x        0.0410     2,421x    1,032
       800    8,000   79,992      461.61    0.1923     1,955x        0.0528     1,881x    1,618
     1,428   14,280  150,426      754.67    0.1762     2,134x        0.0520     1,911x    2,195

and `--backtest expanding --series 1428 --harness-epochs 10` (14:39-14:56 UTC, load 8.4-10.4; harness 343.8 ms wall,
96.06 ms CPU): 3 fits, 21,420 members, 950.98 s, 0.1480 ms/epoch (2,323x), CPU 0.0482 ms (1,991x), peak 2,327 MB.

Each (series, fit) member holds arrays over its own series' windows only (MemberLayout's per-series axis), so the
peak grows with the members, not members x windows: all 1,428 series x 2 fits x 5 repeats in 2.2 GB. (Before,
06:31 UTC the same day, every member held arrays over the whole panel's windows: 2,327 MB at 200 series, 8,379
MB at 400, about 140 GB for all 1,428.) The seed harness would take 1,428 x 5 repeats x 2 fits x 1,000 epochs x
99-139 ms CPU = 16-23 CPU-days.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from measured import child, print_figures, stage_windows

ROOT = Path(__file__).resolve().parents[1]
OVERRIDES = ["data=m3_monthly", "model=stateful_lstm", "model.scope=local", "train.repeats=5"]
# `--backtest expanding`: the m3_monthly experiment's backtest, a validation origin 18 months before the test, a
# refit at the test origin and the final fit (3 fits)
BACKTESTS = {"holdout": [], "expanding": ["backtest=expanding", "backtest.step=18", "backtest.horizon=18",
                                          "backtest.refit_every=1"]}


def configuration(epochs: int):
    from lstm_tuning import config

    changes = [f"train.epochs={epochs}", f"train.checkpoint_every={epochs}"]
    cfg = config.checked(config.compose(ROOT / "conf", "config", [*OVERRIDES, *changes], as_dict=False), "conf")
    return cfg.model, cfg.train


def local_windows(dest: Path, backtest: str = "holdout") -> Path:
    """data/windows.npz of the local stateful model on M3, made by the first three stages in a copy at `dest`."""
    return stage_windows(dest, [*OVERRIDES, *BACKTESTS[backtest]])


def first_series(windows: dict, k: int) -> dict:
    """The window stage's arrays of the first `k` series (windows are concatenated in series order)."""
    kept = windows["series"] < k
    sliced = {name: values[:, kept] if name in ("X", "y", "train") else values[kept]
              for name, values in windows.items() if name not in ("ids", "final")}
    return sliced | {"ids": windows["ids"][:k], "final": windows["final"]}


def local(windows_file: str, k: int, epochs: int) -> dict:
    from lstm_tuning import training

    params, cfg = configuration(epochs)
    windows = first_series(dict(np.load(windows_file)), k)
    cpu = time.process_time()
    trained = training.train(params, cfg, windows, progress=False)
    cpu = time.process_time() - cpu
    members = k * len(windows["final"]) * cfg.repeats
    return {"series": k, "windows": int(len(windows["series"])), "members": members, "seconds": trained.seconds,
            "ms_per_epoch": 1000 * trained.seconds / (members * epochs),
            "cpu_ms_per_epoch": 1000 * cpu / (members * epochs)}


def harness(windows_file: str, epochs: int) -> dict:
    from lstm_tuning.training.backend import keras

    windows = dict(np.load(windows_file))
    counts = np.bincount(windows["series"][windows["train"][0]], minlength=len(windows["ids"]))
    median = int(np.argsort(counts)[len(counts) // 2])
    own = windows["train"][0] & (windows["series"] == median)
    n = own.sum() // 4 * 4  # the seed drops the oldest rows until the batch size divides them
    X = windows["X"][0][own][-n:].reshape(n, 1, -1)
    y = windows["y"][0][own][-n:, 0]
    model = keras.Sequential([keras.Input(batch_shape=(4, 1, X.shape[-1])), keras.layers.LSTM(1, stateful=True),
                              keras.layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    model.fit(X, y, epochs=1, batch_size=4, verbose=0, shuffle=False)  # the first call builds the graph
    model.layers[0].reset_states()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        model.fit(X, y, epochs=1, batch_size=4, verbose=0, shuffle=False)
        model.layers[0].reset_states()
    return {"series_id": str(windows["ids"][median]), "windows": int(n), "batches": int(n // 4),
            "ms_per_epoch": 1000 * (time.perf_counter() - start) / epochs,
            "cpu_ms_per_epoch": 1000 * (time.process_time() - cpu) / epochs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", help="a data/windows.npz of the local stateful model on M3 (default: made anew)")
    parser.add_argument("--series", type=int, nargs="+", default=[10, 50, 200, 400, 800, 1428])
    parser.add_argument("--backtest", choices=sorted(BACKTESTS), default="holdout",
                        help="holdout: 2 fits; expanding: the m3_monthly experiment's 3 (ignored with --windows)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--harness-epochs", type=int, default=30)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, windows_file, *sizes = args.child
        figures = (harness(windows_file, args.harness_epochs) if what == "harness"
                   else local(windows_file, int(sizes[0]), args.epochs))
        print_figures(figures)
        return

    print(f"load average at start: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        windows_file = args.windows or str(local_windows(Path(tmp) / "repo", args.backtest))
        with np.load(windows_file) as stored:
            fits = len(stored["final"])
        seed = child(__file__, "harness", windows_file, "--harness-epochs", str(args.harness_epochs),
                     LSTM_TUNING_XLA_CACHE="off")
        print(f"  seed harness {seed}", flush=True)
        sizes = []
        for k in args.series:
            sizes.append(child(__file__, "local", windows_file, str(k), "--epochs", str(args.epochs),
                               LSTM_TUNING_XLA_CACHE="off") | {"series": k})
            print(f"  {k} series {sizes[-1]}", flush=True)

    print(f"\n(b) the seed model (1 unit, batch 4, stateful) trained locally on M3's first k series, {fits} fits x 5 "
          f"repeats x {args.epochs} epochs, against the seed harness on one M3 series ({seed['series_id']}: "
          f"{seed['windows']} training windows, {seed['batches']} batches an epoch): "
          f"{seed['ms_per_epoch']:.2f} ms per training-epoch "
          f"(CPU {seed['cpu_ms_per_epoch']:.2f} ms; load {seed['load']:.2f}, peak {seed['peak_mb']:.0f} MB)")
    print(f"{'series':>7} {'members':>8} {'windows':>9} {'training s':>11} {'ms/epoch':>9} {'x harness':>10} "
          f"{'cpu ms/epoch':>13} {'x harness':>10} {'peak MB':>8} {'load':>5}")
    for size in sizes:
        if "failed" in size:
            print(f"{size['series']:>7} failed: {size['failed']}")
            continue
        print(f"{size['series']:>7} {size['members']:>8,} {size['windows']:>9,} {size['seconds']:>11.2f} "
              f"{size['ms_per_epoch']:>9.4f} {seed['ms_per_epoch'] / size['ms_per_epoch']:>9.0f}x "
              f"{size['cpu_ms_per_epoch']:>13.4f} {seed['cpu_ms_per_epoch'] / size['cpu_ms_per_epoch']:>9.0f}x "
              f"{size['peak_mb']:>8.0f} {size['load']:>5.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
