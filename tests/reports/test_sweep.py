"""The sweep table and the choice of a sweep's experiments (the DVC side runs in test_pipeline.py)."""

import numpy as np
import pytest

from lstm_tuning.errors import UserError
from lstm_tuning.evaluation.scores import describe
from lstm_tuning.reports import statistics, sweep
from lstm_tuning.reports.experiments import Experiment
from lstm_tuning.reports.statistics import bootstrap_mean_ci

RNG = np.random.default_rng(3)
SCORES = {
    "units=1": RNG.normal(98.0, 7.0, 30),
    "units=2": RNG.normal(98.0, 7.0, 30),  # the same distribution: no real difference
    "units=5": RNG.normal(125.0, 7.0, 30),  # far worse
}

COMMIT = {"model": {"units": 1}, "train": {"epochs": 1000, "batch_size": 4}}


def params(units=1, epochs=1000, batch_size=4):
    return {"model": {"units": units}, "train": {"epochs": epochs, "batch_size": batch_size}}


def test_table_rows_are_the_summary_interval_and_test_of_each_configuration():
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05)
    assert list(table["configuration"]) == ["units=1", "units=2", "units=5"]
    for row, rmses in zip(table.to_dict("records"), SCORES.values()):
        for name, value in describe(rmses).items():
            assert row[name] == pytest.approx(value)
        interval = bootstrap_mean_ci(rmses)
        assert (row["ci_low"], row["ci_high"]) == (interval.low, interval.high)
    baseline, same, worse = table.to_dict("records")
    assert np.isnan(baseline["mann_whitney_p"])
    assert not same["real"] and worse["real"] and worse["mann_whitney_p"] < 1e-6
    assert verdicts[0].startswith("units=2 vs units=1: no real difference at the 0.05 level")
    assert verdicts[1].startswith("units=5 is worse than units=1 (p=")


def test_markdown_has_one_row_per_configuration_and_the_verdicts():
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05)
    text = sweep.markdown("model.units", "units=1", table, verdicts, 0.05, "boxplot.png")
    rows = [line for line in text.splitlines() if line.startswith("| units=")]
    assert [r.split(" | ")[0] for r in rows] == ["| units=1", "| units=2", "| units=5"]
    assert rows[0].endswith("| — | — | baseline |") and rows[2].endswith("| yes |")
    assert f"| 30 | {SCORES['units=5'].mean():.2f} |" in rows[2]
    assert "- units=5 is worse than units=1" in text and "![test RMSE per configuration](boxplot.png)" in text


def test_a_sweep_keeps_the_experiments_that_vary_only_its_param_one_per_value():
    found = [
        Experiment("a", "r1", params(units=2), {}),
        Experiment("b", "r2", params(units=1), {}),
        Experiment("c", "r3", params(units=3, epochs=10), {}),  # two params changed: another sweep
        Experiment("d", "r4", params(batch_size=2), {}),  # the batch size sweep
        Experiment("e", "r5", params(units=2), {}),  # the same configuration again
        Experiment("f", "r6", params(units=1, epochs=10), {}),  # with c: a units sweep at 10 epochs
    ]
    members = sweep.sweep_members(COMMIT, found, "model.units")
    assert {value: e.name for value, e in members.items()} == {1: "b", 2: "a"}
    assert list(sweep.sweep_members(COMMIT, found, "train.batch_size")) == [2, 4]  # b has the default 4
    # --match train.epochs=10: the sweep around experiment f's params, not the commit's
    reference = sweep.reference_params(COMMIT, found, "model.units", 1, [("train.epochs", 10)])
    assert {value: e.name for value, e in sweep.sweep_members(reference, found, "model.units").items()} == {
        1: "f", 3: "c"}
    # two sweeps at 10 epochs (units, and batch size at the baseline's units=1): the baseline is the one
    # that differs from the commit in nothing else
    sweeps = [*found, Experiment("g", "r7", params(units=1, epochs=10, batch_size=2), {})]
    for order in (sweeps, sweeps[::-1]):
        reference = sweep.reference_params(COMMIT, order, "model.units", 1, [("train.epochs", 10)])
        assert reference == params(units=1, epochs=10)
    with pytest.raises(UserError, match=r"no finished experiment with model.units=1 train.epochs=99"):
        sweep.reference_params(COMMIT, found, "model.units", 1, [("train.epochs", 99)])


