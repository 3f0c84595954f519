"""The evaluate stage's panel scoring at the scale of M3 monthly: 1,428 series, 18-month validation and test,
n_out 18, 5 repeats (the arrays the stages would hand it, random LSTM forecasts, generated series).

    python benchmarks/panel_evaluation.py [--series 1428] [--repeats 5] [--checkpoints 2] [--backtest holdout]

Prints the seconds of `evaluation.panel.evaluate` (everything the stage computes once its files are read) and
of its parts: original units (one `to_original_units` call per series and fit), the scores per (series, role),
the rest. Not a test: timings on a shared machine are noisy.

Measured 2026-12-02 on the 2-core machine shared with five other helpers (load average 7-12): holdout, 1,428
series, 109,906 windows, 5 repeats, 2 checkpoints: 1.35-1.41 s CPU (3.8-5.1 s wall), of which 0.9-1.0 s the
per-series original-units stand-in; expanding (step 6, refit every origin): 3.4 s CPU (12 s wall).

The training RMSE per checkpoint in the diagnostics (every fit's training windows in original units, one fit at a
time), measured 2026-12-02 14:16-14:19 UTC on the shared 2-core machine at load average 13-14, `--checkpoints 1`,
the commit before it against it: holdout 0.63 -> 1.16 s CPU (3.2 -> 5.1 s wall), peak 508 -> 563 MB; expanding
1.10 -> 4.69 s CPU (4.6 -> 18.0 s wall), peak 1,280 MB both (the inputs'). It grows with fits x checkpoints.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import option_params, task_params  # noqa: E402

from lstm_tuning.data import backtest, transforms  # noqa: E402
from lstm_tuning.evaluation import panel  # noqa: E402

VAL = TEST = N_OUT = 18
N_LAGS = 12


def inputs(n_series: int, repeats: int, checkpoints: int, backtest_name: str, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    params = (option_params("backtest", "holdout") if backtest_name == "holdout" else
              option_params("backtest", "expanding", step=6, horizon=6, refit_every=1))
    frames, plans, fits, series_of_window, first_rows, trains, held_out = {}, {}, {}, [], [], [], []
    lengths = rng.integers(68, 145, n_series)  # M3 monthly's range
    for s, n in enumerate(lengths.tolist()):
        key = f"N{s + 1:04d}"
        t = np.arange(n)
        values = 1000 + 300 * np.sin(2 * np.pi * t / 12) + 5 * t + rng.normal(0, 50, n)
        frames[key] = pd.DataFrame({"value": values}, index=pd.Index(t + 1, name="month"))
        plan = backtest.plan(params, n, VAL, TEST, key).with_final_fit(n)
        plans[key] = plan
        fits[key] = [transforms.fit_transform(frames[key], (1,), [], slice(f.start, f.cut))[1] for f in plan.fits]
        rows = np.arange(N_LAGS + 1, n - N_OUT + 1)
        series_of_window.append(np.full(len(rows), s))
        first_rows.append(rows)
        trains.append([(rows - N_LAGS >= f.start) & (rows + N_OUT <= f.cut) for f in plan.fits])  # the window stage's
        for origin in plan.backtest().origins:
            end = plan.first_test_row if origin.role == "val" else n
            starts = np.arange(origin.first, origin.end)
            steps = end - starts
            row = np.repeat(starts, steps)
            step = np.concatenate([np.arange(1, k + 1) for k in steps])
            target = values[row + step - 1]
            held_out.append(pd.DataFrame({
                "series": key, "fit": origin.fit, "row": row, "step": step, "persistence": values[row - 1],
                **{name: target * (1 + noise * rng.standard_normal(len(row)))
                   for name, noise in (("seasonal_naive", 0.08), ("drift", 0.1), ("auto_ets", 0.05),
                                       ("auto_arima", 0.055), ("auto_theta", 0.052))}}))
    series_of_window, first_rows = np.concatenate(series_of_window), np.concatenate(first_rows)
    n_fits = len(plans[key].fits)
    shape = (n_fits, repeats, len(first_rows), N_OUT, 1)
    return {
        "frames": frames, "fits_by_series": fits, "plans": plans,
        "windows": {"series": series_of_window, "first_rows": first_rows, "y": np.zeros((1, 1, N_OUT, 1)),
                    "train": np.concatenate(trains, axis=1)},
        "checkpoints": {"epochs": np.arange(1, checkpoints + 1),
                        "final": rng.uniform(-1, 1, shape).astype(np.float32),
                        **({"forecasts": rng.uniform(-1, 1, (checkpoints, *shape)).astype(np.float32)}
                           if checkpoints else {})},
        "repeats": pd.DataFrame({"fit": np.repeat(np.arange(n_fits), repeats), "repeat": np.tile(np.arange(repeats),
                                                                                                  n_fits),
                                 "diverged": False, "final_epoch": 1}),
        "held_out": pd.concat(held_out, ignore_index=True),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=1428)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--checkpoints", type=int, default=2)
    parser.add_argument("--backtest", default="holdout", choices=("holdout", "expanding"))
    args = parser.parse_args()
    started = time.perf_counter()
    made = inputs(args.series, args.repeats, args.checkpoints, args.backtest)
    print(f"inputs: {args.series} series, {len(made['windows']['first_rows']):,} windows, "
          f"{len(made['held_out']):,} baseline rows, built in {time.perf_counter() - started:.1f} s")
    cfg = SimpleNamespace(task=task_params("multistep_vector", n_out=N_OUT),
                          data=SimpleNamespace(target="value", covariates=[]))
    started, cpu = time.perf_counter(), time.process_time()
    result = panel.evaluate(cfg, made["frames"], made["fits_by_series"], made["plans"], made["windows"],
                            made["checkpoints"], made["repeats"], made["held_out"], {}, 12)
    print(f"panel.evaluate: {time.perf_counter() - started:.2f} s ({time.process_time() - cpu:.2f} s CPU); "
          f"{len(result.series)} rows of series.csv; peak resident memory of the process (inputs included) "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(result.details["verdict"])


if __name__ == "__main__":
    main()
