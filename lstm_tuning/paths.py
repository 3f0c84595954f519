"""Where each stage writes; `dvc.yaml` lists the same paths as the stages' outs."""

from pathlib import Path

SERIES = Path("data/series.csv")
TRANSFORMED = Path("data/transformed.csv")
SCALING = Path("data/scaling.json")  # each fit's transforms
ORIGINS = Path("data/origins.csv")  # the backtest: each origin, the rows it forecasts, its fit's training rows
WINDOWS = Path("data/windows.npz")
MODELS = Path("models")  # the forecast stage's: the final fit's Keras files (train's), and what forecasting needs
REPEATS = Path("training/repeats.csv")  # each repeat's seed, whether it diverged, its best epoch
TRAINING_LOSS = Path("training/loss.csv")
# every window's forecasts (scaled) every k epochs, and by the weights each repeat keeps
CHECKPOINTS = Path("training/checkpoints.npz")
TRAINING_TIME = Path("training/time.json")
BASELINE_FORECASTS = Path("baselines/forecasts.csv")  # every baseline's forecasts from every held-out row
BASELINE_INFO = Path("baselines/info.json")  # the season and the models each fit chose
# every baseline's forecast of the forecast.horizon steps past the end, fit on every row (the forecast figure's)
BASELINE_PAST_END = Path("baselines/past_end.csv")
BASELINE_TIME = Path("baselines/time.json")  # the stage's seconds (evaluate does not read it)
METRICS = Path("evaluation/metrics.json")  # the headline: what `dvc exp show` and `dvc metrics diff` print
DETAILS = Path("evaluation/details.json")  # every other score: summaries over repeats, every baseline...
SERIES_SCORES = Path("evaluation/series.csv")  # MASE, sMAPE, RMSE per (series, role): the ensemble's, each baseline's
SERIES_ORIGIN_SCORES = Path("evaluation/series_origins.csv")  # the same per (series, origin): what a study pairs
FIT_WEIGHTS = Path("training/weights.npz")  # every fit's kept weights, per variable [fits, repeats, ...]
FINAL_MODELS = Path("training/models")  # the final fit's: one Keras file per repeat that did not diverge
RMSE = Path("evaluation/rmse.csv")  # RMSE, MAE and MASE per repeat
FORECASTS = Path("evaluation/forecasts.csv")
ORIGIN_SCORES = Path("evaluation/origins.csv")  # errors of the ensemble and the baselines per origin
HORIZON = Path("evaluation/horizon.csv")  # test RMSE of the target per forecast step t+h
DIAGNOSTICS = Path("evaluation/diagnostics.csv")  # RMSE per checkpoint and repeat, original units
DIAGNOSTICS_MEAN = Path("evaluation/diagnostics_mean.csv")  # the same, averaged over repeats
REPORT_DIR = Path("report")
FORECAST = Path("forecast/forecast.csv")  # the steps past the end: mean of the repeats, bounds per level
FORECAST_INTERVALS = Path("forecast/intervals.csv")  # per step: the errors behind each interval, its coverage
FORECAST_METRICS = Path("forecast/metrics.json")  # the intervals' coverage on the test origins
FORECAST_FIGURE = Path("forecast/forecast.png")

# the stage that writes each input of another stage, for "run it first" when one is missing
WRITTEN_BY = {
    SERIES: "ingest", TRANSFORMED: "transform", SCALING: "transform", ORIGINS: "transform", WINDOWS: "window",
    REPEATS: "train", BASELINE_FORECASTS: "baselines", BASELINE_INFO: "baselines", BASELINE_PAST_END: "baselines",
    TRAINING_LOSS: "train", CHECKPOINTS: "train", FIT_WEIGHTS: "train", FINAL_MODELS: "train",
    METRICS: "evaluate", DETAILS: "evaluate", SERIES_SCORES: "evaluate", RMSE: "evaluate", FORECASTS: "evaluate",
    HORIZON: "evaluate", DIAGNOSTICS: "evaluate", ORIGIN_SCORES: "evaluate", SERIES_ORIGIN_SCORES: "evaluate",
}


def model_file(repeat: int) -> str:
    return f"repeat_{repeat:03d}.keras"