def test_baseline_setting_is_read_like_an_override():
    assert sweep.parse_setting("model.units=1") == ("model.units", 1)
    assert sweep.parse_setting("train.epochs=1000") == ("train.epochs", 1000)
    with pytest.raises(UserError, match="model.units=1"):
        sweep.parse_setting("units")


ORIGIN_LOSSES = {
    "units=1": RNG.gamma(2.0, 50.0, 12),
}
ORIGIN_LOSSES["units=2"] = ORIGIN_LOSSES["units=1"] * RNG.uniform(0.9, 1.1, 12)  # the same, origin by origin
ORIGIN_LOSSES["units=5"] = ORIGIN_LOSSES["units=1"] + RNG.uniform(40.0, 60.0, 12)  # worse at every origin


def test_paired_tests_across_origins_are_holm_adjusted_and_decide_their_own_verdict():
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05, origin_losses=ORIGIN_LOSSES, horizon=1)
    _, same, worse = table.to_dict("records")
    assert same["origins"] == worse["origins"] == 12
    np.testing.assert_allclose(table["holm_p"].iloc[1:], statistics.holm([same["dm_p"], worse["dm_p"]]))
    assert worse["holm_p"] >= worse["dm_p"] and worse["paired_real"] and not same["paired_real"]
    assert worse["mean_mse_difference"] == pytest.approx((ORIGIN_LOSSES["units=5"] - ORIGIN_LOSSES["units=1"]).mean())
    assert any(v.startswith("units=5 is worse than units=1 across the 12 origins (Diebold-Mariano") for v in verdicts)
    text = sweep.markdown("model.units", "units=1", table, verdicts, 0.05, "boxplot.png", role="val")
    assert "**validation origins**; the test origins were not looked at" in text
    assert "The 2 Diebold–Mariano p-values are Holm-adjusted" in text
    assert "| units=5 | 12 |" in text


def test_one_origin_cannot_be_tested_across_origins():
    losses = {name: values[:1] for name, values in ORIGIN_LOSSES.items()}
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05, origin_losses=losses)
    assert table["holm_p"].isna().all()
    assert "units=5 vs units=1 across origins: untestable (1 origin(s); a rolling backtest gives more)" in verdicts


def test_the_diebold_mariano_lag_counts_the_origins_whose_forecasts_overlap():
    assert sweep.dm_horizon({"backtest": {"name": "holdout"}, "task": {"name": "univariate"}}) == 1
    assert sweep.dm_horizon({"backtest": {"step": 1, "horizon": 1}, "task": {"n_out": 1}}) == 1
    assert sweep.dm_horizon({"backtest": {"step": 1, "horizon": 1}, "task": {"n_out": 3}}) == 3
    assert sweep.dm_horizon({"backtest": {"step": 3, "horizon": 3}, "task": {"n_out": 1}}) == 1


def test_a_missing_baseline_whose_experiments_differ_in_other_params_suggests_match():
    commit = params()
    sine = params(units=16) | {"data": {"name": "sine_wave"}}
    found = [Experiment("exp-sine", "abc1234", sine, {})]
    hint = sweep._match_hint(commit | {"data": {"name": "shampoo"}}, found, "model.units", 16, [])
    assert hint == ("; experiment exp-sine has model.units=16 but differs from params.yaml in data.name=sine_wave: "
                    "pick its sweep with --match, e.g. --baseline model.units=16 --match data.name=sine_wave")
    assert sweep._match_hint(commit, found, "model.units", 2, []) == ""  # none has the value: nothing to match
