"""Forecasts past the end of the data (`forecast`): the final fit's (on every row) repeats' mean forecast
`horizon` steps ahead, and intervals at each of `levels` built from the backtest's out-of-sample errors at
each step, all from the weights train kept. Light on purpose: config reads these params; the work is in
`past_end` (the stage), `forecaster` (the saved models and `lstm_tuning.load`) and `intervals`."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_tuning.errors import UserError
from lstm_tuning.options import param


@dataclass
class ForecastParams:
    horizon: int = param(12, at_least=1)  # steps forecast past the last row
    levels: list[float] = field(default_factory=lambda: [80.0, 95.0])  # interval levels, percent


def check(cfg, source: str) -> None:
    for level in cfg.forecast.levels:
        if not 0 < level < 100:
            raise UserError(f"{source}: forecast.levels has {level:g}; each level is a percentage strictly between 0 "
                            "and 100, e.g. [80, 95]")
