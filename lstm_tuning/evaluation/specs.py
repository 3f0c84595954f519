"""What each baselines option is (`baselines.name`): its params, bounds and checks. Light on purpose:
`config` reads this without numpy or statsforecast; the baselines themselves are `baselines`, loaded by the
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
    # season_length of the seasonal models and seasonal naive; null: a year of the data's frequency; 1: none
    season: int | None = param(at_least=1)


# every baseline of the classical option, in the order of the forecasts' columns
CLASSICAL_MODELS = ("persistence", "seasonal_naive", "drift", "auto_ets", "auto_arima", "auto_theta")


@dataclass(kw_only=True)
class PanelParams(ClassicalParams):
    # the classical option's baselines to fit (a subset of CLASSICAL_MODELS): AutoARIMA's search costs most
    models: list[str]


def check_models(cfg, source: str) -> None:
    unknown = [name for name in cfg.baselines.models if name not in CLASSICAL_MODELS]
    if unknown or not cfg.baselines.models:
        shown = repr(unknown[0]) if unknown else "[]"
        raise UserError(f"{source}: baselines.models has {shown}; list one or more of {', '.join(CLASSICAL_MODELS)}")


# each baseline's name in reports and figures (the forecast stage labels the best one's line without loading
# the baselines' code)
LABELS = {"persistence": "persistence", "seasonal_naive": "seasonal naive", "drift": "drift",
          "auto_ets": "AutoETS", "auto_arima": "AutoARIMA", "auto_theta": "AutoTheta"}

BASELINES = Registry("baselines", "name")
BASELINES.add(Option("classical", ClassicalParams))
BASELINES.add(Option("persistence", PersistenceParams))
BASELINES.add(Option("panel", PanelParams, check=check_models))
