"""The review Markdown between two real commits of a temporary copy of the project."""

import json
import sys

import matplotlib.pyplot as plt
import pytest
from helpers import dvc, run, set_params

from lstm_tuning.reports import review


def cells(markdown: str, first: str) -> list[list[str]]:
    """Rows of the Markdown tables whose second cell is `first`, as stripped cells."""
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown.splitlines() if line.startswith("|")]
    return [row for row in rows if len(row) > 1 and row[1] == first]


def commit(repo, message):
    run(["git", "add", "-A"], cwd=repo)
    run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message], cwd=repo)


def test_a_bar_plot_keeps_dvcs_axes_the_value_across_the_category_up():
    """As DVC's bar_horizontal template draws `Test RMSE per repeat`: test RMSE on x, the repeat on y."""
    points = [{"rev": rev, "repeat": r, "test_rmse": 90.0 + r + shift} for rev, shift in (("main", 0), ("workspace", 1))
              for r in range(3)]
    renderer = {"anchor_definitions": {"<DVC_METRIC_DATA>": points, "<DVC_METRIC_X_LABEL>": "test RMSE",
                                       "<DVC_METRIC_Y_LABEL>": "repeat"},
                "content": {"encoding": {"x": {"field": "test_rmse", "type": "quantitative"},
                                         "y": {"field": "repeat", "type": "nominal"}}}}
    fig = review.data_plot("Test RMSE per repeat", renderer)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("test RMSE", "repeat")
    workspace = next(line for line in ax.get_lines() if line.get_label() == "workspace")
    assert list(workspace.get_xdata()) == [91.0, 92.0, 93.0]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["0", "1", "2"]
    plt.close(fig)


@pytest.mark.slow  # real DVC in a copy of the repository
def test_review_shows_the_changes_between_two_commits_and_none_against_itself(reproduced):
    commit(reproduced, "base run")
    run(["git", "branch", "base"], cwd=reproduced)
    base_mean = json.loads((reproduced / "evaluation/metrics.json").read_text())["test_mean"]["rmse"]
    set_params(reproduced, **{"model.units": 2})
    dvc("repro", cwd=reproduced)
    commit(reproduced, "two units")

    review = run(["lstm-tuning", "review", "base"], cwd=reproduced).stdout

    assert cells(review, "model.units") == [["params.yaml", "model.units", "1", "2"]]
    assert review.splitlines()[2].startswith("**This revision:** The LSTM ensemble ")  # the verdict first
    assert "**Against `base`:** skill on test MASE " in review
    assert review.index("## Headline metrics") < review.index("## Params") < review.index("## Plots that changed")
    [mean_row] = cells(review, "test_mean.rmse")
    assert mean_row[0] == "evaluation/metrics.json" and mean_row[2] != mean_row[3]
    assert float(mean_row[2]) == round(base_mean, 5)  # DVC shows 5 decimals
    assert not cells(review, "best_baseline_test.rmse")  # the baselines read no changed param
    assert not cells(review, "test_rmse.mean")  # summaries over repeats are details, not metrics
    for title, image in (("Test RMSE per repeat", "review/test-rmse-per-repeat.png"),
                         ("Training loss", "review/training-loss.png")):
        assert f"### {title}\n\n![{title}]({image})" in review
        assert (reproduced / image).stat().st_size > 0
    boxplot = "![report/rmse_boxplot.png](review/{}_report_rmse_boxplot.png)"
    assert f"{boxplot.format('base')} {boxplot.format('workspace')}" in review  # an image plot: base, then this
    assert "This revision only" not in review
    # one origin and one forecast step on the holdout: single points are not drawn
    assert "### RMSE per origin" not in review and "### Test RMSE per forecast step" not in review

    same = run([sys.executable, "-m", "lstm_tuning", "review", "HEAD"], cwd=reproduced).stdout
    for nothing in ("No metric changed.", "No param changed.", "No plot changed."):
        assert nothing in same
