"""The pull-request review: metrics, params and changed plots of the workspace against a base revision.

    lstm-tuning review main > review.md

Markdown on stdout; the images it shows are written to `--images` (default `review/`), relative to the
directory it runs in, so keep review.md there. CI posts the same Markdown as a pull-request comment
(.github/workflows/review.yaml). A plot counts as changed when its data (or image) differs between the
two revisions; a revision whose outputs are not in the local DVC cache counts as different.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from itertools import groupby
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402

from lstm_tuning import paths  # noqa: E402
from lstm_tuning.evaluation import scores  # noqa: E402
from lstm_tuning.outputs import save_figure  # noqa: E402
from lstm_tuning.repository import CommandFailed, dvc, git  # noqa: E402

WORKSPACE = "workspace"


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _series(points: list[dict]) -> dict[str, list[dict]]:
    """Datapoints grouped by revision, without the revision field, to compare revisions."""
    ordered = sorted(points, key=lambda p: p["rev"])
    return {rev: [{k: v for k, v in p.items() if k != "rev"} for p in group]
            for rev, group in groupby(ordered, key=lambda p: p["rev"])}


def _number(value: str) -> float:
    """A plotted value; an empty cell (a metric with no data in this run, e.g. no validation window) is a gap."""
    return float(value) if value != "" else float("nan")


def draw_data_plot(title: str, renderer: dict, path: Path) -> None:
    save_figure(data_plot(title, renderer), path)


def data_plot(title: str, renderer: dict):
    """The two revisions of a `dvc.yaml` data plot, base dashed, from `dvc plots diff --json --split`."""
    anchors = renderer["anchor_definitions"]
    points = anchors["<DVC_METRIC_DATA>"]
    encoding = renderer["content"]["encoding"]
    x = encoding["x"]["field"]
    # linear templates put every y column in one field; bar templates keep the category on y, the value on x,
    # as DVC draws them
    y = "dvc_inferred_y_value" if "dvc_inferred_y_value" in points[0] else encoding["y"]["field"]
    categorical = encoding.get("y", {}).get("type") == "nominal"
    categories = list(dict.fromkeys(str(p[y]) for p in points)) if categorical else []
    fig, ax = plt.subplots(figsize=(7, 4))
    key = lambda p: (p.get("field", ""), p["rev"])  # noqa: E731
    colors = {}
    for (field, rev), group in groupby(sorted(points, key=key), key=key):
        group = list(group)
        ys = [categories.index(str(p[y])) for p in group] if categorical else [_number(p[y]) for p in group]
        ax.plot([_number(p[x]) for p in group], ys, marker="o" if rev == WORKSPACE else "x",
                color=colors.setdefault(field, f"C{len(colors)}"),
                linestyle="none" if categorical else "-" if rev == WORKSPACE else "--",
                label=f"{field} ({rev})" if field else rev)
    if categorical:
        ax.set_yticks(range(len(categories)), categories)
    ax.set_title(title)
    ax.set_xlabel(anchors.get("<DVC_METRIC_X_LABEL>") or x)
    ax.set_ylabel(anchors.get("<DVC_METRIC_Y_LABEL>") or y)
    ax.legend(fontsize="small")
    return fig


def changed_plots(base: str, images: Path) -> list[tuple[str, list[Path], str | None]]:
    """(title, its images, why the base revision has no data or None) for every plot that changed.

    An image plot gives the base's image (when there is one) and this revision's; a data plot one image
    with both revisions drawn.
    """
    diff = json.loads(dvc("plots", "diff", base, "--json", "--split", "-o", str(images)))
    plots, changed = diff["data"], []
    # DVC reports an error per plot and revision, or per revision (no "name") when it can load nothing
    errors = {(e.get("name"), e["rev"]): e["msg"].rstrip(".") for e in diff.get("errors") or []}

    def missing(title: str, revisions) -> str | None:
        if base in revisions:
            return None
        return errors.get((title, base)) or errors.get((None, base)) or "not in the local DVC cache"

    for title, renderers in plots.items():
        if renderers[0]["type"] == "image":
            by_rev = {r["revisions"][0]: Path(r["url"]) for r in renderers}
            if WORKSPACE not in by_rev:
                continue
            base_bytes = by_rev[base].read_bytes() if base in by_rev else None
            if base_bytes != by_rev[WORKSPACE].read_bytes():
                changed.append((title, [by_rev[rev] for rev in (base, WORKSPACE) if rev in by_rev],
                                missing(title, by_rev)))
        else:
            points = renderers[0]["anchor_definitions"]["<DVC_METRIC_DATA>"]
            if max(Counter((p["rev"], p.get("field", "")) for p in points).values(), default=0) < 2:
                continue  # a single point per line (one origin, one forecast step) is no plot; the table has it
            series = _series(points)
            if WORKSPACE in series and series.get(base) != series[WORKSPACE]:
                path = images / f"{_slug(title)}.png"
                draw_data_plot(title, renderers[0], path)
                changed.append((title, [path], missing(title, series)))
    return changed


def _table_or(table: str, nothing: str) -> str:
    """DVC prints only a header when nothing changed."""
    return table.strip() if len(table.strip().splitlines()) > 2 else nothing


def _headline(base: str) -> list[str]:
    """The verdict of this revision, and of `base` when it differs: what the run says, then what changed."""
    try:
        workspace = json.loads(paths.METRICS.read_text())
    except (OSError, ValueError):
        return [f"No headline: {paths.METRICS} is missing; run `dvc repro`.", ""]
    if "skill" not in workspace:
        return []
    lines = [f"**This revision:** {scores.verdict(workspace)}", ""]
    try:
        before = json.loads(git("show", f"{base}:{paths.METRICS}"))
    except (CommandFailed, ValueError):  # no such revision or file, or not a headline
        before = {}
    if "skill" not in before:
        lines += [f"`{base}` has no headline to compare with.", ""]
    elif before == workspace:
        lines += [f"The headline is the same as on `{base}`.", ""]
    else:
        changes = [f"skill on test MASE {scores.skill_text(before['skill']['mase'])} → "
                   f"{scores.skill_text(workspace['skill']['mase'])}",
                   f"LSTM ensemble test MASE {before['test_ensemble']['mase']:.3f} → "
                   f"{workspace['test_ensemble']['mase']:.3f}"]
        if before["best_baseline"] != workspace["best_baseline"]:
            changes.append(f"best baseline {before['best_baseline']} → {workspace['best_baseline']}")
        lines += [f"**Against `{base}`:** " + "; ".join(changes) + ".", ""]
    return lines


def markdown(base: str, images: Path) -> str:
    metrics = _table_or(dvc("metrics", "diff", base, "--md"), "No metric changed.")
    params = _table_or(dvc("params", "diff", base, "--md"), "No param changed.")
    lines = [f"# DVC review: this revision against `{base}`", "", *_headline(base), "## Headline metrics", "",
             metrics, "", "## Params", "", params, "", "## Plots that changed", ""]
    plots = changed_plots(base, images)
    for title, plot_images, base_missing in plots:
        links = " ".join(f"![{title}]({Path(os.path.relpath(image)).as_posix()})" for image in plot_images)
        lines += [f"### {title}", "", links, ""]
        if base_missing:
            lines += [f"This revision only: `{base}` has no data for this plot ({base_missing}).", ""]
    if not plots:
        lines += ["No plot changed.", ""]
    return "\n".join(lines)
