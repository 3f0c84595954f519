"""Stage window: supervised samples of `data.n_lags` inputs -> 1 output, last `data.test_size` as test."""

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
    first_test = split(len(y), cfg.test_size)
    if first_test < 1:
        raise UserError(
            f"{paths.TRANSFORMED}: {len(y)} samples with data.n_lags={cfg.n_lags} cannot hold "
            f"data.test_size={cfg.test_size} test samples and any training; shorten n_lags or test_size"
        )
    with atomic_path(paths.WINDOWS) as tmp:
        np.savez(tmp, X_train=X[:first_test], y_train=y[:first_test], train_targets=targets[:first_test],
                 X_test=X[first_test:], y_test=y[first_test:], test_targets=targets[first_test:])
    log.info("read %s; wrote %s: %d training and %d test samples of %d lags",
             paths.TRANSFORMED, paths.WINDOWS, first_test, len(y) - first_test, cfg.n_lags)


if __name__ == "__main__":
    run_stage(main)
