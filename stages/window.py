"""Stage window: supervised samples of `data.n_lags` inputs -> 1 output, split into train, validation, test."""

import logging

import numpy as np
import pandas as pd

from lstm_tuning import config, paths
from lstm_tuning.errors import UserError, run_stage
from lstm_tuning.outputs import atomic_path
from lstm_tuning.windows import frame, split

log = logging.getLogger("window")


def main(overrides: list[str]) -> None:
    cfg = config.load(overrides).data
    scaled = pd.read_csv(paths.TRANSFORMED)["scaled"].to_numpy()
    X, y, targets = frame(scaled, cfg.n_lags)
    first_val, first_test = split(len(y), cfg.val_size, cfg.test_size)
    if first_val < 1:
        raise UserError(
            f"{paths.TRANSFORMED}: {len(y)} samples of data.n_lags={cfg.n_lags} lags leave no training sample "
            f"after data.val_size={cfg.val_size} and data.test_size={cfg.test_size}; the series needs at least "
            f"diff_interval + n_lags + val_size + test_size + batch_size rows: lengthen it or shrink those params"
        )
    parts = {"train": slice(0, first_val), "val": slice(first_val, first_test), "test": slice(first_test, None)}
    with atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, **{f"{name}_{part}": array[rows] for part, rows in parts.items()
                         for name, array in (("X", X), ("y", y), ("targets", targets))})
    log.info("read %s; wrote %s: %d training, %d validation and %d test samples of %d lags",
             paths.TRANSFORMED, paths.WINDOWS, first_val, first_test - first_val, len(y) - first_test, cfg.n_lags)


if __name__ == "__main__":
    run_stage(main)
