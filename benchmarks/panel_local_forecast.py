"""Forecasting local models (model.scope=local) of a panel, measured: every series' origins forecast by its own
repeats in one compiled program (`forecasting.panel.forecast_ahead(..., local=True)`, members = series x
repeats in chunks of `shuffled.MEMBER_CHUNK`) against a Python loop of one call per series.

    python benchmarks/panel_local_forecast.py [--series 1428] [--repeats 5] [--lanes 36] [--steps 18] [--loop 40]

The vanilla LSTM of the M3 experiment (32 units, 12 lags, one step out: the most recursive calls), random
weights per (series, repeat) (the time does not depend on their values), `--lanes` origins a series (a
backtest fit's val + test origins; the forecast past the end has 1), `--steps` steps ahead. The loop is timed
over `--loop` series and scaled to all. Not a test: it prints, and asserts nothing.

Measured 2026-12-02 with the defaults on the shared 2-core machine (load average 3.4 rising to 7.7: other
helpers' tests), 1,428 series x 5 repeats, 18 steps: 36 lanes a series (a backtest fit's origins): one program
47.5 s (compilation included), one call per series 477 s; 1 lane (the forecast past the end): 14.1 s against
384 s. The batched forecasts equal the per-series ones (asserted to 1e-4 here, as a check of the run).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--series", type=int, default=1428)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--lanes", type=int, nargs="+", default=[36, 1])
    parser.add_argument("--steps", type=int, default=18)
    parser.add_argument("--loop", type=int, default=40)
    args = parser.parse_args()

    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from helpers import model_params

    from lstm_tuning import training
    from lstm_tuning.forecasting import panel
    from lstm_tuning.models import builders
    from lstm_tuning.models.base import Shape
    from lstm_tuning.training.core import stack_weights

    n_lags, S, R = 12, args.series, args.repeats
    model = builders.build(model_params("vanilla", units=32, activation="tanh"), Shape(n_lags, 1, 1, 1))
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.1, (S, R, *w.shape[1:])).astype("float32") for w in stack_weights([model])]
    for lanes in args.lanes:
        X = rng.normal(0, 1, (S * lanes, n_lags, 1)).astype("float32")
        position = np.repeat(np.arange(S), lanes)
        origins = np.arange(len(X))
        start = time.perf_counter()
        together = panel.forecast_ahead(model, X, None, position, origins, args.steps, weights, local=True)
        batched = time.perf_counter() - start
        start = time.perf_counter()
        for s in range(args.loop):
            mine = origins[position == s]
            alone = training.forecast_ahead([model], X, None, mine, args.steps, [w[s] for w in weights])
            np.testing.assert_allclose(together[:, mine], alone, rtol=1e-4, atol=1e-5)
        looped = (time.perf_counter() - start) / args.loop * S
        print(f"{S} series x {R} repeats, {lanes} lane(s) a series, {args.steps} steps: one program {batched:.1f} s "
              f"(compile included); one call per series {looped:.1f} s (from {args.loop} series)")

if __name__ == "__main__":
    main()
