"""Plots and a Markdown report a reviewer can read in a pull request."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; stages run without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import ticker  # noqa: E402

from lstm_tuning.evaluation.scores import verdict  # noqa: E402
from lstm_tuning.evaluation.specs import LABELS  # noqa: E402
from lstm_tuning.outputs import save_figure  # noqa: E402

IMAGES = {
    "Test RMSE per repeat": "rmse_boxplot.png",
    "Forecasts over the test period": "forecast.png",
    "Test RMSE per forecast step": "horizon.png",
    "RMSE per origin of the backtest": "origins.png",
    "Training loss per epoch": "training_loss.png",
    "Walk-forward RMSE during training, per repeat": "diagnostics.png",
}


def write(out: Path, params: dict, metrics: dict, details: dict, rmse: pd.DataFrame, origins: pd.DataFrame,
          forecasts: pd.DataFrame, horizon: pd.DataFrame, diagnostics: pd.DataFrame, loss: pd.DataFrame) -> None:
    """The run report in directory `out`: report.md, its plots, and the loss summary `dvc plots` draws. The
    headline `metrics` and the `details` are evaluate's; a plot of a single point is not drawn."""
    summary = loss_summary(loss)
    summary.to_csv(out / "training_loss.csv", index=False)
    best = metrics["best_baseline"]
    lines = {name: details["baselines"][name]["test_rmse"] for name in dict.fromkeys(["persistence", best])}
    drawn = {}
    plots = {
        "Test RMSE per repeat": (lambda path: rmse_boxplot(rmse, lines, path), len(rmse)),
        "Forecasts over the test period": (lambda path: forecast_plot(forecasts, best, path), len(forecasts)),
        "Test RMSE per forecast step": (lambda path: horizon_plot(horizon, path), len(horizon)),
        "RMSE per origin of the backtest": (lambda path: origins_plot(origins, path), len(origins)),
        "Training loss per epoch": (lambda path: loss_plot(summary, path), len(summary)),
        "Walk-forward RMSE during training, per repeat": (lambda path: diagnostics_plot(diagnostics, path),
                                                          diagnostics["epoch"].nunique()),
    }
    for title, (draw, points) in plots.items():
        if points > 1:
            draw(out / IMAGES[title])
            drawn[title] = IMAGES[title]
    skipped = [title for title in plots if title not in drawn]
    (out / "report.md").write_text(markdown(metrics, details, params, drawn, skipped))


def loss_summary(loss: pd.DataFrame) -> pd.DataFrame:
    """Per-epoch mean/min/max across repeats from the wide per-repeat training loss."""
    per_repeat = loss.drop(columns="epoch")  # NaN after a repeat diverged: skipped
    return pd.DataFrame(
        {"epoch": loss["epoch"], "mean": per_repeat.mean(axis=1), "min": per_repeat.min(axis=1),
         "max": per_repeat.max(axis=1)}
    )


def rmse_boxplot(rmse: pd.DataFrame, baselines: dict[str, float], path: Path) -> None:
    """The repeats' test RMSE as a box, each baseline in `baselines` as a horizontal line."""
    fig, ax = plt.subplots(figsize=(4, 5))
    ax.boxplot(rmse["test_rmse"], tick_labels=["LSTM"])
    for (name, value), style in zip(baselines.items(), ("--", ":", "-.")):
        ax.axhline(value, color="tab:red", linestyle=style, label=f"{name} {value:.3f}")
    ax.set_ylabel("test RMSE (original units)")
    ax.set_title(f"Test RMSE over {len(rmse)} repeats")
    ax.legend(loc="upper right")
    save_figure(fig, path)


def forecast_plot(forecasts: pd.DataFrame, best: str, path: Path) -> None:
    """The target's one-step-ahead (t+1) forecasts at every test point, persistence's and the best baseline's."""
    time = forecasts["time"]
    if not pd.api.types.is_numeric_dtype(time):  # dates; generated series number their steps
        time = pd.to_datetime(time)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(time, forecasts["actual"], marker="o", label="actual", color="black")
    ax.plot(time, forecasts["forecast_mean"], marker=".", label="LSTM (mean of repeats)")
    ax.fill_between(time, forecasts["forecast_min"], forecasts["forecast_max"], alpha=0.2,
                    label="LSTM (range of repeats)")
    for name, style in zip(dict.fromkeys(["persistence", best]), ("--", ":")):
        ax.plot(time, forecasts[name], linestyle=style, label=LABELS.get(name, name))
    ax.set_title("Walk-forward forecasts (t+1) over the test period")
    ax.tick_params(axis="x", rotation=45)
    ax.legend()
    save_figure(fig, path)


