"""Split-conformal intervals from a backtest's out-of-sample errors, step by step.

Every backtest origin (a row at which a fit made a forecast without seeing it) gives, at each step h ahead,
one error of the ensemble's recursive forecast once that row is observed. The interval at step h is the
forecast plus or minus the conformal quantile of the absolute errors at step h: with n errors the
ceil((n + 1) * level)-th smallest, which covers a new error with probability at least `level` when errors
are exchangeable. With too few errors for that rank the largest error is used and the interval is flagged
as not guaranteed.

Coverage is checked the way it would have been lived: the interval at each test origin uses only the
errors resolved before that origin (rows already observed then), and counts whether the truth fell inside.
"""

from __future__ import annotations

import math

import numpy as np


def conformal_quantile(scores: np.ndarray, level: float) -> tuple[float, bool]:
    """The conformal quantile of `scores` (NaN skipped) at `level` percent, and whether n sufficed for its rank."""
    scores = np.sort(scores[np.isfinite(scores)])
    if not len(scores):
        return np.nan, False
    rank = math.ceil((len(scores) + 1) * level / 100)
    return float(scores[min(rank, len(scores)) - 1]), rank <= len(scores)


def half_widths(errors: np.ndarray, levels: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From errors [origins, steps, series] (NaN where unresolved): half-widths [levels, steps, series], the
    number of errors each rests on [steps, series], and whether each reached its conformal rank."""
    _, steps, series = errors.shape
    widths = np.full((len(levels), steps, series), np.nan)
    exact = np.zeros_like(widths, bool)
    for i, level in enumerate(levels):
        for h in range(steps):
            for j in range(series):
                widths[i, h, j], exact[i, h, j] = conformal_quantile(np.abs(errors[:, h, j]), level)
    return widths, np.isfinite(errors).sum(axis=0), exact


def coverage(errors: np.ndarray, origin_rows: np.ndarray, tested: np.ndarray, levels: list[float]) -> np.ndarray:
    """Whether each test error fell inside the interval built from the errors resolved before its origin:
    [levels, origins, steps, series] of 1 (inside), 0 (outside), NaN (no test error, or no earlier error)."""
    _, steps, series = errors.shape
    inside = np.full((len(levels),) + errors.shape, np.nan)
    for p in np.flatnonzero(tested):
        for h in range(steps):
            earlier = origin_rows + h < origin_rows[p]  # rows forecast h steps ahead, observed by then
            for j in range(series):
                if not np.isfinite(errors[p, h, j]) or not np.isfinite(errors[earlier, h, j]).any():
                    continue
                for i, level in enumerate(levels):
                    width, _ = conformal_quantile(np.abs(errors[earlier, h, j]), level)
                    inside[i, p, h, j] = abs(errors[p, h, j]) <= width
    return inside
