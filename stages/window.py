"""Stage window: supervised windows of the framing `task` (n_lags rows of the input series in -> n_out
steps of the output series out), once per fit of the backtest, and which windows each fit trains on."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, paths
from lstm_tuning.data import framings, panel, timeline
from lstm_tuning.data.backtest import Plan
from lstm_tuning.errors import run_stage
from lstm_tuning.outputs import atomic_path

log = logging.getLogger("window")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    if cfg.data.id_column is not None:  # a panel: every series' windows, concatenated in series order
        return panel.window_stage(cfg, log)
    scaled = timeline.read(paths.TRANSFORMED)  # dates parsed: data.calendar derives inputs from them
    plan = Plan.from_frame(pd.read_csv(paths.ORIGINS))
    windows = framings.split_windows(scaled, cfg.task, cfg.data, plan, str(paths.TRANSFORMED))
    with atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, **windows)
    _, targets = framings.series_roles(cfg.task, cfg.data)
    trains = windows["train"].sum(axis=1)
    log.info("read %s and %s; wrote %s: %d windows of %d lags of %s -> %d step(s) of %s; %d fit(s) train on %d to %d "
             "of them", paths.TRANSFORMED, paths.ORIGINS, paths.WINDOWS, len(windows["first_rows"]), cfg.data.n_lags,
             ", ".join(framings.input_columns(cfg.task, cfg.data)), cfg.task.n_out, ", ".join(targets), len(trains),
             trains.min(), trains.max())


if __name__ == "__main__":
    run_stage(main)
