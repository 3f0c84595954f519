"""Stage window: supervised windows of the framing `task` (n_lags rows of the input series in -> n_out
steps of the output series out), split into train, validation and test by the rows they forecast."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, framings, paths
from lstm_tuning.errors import UserError, run_stage
from lstm_tuning.outputs import atomic_path
from lstm_tuning.windows import parts

log = logging.getLogger("window")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides)
    data, task = cfg.data, cfg.task
    scaled = pd.read_csv(paths.TRANSFORMED, index_col=0).drop(columns="part")
    too_short = (f"{paths.TRANSFORMED}: {len(scaled)} rows are too few for data.n_lags={data.n_lags}, task.n_out="
                 f"{task.n_out}, data.val_size={data.val_size} and data.test_size={data.test_size}; the series needs "
                 "at least diff_interval + n_lags + n_out + val_size + test_size + batch_size rows: lengthen it or "
                 "shrink those params")
    try:
        windows = framings.frame(scaled, task, data)
    except ValueError:
        raise UserError(too_short) from None
    split = parts(windows.target_rows, task.n_out, len(scaled), data.val_size, data.test_size)
    if not split["train"].any() or not split["test"].any():
        raise UserError(too_short)
    with atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, **{f"{name}_{part}": array[rows] for part, rows in split.items()
                         for name, array in (("X", windows.X), ("y", windows.y), ("targets", windows.target_rows))})
    inputs, targets = framings.series_roles(task, data)
    log.info("read %s; wrote %s: %d training, %d validation and %d test windows of %d lags of %s -> %d step(s) "
             "of %s", paths.TRANSFORMED, paths.WINDOWS, *(int(rows.sum()) for rows in split.values()), data.n_lags,
             ", ".join(inputs), task.n_out, ", ".join(targets))


if __name__ == "__main__":
    run_stage(main)
