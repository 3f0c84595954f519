"""A study report: one param varied across finished DVC experiments, each value against a baseline value.

    lstm-tuning study --baseline model.units=1 --out studies/units
    lstm-tuning study --baseline model.units=16 --match data.name=sine_wave --out studies/sine_units

The study is every finished experiment of the commit (`--rev`, default HEAD) whose params differ from the
commit's own params in the baseline's key only; with `--match`, from the params of the baseline's
experiment that matches those settings (a sweep over another configuration, such as
`-S experiment=sine_units`). Writes `<out>/report.md` (the table and the verdicts in words),
`<out>/boxplot.png` and `<out>/train_test.png` (mean training and test RMSE per value: over-fitting shows
as the two parting).
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from lstm_tuning.errors import UserError  # noqa: E402
from lstm_tuning.evaluation.scores import describe  # noqa: E402
from lstm_tuning.outputs import atomic_path, save_figure  # noqa: E402
from lstm_tuning.reports import experiments, statistics  # noqa: E402

log = logging.getLogger("study")


def parse_setting(setting: str) -> tuple[str, object]:
    """"model.units=1" -> ("model.units", 1), the value read as YAML like a `-S` override."""
    key, sep, value = setting.partition("=")
    if not sep or "." not in key:
        raise UserError(f"--baseline {setting!r}: expected <group>.<key>=<value>, for example model.units=1")
    return key, yaml.safe_load(value)


def study_members(commit_params: dict, found: list[experiments.Experiment], key: str) -> dict:
    """{value of `key`: experiment} for the experiments that differ from the commit in `key` only.

    Identical params give identical results (fixed seeds), so one experiment per value is enough.
    """
    fixed = {k: v for k, v in experiments.flatten(commit_params).items() if k != key}
    members = {}
    for experiment in found:
        params = experiments.flatten(experiment.params)
        if key in params and {k: v for k, v in params.items() if k != key} == fixed:
            members.setdefault(params[key], experiment)
    return dict(sorted(members.items()))


def reference_params(commit_params: dict, found: list[experiments.Experiment], key: str, baseline_value,
                     match: list[tuple[str, object]]) -> dict:
    """The params every member shares: the commit's, or with `match` those of the matching baseline experiment."""
    if not match:
        return commit_params
    wanted = [(key, baseline_value), *match]
    for experiment in found:
        params = experiments.flatten(experiment.params)
        if all(params.get(k) == v for k, v in wanted):
            return experiment.params
    settings = " ".join(f"{k}={v}" for k, v in wanted)
    raise UserError(f"no finished experiment with {settings}; run it with `dvc exp run` "
                    + " ".join(f"-S {k}={v}" for k, v in wanted))


def label(key: str, value) -> str:
    return f"{key.rsplit('.', 1)[-1]}={value}"


def study_table(scores: dict[str, np.ndarray], baseline: str, alpha: float) -> tuple[pd.DataFrame, list[str]]:
    """One row per configuration: RMSE summary, bootstrap CI of the mean, test against `baseline`; verdicts."""
    rows, verdicts = [], []
    for name, rmses in scores.items():
        interval = statistics.bootstrap_mean_ci(rmses)
        row = {"configuration": name, **describe(rmses), "ci_low": interval.low, "ci_high": interval.high}
        if name != baseline:
            comparison = statistics.compare(rmses, scores[baseline], name, baseline, alpha)
            row |= {"mann_whitney_p": comparison.mannwhitney_p, "welch_p": comparison.welch_p,
                    "real": comparison.real}
            verdicts.append(comparison.verdict)
        rows.append(row)
    return pd.DataFrame(rows), verdicts


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float) and np.isnan(value):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if value < 0.01 else f"{value:.2f}"
    return str(value)


