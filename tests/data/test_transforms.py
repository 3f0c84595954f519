"""Power transforms, differencing and scaling per series, fit on the training rows only, and the exact way back
to original units."""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import ARITHMETIC, SHAMPOO, SUMMED, data_params, dvc, load_config, option_params, set_params, task_params

from lstm_tuning import config
from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.data.transforms import Scaling, SeriesTransform, difference
from lstm_tuning.errors import UserError


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


@pytest.mark.parametrize("train", [[-3.0, 0.5, 7.25], [4.0, 4.0], [1e-300, 2e-300, -7e-301], [0.1, 0.7, 0.3]])
def test_scaling_is_scikit_learns_min_max_scaler_bit_for_bit(shampoo, train):
    from sklearn.preprocessing import MinMaxScaler

    train = np.array(train)
    values = np.concatenate([train, np.linspace(-1e3, 1e3, 41), difference(shampoo, 1)[1:]]).reshape(-1, 1)
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(train.reshape(-1, 1))
    scaling = Scaling.fit(train)
    scaled = scaler.transform(values)
    assert scaling.transform(values).tobytes() == scaled.tobytes()
    assert scaling.inverse(scaled).tobytes() == scaler.inverse_transform(scaled).tobytes()


def test_a_series_transform_round_trips_through_json():
    fitted = SeriesTransform((2,), Scaling.fit(np.array([-3.0, 0.5, 7.25])))
    restored = SeriesTransform.from_dict(fitted.to_dict())
    x = np.linspace(-10, 10, 7)
    assert restored == fitted
    np.testing.assert_array_equal(restored.scaling.transform(x), fitted.scaling.transform(x))


def test_each_series_is_transformed_on_its_own_and_may_skip_differencing():
    frame = sources.load(data_params(**SUMMED))
    frame["in2"] = frame["in2"] ** 2  # a series whose differences are not constant
    scaled, fitted = transforms.fit_transform(frame, (1,), undifferenced=["in1"], fit_rows=slice(0, 6))
    assert fitted["in1"].diff_lags == () and fitted["in2"].diff_lags == (1,)
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
        scaled, fitted = transforms.fit_transform(frame, (interval,), [], fit_rows=slice(0, 30))
        windows = framings.frame(scaled, task_params("multistep_vector", 3), data_params("csv", target="sine",
                                                                                            n_lags=4))
        levels = transforms.to_original_units(windows.y[None], windows.target_rows, [fitted["sine"]],
                                              frame[["sine"]].to_numpy())
        truth = frame["sine"].to_numpy()[windows.target_rows[:, None] + np.arange(3)]
        np.testing.assert_allclose(levels[0, ..., 0], truth, rtol=1e-5)


def test_an_early_step_error_carries_into_later_differenced_steps():
    frame = sources.load(data_params(**ARITHMETIC, length=12, step=3))
    frame["seq"] = frame["seq"] ** 2
    scaled, fitted = transforms.fit_transform(frame, (1,), [], fit_rows=slice(0, 8))
    windows = framings.frame(scaled, task_params("multistep_vector", 3), data_params(**ARITHMETIC, n_lags=2))
    off = windows.y.copy()
    off[:, 0] += 0.1  # step t+1 off by 0.1 in scaled units
    observed = frame[["seq"]].to_numpy()
    exact, shifted = (transforms.to_original_units(y[None], windows.target_rows, [fitted["seq"]], observed)
                      for y in (windows.y, off))
    error = 0.1 / fitted["seq"].scaling.scale
    np.testing.assert_allclose((shifted - exact)[0, :, :, 0], error, rtol=1e-4)  # t+2, t+3 build on t+1


def airline_like(months: int = 72, seed: int = 0) -> pd.DataFrame:
    """A monthly series whose seasonal swing grows with its level (multiplicative), as the airline data's."""
    t = np.arange(months)
    noise = np.random.default_rng(seed).normal(0, 0.02, months)
    values = 120 * 1.01**t * (1 + 0.25 * np.sin(2 * np.pi * t / 12)) * np.exp(noise)
    return pd.DataFrame({"passengers": values}, index=pd.date_range("1949-01-01", periods=months, freq="MS"))


