"""The classical baselines over a panel: each series' forecasts exactly those of the series alone, on ragged
series, in one process or two, with the season dropped per series where a series is too short for it."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from helpers import compose_conf, option_params

from lstm_tuning import config
from lstm_tuning.data import backtest
from lstm_tuning.errors import UserError
from lstm_tuning.evaluation import baselines

SEASON = 4  # short seasons keep AutoARIMA's search quick on tiny series


def classical(**changes):
    return option_params("baselines", "classical", **changes)


def generated(lengths: dict[str, int], seed: int = 0) -> dict[str, np.ndarray]:
    """Seasonal (period SEASON) + trend + noise series of the given lengths, positive like sales."""
    rng = np.random.default_rng(seed)
    panel = {}
    for series, length in lengths.items():
        t = np.arange(length)
        level, slope, amplitude = rng.uniform(50, 150), rng.uniform(-0.5, 1.0), rng.uniform(5, 20)
        panel[series] = level + slope * t + amplitude * np.sin(2 * np.pi * t / SEASON) + rng.normal(0, 2, length)
    return panel


def plans(panel: dict[str, np.ndarray], option: str, val_size: int = 2, test_size: int = 3, **changes) -> dict:
    """Each series' own backtest, as transform plans it (with the final fit the baselines ignore)."""
    params = option_params("backtest", option, **changes)
    return {series: backtest.plan(params, len(values), val_size, test_size, series).with_final_fit(len(values))
            for series, values in panel.items()}


RAGGED = {"a": 30, "b": 22, "c": 26}


# the expanding backtest refits: the panel option (no AutoARIMA, the slow one) keeps it quick
@pytest.mark.parametrize("option, changes, models", [("holdout", {}, "classical"),
                                                     ("expanding", {"refit_every": 2}, "panel")])
def test_each_series_forecasts_exactly_as_alone(option, changes, models):
    cfg = option_params("baselines", models, season=SEASON)
    panel = generated(RAGGED)
    plan_of = plans(panel, option, **changes)
    frame, info = baselines.forecast_panel(cfg, panel, plan_of, None, n_jobs=1)
    assert list(frame.columns[:4]) == ["series", "fit", "row", "step"]
    assert list(frame["series"].unique()) == list(RAGGED)
    chosen = {}
    for series, values in panel.items():
        alone, alone_info = baselines.forecast_held_out(cfg, values, plan_of[series], None)
        mine = frame[frame["series"] == series].drop(columns="series").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_exact=True)
        for name, forms in alone_info["fits"].items():
            chosen.setdefault(name, Counter()).update(forms)
    assert info["chosen"] == {name: dict(counts) for name, counts in chosen.items()}
    fits = len(plan_of["a"].backtest().fits)
    assert sum(info["chosen"]["auto_ets"].values()) == len(RAGGED) * fits
    assert (info["series"], info["season"], info["season_source"]) == (3, SEASON, "baselines.season")
    assert info["series_too_short_for_season"] == {"seasonal_naive_as_persistence": 0,
                                                   "seasonal_models_non_seasonal": 0}
    # every held-out row of a series forecast to the end of its role, in its own row numbers
    for series, values in panel.items():
        rows = frame[frame["series"] == series]
        assert (rows["row"] + rows["step"]).max() == len(values)
        assert rows["row"].min() == len(values) - 5


@pytest.mark.slow  # starting the processes takes seconds
def test_two_processes_give_the_numbers_of_one():
    panel = generated({f"s{i:02d}": 20 + i for i in range(6)}, seed=1)
    plan_of = plans(panel, "holdout")
    one, one_info = baselines.forecast_panel(classical(season=SEASON), panel, plan_of, None, n_jobs=1)
    two, two_info = baselines.forecast_panel(classical(season=SEASON), panel, plan_of, None, n_jobs=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one_info == two_info


def test_a_series_too_short_for_the_season_falls_back_alone_and_is_counted(caplog):
    # fits of 25 rows (>= 2 seasons of 12), 15 rows (one season only) and 9 rows (not one season)
    panel = generated({"long": 30, "middle": 20, "short": 14}, seed=2)
    plan_of = plans(panel, "holdout")
    frame, info = baselines.forecast_panel(classical(season=12), panel, plan_of, None, n_jobs=1)
    assert info["series_too_short_for_season"] == {"seasonal_naive_as_persistence": 1,
                                                   "seasonal_models_non_seasonal": 2}
    assert info["season"] == 12 and info["seasonal_models_season"] == 12
    assert "2 series have a fit shorter than two seasons (24 rows): AutoETS, AutoARIMA, AutoTheta are fit" \
        in caplog.text
    assert "1 series have a fit shorter than the season (12 rows): their seasonal naive is persistence (short)" \
        in caplog.text
    short = frame[frame["series"] == "short"]
    np.testing.assert_array_equal(short["seasonal_naive"], short["persistence"])  # season 1
    assert not frame["seasonal_naive"].isna().any()
    for series in panel:  # the other columns as the series alone gives them, the season dropped alone too
        alone, alone_info = baselines.forecast_held_out(classical(season=12), panel[series], plan_of[series], None)
        mine = frame[frame["series"] == series].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[alone.columns], alone, check_exact=True)
        assert alone_info["seasonal_models_season"] == (12 if series == "long" else 1)
    assert not np.array_equal(frame.loc[frame["series"] == "long", "seasonal_naive"],
                              frame.loc[frame["series"] == "long", "persistence"])


