"""The classical baselines over generated panels, in one process and in two, side by side in one run.

    python benchmarks/baselines_speed.py [--sizes 100 1428] [--arima-max 1428]

Generated monthly panels (season 12 + trend + noise, 120..140 rows per series, M3's 18 validation and 18 test
months, the holdout backtest: one fit per series on the rows before them, walked through the 36 held-out
rows) of each size in `--sizes`, forecast by `baselines.forecast_panel` with each option (`classical`: the
six baselines; `panel`: all but AutoARIMA) in 1 worker and in 2. AutoARIMA's search costs about 1 s per
series: `classical` is run on panels of at most `--arima-max` series and extrapolated (per series) above.
Not a test: timings on a shared machine are noisy; the load average is printed before and after. The
kernel shares the CPU fairly between sessions (sched_autogroup): while another session keeps a core busy,
2 workers together get the one core 1 worker gets, so the speed-up shows only on an otherwise idle machine.

Measured 2026-12-02 (2 cores, shared by other helpers' sessions, load average 3.3 -> 4.7), `--sizes 40 1428
--arima-max 40`: CPU per series (1 worker) 105-138 ms for `panel`, 758 ms for `classical` (AutoARIMA ~620
ms of it); 1,428 series with `panel` 189 s (1 worker) vs 185 s (2), `classical` extrapolated ~1,750 s vs
~2,100 s; an earlier run at load 7.8 -> 11.7: 1,428 series `panel` 465 s vs 412 s. On an idle machine that
is ~150 CPU-s for `panel` (about 80 s on 2 cores) and ~1,080 CPU-s for `classical` (about 9 min on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import yaml

from lstm_tuning import config
from lstm_tuning.data import backtest
from lstm_tuning.evaluation import baselines

CONF = Path(__file__).resolve().parents[1] / "conf"
SEASON, VAL, TEST = 12, 18, 18


def generated_panel(n_series: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Monthly series of 120..140 rows: level + trend + a yearly season (additive or growing) + noise."""
    rng = np.random.default_rng(seed)
    panel = {}
    for i in range(n_series):
        t = np.arange(rng.integers(120, 141))
        level, slope = rng.uniform(100, 1000), rng.uniform(-0.5, 3.0)
        season = rng.uniform(0.05, 0.3) * level * np.sin(2 * np.pi * (t + rng.integers(SEASON)) / SEASON)
        trend = level + slope * t
        growing = rng.random() < 0.5
        panel[f"G{i:05d}"] = trend + season * (trend / level if growing else 1) + rng.normal(0, 0.03 * level, len(t))
    return panel


def option(name: str):
    values = yaml.safe_load((CONF / "baselines" / f"{name}.yaml").read_text()) | {"season": SEASON}
    return config.params_class("baselines", values)(**values)


def seconds(cfg, panel: dict, plans: dict, n_jobs: int) -> tuple[float, float]:
    """Wall-clock seconds, and this process's CPU seconds (all of the work with 1 worker: the cost without
    the other users of a shared machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    baselines.forecast_panel(cfg, panel, plans, None, n_jobs)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1428])
    parser.add_argument("--arima-max", type=int, default=1428, help="largest panel AutoARIMA is run on")
    args = parser.parse_args()
    option_values = yaml.safe_load((CONF / "backtest" / "holdout.yaml").read_text())
    holdout = config.params_class("backtest", option_values)(**option_values)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: "
          f"{len(os.sched_getaffinity(0))}")
    print(f"{'series':>7} {'option':<10} {'1 worker':>10} {'2 workers':>10} {'speed-up':>9} {'ms/series (2)':>14} "
          f"{'CPU ms/series (1)':>18}")
    measured = {}
    for size in args.sizes:
        panel = generated_panel(size)
        plans = {series: backtest.plan(holdout, len(values), VAL, TEST, series) for series, values in panel.items()}
        for name in ("panel", "classical"):
            if name == "classical" and size > args.arima_max:
                largest = max(s for s in args.sizes if s <= args.arima_max)
                one, two = (measured[(largest, name, jobs)][0] / largest * size for jobs in (1, 2))
                cpu = measured[(largest, name, 1)][1] / largest
                print(f"{size:>7} {name:<10} {one:>9.0f}~ {two:>9.0f}~ {one / two:>8.2f}x {two / size * 1e3:>13.1f}~"
                      f" {cpu * 1e3:>17.1f}~ (extrapolated from {largest} series)")
                continue
            for jobs in (1, 2):
                measured[(size, name, jobs)] = seconds(option(name), panel, plans, jobs)
            (one, cpu), (two, _) = measured[(size, name, 1)], measured[(size, name, 2)]
            print(f"{size:>7} {name:<10} {one:>9.1f}s {two:>9.1f}s {one / two:>8.2f}x {two / size * 1e3:>14.1f} "
                  f"{cpu / size * 1e3:>18.1f}", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