def true_windows(scaled: np.ndarray, start: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """Every window's targets [n, n_out, 1] cut from the float64 transformed series (windows.npz's are float32)
    and each window's first row: perfect forecasts."""
    first_rows = np.arange(start, len(scaled) - n_out + 1)
    return scaled[first_rows[:, None] + np.arange(n_out)][..., None], first_rows


@pytest.mark.parametrize("lags", [(1,), (12,), (1, 12), (12, 1), ()])
@pytest.mark.parametrize("power", [None, "log", "boxcox"])
def test_every_combination_round_trips_exactly(power, lags):
    """Transformed then inverted, through scaling.json's form, the series comes back to float precision: the
    steps within a lag of a window's first row start from observed values, the later ones (14 steps: past
    both lags) from the window's own earlier forecasts, as the forecaster's recursive forecast past the end."""
    frame = airline_like()
    scaled, fitted = transforms.fit_transform(frame, lags, [], fit_rows=slice(0, 60), transform=power)
    restored = transforms.read_fits(json.loads(json.dumps(transforms.write_fits([fitted]))))[0]["passengers"]
    assert restored == fitted["passengers"]
    assert (restored.power.boxcox_lambda is not None) == (power == "boxcox")
    y, first_rows = true_windows(scaled["passengers"].to_numpy(), sum(lags), 14)
    assert np.isfinite(y).all()  # every window starts after the rows differencing leaves empty
    levels = transforms.to_original_units(y[None], first_rows, [restored], frame[["passengers"]].to_numpy())
    truth = frame["passengers"].to_numpy()[first_rows[:, None] + np.arange(14)]
    np.testing.assert_allclose(levels[0, ..., 0], truth, rtol=1e-11, atol=0)


def test_the_lags_are_differenced_in_turn():
    values = airline_like()["passengers"].to_numpy()
    log = transforms.PowerTransform("log")
    first, seasonal = transforms.steps(values, log, (1, 12))[1:]
    np.testing.assert_allclose(first[1:], np.diff(np.log(values)), rtol=1e-12)
    np.testing.assert_allclose(seasonal[13:], first[13:] - first[1:-12], rtol=1e-12)
    assert np.isnan(seasonal[:13]).all() and np.isfinite(seasonal[13:]).all()


@pytest.mark.parametrize("power", ["log", "boxcox"])
@pytest.mark.parametrize("option, changes", [("holdout", {}), ("expanding", {"refit_every": 6}),
                                             ("sliding", {"window": 36, "refit_every": 9})])
def test_nothing_fitted_sees_the_held_out_rows(power, option, changes):
    """Changing the rows after a fit's training rows changes nothing it fitted (lambda, scaler) nor its
    transformed training rows; fit on those rows too, lambda and the scaler would change."""
    params = data_params("csv", target="passengers", transform=power, diff_interval=[1, 12], val_size=6,
                         test_size=12)
    frame = airline_like(90)
    options = option_params("backtest", option, **changes)
    plan = backtest.plan(options, len(frame), 6, 12, "series")
    scaled, fitted = transforms.transform(frame, params, plan, "series")
    assert len(fitted) == {"holdout": 1, "expanding": 3, "sliding": 2}[options.name]
    for k, fit in enumerate(plan.fits):
        altered = frame.copy()
        altered.iloc[fit.cut :] *= np.linspace(0.5, 3, len(frame) - fit.cut)[:, None]
        scaled_altered, fitted_altered = transforms.transform(altered, params, plan, "series")
        assert fitted_altered[k] == fitted[k]
        rows = scaled[scaled["fit"] == k]["passengers"].to_numpy()
        rows_altered = scaled_altered[scaled_altered["fit"] == k]["passengers"].to_numpy()
        np.testing.assert_array_equal(rows_altered[: fit.cut], rows[: fit.cut])
        assert not np.allclose(rows_altered[fit.cut :], rows[fit.cut :])
        seen = transforms.fit_transform(altered, (1, 12), [], slice(fit.start, len(frame)), power)[1]["passengers"]
        assert seen.scaling != fitted[k]["passengers"].scaling
        assert (seen.power.boxcox_lambda != fitted[k]["passengers"].power.boxcox_lambda) == (power == "boxcox")


def test_an_undifferenced_series_is_neither_transformed_nor_differenced():
    frame = airline_like()
    frame.insert(0, "rate", np.sin(np.arange(len(frame))))  # negative values: log would refuse them
    scaled, fitted = transforms.fit_transform(frame, (1, 12), ["rate"], slice(0, 60), "log")
    assert fitted["rate"] == SeriesTransform((), Scaling.fit(frame["rate"].to_numpy()[:60]))
    assert fitted["passengers"].power.name == "log" and fitted["passengers"].diff_lags == (1, 12)
    assert fitted["rate"].describe() == "not differenced"
    assert fitted["passengers"].describe() == "log, differenced at lags 1, 12"


@pytest.mark.parametrize("power", ["log", "boxcox"])
def test_a_value_a_power_transform_cannot_take_is_named_with_the_fix(power):
    frame = airline_like()
    frame.iloc[40, 0] = 0.0
    with pytest.raises(UserError, match=rf"^data/series.csv: column 'passengers' row 42 \(1952-05-01\) is 0: "
                                        rf"data.transform={power} needs positive values; set data.transform=null, or "
                                        r"list 'passengers' in data.undifferenced"):
        transforms.fit_transform(frame, (1,), [], slice(0, 30), power, "data/series.csv")


def test_box_cox_needs_training_values_that_vary():
    frame = airline_like()
    frame.iloc[:30, 0] = 100.0
    with pytest.raises(UserError, match=r"column 'passengers', training rows 1949-01-01..1951-06-01: "
                                        r"data.transform=boxcox cannot estimate the Box-Cox lambda \(Data must not be "
                                        r"constant.\); use data.transform=log or null"):
        transforms.fit_transform(frame, (1,), [], slice(0, 30), "boxcox")


def test_box_cox_forecasts_past_its_range_come_back_as_its_limit():
    """Box-Cox maps the positive values onto one side of -1/lambda; a forecast beyond is the limit, not NaN."""
    np.testing.assert_array_equal(transforms.PowerTransform("boxcox", 0.5).inverse(np.array([-2.0, -5.0])), [0, 0])
    assert transforms.PowerTransform("boxcox", -0.5).inverse(np.array([2.0, 5.0])).tolist() == [np.inf, np.inf]


def test_too_few_training_rows_after_the_combined_differencing_are_named():
    params = data_params("csv", path=str(SHAMPOO), diff_interval=[1, 12], n_lags=12)
    series = sources.load(params)
    # 24 training rows, 13 lost to differencing
    plan = backtest.plan(option_params("backtest", "holdout"), len(series), 0, 12, "series")
    with pytest.raises(UserError, match=r"^series: 36 rows leave 11 training values to fit the scalers on after "
                                        r"differencing at data.diff_interval=\[1, 12\], fewer than the 12 a training "
                                        r"window of data.n_lags=12 needs"):
        transforms.transform(series, params, plan, "series")


def test_diff_interval_is_a_lag_or_a_list_of_lags(tmp_path):
    cfg = load_config(tmp_path)
    params = tmp_path / "params.yaml"
    assert cfg.data.diff_lags == (1,)
    assert config.load(["data.diff_interval=[1,12]"], params_file=params).data.diff_lags == (1, 12)
    assert config.load(["data.diff_interval=[]"], params_file=params).data.diff_lags == ()
    for value in ("[1,0]", "0", "'[1,x]'", "true"):
        with pytest.raises(UserError, match=r"data.diff_interval=.* must be a lag >= 1 or a list of them, "
                                            r"differenced in turn \(e.g. \[1, 12\]"):
            config.load([f"data.diff_interval={value}"], params_file=params)


@pytest.mark.slow  # real DVC: every stage in a copy of the repository
def test_a_log_and_seasonally_differenced_run_forecasts_in_original_units(repo_copy):
    """data.transform=log with data.diff_interval=[1, 12] on 8 years of a multiplicative seasonal monthly series,
    through the real stages (20 epochs): evaluate's walk-forward forecasts of the test year and the forecast
    past the end come back in the series' units, near its level and with its seasonal shape."""
    frame = airline_like(96)
    frame.rename_axis("Month").round(2).to_csv(repo_copy / "data/airline-like.csv", date_format="%Y-%m")
    set_params(repo_copy, **{"data.path": "data/airline-like.csv", "data.target": "passengers",
                             "data.transform": "log", "data.diff_interval": [1, 12], "data.n_lags": 12})
    dvc("repro", cwd=repo_copy)

    scaling = json.loads((repo_copy / "data/scaling.json").read_text())[0]["passengers"]
    assert scaling["transform"] == "log" and scaling["diff_interval"] == [1, 12]
    tested = pd.read_csv(repo_copy / "evaluation/forecasts.csv")
    assert len(tested) == 12
    assert (tested["forecast_mean"] / tested["actual"]).between(0.8, 1.25).all()
    ahead = pd.read_csv(repo_copy / "forecast/forecast.csv")
    last_year = frame["passengers"].to_numpy()[-12:]
    assert len(ahead) == 12 and (ahead["forecast"] / last_year).between(0.8, 1.4).all()
    assert np.corrcoef(ahead["forecast"], last_year)[0, 1] > 0.9  # the season's shape, rebuilt from lag 12
