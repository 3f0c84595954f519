"""Compare the configurations of a sweep: one param varied across finished DVC experiments, each value against
a baseline value (`lstm-tuning study`).

Configurations are compared on the backtest's validation origins (choosing on the test origins would be
tuning on them); on the test origins instead when asked, and the report says which. Two tests sit
side by side: the spread of each configuration's repeats (Mann-Whitney U on per-repeat RMSE), and, paired
at the same origins, the repeat ensembles' squared errors (Diebold-Mariano with the Harvey-Leybourne-Newbold
correction, Holm-adjusted over the comparisons, which decides; Wilcoxon signed-rank beside it).

The sweep is every finished experiment of a commit whose params differ from the commit's own params in the
baseline's key only; with `match`, from the params of the baseline's experiment that matches those settings
(a sweep over another configuration, such as `-S experiment=sine_units`). Writes `<out>/report.md` (the
table and the verdicts in words), `<out>/boxplot.png` and `<out>/train_test.png` (mean training and test
RMSE per value: over-fitting shows as the two parting).

A panel's sweep (`data.id_column` set; its metrics.json counts `series`) is compared on MASE, which is
scale-free: per repeat, its MASE averaged over series (Mann-Whitney U as above); paired, each configuration's
ensemble MASE on each series from each origin (evaluation/series_origins.csv) against the baseline's on the same
series from the same origin, matched by series id and origin time. The pairs are not one time series, so the
Wilcoxon signed-rank test decides, Holm-adjusted, with the paired t beside it (the Diebold-Mariano test at lag 1
with the Harvey-Leybourne-Newbold correction is exactly the paired t). Both configurations must score the same
(series, origin) pairs. A panel's training error is an RMSE only (its diagnostics' mean over series, of mixed
scales), no MASE: its train_test.png draws the repeats' mean MASE and the ensemble's instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
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

log = logging.getLogger("sweep")


def parse_setting(setting: str) -> tuple[str, object]:
    """"model.units=1" -> ("model.units", 1), the value read as YAML like a `-S` override."""
    key, sep, value = setting.partition("=")
    if not sep or "." not in key:
        raise UserError(f"--baseline {setting!r}: expected <group>.<key>=<value>, for example model.units=1")
    return key, yaml.safe_load(value)


def sweep_members(commit_params: dict, found: list[experiments.Experiment], key: str) -> dict:
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
    """The params every member shares: the commit's, or with `match` those of the matching baseline experiment.

    Other sweeps over the same settings match too (a units sweep at the baseline's epochs): of the matching
    experiments, the one whose other params are the commit's is the baseline."""
    if not match:
        return commit_params
    wanted = dict([(key, baseline_value), *match])
    candidates = [e for e in found if all(experiments.flatten(e.params).get(k) == v for k, v in wanted.items())]
    if not candidates:
        settings = " ".join(f"{k}={v}" for k, v in wanted.items())
        raise UserError(f"no finished experiment with {settings}; run it with `dvc exp run` "
                        + " ".join(f"-S {k}={v}" for k, v in wanted.items()))
    commit = {k: v for k, v in experiments.flatten(commit_params).items() if k not in wanted}

    def changes(experiment) -> int:
        params = experiments.flatten(experiment.params)
        return sum(params.get(k) != v for k, v in commit.items())

    return min(candidates, key=changes).params


def label(key: str, value) -> str:
    return f"{key.rsplit('.', 1)[-1]}={value}"


# ---- the paired tests: origin by origin for one series, (series, origin) pair by pair for a panel ----------------

def _paired_origins(loss, baseline_loss, name: str, baseline: str, horizon: int) -> dict:
    paired = statistics.compare_paired(loss, baseline_loss, name, baseline, horizon)
    return {"origins": paired.origins, "mean_mse_difference": paired.mean_difference,
            "dm_statistic": paired.dm_statistic, "dm_p": paired.dm_p, "wilcoxon_p": paired.wilcoxon_p}


def _paired_series(loss: pd.Series, baseline_loss: pd.Series, name: str, baseline: str, horizon: int) -> dict:
    """The ensembles' MASE on the same (series, origin) pairs (`pair_losses`' index): Wilcoxon signed-rank
    (decides) and the paired t, at lag 1 whatever the `horizon`. A pair whose MASE is not finite in either (no
    naive error to scale by) pairs with nothing."""
    finite = np.isfinite(loss.to_numpy(float)) & np.isfinite(baseline_loss.to_numpy(float))
    series = loss.index[finite].get_level_values("series").nunique()
    loss, baseline_loss = loss[finite].to_numpy(float), baseline_loss[finite].to_numpy(float)
    paired = statistics.compare_paired(loss, baseline_loss, name, baseline, horizon=1)  # lag 1: the paired t
    difference = loss - baseline_loss
    return {"pairs": paired.origins, "series": series, "mean_mase_difference": paired.mean_difference,
            "median_mase_difference": float(np.median(difference)) if len(difference) else np.nan,
            "better_on": int((difference < 0).sum()), "worse_on": int((difference > 0).sum()),
            "rank_balance": statistics.signed_rank_balance(difference),
            "t_statistic": paired.dm_statistic, "t_p": paired.dm_p, "wilcoxon_p": paired.wilcoxon_p}


def _origins_verdict(row: dict, baseline: str, alpha: float) -> str:
    if np.isnan(row["holm_p"]):
        return (f"{row['configuration']} vs {baseline} across origins: untestable "
                f"({int(row['origins'])} origin(s); a rolling backtest gives more)")
    better = "better" if row["mean_mse_difference"] < 0 else "worse"
    return (f"{row['configuration']} is {better} than {baseline} across the {int(row['origins'])} origins "
            f"(Diebold-Mariano p={row['dm_p']:.3g}, Holm-adjusted {row['holm_p']:.3g} < {alpha:g})"
            if row["holm_p"] < alpha else
            f"{row['configuration']} vs {baseline} across the {int(row['origins'])} origins: no real difference "
            f"at the {alpha:g} level (Holm-adjusted Diebold-Mariano p={row['holm_p']:.3g})")


def pairs_text(row: dict) -> str:
    """"24 pairs: 6 series x origins": the (series, origin) pairs a panel's comparison has."""
    return f"{int(row['pairs'])} pairs: {int(row['series'])} series x origins"


def _series_verdict(row: dict, baseline: str, alpha: float) -> str:
    name, n = row["configuration"], int(row["pairs"])
    across = f"across {pairs_text(row)}"
    if np.isnan(row["holm_p"]):
        if n > 1 and row["better_on"] == row["worse_on"] == 0:
            return f"{name} vs {baseline} {across}: the same MASE on every pair"
        return (f"{name} vs {baseline} across series x origins: untestable ({n} pair(s) with a finite MASE; a paired "
                "test needs 2)")
    tally = f"lower MASE on {int(row['better_on'])} of {n} pairs, higher on {int(row['worse_on'])}"
    if row["holm_p"] < alpha:
        # the direction the signed-rank test saw: which side's differences carry the larger ranks
        better = "better" if row["rank_balance"] < 0 else "worse"
        return (f"{name} is {better} than {baseline} {across} (Wilcoxon signed-rank p={row['wilcoxon_p']:.3g}, "
                f"Holm-adjusted {row['holm_p']:.3g} < {alpha:g}; paired t p={row['t_p']:.3g}; {tally})")
    return (f"{name} vs {baseline} {across}: no real difference at the {alpha:g} level (Holm-adjusted Wilcoxon "
            f"signed-rank p={row['holm_p']:.3g}; paired t p={row['t_p']:.3g}; {tally})")


def _origins_intro(table: pd.DataFrame, baseline: str, alpha: float, where: str) -> str:
    comparisons = int(table["holm_p"].notna().sum())
    return (f"The mean forecast of each configuration's repeats (the ensemble) is scored at every {where} origin, "
            f"and its squared error is paired with **{baseline}**'s at the same origin: a Diebold–Mariano test "
            "with the Harvey–Leybourne–Newbold small-sample correction decides, a Wilcoxon signed-rank test sits "
            f"beside it. The {comparisons} Diebold–Mariano p-values are Holm-adjusted, so the chance of any "
            f"false 'real' among them stays at {alpha:g}. A negative difference: lower error than the baseline.")


def _series_intro(table: pd.DataFrame, baseline: str, alpha: float, where: str) -> str:
    comparisons = int(table["holm_p"].notna().sum())
    most = table.loc[table["pairs"].idxmax()]
    return (f"The mean forecast of each configuration's repeats (the ensemble) is scored on each series from each "
            f"{where} origin, and its MASE is paired with **{baseline}**'s on the same series from the same origin "
            f"(matched by series id and origin time): {pairs_text(most)}. No lag enters: a Wilcoxon signed-rank "
            "test decides (MASE is skewed), a paired t test sits beside it (the Diebold–Mariano test at lag 1 with "
            "the Harvey–Leybourne–Newbold correction); a series' errors from nearby origins can be correlated, which "
            "the tests do not model, so their p-values are somewhat small. "
            + (f"The {comparisons} Wilcoxon p-values are Holm-adjusted, so the chance of any false 'real' among them "
               f"stays at {alpha:g}. " if comparisons > 1 else
               "One comparison: its Wilcoxon p-value needs no adjustment. ")
            + "A negative difference: lower MASE than the baseline.")


def _count(column: str):
    return lambda row: str(int(row[column]))


def _number(column: str):
    return lambda row: _cell(float(row[column]))


@dataclass(frozen=True)
class Measure:
    """What a study compares: the per-repeat metric, and what the ensembles' losses are paired over and how."""

    metric: str  # the per-repeat column's suffix in evaluation/rmse.csv and the summaries' in details.json
    unit: str  # the paired unit: "origins" (a series' backtest origins) or "series" (a panel's (series, origin))
    axis: str  # the metric's axis label
    paired: Callable  # (loss, baseline's loss, name, baseline, horizon) -> the paired tests' columns of a row
    decides: str  # the paired p-value that is Holm-adjusted and decides
    verdict: Callable  # (row, baseline, alpha) -> the paired verdict in words
    title: str  # the report's paired section
    intro: Callable  # (table, baseline, alpha, where) -> its paragraph
    columns: dict  # its table's columns after the configuration's: header -> (row -> cell)

    @property
    def name(self) -> str:
        return self.metric.upper()


ORIGINS = Measure(
    "rmse", "origins", "RMSE (original units)", _paired_origins, "dm_p", _origins_verdict, "Across origins",
    _origins_intro,
    {"origins": _count("origins"), "mean MSE difference": _number("mean_mse_difference"),
     "Diebold–Mariano stat": _number("dm_statistic"), "DM p": _number("dm_p"), "Holm-adjusted DM p": _number("holm_p"),
     "Wilcoxon p": _number("wilcoxon_p")})
SERIES = Measure(
    "mase", "series", "MASE (mean over series)", _paired_series, "wilcoxon_p", _series_verdict,
    "Across series x origins", _series_intro,
    {"pairs": _count("pairs"), "series": _count("series"),
     "lower / higher MASE on": lambda row: f"{int(row['better_on'])} / {int(row['worse_on'])}",
     "mean MASE difference": _number("mean_mase_difference"),
     "median MASE difference": _number("median_mase_difference"), "paired t": _number("t_statistic"),
     "t p": _number("t_p"), "Wilcoxon p": _number("wilcoxon_p"), "Holm-adjusted Wilcoxon p": _number("holm_p")})


def sweep_table(scores: dict[str, np.ndarray], baseline: str, alpha: float,
                paired_losses: dict | None = None, horizon: int = 1,
                measure: Measure = ORIGINS) -> tuple[pd.DataFrame, list[str]]:
    """One row per configuration: the metric's summary over repeats, bootstrap CI of the mean, test against
    `baseline`; with `paired_losses` (each configuration's ensemble loss per paired unit, the same units for all:
    squared error per origin, or with `measure` SERIES the MASE per (series, origin), `pair_losses`), the paired
    tests, Holm-adjusted over the comparisons. And the verdicts in words."""
    rows, verdicts = [], []
    for name, rmses in scores.items():
        interval = statistics.bootstrap_mean_ci(rmses)
        row = {"configuration": name, **describe(rmses), "ci_low": interval.low, "ci_high": interval.high}
        if name != baseline:
            comparison = statistics.compare(rmses, scores[baseline], name, baseline, alpha)
            row |= {"mann_whitney_p": comparison.mannwhitney_p, "welch_p": comparison.welch_p,
                    "real": comparison.real}
            verdicts.append(comparison.verdict)
            if paired_losses is not None:
                row |= measure.paired(paired_losses[name], paired_losses[baseline], name, baseline, horizon)
        rows.append(row)
    table = pd.DataFrame(rows)
    if paired_losses is not None:
        table["holm_p"] = statistics.holm(table[measure.decides].tolist()) if measure.decides in table else np.nan
        verdicts += [measure.verdict(row, baseline, alpha) for row in table.to_dict("records")
                     if row["configuration"] != baseline]
        table["paired_real"] = table["holm_p"] < alpha
    return table, verdicts


def pair_losses(frames: dict[str, pd.DataFrame], baseline: str, experiment_names: dict[str, str] | None = None
                ) -> dict[str, pd.Series]:
    """Each configuration's ensemble MASE per (series, origin) (`frames`: its evaluation/series_origins.csv rows of
    one role), indexed by series id and origin time in the baseline's order: pairs match by id and time, not by
    row. Every configuration must score the same pairs: else a one-line error naming the first pair (by id, then
    time, as text) that one of them lacks."""
    names = experiment_names or {}

    def who(configuration: str) -> str:
        return f"{configuration} (experiment {names[configuration]})" if configuration in names else configuration

    def indexed(frame: pd.DataFrame) -> pd.Series:
        return frame.set_index([frame["series"].astype(str), frame["time"].astype(str)])["mase"].astype(float)

    reference = indexed(frames[baseline]).index
    losses = {}
    for configuration, frame in frames.items():
        loss = indexed(frame)
        if set(loss.index) != set(reference):
            series, time = first = min(set(loss.index) ^ set(reference))
            has, lacks = (configuration, baseline) if first in loss.index else (baseline, configuration)
            raise UserError(
                f"{who(has)} scores series {series!r} from the origin at {time} but {who(lacks)} does not "
                f"(evaluation/series_origins.csv): a paired comparison needs the same series and origins in both; "
                f"run both on the same panel and backtest (with data.drop_short=false a series too short stops the "
                f"run instead of being dropped)")
        losses[configuration] = loss.loc[reference].rename_axis(["series", "time"])
    return losses


def _cell(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, float) and np.isnan(value):
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if value < 0.01 else f"{value:.2f}"
    return str(value)


ROLE_NAMES = {"val": "validation", "test": "test"}


def markdown(key: str, baseline: str, table: pd.DataFrame, verdicts: list[str], alpha: float, image: str,
             role: str = "test", measure: Measure = ORIGINS) -> str:
    header = ["configuration", "count", "mean", "std", "min", "25%", "50%", "75%", "max", "95% CI of mean",
              "Mann–Whitney p", "Welch p", f"real at {alpha:g}"]
    where, name = ROLE_NAMES[role], measure.name
    n_series = int(table["series"].max()) if measure.unit == "series" and "series" in table else None
    lines = [
        f"# Study: `{key}` ({where} {name} over repeats)",
        "",
        f"Scored on the backtest's **{where} origins**"
        + (" (chosen with `--test`: the test origins are for a final check, not for choosing)." if role == "test"
           else "; the test origins were not looked at."),
        "",
    ]
    if measure.unit == "series":
        counted = f"{n_series} series" if n_series is not None else "series"
        lines += [(f"A panel: each repeat's score is its MASE averaged over the {counted} (MASE divides each "
                   "series' errors by its seasonal naive's in-sample error, so series of any size weigh alike)."), ""]
    lines += [
        (f"Each configuration is compared with **{baseline}** by a two-sided Mann–Whitney U test over its repeats, "
         f"which decides (per-repeat {name}s are skewed), with Welch's t as a cross-check; the interval of each mean "
         "is a BCa bootstrap with a fixed seed. This spread over repeats is initialisation noise only."),
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
    if "holm_p" in table:
        lines += _paired_section(table, baseline, alpha, where, measure)
    lines += ["", *(f"- {verdict}" for verdict in verdicts)]
    repeat_tests = int(table["real"].notna().sum()) if "real" in table else 0
    if repeat_tests > 1:
        lines += ["", (f"{repeat_tests} Mann–Whitney tests at the {alpha:g} level each (not adjusted): if no "
                       f"configuration really differed, about {repeat_tests * alpha:.2g} of them would still come "
                       "out real by chance.")]
    lines += ["", f"![{where} {name} per configuration]({image})", ""]
    if measure.unit == "origins":
        lines += [f"Mean training and {where} RMSE per configuration (the training error of the weights evaluated):",
                  "", f"![training and {where} RMSE per configuration](train_test.png)", ""]
    else:
        lines += [(f"Mean {where} MASE over repeats and the ensemble's per configuration (a panel's training error "
                   "is not scored in MASE):"), "", f"![{where} MASE of the repeats and the ensemble per "
                                                   "configuration](train_test.png)", ""]
    return "\n".join(lines)


def _paired_section(table: pd.DataFrame, baseline: str, alpha: float, where: str, measure: Measure) -> list[str]:
    header = ["configuration", *measure.columns, f"real at {alpha:g}"]
    lines = ["", f"## {measure.title} (paired)", "", measure.intro(table, baseline, alpha, where), "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.to_dict("records"):
        if row["configuration"] == baseline:
            continue
        real = _cell(bool(row["paired_real"])) if not np.isnan(row["holm_p"]) else "—"
        lines.append("| " + " | ".join([row["configuration"], *(cell(row) for cell in measure.columns.values()), real])
                     + " |")
    return lines


def boxplot(scores: dict[str, np.ndarray], baseline: str, key: str, path: Path, role: str = "test",
            measure: Measure = ORIGINS) -> None:
    fig, ax = plt.subplots(figsize=(1.2 * len(scores) + 2, 5))
    boxes = ax.boxplot(list(scores.values()), tick_labels=list(scores), showmeans=True, patch_artist=True)
    for name, box in zip(scores, boxes["boxes"]):
        box.set_facecolor("tab:orange" if name == baseline else "white")
    ax.set_ylabel(f"{ROLE_NAMES[role]} {measure.axis}")
    ax.set_title(f"{key}: {ROLE_NAMES[role]} {measure.name} over repeats (baseline {baseline})")
    save_figure(fig, path)


def train_test_plot(repo: Path, members: dict, key: str, path: Path, role: str = "test",
                    measure: Measure = ORIGINS) -> None:
    """Mean training and validation (or test) RMSE (error bars: std over repeats) against the studied value; a
    panel's: the mean MASE over repeats (± std) and the ensemble's MASE."""
    values = list(members)
    fig, ax = plt.subplots(figsize=(6, 4))
    if measure.unit == "origins":
        for segment, color in (("train", "tab:blue"), (role, "tab:orange")):
            summaries = [experiments.details(repo, members[v]).get(f"{segment}_rmse", {}) for v in values]
            ax.errorbar(values, [s.get("mean", np.nan) for s in summaries],
                        yerr=[s.get("std", np.nan) for s in summaries],
                        marker="o", capsize=3, color=color, label=f"{segment} RMSE (mean ± std over repeats)")
    else:
        summaries = [experiments.details(repo, members[v]).get("repeats", {}).get(f"{role}_{measure.metric}", {})
                     for v in values]
        ax.errorbar(values, [s.get("mean", np.nan) for s in summaries], yerr=[s.get("std", np.nan) for s in summaries],
                    marker="o", capsize=3, color="tab:orange",
                    label=f"{ROLE_NAMES[role]} MASE (mean ± std over repeats)")
        ensemble = [members[v].metrics.get(f"{role}_ensemble", {}).get(measure.metric, np.nan) for v in values]
        ax.plot(values, ensemble, marker="s", color="tab:green", label=f"{ROLE_NAMES[role]} MASE of the ensemble")
    if all(isinstance(v, (int, float)) and v > 0 for v in values) and max(values) / min(values) >= 8:
        ax.set_xscale("log", base=2)
        ax.set_xticks(values, [str(v) for v in values])
    ax.set_xlabel(key)
    ax.set_ylabel(measure.axis if measure.unit == "series" else "RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def is_panel(params: dict, members: dict) -> bool:
    """A panel's sweep: its params name a series column, or its experiments' headlines count series."""
    return bool(experiments.flatten(params).get("data.id_column")) or any(
        "series" in e.metrics for e in members.values())


def dm_horizon(params: dict) -> int:
    """How many origins' forecasts can overlap (the Diebold-Mariano lag): the rows an origin's windows cover
    (its horizon plus the framing's extra steps) over the step between origins."""
    backtest, n_out = params.get("backtest", {}), params.get("task", {}).get("n_out", 1)
    span = backtest.get("horizon", 1) + n_out - 1
    return max(1, -(-span // backtest.get("step", span)))


def _match_hint(commit_params: dict, found: list, key: str, value, match: list) -> str:
    """When experiments with the baseline value exist but differ from params.yaml in other params: --match."""
    commit = experiments.flatten(commit_params)
    for experiment in found:
        params = experiments.flatten(experiment.params)
        differing = [k for k, v in params.items() if k != key and commit.get(k) != v]
        if params.get(key) == value and differing:
            shown = ", ".join(f"{k}={params[k]}" for k in differing[:3])
            again = " (with other --match values)" if match else ""
            return (f"; experiment {experiment.name} has {key}={value} but differs from params.yaml in {shown}: "
                    f"pick its sweep with --match{again}, e.g. --baseline {key}={value} --match {differing[0]}="
                    f"{params[differing[0]]}")
    return ""


def compare(repo: Path, rev: str, baseline: str, match: list[str], out: Path, alpha: float = statistics.ALPHA,
            role: str = "val") -> None:
    """Write the sweep's report.md and plots in `out`: the experiments of `rev` in `repo` that vary the key of
    `baseline` ("model.units=1") only, on the `role` origins ("val" or "test")."""
    key, baseline_value = parse_setting(baseline)
    match = [parse_setting(setting) for setting in match]
    commit_params, found = experiments.load(repo, rev)
    reference = reference_params(commit_params, found, key, baseline_value, match)
    members = sweep_members(reference, found, key)
    if baseline_value not in members:
        values = ", ".join(map(str, members)) or "none"
        raise UserError(
            f"no finished experiment of {rev} with {key}={baseline_value} and every other param as in "
            f"{rev}'s params.yaml (values found: {values}); run `dvc exp run -S {key}={baseline_value}`"
            + _match_hint(commit_params, found, key, baseline_value, match)
        )
    if role == "val" and any("val_ensemble" not in e.metrics for e in members.values()):
        raise UserError("the experiments have no validation origins (data.val_size=0): run them with data.val_size "
                        ">= 1, for example -S backtest=expanding -S data.val_size=12, or pass --test to compare on "
                        "the test origins")
    baseline_label = label(key, baseline_value)
    measure = SERIES if is_panel(reference, members) else ORIGINS
    scores = {label(key, value): experiments.per_repeat_scores(repo, e, f"{role}_{measure.metric}")
              for value, e in members.items()}
    if measure.unit == "origins":
        losses = {label(key, value): experiments.origin_scores(repo, e, role)["lstm_rmse"].to_numpy() ** 2
                  for value, e in members.items()}
    else:
        losses = pair_losses({label(key, value): experiments.series_origin_scores(repo, e, role)
                              for value, e in members.items()}, baseline_label,
                             {label(key, value): e.name for value, e in members.items()})
    table, verdicts = sweep_table(scores, baseline_label, alpha, losses, dm_horizon(reference), measure)
    boxplot(scores, baseline_label, key, out / "boxplot.png", role, measure)
    train_test_plot(repo, members, key, out / "train_test.png", role, measure)
    with atomic_path(out / "report.md") as tmp:
        tmp.write_text(markdown(key, baseline_label, table, verdicts, alpha, "boxplot.png", role, measure))
    log.info("%d configurations of %s from %d experiments of %s on the %s origins%s; wrote %s/report.md, boxplot.png "
             "and train_test.png", len(scores), key, len(found), rev, ROLE_NAMES[role],
             f", {len(losses[baseline_label])} pairs of series x origins on MASE" if measure.unit == "series" else "",
             out)
    for verdict in verdicts:
        log.info("%s", verdict)
