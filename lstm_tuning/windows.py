"""Which windows train, validate and test, and the seed 002 one-series framing on a bare array."""

from __future__ import annotations

import logging

import numpy as np

from lstm_tuning.framings import make_windows

log = logging.getLogger(__name__)


def frame(series: np.ndarray, n_lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples over the finite part of `series`.

    Returns X [n, n_lags] (oldest lag first), y [n] and the position in `series` of each target.
    """
    series = np.asarray(series, dtype=float)
    start = int(np.argmax(np.isfinite(series)))  # differencing leaves NaNs at the front
    column = series[start:, None]
    windows = make_windows(column, column, n_lags, n_out=1, dependent=False)
    return windows.X[..., 0].astype(float), windows.y[:, 0, 0].astype(float), windows.target_rows + start


def split(n_samples: int, val_size: int, test_size: int) -> tuple[int, int]:
    """Indices of the first validation and first test sample: test last, validation just before it."""
    return n_samples - test_size - val_size, n_samples - test_size


def parts(first_rows: np.ndarray, n_out: int, n_rows: int, val_size: int, test_size: int) -> dict[str, np.ndarray]:
    """Which windows train, validate and test, by the rows they forecast (the last val_size + test_size
    rows are held out). A window trains only if all its forecast rows come before the held-out rows and
    validates only if they all come before the test rows; it tests if its first forecast row is a test row
    (walk-forward over the test period). Windows straddling two periods are left out."""
    first_val, first_test = n_rows - val_size - test_size, n_rows - test_size
    last_rows = first_rows + n_out - 1
    return {
        "train": last_rows < first_val,
        "val": (first_rows >= first_val) & (last_rows < first_test),
        "test": first_rows >= first_test,
    }


def trim_to_batches(n_rows: int, batch_size: int, warn: bool = True) -> int:
    """How many of the oldest rows to drop so a stateful batch size divides the rest (as the seed does)."""
    dropped = n_rows % batch_size
    if dropped and warn:
        log.warning("%d training rows are not a multiple of train.batch_size=%d: dropping the %d oldest",
                    n_rows, batch_size, dropped)
    return dropped
