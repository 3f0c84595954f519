"""`lstm-tuning study` on a panel: the configurations' ensembles paired per (series, origin), matched by series id
and origin time (frames built here), and end to end with real DVC: two configurations of a tiny generated panel
with two origins per role, their repeats compared on mean MASE over series and their ensembles paired across the
panel's series x origins."""

import sys

import numpy as np
import pandas as pd
import pytest
from helpers import dvc, experiments, run

from lstm_tuning.errors import UserError
from lstm_tuning.reports import sweep

RNG = np.random.default_rng(7)
IDS = ["007", "7", "N1402", "s1", "s2", "s3"]
TIMES = ["97", "103", "109"]  # each series' origins: 3 of one role


def origins_frame(mase: np.ndarray, ids=IDS, times=TIMES) -> pd.DataFrame:
    """An experiment's evaluation/series_origins.csv rows of one role (as the study reads them: ids and times as
    text), series by series: mase[s * len(times) + o] is series s's from origin o."""
    return pd.DataFrame({"series": np.repeat(ids, len(times)), "origin": np.tile(np.arange(len(times)), len(ids)),
                         "role": "val", "time": np.tile(times, len(ids)), "mase": mase, "smape": 10.0, "rmse": 5.0})


BASE = RNG.gamma(4.0, 0.25, len(IDS) * len(TIMES))
LOWER = BASE * RNG.uniform(0.8, 0.95, len(BASE))  # lower from every origin of every series


def test_several_origins_per_series_give_more_pairs_than_series():
    losses = sweep.pair_losses({"units=2": origins_frame(BASE), "units=4": origins_frame(LOWER)}, "units=2")
    table, verdicts = sweep.sweep_table({"units=2": RNG.normal(1.0, 0.03, 5), "units=4": RNG.normal(0.9, 0.03, 5)},
                                        "units=2", 0.05, losses, measure=sweep.SERIES)
    paired = table.iloc[1]
    # per series (each series' MASE averaged over its origins) there would be 6 pairs; per (series, origin), 18
    assert (paired["pairs"], paired["series"]) == (18, 6)
    assert paired["mean_mase_difference"] == pytest.approx((LOWER - BASE).mean())
    assert (paired["better_on"], paired["worse_on"]) == (18, 0) and paired["paired_real"]
    assert any(v.startswith("units=4 is better than units=2 across 18 pairs: 6 series x origins (Wilcoxon") and
               v.endswith("lower MASE on 18 of 18 pairs, higher on 0)") for v in verdicts)
    text = sweep.markdown("model.units", "units=2", table, verdicts, 0.05, "boxplot.png", "val", sweep.SERIES)
    assert "averaged over the 6 series" in text and "(matched by series id and origin time): 18 pairs: 6 series" in text
    rows = [line.split(" | ") for line in text.split("## Across series x origins (paired)")[1].splitlines()
            if line.startswith("| units=")]
    assert [row[:4] for row in rows] == [["| units=4", "18", "6", "18 / 0"]]


def test_pairs_match_by_series_id_and_origin_time_whatever_the_row_order():
    # the other run lists its series in another order, and each series' origins last to first
    other = origins_frame(LOWER)
    other = other.assign(key=other["series"].map({key: i for i, key in enumerate(IDS[::-1])}))
    shuffled = other.sort_values(["key", "origin"], ascending=[True, False]).drop(columns="key")
    assert list(shuffled["series"].iloc[:3]) == ["s3"] * 3 and list(shuffled["time"].iloc[:3]) == TIMES[::-1]
    losses = sweep.pair_losses({"units=2": origins_frame(BASE), "units=4": shuffled}, "units=2")
    np.testing.assert_array_equal(losses["units=4"].to_numpy(), LOWER)
    assert list(losses["units=4"].index) == list(losses["units=2"].index)
    assert losses["units=4"].index[:4].tolist() == [("007", "97"), ("007", "103"), ("007", "109"), ("7", "97")]


def test_configurations_scored_from_other_origins_are_one_line_naming_the_first_unpaired():
    later = origins_frame(LOWER, times=["97", "103", "115"])  # another backtest: its last origin a step later
    with pytest.raises(UserError, match=r"^units=2 \(experiment exp-a\) scores series '007' from the origin at 109 "
                                        r"but units=4 \(experiment exp-b\) does not") as raised:
        sweep.pair_losses({"units=2": origins_frame(BASE), "units=4": later}, "units=2",
                          {"units=2": "exp-a", "units=4": "exp-b"})
    assert "\n" not in str(raised.value) and "same series and origins" in str(raised.value)


# a tiny panel: 6 series, 2 repeats of 2 epochs; an expanding backtest of 2 origins of 6 months per role (12
# validation months before each series' test year), one fit walked forward
PANEL = ["-S", "data=generated_panel", "-S", "data.n_series=6", "-S", "baselines=panel", "-S", "baselines.season=12",
         "-S", "model=vanilla", "-S", "train.epochs=2", "-S", "train.repeats=2", "-S", "train.checkpoint_every=1",
         "-S", "backtest=expanding", "-S", "backtest.step=6", "-S", "backtest.horizon=6",
         "-S", "backtest.refit_every=0"]


@pytest.mark.slow  # real DVC experiments in a copy of the repository
def test_a_panel_study_pairs_the_configurations_across_its_series_and_origins(repo_copy):
    for units in (2, 4):
        dvc("exp", "run", *PANEL, "-S", f"model.units={units}", cwd=repo_copy)
    runs = {e["params"]["model"]["units"]: e["metrics"] for e in experiments(repo_copy)}
    assert sorted(runs) == [2, 4] and all(m["series"] == 6 for m in runs.values())

    study = [sys.executable, "-m", "lstm_tuning", "study", "--baseline", "model.units=2",
             "--match", "data.name=generated_panel", "--out", "studies/panel"]
    run(study, cwd=repo_copy)
    report = (repo_copy / "studies/panel/report.md").read_text()
    assert report.startswith("# Study: `model.units` (validation MASE over repeats)")
    assert "averaged over the 6 series" in report and "RMSE" not in report
    rows = [line.split(" | ") for line in report.split("## Across series")[0].splitlines()
            if line.startswith("| units=")]
    for units, row in zip((2, 4), rows):
        assert row[0] == f"| units={units}"
        assert row[1:3] == ["2", f"{runs[units]['val_mean']['mase']:.2f}"]  # 2 repeats; their mean over series
    # 2 validation origins of each of the 6 series: 12 pairs, where pairing per series would give 6
    paired = [line.split(" | ") for line in report.split("## Across series x origins (paired)")[1].splitlines()
              if line.startswith("| units=")]
    assert [row[:3] for row in paired] == [["| units=4", "12", "6"]]
    assert "12 pairs: 6 series x origins" in report
    assert "One comparison: its Wilcoxon p-value needs no adjustment." in report

    assert (repo_copy / "studies/panel/boxplot.png").stat().st_size > 0
    assert (repo_copy / "studies/panel/train_test.png").stat().st_size > 0

    # --test: the same comparison on the test origins, said so
    run([*study[:-2], "--test", "--out", "studies/panel_test"], cwd=repo_copy)
    tested = (repo_copy / "studies/panel_test/report.md").read_text()
    assert "(test MASE over repeats)" in tested and "across 12 pairs: 6 series x origins" in tested
