"""What each baselines option is (`baselines.name`): its params, bounds and checks. Light on purpose:
`config` reads this without numpy or statsmodels; the baselines themselves are `baselines`, loaded by the
evaluate stage.

The params have no defaults: each value is in its option's `conf/baselines/` file, the one place it is
written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, param


@dataclass(kw_only=True)
class PersistenceParams:
    name: str


@dataclass(kw_only=True)
class ClassicalParams:
    name: str
    # seasonal naive forecasts the value one season earlier; null: a year of the data's frequency
    season: int | None = param(at_least=1)
    arima_order: list[int]  # statsmodels ARIMA (p, d, q)
    exp_smoothing_trend: str | None = param(choices=(None, "add", "mul"))
    exp_smoothing_damped: bool


def check_classical(cfg, source: str) -> None:
    order = cfg.baselines.arima_order
    if len(order) != 3 or min(order) < 0:
        raise UserError(f"{source}: baselines.arima_order={list(order)} must be three integers >= 0: [p, d, q]")


BASELINES = Registry("baselines", "name")
BASELINES.add(Option("classical", ClassicalParams, check_classical))
BASELINES.add(Option("persistence", PersistenceParams))
