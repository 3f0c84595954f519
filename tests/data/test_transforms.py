"""Differencing and scaling per series, fit on the training rows only, and the way back to original units."""

import numpy as np
import pytest
from helpers import ARITHMETIC, SHAMPOO, SUMMED, data_params, option_params, task_params

from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.data.transforms import Scaling, SeriesTransform, difference


@pytest.fixture(scope="module")
def shampoo():
    return sources.load(data_params("csv", path=str(SHAMPOO)))["Sales"].to_numpy()


@pytest.mark.parametrize("interval", [1, 2, 12])
def test_differencing_inverts_exactly(shampoo, interval):
    diffs = difference(shampoo, interval)
    assert np.isnan(diffs[:interval]).all()
    np.testing.assert_array_equal(diffs[interval:] + shampoo[:-interval], shampoo[interval:])


def test_scaling_maps_the_training_part_to_unit_range_and_inverts(shampoo):
    diffs = difference(shampoo, 1)[1:]
    train, test = diffs[:-12], diffs[-12:]
    scaling = Scaling.fit(train)
    scaled = scaling.transform(train)
    assert scaled.min() == pytest.approx(-1.0) and scaled.max() == pytest.approx(1.0)
    np.testing.assert_allclose(scaling.inverse(scaling.transform(diffs)), diffs, rtol=0, atol=1e-10)
    # the test year is outside the training range: scaling it must not squeeze it into [-1, 1]
    assert np.abs(scaling.transform(test)).max() > 1.0


def test_a_series_transform_round_trips_through_json():
    fitted = SeriesTransform(2, Scaling.fit(np.array([-3.0, 0.5, 7.25])))
    restored = SeriesTransform.from_dict(fitted.to_dict())
    x = np.linspace(-10, 10, 7)
    assert restored == fitted
    np.testing.assert_array_equal(restored.scaling.transform(x), fitted.scaling.transform(x))


def test_each_series_is_transformed_on_its_own_and_may_skip_differencing():
    frame = sources.load(data_params(**SUMMED))
    frame["in2"] = frame["in2"] ** 2  # a series whose differences are not constant
    scaled, fitted = transforms.fit_transform(frame, 1, undifferenced=["in1"], fit_rows=slice(0, 6))
    assert fitted["in1"].diff_interval == 0 and fitted["in2"].diff_interval == 1
    assert not np.isnan(scaled["in1"].iloc[0]) and np.isnan(scaled["in2"].iloc[0])
    # the undifferenced series is scaled as it is, on its first 6 rows: 10 -> -1, 60 -> 1
    np.testing.assert_allclose(scaled["in1"].iloc[[0, 5]], [-1, 1])
    np.testing.assert_allclose(fitted["in2"].scaling.inverse(scaled["in2"].to_numpy()[1:]), np.diff(frame["in2"]))


def test_scalers_never_see_held_out_rows():
    params = data_params(**SUMMED, val_size=1, test_size=2)
    frame = sources.load(params)
    altered = frame.copy()
    altered.iloc[-3:] *= 10
    plan = backtest.plan(option_params("backtest", "holdout"), len(frame), 1, 2, "series")
    _, fitted = transforms.transform(frame, params, plan, "series")
    _, fitted_altered = transforms.transform(altered, params, plan, "series")
    assert fitted == fitted_altered


@pytest.mark.parametrize("options", [option_params("backtest", "expanding"),
                                     option_params("backtest", "sliding", window=4)])
def test_each_fits_scalers_see_only_its_training_rows(options):
    params = data_params(**SUMMED, val_size=1, test_size=2)
    frame = sources.load(params)
    frame["in2"] = frame["in2"] ** 2  # differences that differ
    plan = backtest.plan(options, len(frame), 1, 2, "series")
    scaled, fitted = transforms.transform(frame, params, plan, "series")
    assert len(fitted) == 3 and list(scaled["fit"].unique()) == [0, 1, 2]
    for k, fit in enumerate(plan.fits):
        altered = frame.copy()
        altered.iloc[fit.cut:] *= 10
        assert transforms.transform(altered, params, plan, "series")[1][k] == fitted[k]
        in_rows = scaled[scaled["fit"] == k]["in2"].to_numpy()[max(fit.start, 1) : fit.cut]
        np.testing.assert_allclose([in_rows.min(), in_rows.max()], [-1, 1])  # [-1, 1] over its training rows


def test_perfect_multistep_forecasts_come_back_as_the_series_itself():
    """Inverse differencing walks forward: steps within diff_interval of the origin add to observed values,
    later steps to the step's own earlier forecasts. Fed the true scaled windows, it must give the truth."""
    frame = sources.load(data_params("sine_wave", target="sine", length=40, step=0.3)) + 2.0
    frame["sine"] += np.arange(40) ** 1.5  # a trend, so differencing matters
    for interval in (1, 2):
        scaled, fitted = transforms.fit_transform(frame, interval, [], fit_rows=slice(0, 30))
        windows = framings.frame(scaled, task_params("multistep_vector", 3), data_params("csv", target="sine",
                                                                                            n_lags=4))
        levels = transforms.to_original_units(windows.y[None], windows.target_rows, [fitted["sine"]],
                                              frame[["sine"]].to_numpy())
        truth = frame["sine"].to_numpy()[windows.target_rows[:, None] + np.arange(3)]
        np.testing.assert_allclose(levels[0, ..., 0], truth, rtol=1e-5)


def test_an_early_step_error_carries_into_later_differenced_steps():
    frame = sources.load(data_params(**ARITHMETIC, length=12, step=3))
    frame["seq"] = frame["seq"] ** 2
    scaled, fitted = transforms.fit_transform(frame, 1, [], fit_rows=slice(0, 8))
    windows = framings.frame(scaled, task_params("multistep_vector", 3), data_params(**ARITHMETIC, n_lags=2))
    off = windows.y.copy()
    off[:, 0] += 0.1  # step t+1 off by 0.1 in scaled units
    observed = frame[["seq"]].to_numpy()
    exact, shifted = (transforms.to_original_units(y[None], windows.target_rows, [fitted["seq"]], observed)
                      for y in (windows.y, off))
    error = 0.1 / fitted["seq"].scaling.scaler.scale_[0]
    np.testing.assert_allclose((shifted - exact)[0, :, :, 0], error, rtol=1e-4)  # t+2, t+3 build on t+1
