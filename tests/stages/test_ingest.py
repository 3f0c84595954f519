"""The ingest stage on panels: data/series.csv long (one block per series, sorted by id then time), what the
log says of the panel, and one warning for the series with gaps. Run in-process, without DVC."""

import logging

import pandas as pd
import pytest
import yaml
from helpers import compose_conf, copy_repo, dvc

from lstm_tuning import paths
from stages import ingest


def run_ingest(tmp_path, monkeypatch, overrides):
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(compose_conf(overrides)))
    monkeypatch.chdir(tmp_path)
    ingest.main([])
    return pd.read_csv(tmp_path / paths.SERIES, dtype={"series": str})


def test_a_generated_panel_is_written_long_and_its_shape_logged(tmp_path, monkeypatch, caplog):
    with caplog.at_level(logging.INFO):
        written = run_ingest(tmp_path, monkeypatch, ["data=generated_panel", "data.n_series=4", "data.length=20"])
    assert list(written.columns) == ["series", "month", "value"]
    assert list(dict.fromkeys(written["series"])) == ["s1", "s2", "s3", "s4"]
    assert written.sort_values(["series", "month"]).index.equals(written.index)
    lengths = written.groupby("series").size()
    assert (f"read data.source=generated_panel: 4 series, {len(written)} rows of value; shortest "
            f"{lengths.idxmin()} ({lengths.min()} rows), longest {lengths.idxmax()} ({lengths.max()} rows); month "
            f"{written['month'].min()} to 20, step 1; wrote data/series.csv") in caplog.text
    assert "WARNING" not in caplog.text


def test_series_with_gaps_are_named_in_one_warning(tmp_path, monkeypatch, caplog):
    months = [f"2020-{m:02d}" for m in range(1, 13)]
    gaps = {"b": months[:4] + months[5:], "a": months, "c": months[:9] + months[10:]}
    rows = [f"{id_},{month},{i}" for id_, times in gaps.items() for i, month in enumerate(times)]
    (tmp_path / "panel.csv").write_text("\n".join(["store,Month,sales", *rows]) + "\n")
    with caplog.at_level(logging.WARNING):
        written = run_ingest(tmp_path, monkeypatch, ["data.path=panel.csv", "data.id_column=store",
                                                     "data.target=sales", "data.test_size=2"])
    assert list(written.columns) == ["store", "date", "sales"] and len(written) == 34
    assert list(written["store"][:13]) == ["a"] * 12 + ["b"]
    assert caplog.text.count("WARNING") == 1
    assert ("panel.csv: series 'b': the dates skip from 2020-04-01 to 2020-06-01 (frequency MS, inferred from the "
            "first dates); add the missing rows, or set data.frequency to the series' frequency (1 other series "
            "too: c)") in caplog.text


@pytest.mark.slow  # real DVC in a copy of the repository
def test_dvc_runs_ingest_on_the_m3_panel_and_reruns_it_when_its_conf_changes(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    params = yaml.safe_load((repo / "params.yaml").read_text())
    params["data"] = compose_conf(["data=m3_monthly"])["data"] | {"first_series": 3}
    (repo / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    dvc("repro", "ingest", cwd=repo)
    written = pd.read_csv(repo / "data/series.csv", dtype={"series": str})
    assert list(written.columns) == ["series", "month", "value"]
    assert list(dict.fromkeys(written["series"])) == ["N1402", "N1403", "N1404"] and len(written) == 3 * (50 + 18)
    assert "ingest" not in dvc("status", "ingest", cwd=repo).stdout
    conf = repo / "conf/data/m3_monthly.yaml"  # ingest depends on the option's conf file (data.path)
    conf.write_text(conf.read_text() + "# edited\n")
    assert "changed deps" in dvc("status", "ingest", cwd=repo).stdout
