"""Data sources (generated toys, the shipped macrodata, CSV) and per-series transforms."""

import numpy as np
import pytest

from lstm_tuning import datasets, framings, per_series_transforms
from lstm_tuning.config import DataConfig, TaskConfig
from lstm_tuning.errors import UserError

from conftest import SHAMPOO


def test_seed004_toys_are_generated_from_params():
    univariate = datasets.load(DataConfig(source="seed004_univariate", target="seq", length=9, step=10))
    np.testing.assert_array_equal(univariate["seq"], [10, 20, 30, 40, 50, 60, 70, 80, 90])
    multiple = datasets.load(DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"],
                                        length=4, step=2, offset=1))
    assert list(multiple.columns) == ["in1", "in2", "out"]
    np.testing.assert_array_equal(multiple.to_numpy(), [[2, 3, 5], [4, 5, 9], [6, 7, 13], [8, 9, 17]])


def test_seed003_sine_is_the_seeds_wave():
    sine = datasets.load(DataConfig(source="seed003_sine", target="sine", length=1000, step=0.1))
    np.testing.assert_allclose(sine["sine"], np.sin(np.arange(0, 100, 0.1)), atol=1e-12)


def test_macrodata_is_read_from_the_installed_package_with_quarterly_dates():
    frame = datasets.load(DataConfig(source="macrodata", target="realgdp", covariates=["realcons", "unemp"]))
    assert list(frame.columns) == ["realcons", "unemp", "realgdp"]
    assert len(frame) == 203 and frame.notna().all().all()
    assert str(frame.index[0].date()) == "1959-01-01" and str(frame.index[-1].date()) == "2009-07-01"
    assert frame["realgdp"].iloc[0] == pytest.approx(2710.349)


def test_csv_reads_the_target_and_names_a_missing_covariate():
    shampoo = DataConfig(path=str(SHAMPOO))
    assert datasets.load(shampoo)["Sales"].sum() == pytest.approx(11253.6)
    with pytest.raises(UserError, match=r"no column 'Price' \(data.covariates\); columns found: Month, Sales"):
        datasets.load(DataConfig(path=str(SHAMPOO), covariates=["Price"]))


def test_an_unknown_series_of_a_generated_source_is_named():
    with pytest.raises(UserError, match="no series 'in3'.*series found: in1, in2, out"):
        datasets.load(DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in3"]))


def test_each_series_is_transformed_on_its_own_and_may_skip_differencing():
    frame = datasets.load(DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"]))
    frame["in2"] = frame["in2"] ** 2  # a series whose differences are not constant
    scaled, fitted = per_series_transforms.fit_transform(frame, 1, undifferenced=["in1"], fit_rows=6)
    assert fitted["in1"].diff_interval == 0 and fitted["in2"].diff_interval == 1
    assert not np.isnan(scaled["in1"].iloc[0]) and np.isnan(scaled["in2"].iloc[0])
    # the undifferenced series is scaled as it is, on its first 6 rows: 10 -> -1, 60 -> 1
    np.testing.assert_allclose(scaled["in1"].iloc[[0, 5]], [-1, 1])
    np.testing.assert_allclose(fitted["in2"].scaling.inverse(scaled["in2"].to_numpy()[1:]), np.diff(frame["in2"]))


def test_scalers_never_see_held_out_rows():
    frame = datasets.load(DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"]))
    altered = frame.copy()
    altered.iloc[6:] *= 10
    _, fitted = per_series_transforms.fit_transform(frame, 1, [], fit_rows=6)
    _, fitted_altered = per_series_transforms.fit_transform(altered, 1, [], fit_rows=6)
    assert fitted == fitted_altered


def test_perfect_multistep_forecasts_come_back_as_the_series_itself():
    """Inverse differencing walks forward: steps within diff_interval of the origin add to observed values,
    later steps to the step's own earlier forecasts. Fed the true scaled windows, it must give the truth."""
    frame = datasets.load(DataConfig(source="seed003_sine", target="sine", length=40, step=0.3)) + 2.0
    frame["sine"] += np.arange(40) ** 1.5  # a trend, so differencing matters
    for interval in (1, 2):
        scaled, fitted = per_series_transforms.fit_transform(frame, interval, [], fit_rows=30)
        windows = framings.frame(scaled, TaskConfig("multistep_vector", n_out=3),
                                 DataConfig(target="sine", n_lags=4))
        levels = per_series_transforms.to_original_units(windows.y[None], windows.target_rows, [fitted["sine"]],
                                                         frame[["sine"]].to_numpy())
        truth = frame["sine"].to_numpy()[windows.target_rows[:, None] + np.arange(3)]
        np.testing.assert_allclose(levels[0, ..., 0], truth, rtol=1e-5)


def test_an_early_step_error_carries_into_later_differenced_steps():
    frame = datasets.load(DataConfig(source="seed004_univariate", target="seq", length=12, step=3))
    frame["seq"] = frame["seq"] ** 2
    scaled, fitted = per_series_transforms.fit_transform(frame, 1, [], fit_rows=8)
    windows = framings.frame(scaled, TaskConfig("multistep_vector", n_out=3), DataConfig(target="seq", n_lags=2))
    off = windows.y.copy()
    off[:, 0] += 0.1  # step t+1 off by 0.1 in scaled units
    observed = frame[["seq"]].to_numpy()
    exact, shifted = (per_series_transforms.to_original_units(y[None], windows.target_rows, [fitted["seq"]], observed)
                      for y in (windows.y, off))
    error = 0.1 / fitted["seq"].scaling.scaler.scale_[0]
    np.testing.assert_allclose((shifted - exact)[0, :, :, 0], error, rtol=1e-4)  # t+2, t+3 build on t+1