def horizon_plot(horizon: pd.DataFrame, path: Path) -> None:
    """Test RMSE of the target at each forecast step t+h: the LSTMs' mean and range, and the baselines."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(horizon["horizon"], horizon["lstm_mean"], marker="o", label="LSTM (mean of repeats)")
    ax.fill_between(horizon["horizon"], horizon["lstm_min"], horizon["lstm_max"], alpha=0.2,
                    label="LSTM (range of repeats)")
    for name in horizon.columns.drop(["horizon", "lstm_mean", "lstm_min", "lstm_max", "best_baseline"],
                                     errors="ignore"):
        ax.plot(horizon["horizon"], horizon[name], linestyle="--", marker=".", label=name)
    ax.set_xlabel("forecast step t+h")
    ax.set_xticks(horizon["horizon"])
    ax.set_ylabel("test RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def origins_plot(origins: pd.DataFrame, path: Path) -> None:
    """RMSE of the ensemble and of every baseline at each origin; validation origins shaded."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for column in [c for c in origins.columns if c.endswith("_rmse") and c != "best_baseline_rmse"]:
        name = column.removesuffix("_rmse")
        ax.plot(origins["origin"], origins[column], marker="o" if name == "lstm" else ".",
                linestyle="-" if name == "lstm" else "--", label="LSTM (ensemble)" if name == "lstm" else name)
    val = origins.loc[origins["role"] == "val", "origin"]
    if len(val):
        ax.axvspan(val.min() - 0.5, val.max() + 0.5, color="tab:green", alpha=0.1, label="validation origins")
    ax.set_xlabel("origin")
    ax.set_ylabel("RMSE (original units)")
    ax.legend(fontsize="small")
    save_figure(fig, path)


def diagnostics_plot(per_repeat: pd.DataFrame, path: Path) -> None:
    """The seed's diagnostic: each repeat's train (blue) and test (orange) RMSE as training goes on."""
    fig, ax = plt.subplots(figsize=(7, 4))
    colors = {"train_rmse": "tab:blue", "val_rmse": "tab:green", "test_rmse": "tab:orange"}
    for _, run in per_repeat.groupby("repeat"):
        for column, color in colors.items():
            if run[column].notna().any():
                ax.plot(run["epoch"], run[column], color=color, alpha=0.35, linewidth=0.8)
    for column, color in colors.items():
        if per_repeat[column].notna().any():
            ax.plot([], [], color=color, label=column.removesuffix("_rmse"))
    ax.set_xlabel("epoch")
    ax.set_ylabel("walk-forward RMSE (original units)")
    ax.legend()
    save_figure(fig, path)