def test_an_unknown_season_leaves_seasonal_naive_out_for_every_series():
    panel = generated({"a": 20, "b": 24})
    frame, info = baselines.forecast_panel(classical(), panel, plans(panel, "holdout"), None, n_jobs=1)
    assert "seasonal_naive" not in frame and info["season_source"] == "unknown"
    assert info["series_too_short_for_season"]["seasonal_naive_as_persistence"] == 0


def test_persistence_option_over_a_panel():
    panel = {"x": np.arange(6.0), "y": np.arange(10.0, 14.0)}
    frame, info = baselines.forecast_panel(option_params("baselines", "persistence"), panel,
                                           plans(panel, "holdout", val_size=0, test_size=2), None, n_jobs=1)
    assert list(frame.columns) == ["series", "fit", "row", "step", "persistence"]
    np.testing.assert_array_equal(frame.loc[frame["step"] == 1, "persistence"], [3.0, 4.0, 11.0, 12.0])
    assert info["chosen"] == {"persistence": {"persistence": 2}}


def test_a_series_that_cannot_be_fit_is_named():
    panel = {"fine": np.arange(20.0), "tiny": np.array([1.0, 2.0, 3.0])}
    plan_of = plans(panel, "holdout", val_size=0, test_size=2)
    with pytest.raises(UserError, match="series 'tiny': a fit of the backtest trains on 1 row"):
        baselines.forecast_panel(classical(), panel, plan_of, None, n_jobs=1)
    with pytest.raises(UserError, match="no origins for series 'tiny' .* run `dvc repro`"):
        baselines.forecast_panel(classical(), panel, {"fine": plan_of["fine"]}, None, n_jobs=1)


def test_the_panel_option_fits_the_models_it_lists_and_config_checks_them():
    panel = generated({"a": 20})
    frame, info = baselines.forecast_panel(option_params("baselines", "panel", season=SEASON), panel,
                                           plans(panel, "holdout"), None, n_jobs=1)
    assert list(frame.columns[4:]) == ["persistence", "seasonal_naive", "drift", "auto_ets", "auto_theta"]
    assert "auto_arima" not in info["chosen"]
    _, info = baselines.forecast_panel(option_params("baselines", "panel", season=12, models=["drift"]), panel,
                                       plans(panel, "holdout"), None, n_jobs=1)  # 15 rows: too short, if it mattered
    assert info["series_too_short_for_season"] == {"seasonal_naive_as_persistence": 0,
                                                   "seasonal_models_non_seasonal": 0}
    with pytest.raises(UserError, match="baselines.models has 'arima'; list one or more of persistence, "):
        config.checked(compose_conf(["baselines=panel", "baselines.models=[auto_ets,arima]"]), "params.yaml")


def test_the_panel_season_is_the_frequencys_unless_the_option_sets_one():
    monthly = {"a": pd.date_range("2000-01-01", periods=30, freq="MS"),
               "b": pd.date_range("2003-05-01", periods=20, freq="MS")}
    assert baselines.panel_data_season(classical(), monthly, None) == 12
    assert baselines.panel_data_season(classical(season=4), monthly, None) is None
    numbered = {"a": pd.Index(np.arange(1, 31)), "b": pd.Index(np.arange(1, 21))}
    assert baselines.panel_data_season(classical(), numbered, "1") is None  # numbered months: set baselines.season
    mixed = monthly | {"q": pd.date_range("2000-01-01", periods=20, freq="QS")}
    with pytest.raises(UserError, match="series 'a' has a season of 12 rows and series 'q' of 4; set baselines.season"):
        baselines.panel_data_season(classical(), mixed, None)
