"""Supervised framing: `n_lags` previous values -> the next value, and the train/test split."""

from __future__ import annotations

import logging

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

log = logging.getLogger(__name__)


def frame(series: np.ndarray, n_lags: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Samples over the finite part of `series`.

    Returns X [n, n_lags] (oldest lag first), y [n] and the position in `series` of each target.
    """
    series = np.asarray(series, dtype=float)
    start = int(np.argmax(np.isfinite(series)))  # differencing leaves NaNs at the front
    values = series[start:]
    windows = sliding_window_view(values, n_lags + 1)
    targets = np.arange(start + n_lags, len(series))
    return windows[:, :n_lags].copy(), windows[:, n_lags].copy(), targets


def split(n_samples: int, val_size: int, test_size: int) -> tuple[int, int]:
    """Indices of the first validation and first test sample: test last, validation just before it."""
    return n_samples - test_size - val_size, n_samples - test_size


def trim_to_batches(n_rows: int, batch_size: int, what: str = "training rows") -> int:
    """How many of the oldest rows to drop so a stateful batch size divides the rest (as the seed does)."""
    dropped = n_rows % batch_size
    if dropped:
        log.warning(
            "%d %s are not a multiple of train.batch_size=%d: dropping the %d oldest",
            n_rows, what, batch_size, dropped,
        )
    return dropped
