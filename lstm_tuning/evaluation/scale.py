"""The MASE scale, one definition for a panel's scores (evaluate) and its pooled intervals (forecast): the
in-sample mean absolute error of the seasonal naive forecast of lag m on a fit's training rows (the M4
definition), or of the one-step naive where those rows are a season or fewer (no seasonal error exists in
them). Light: numpy and the timeline only, so the forecast stage loads no baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstm_tuning.data import timeline


def season(cfg, index: pd.Index) -> int:
    """m: `baselines.season` (the classical options'), else a year of the data's frequency, else 1."""
    return int(getattr(cfg.baselines, "season", None) or timeline.season(index, cfg.data.frequency) or 1)


def lag(rows: int, season: int) -> int:
    """The naive's lag over `rows` training rows: the season, or 1 where the rows are a season or fewer."""
    return season if rows > season else 1


def naive_mae(values: np.ndarray, lag: int) -> float:
    """The mean absolute error of the naive forecast of lag `lag` over `values` (pairs with a NaN skipped; NaN
    where none is left)."""
    values = np.asarray(values, float)
    changes = np.abs(values[lag:] - values[:-lag])
    changes = changes[np.isfinite(changes)]
    return float(changes.mean()) if len(changes) else np.nan
