"""The backtest plan: which rows each fit trains on and which rows each origin forecasts."""

import pandas as pd
import pytest
from helpers import option_params

from lstm_tuning.data.backtest import Fit, Origin, Plan, plan
from lstm_tuning.errors import UserError


def test_the_holdout_is_one_fit_walked_through_the_validation_then_the_test_rows():
    holdout = plan(option_params("backtest", "holdout"), 36, 6, 12, "s")
    assert holdout.fits == [Fit(0, 18)]
    assert holdout.origins == [Origin("val", 18, 24, 0), Origin("test", 24, 36, 0)]
    assert plan(option_params("backtest", "holdout"), 36, 0, 12, "s").origins == [Origin("test", 24, 36, 0)]


def test_expanding_origins_every_step_each_refit_on_every_row_before_it():
    expanding = plan(option_params("backtest", "expanding"), 36, 12, 12, "s")
    assert [o.first for o in expanding.origins] == list(range(12, 36))
    assert [o.role for o in expanding.origins] == ["val"] * 12 + ["test"] * 12
    assert expanding.fits == [Fit(0, cut) for cut in range(12, 36)]
    assert all(o.end == o.first + 1 and expanding.fits[o.fit].cut == o.first for o in expanding.origins)


@pytest.mark.parametrize(("every", "cuts"), [(3, [24, 27, 30, 33]), (0, [24])])
def test_refit_every_k_origins_or_never(every, cuts):
    backtest = plan(option_params("backtest", "expanding", refit_every=every), 36, 0, 12, "s")
    assert [f.cut for f in backtest.fits] == cuts
    for origin in backtest.origins:  # the latest fit made at or before the origin
        assert backtest.fits[origin.fit].cut == max(cut for cut in cuts if cut <= origin.first)


def test_steps_and_horizons_stay_inside_their_period():
    backtest = plan(option_params("backtest", "expanding", step=4, horizon=6), 36, 6, 12, "s")
    assert [(o.role, o.first, o.end) for o in backtest.origins] == [
        ("val", 18, 24), ("val", 22, 24), ("test", 24, 30), ("test", 28, 34), ("test", 32, 36)]


def test_sliding_fits_train_on_the_last_window_rows_only():
    sliding = plan(option_params("backtest", "sliding", window=10), 36, 0, 12, "s")
    assert all(f.cut - f.start == 10 for f in sliding.fits)
    with pytest.raises(UserError, match=r"backtest.window=30 is longer than the 24 rows before the first origin"):
        plan(option_params("backtest", "sliding", window=30), 36, 0, 12, "s")


def test_too_many_held_out_rows_are_refused():
    with pytest.raises(UserError, match=r"no training row before data.val_size=20 .* data.test_size=20"):
        plan(option_params("backtest", "holdout"), 36, 20, 20, "s")


def test_a_plan_round_trips_through_its_table():
    backtest = plan(option_params("backtest", "sliding", window=8, refit_every=2), 36, 4, 12, "s")
    table = backtest.to_frame(pd.RangeIndex(36))
    assert Plan.from_frame(table) == backtest
    assert list(table.columns) == ["origin", "role", "first", "end", "fit", "time", "fit_start", "fit_cut"]


def test_the_final_fit_trains_on_every_row_round_trips_and_is_left_out_of_the_backtest():
    backtest = plan(option_params("backtest", "expanding", refit_every=4), 36, 4, 12, "s")
    pipeline = backtest.with_final_fit(36)
    assert pipeline.fits[-1] == Fit(0, 36, final=True) and pipeline.final_fit == len(backtest.fits)
    assert Plan.from_frame(pipeline.to_frame(pd.RangeIndex(36))) == pipeline
    assert pipeline.backtest() == backtest and backtest.final_fit is None
    assert pipeline.origins == backtest.origins and pipeline.with_final_fit(36) == pipeline