def markdown(key: str, baseline: str, table: pd.DataFrame, verdicts: list[str], alpha: float, image: str) -> str:
    header = ["configuration", "count", "mean", "std", "min", "25%", "50%", "75%", "max", "95% CI of mean",
              "Mann–Whitney p", "Welch p", f"real at {alpha:g}"]
    lines = [
        f"# Study: `{key}` (test RMSE over repeats)",
        "",
        (f"Each configuration is compared with **{baseline}** by a two-sided Mann–Whitney U test, which decides "
         "(per-repeat RMSEs are skewed), with Welch's t as a cross-check; the interval of each mean is a BCa "
         "bootstrap with a fixed seed."),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for row in table.to_dict("records"):
        ci = f"[{_cell(float(row['ci_low']))}, {_cell(float(row['ci_high']))}]"
        tests = [_cell(row.get(name, float("nan"))) for name in ("mann_whitney_p", "welch_p")]
        real = _cell(row["real"]) if row["configuration"] != baseline else "baseline"
        stats = [_cell(float(row[name])) for name in ("mean", "std", "min", "25%", "50%", "75%", "max")]
        lines.append("| " + " | ".join([row["configuration"], str(int(row["count"])), *stats, ci, *tests, real]) + " |")
    lines += ["", *(f"- {verdict}" for verdict in verdicts)]
    if len(verdicts) > 1:
        lines += ["", (f"{len(verdicts)} tests at the {alpha:g} level each: if no configuration really differed, "
                       f"about {len(verdicts) * alpha:.2g} of them would still come out real by chance.")]
    lines += ["", f"![test RMSE per configuration]({image})", "",
              "Mean training and test RMSE per configuration (the training error of the weights evaluated):", "",
              "![training and test RMSE per configuration](train_test.png)", ""]
    return "\n".join(lines)


def boxplot(scores: dict[str, np.ndarray], baseline: str, key: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(1.2 * len(scores) + 2, 5))
    boxes = ax.boxplot(list(scores.values()), tick_labels=list(scores), showmeans=True, patch_artist=True)
    for name, box in zip(scores, boxes["boxes"]):
        box.set_facecolor("tab:orange" if name == baseline else "white")
    ax.set_ylabel("test RMSE (original units)")
    ax.set_title(f"{key}: test RMSE over repeats (baseline {baseline})")
    save_figure(fig, path)


def train_test_plot(members: dict, key: str, path: Path) -> None:
    """Mean training and test RMSE (error bars: std over repeats) against the studied value."""
    values = list(members)
    fig, ax = plt.subplots(figsize=(6, 4))
    for segment, color in (("train", "tab:blue"), ("test", "tab:orange")):
        summaries = [members[v].metrics.get(f"{segment}_rmse", {}) for v in values]
        ax.errorbar(values, [s.get("mean", np.nan) for s in summaries], yerr=[s.get("std", np.nan) for s in summaries],
                    marker="o", capsize=3, color=color, label=f"{segment} RMSE (mean ± std over repeats)")
    if all(isinstance(v, (int, float)) and v > 0 for v in values) and max(values) / min(values) >= 8:
        ax.set_xscale("log", base=2)
        ax.set_xticks(values, [str(v) for v in values])
    ax.set_xlabel(key)
    ax.set_ylabel("RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="lstm-tuning study", description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="the varied param and its baseline value: model.units=1")
    parser.add_argument("--out", required=True, type=Path, help="directory for report.md and boxplot.png")
    parser.add_argument("--rev", default="HEAD", help="the commit whose experiments to gather (default HEAD)")
    parser.add_argument("--alpha", type=float, default=statistics.ALPHA, help="significance level (0.05)")
    parser.add_argument("--repo", type=Path, default=Path("."), help="the DVC repository (default: here)")
    parser.add_argument("--match", action="append", default=[], metavar="KEY=VALUE",
                        help="study the sweep whose baseline experiment has this param value (repeatable)")
    args = parser.parse_args(argv)

    key, baseline_value = parse_setting(args.baseline)
    match = [parse_setting(setting) for setting in args.match]
    commit_params, found = experiments.load(args.repo, args.rev)
    members = study_members(reference_params(commit_params, found, key, baseline_value, match), found, key)
    if baseline_value not in members:
        values = ", ".join(map(str, members)) or "none"
        raise UserError(
            f"no finished experiment of {args.rev} with {key}={baseline_value} and every other param as in "
            f"{args.rev}'s params.yaml (values found: {values}); run `dvc exp run -S {key}={baseline_value}`"
        )
    scores = {label(key, value): experiments.per_repeat_rmse(args.repo, e) for value, e in members.items()}
    baseline = label(key, baseline_value)
    table, verdicts = study_table(scores, baseline, args.alpha)
    boxplot(scores, baseline, key, args.out / "boxplot.png")
    train_test_plot(members, key, args.out / "train_test.png")
    with atomic_path(args.out / "report.md") as tmp:
        tmp.write_text(markdown(key, baseline, table, verdicts, args.alpha, "boxplot.png"))
    log.info("%d configurations of %s from %d experiments of %s; wrote %s/report.md, boxplot.png and train_test.png",
             len(scores), key, len(found), args.rev, args.out)
    for verdict in verdicts:
        log.info("%s", verdict)

