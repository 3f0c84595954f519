"""The sweep table and the choice of a sweep's experiments (the DVC side runs in test_pipeline.py)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

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
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05, paired_losses=ORIGIN_LOSSES, horizon=1)
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
    table, verdicts = sweep.sweep_table(SCORES, "units=1", alpha=0.05, paired_losses=losses)
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


# ---- a panel: per-repeat MASE, and the ensembles' MASE paired per (series, origin) --------------------------------

IDS = [f"s{i:02d}" for i in range(1, 13)]
PANEL_SCORES = {  # each repeat's MASE averaged over the series
    "units=2": RNG.normal(0.95, 0.03, 5),
    "units=4": RNG.normal(0.95, 0.03, 5),
    "units=8": RNG.normal(1.20, 0.03, 5),
}


def series_frame(mase, ids=IDS, role="val") -> pd.DataFrame:
    """An experiment's evaluation/series_origins.csv rows of one role, one origin per series: the ensemble's scores
    per (series, origin)."""
    return pd.DataFrame({"series": ids, "origin": 0, "role": role, "time": "109", "mase": mase, "smape": 10.0,
                         "rmse": 5.0, "auto_ets_mase": 1.0})


BASE_MASE = RNG.gamma(4.0, 0.25, len(IDS))
SERIES_FRAMES = {
    "units=2": series_frame(BASE_MASE),
    # one series far better, every other slightly worse: the mean says better, the signed ranks say worse
    "units=4": series_frame(BASE_MASE + np.r_[-3.0, np.full(len(IDS) - 1, 0.02)]),
    "units=8": series_frame(BASE_MASE * 0.8),  # lower on every series
}


def test_a_panel_pairs_the_ensembles_mase_per_series_and_origin_and_the_wilcoxon_test_decides():
    losses = sweep.pair_losses(SERIES_FRAMES, "units=2")
    np.testing.assert_array_equal(losses["units=8"], BASE_MASE * 0.8)
    table, verdicts = sweep.sweep_table(PANEL_SCORES, "units=2", 0.05, losses, measure=sweep.SERIES)
    _, mixed, lower = table.to_dict("records")
    assert mixed["series"] == lower["series"] == mixed["pairs"] == lower["pairs"] == 12
    assert "dm_p" not in table and "origins" not in table  # no time order across series: no lag, no DM column
    # Holm over the Wilcoxon p-values, which decide; the paired t is the t test on the differences
    np.testing.assert_allclose(table["holm_p"].iloc[1:], statistics.holm([mixed["wilcoxon_p"], lower["wilcoxon_p"]]))
    difference = SERIES_FRAMES["units=4"]["mase"] - BASE_MASE
    assert mixed["t_p"] == pytest.approx(stats.ttest_rel(SERIES_FRAMES["units=4"]["mase"], BASE_MASE).pvalue)
    assert mixed["wilcoxon_p"] == pytest.approx(stats.wilcoxon(difference).pvalue)
    # the mean difference is negative (one series far better), yet 11 of 12 series are worse: the ranks decide
    assert mixed["mean_mase_difference"] < 0 and mixed["t_p"] > 0.05
    assert mixed["paired_real"] and (mixed["better_on"], mixed["worse_on"]) == (1, 11)
    assert lower["paired_real"] and lower["better_on"] == 12
    assert any(v.startswith("units=4 is worse than units=2 across 12 pairs: 12 series x origins (Wilcoxon "
                            "signed-rank p=") and v.endswith("lower MASE on 1 of 12 pairs, higher on 11)")
               for v in verdicts)
    assert any(v.startswith("units=8 is better than units=2 across 12 pairs: 12 series x origins") for v in verdicts)


def test_the_same_mase_on_every_series_or_a_single_series_is_said_in_words():
    frames = {"units=2": series_frame(BASE_MASE), "units=4": series_frame(BASE_MASE)}
    two = {name: PANEL_SCORES[name] for name in frames}
    _, verdicts = sweep.sweep_table(two, "units=2", 0.05, sweep.pair_losses(frames, "units=2"),
                                    measure=sweep.SERIES)
    assert "units=4 vs units=2 across 12 pairs: 12 series x origins: the same MASE on every pair" in verdicts
    one = {name: frame.iloc[:1] for name, frame in frames.items()}
    _, verdicts = sweep.sweep_table(two, "units=2", 0.05, sweep.pair_losses(one, "units=2"),
                                    measure=sweep.SERIES)
    assert ("units=4 vs units=2 across series x origins: untestable (1 pair(s) with a finite MASE; a paired test "
            "needs 2)" in verdicts)


def test_a_series_without_a_finite_mase_pairs_with_nothing():
    frames = {"units=2": series_frame(np.r_[np.inf, BASE_MASE[1:]]), "units=4": series_frame(BASE_MASE * 0.8)}
    two = {name: PANEL_SCORES[name] for name in frames}
    table, _ = sweep.sweep_table(two, "units=2", 0.05, sweep.pair_losses(frames, "units=2"),
                                 measure=sweep.SERIES)
    assert table["pairs"].iloc[1] == table["series"].iloc[1] == 11
    assert np.isfinite(table["mean_mase_difference"].iloc[1])


@pytest.mark.parametrize("ids, message", [
    (IDS[:-1], r"^units=2 \(experiment exp-a\) scores series 's12' from the origin at 109 but units=4 \(experiment "
               r"exp-b\) does not "),
    ([*IDS[:-1], "s99"], r"^units=2 \(experiment exp-a\) scores series 's12' from the origin at 109 but units=4"),
    (["s00", *IDS[1:]], r"^units=4 \(experiment exp-b\) scores series 's00' from the origin at 109 but units=2 "
                        r"\(experiment exp-a\)"),
])
def test_configurations_that_score_different_series_are_one_line_naming_the_first_differing_id(ids, message):
    frames = {"units=2": series_frame(BASE_MASE), "units=4": series_frame(BASE_MASE[: len(ids)], ids=ids)}
    with pytest.raises(UserError, match=message) as raised:
        sweep.pair_losses(frames, "units=2", {"units=2": "exp-a", "units=4": "exp-b"})
    assert "\n" not in str(raised.value) and "data.drop_short" in str(raised.value)


def test_series_are_paired_by_id_not_by_row():
    shuffled = SERIES_FRAMES["units=8"].iloc[::-1].reset_index(drop=True)
    losses = sweep.pair_losses({"units=2": SERIES_FRAMES["units=2"], "units=8": shuffled}, "units=2")
    np.testing.assert_array_equal(losses["units=8"], BASE_MASE * 0.8)


def test_a_panels_report_says_mase_and_across_how_many_series():
    losses = sweep.pair_losses(SERIES_FRAMES, "units=2")
    table, verdicts = sweep.sweep_table(PANEL_SCORES, "units=2", 0.05, losses, measure=sweep.SERIES)
    text = sweep.markdown("model.units", "units=2", table, verdicts, 0.05, "boxplot.png", "val", sweep.SERIES)
    assert text.startswith("# Study: `model.units` (validation MASE over repeats)")
    assert "averaged over the 12 series" in text and "(per-repeat MASEs are skewed)" in text
    assert "## Across series x origins (paired)" in text and "## Across origins" not in text
    assert "(matched by series id and origin time): 12 pairs: 12 series x origins." in text
    assert "The 2 Wilcoxon p-values are Holm-adjusted" in text
    paired = [line.split(" | ") for line in text.split("## Across series")[1].splitlines()
              if line.startswith("| units=")]
    assert [row[:4] for row in paired] == [["| units=4", "12", "12", "1 / 11"], ["| units=8", "12", "12", "12 / 0"]]
    assert all(row[-1] == "yes |" for row in paired)
    assert "- units=8 is better than units=2 across 12 pairs: 12 series x origins" in text
    assert "![validation MASE per configuration](boxplot.png)" in text and "RMSE" not in text


def test_a_panel_is_told_by_its_params_or_its_headline():
    panel = Experiment("a", "r1", params(), {"series": 6, "val_ensemble": {"mase": 1.0}})
    single = Experiment("b", "r2", params(), {"val_ensemble": {"rmse": 1.0}})
    assert sweep.is_panel(params(), {1: panel}) and not sweep.is_panel(params(), {1: single})
    assert sweep.is_panel(params() | {"data": {"id_column": "series"}}, {1: single})
    assert not sweep.is_panel(params() | {"data": {"id_column": None}}, {1: single})



def test_one_panel_comparison_says_it_needs_no_adjustment():
    frames = {name: SERIES_FRAMES[name] for name in ("units=2", "units=8")}
    scores = {name: PANEL_SCORES[name] for name in frames}
    table, verdicts = sweep.sweep_table(scores, "units=2", 0.05, sweep.pair_losses(frames, "units=2"),
                                        measure=sweep.SERIES)
    text = sweep.markdown("model.units", "units=2", table, verdicts, 0.05, "boxplot.png", "test", sweep.SERIES)
    assert "One comparison: its Wilcoxon p-value needs no adjustment." in text and "Holm-adjusted, so" not in text
    assert "(chosen with `--test`" in text and text.startswith("# Study: `model.units` (test MASE over repeats)")
