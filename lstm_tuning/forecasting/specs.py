"""What the forecast past the end is (`forecast`): its params and their checks. Light on purpose: `config`
reads this; the work is in `refit` (the stage), `forecaster` (the saved models and `lstm_tuning.load`) and
`intervals`.

The params have no defaults: each value is in `conf/forecast/default.yaml`, the one place it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.errors import UserError
from lstm_tuning.options import param


@dataclass(kw_only=True)
class ForecastParams:
    horizon: int = param(at_least=1)  # steps forecast past the last row
    levels: list[float]  # interval levels, percent


def check(cfg, source: str) -> None:
    for level in cfg.forecast.levels:
        if not 0 < level < 100:
            raise UserError(f"{source}: forecast.levels has {level:g}; each level is a percentage strictly between 0 "
                            "and 100, e.g. [80, 95]")
