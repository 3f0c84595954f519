"""The review Markdown between two real commits of a temporary copy of the project."""

import json
import sys

import pytest
from helpers import dvc, run, set_params

pytestmark = pytest.mark.slow  # real DVC in a copy of the repository


def cells(markdown: str, first: str) -> list[list[str]]:
    """Rows of the Markdown tables whose second cell is `first`, as stripped cells."""
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines() if line.startswith("|")]
    return [row for row in rows if len(row) > 1 and row[1] == first]


def commit(repo, message):
    run(["git", "add", "-A"], cwd=repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], cwd=repo)


def test_review_shows_the_changes_between_two_commits_and_none_against_itself(reproduced):
    commit(reproduced, "base run")
    run(["git", "branch", "base"], cwd=reproduced)
    base_mean = json.loads((reproduced / "evaluation/metrics.json").read_text())["test_rmse"]["mean"]
    set_params(reproduced, **{"model.units": 2})
    dvc("repro", cwd=reproduced)
    commit(reproduced, "two units")

    review = run(["lstm-tuning", "review", "base"], cwd=reproduced).stdout

    assert cells(review, "model.units") == [["params.yaml", "model.units", "1", "2"]]
    [mean_row] = cells(review, "test_rmse.mean")
    assert mean_row[0] == "evaluation/metrics.json" and mean_row[2] != mean_row[3]
    assert float(mean_row[2]) == round(base_mean, 5)  # DVC shows 5 decimals
    assert not cells(review, "baselines.arima_rmse")  # the baselines read no changed param
    for title, image in (("Test RMSE per repeat", "review/test-rmse-per-repeat.png"),
                         ("Training loss", "review/training-loss.png")):
        assert f"### {title}\n\n![{title}]({image})" in review
        assert (reproduced / image).stat().st_size > 0
    boxplot = "![report/rmse_boxplot.png](review/{}_report_rmse_boxplot.png)"
    assert f"{boxplot.format('base')} {boxplot.format('workspace')}" in review  # an image plot: base, then this
    assert "This revision only" not in review

    same = run([sys.executable, "-m", "lstm_tuning", "review", "HEAD"], cwd=reproduced).stdout
    for nothing in ("No metric changed.", "No param changed.", "No plot changed."):
        assert nothing in same
