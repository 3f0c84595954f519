"""Stage window: supervised windows of the framing `task` (n_lags rows of the input series in -> n_out
steps of the output series out), split into train, validation and test by the rows they forecast."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, paths
from lstm_tuning.data import framings
from lstm_tuning.errors import run_stage
from lstm_tuning.outputs import atomic_path

log = logging.getLogger("window")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    scaled = pd.read_csv(paths.TRANSFORMED, index_col=0).drop(columns="part")
    windows = framings.split_windows(scaled, cfg.task, cfg.data, str(paths.TRANSFORMED))
    with atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, **windows)
    inputs, targets = framings.series_roles(cfg.task, cfg.data)
    log.info("read %s; wrote %s: %d training, %d validation and %d test windows of %d lags of %s -> %d step(s) "
             "of %s", paths.TRANSFORMED, paths.WINDOWS, *(len(windows[f"targets_{part}"]) for part in framings.PARTS),
             cfg.data.n_lags, ", ".join(inputs), cfg.task.n_out, ", ".join(targets))


if __name__ == "__main__":
    run_stage(main)
