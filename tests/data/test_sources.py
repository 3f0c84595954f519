"""Data sources: the generated toys, the shipped macrodata, and the CSV reader."""

import numpy as np
import pytest
from helpers import ARITHMETIC, SHAMPOO, SUMMED, data_params

from lstm_tuning.data import sources
from lstm_tuning.errors import UserError


def test_the_seed004_toys_are_generated_from_params():
    sequence = sources.load(data_params(**ARITHMETIC, length=9, step=10))
    np.testing.assert_array_equal(sequence["seq"], [10, 20, 30, 40, 50, 60, 70, 80, 90])
    summed = sources.load(data_params(**SUMMED, length=4, step=2, offset=1))
    assert list(summed.columns) == ["in1", "in2", "out"]
    np.testing.assert_array_equal(summed.to_numpy(), [[2, 3, 5], [4, 5, 9], [6, 7, 13], [8, 9, 17]])


def test_the_sine_wave_is_seed003s():
    sine = sources.load(data_params("sine_wave", target="sine", length=1000, step=0.1))
    np.testing.assert_allclose(sine["sine"], np.sin(np.arange(0, 100, 0.1)), atol=1e-12)


def test_macrodata_is_read_from_the_installed_package_with_quarterly_dates():
    frame = sources.load(data_params("macrodata", target="realgdp", covariates=["realcons", "unemp"]))
    assert list(frame.columns) == ["realcons", "unemp", "realgdp"]
    assert len(frame) == 203 and frame.notna().all().all()
    assert str(frame.index[0].date()) == "1959-01-01" and str(frame.index[-1].date()) == "2009-07-01"
    assert frame["realgdp"].iloc[0] == pytest.approx(2710.349)


def test_csv_reads_the_target_and_names_a_missing_covariate():
    assert sources.load(data_params("csv", path=str(SHAMPOO)))["Sales"].sum() == pytest.approx(11253.6)
    with pytest.raises(UserError, match=r"no column 'Price' \(data.covariates\); columns found: Month, Sales"):
        sources.load(data_params("csv", path=str(SHAMPOO), covariates=["Price"]))


def test_an_unknown_series_of_a_generated_source_is_named():
    with pytest.raises(UserError, match="no series 'in3'.*series found: in1, in2, out"):
        sources.load(data_params(**SUMMED | {"covariates": ["in1", "in3"]}))