def loss_plot(summary: pd.DataFrame, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(summary["epoch"], summary["mean"], label="mean over repeats")
    ax.fill_between(summary["epoch"], summary["min"], summary["max"], alpha=0.2, label="range over repeats")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (scaled units)")
    ax.set_yscale("log")
    ax.legend()
    save_figure(fig, path)


def _score_rows(metrics: dict) -> list[str]:
    """Rows of the scores table (from the details): the LSTM's mean over repeats, its ensemble, and every
    baseline."""
    roles = [role for role in ("val", "test") if f"{role}_rmse" in metrics]
    forecasters = {
        "LSTM (mean of repeats)": {f"{role}_{name}": metrics[f"{role}_{name}"]["mean"]
                                   for role in roles for name in ("rmse", "mae", "mase")},
        "LSTM (ensemble: mean forecast)": {f"{role}_{name}": metrics[f"{role}_ensemble"][name]
                                           for role in roles for name in ("rmse", "mae", "mase")},
        **{LABELS.get(name, name): scores for name, scores in metrics["baselines"].items()},
    }
    columns = [f"{role}_{name}" for role in roles for name in ("rmse", "mae", "mase")]
    return [
        "| forecaster | " + " | ".join(c.replace("_", " ").replace("val", "validation") for c in columns) + " |",
        "|---|" + "---|" * len(columns),
        *(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" for c in columns) + " |"
          for name, scores in forecasters.items()),
    ]


def markdown(metrics: dict, details: dict, params: dict, images: dict[str, str], skipped: list[str] = ()) -> str:
    rmse = details["test_rmse"]
    backtest, origins = params["backtest"], details["origins"]
    season = details.get("baselines_fit", {})
    chosen = {LABELS.get(name, name): ", ".join(dict.fromkeys(fits)) for name, fits in season.get("fits", {}).items()
              if name in {"auto_ets", "auto_arima", "auto_theta"}}
    lines = [
        "# LSTM forecast report",
        "",
        verdict(metrics),
        "",
        f"Test RMSE over {int(rmse['count'])} repeats: mean {rmse['mean']:.3f} (std {rmse['std']:.3f}). MASE divides "
        "each error by its fit's in-sample mean absolute one-step change: below 1 beats persistence within the "
        "training rows.",
        "",
        f"Backtest `{backtest['name']}`: {origins['val']} validation and {origins['test']} test origin(s), "
        f"{details['fits']} fit(s); the baselines (statsforecast) are fit on the same rows as each fit of the LSTM "
        "and walked forward alike, their params left alone."
        + (f" Season {season['season']} ({season['season_source']})." if season.get("season_source") else "")
        + (" Models chosen: " + "; ".join(f"{name} {fits}" for name, fits in chosen.items()) + "." if chosen else ""),
        "",
        *(f"Note: {note}." for note in season.get("notes", [])),
        *([""] if season.get("notes") else []),
        *([f"**{details['repeats_diverged']} repeats diverged** (NaN or inf loss) and are left out.", ""]
          if details.get("repeats_diverged") else []),
        *([f"During training the mean test RMSE was lowest at epoch {best['best_test_epoch']} "
           f"({best['best_test_rmse_mean']:.3f}); see the diagnostics plot.", ""]
          if (best := details.get("diagnostics", {})).get("best_test_epoch") else []),
        *_score_rows(details),
        "",
        "| statistic | test RMSE over repeats |",
        "|---|---|",
        *(f"| {name} | {value:.3f} |" for name, value in rmse.items()),
        "",
        "| output series | forecast step | LSTM test RMSE (mean of repeats) | persistence |",
        "|---|---|---|---|",
        *(f"| {series} | {step} | {scores['test_rmse_mean']:.3f} | {scores['persistence_rmse']:.3f} |"
          for series, per_step in details["per_series"].items()
          for step, scores in [("all", per_step), *((k, v) for k, v in per_step.items() if isinstance(v, dict))]),
        "",
        *_parameters(params),
    ]
    if skipped:
        lines += [f"Not drawn, a single point each (the tables above have it): {', '.join(skipped)}.", ""]
    for title, image in images.items():
        lines += [f"## {title}", "", f"![{title}]({image})", ""]
    return "\n".join(lines)


# ---- a panel (many series, data.id_column) ------------------------------------------------------------------------

PANEL_IMAGES = {
    "Test MASE over series": "mase_distribution.png",
    "Training loss per epoch": "training_loss.png",
}
WORST = 10  # series listed by the LSTM's test MASE


def write_panel(out: Path, params: dict, metrics: dict, details: dict, series: pd.DataFrame,
                loss: pd.DataFrame) -> None:
    """The report of a panel run in directory `out`: report.md with the verdict, the means over series of the
    LSTM and every baseline, the distribution of per-series test MASE (plot) and the worst series; the loss
    summary `dvc plots` draws."""
    summary = loss_summary(loss)
    summary.to_csv(out / "training_loss.csv", index=False)
    tested = series[series["role"] == "test"]
    drawn = {}
    if len(tested):
        mase_distribution_plot(tested, metrics["best_baseline"], list(details["baselines"]),
                               out / PANEL_IMAGES["Test MASE over series"])
        drawn["Test MASE over series"] = PANEL_IMAGES["Test MASE over series"]
    if len(summary) > 1:
        loss_plot(summary, out / PANEL_IMAGES["Training loss per epoch"])
        drawn["Training loss per epoch"] = PANEL_IMAGES["Training loss per epoch"]
    (out / "report.md").write_text(panel_markdown(metrics, details, series, params, drawn))


def mase_distribution_plot(tested: pd.DataFrame, best: str, baselines: list[str], path: Path) -> None:
    """Per-series test MASE: a box per forecaster (the LSTM ensemble first, the best baseline next), and the
    histogram of the LSTM's against the best baseline's."""
    fig, (boxes, histogram) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    order = [best, *(b for b in baselines if b != best)]
    values = [tested["mase"].dropna(), *(tested[f"{b}_mase"].dropna() for b in order)]
    boxes.boxplot(values, tick_labels=["LSTM", *(LABELS.get(b, b) + (" (best)" if b == best else "") for b in order)],
                  showmeans=True)
    boxes.set_ylabel("test MASE per series")
    boxes.set_yscale("log")
    boxes.tick_params(axis="x", rotation=30)
    boxes.set_title(f"Test MASE over {len(tested):,} series (triangles: means)")
    finite = pd.concat([values[0], values[1]])
    finite = finite[finite > 0]
    bins = np.geomspace(finite.min(), finite.max(), 40) if len(finite) and finite.min() < finite.max() else 20
    histogram.hist(values[0], bins=bins, alpha=0.5, label="LSTM")
    histogram.hist(values[1], bins=bins, alpha=0.5, label=LABELS.get(best, best))
    if isinstance(bins, np.ndarray):
        histogram.set_xscale("log")
        histogram.xaxis.set_minor_formatter(ticker.NullFormatter())  # minor labels overlap on log axes
        histogram.xaxis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
        histogram.xaxis.set_major_formatter(ticker.FormatStrFormatter("%g"))
    histogram.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    histogram.axvline(1.0, color="black", linewidth=0.8, linestyle=":")
    histogram.set_xlabel("test MASE per series")
    histogram.set_ylabel("series")
    histogram.legend()
    save_figure(fig, path)


def _panel_rows(metrics: dict, details: dict) -> list[str]:
    """Rows of the means table: the LSTM ensemble, the mean over repeats, and every baseline."""
    roles = [role for role in ("val", "test") if f"{role}_ensemble" in metrics]
    columns = [f"{role}_{name}" for role in roles for name in ("mase", "smape", "rmse")]
    best = metrics["best_baseline"]
    forecasters = {
        "LSTM (ensemble: mean forecast)": {f"{role}_{name}": value for role in roles
                                           for name, value in metrics[f"{role}_ensemble"].items()},
        "LSTM (mean over repeats)": {c: details["repeats"][c]["mean"] for c in columns if c in details["repeats"]},
        **{LABELS.get(name, name) + (" (best)" if name == best else ""): scores
           for name, scores in details["baselines"].items()},
    }
    return [
        "| forecaster | " + " | ".join(c.replace("_", " ").replace("val", "validation").replace("smape", "sMAPE")
                                      .replace("mase", "MASE").replace("rmse", "RMSE") for c in columns) + " |",
        "|---|" + "---|" * len(columns),
        *(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" if c in scores else "" for c in columns) + " |"
          for name, scores in forecasters.items()),
    ]


def panel_markdown(metrics: dict, details: dict, series: pd.DataFrame, params: dict, images: dict[str, str]) -> str:
    best = metrics["best_baseline"]
    label = LABELS.get(best, best)
    scale, origins = details["mase_scale"], details["origins"]
    tested = series[series["role"] == "test"]
    worst = tested.sort_values("mase", ascending=False).head(WORST)
    distribution = details["mase_over_series"].get("test", {})
    lines = [
        f"# LSTM forecast report: a panel of {metrics['series']:,} series",
        "",
        details["verdict"],
        "",
        "Means over series of each series' scores in original units. MASE divides each error by the in-sample mean "
        f"absolute error of the seasonal naive forecast (season {scale['season']}) on the rows of the fit that made "
        f"it (the M4 definition); a series too short for a season is scaled by the one-step naive instead "
        f"({scale['one-step']:,} here: `mase_scale` in evaluation/series.csv). sMAPE is the M3 competition's, "
        "200 |y - f| / (|y| + |f|); the mean RMSE mixes the series' scales.",
        "",
        f"Backtest `{params['backtest']['name']}`: {origins['val']} validation and {origins['test']} test origin(s) "
        f"per series, {details['fits']} fit(s); the best baseline is chosen on "
        + ("the validation origins." if metrics["best_baseline_chosen_on"] == "val" else
           "the test origins (there are no validation origins, so the choice saw the test period)."),
        "",
        *([f"**{details['repeats_diverged']} repeats diverged** (NaN or inf loss) and are left out.", ""]
          if details.get("repeats_diverged") else []),
        *_panel_rows(metrics, details),
        "",
        "| baseline | series where the LSTM's test MASE is lower | where the baseline's is | ties |",
        "|---|---|---|---|",
        *(f"| {LABELS.get(name, name)} | {count['lstm']:,} | {count[name]:,} | {count['ties']:,} |"
          for name, count in details["wins"].items()),
        "",
        f"| test MASE over series | LSTM | {label} |",
        "|---|---|---|",
        *(f"| {stat} | {distribution['lstm'][stat]:.3f} | {distribution[best][stat]:.3f} |"
          for stat in (distribution.get("lstm") or {})),
        "",
        f"## The {len(worst)} worst series by the LSTM's test MASE",
        "",
        f"| series | LSTM MASE | {label} MASE | LSTM sMAPE | {label} sMAPE | MASE scale |",
        "|---|---|---|---|---|---|",
        *(f"| {row.series} | {row.mase:.3f} | {getattr(row, f'{best}_mase'):.3f} | {row.smape:.2f} | "
          f"{getattr(row, f'{best}_smape'):.2f} | {row.mase_scale} |" for row in worst.itertuples()),
        "",
        *_parameters(params),
    ]
    for title, image in images.items():
        lines += [f"## {title}", "", f"![{title}]({image})", ""]
    return "\n".join(lines)


def _parameters(params: dict) -> list[str]:
    """The report's table of every param of the run, one row per `group.key`."""
    return ["## Parameters", "", "| param | value |", "|---|---|",
            *(f"| `{group}.{key}` | `{value}` |" for group, values in params.items() for key, value in values.items()),
            ""]
