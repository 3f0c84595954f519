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
FIT_WEIGHTS = Path("training/weights.npz")  # every fit's kept weights, per variable [fits, repeats, ...]
FINAL_MODELS = Path("training/models")  # the final fit's: one Keras file per repeat that did not diverge
METRICS = Path("evaluation/metrics.json")
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
    REPEATS: "train",
    TRAINING_LOSS: "train", CHECKPOINTS: "train", FIT_WEIGHTS: "train", FINAL_MODELS: "train",
    METRICS: "evaluate", RMSE: "evaluate", FORECASTS: "evaluate",
    HORIZON: "evaluate", DIAGNOSTICS: "evaluate", ORIGIN_SCORES: "evaluate",
}


def model_file(repeat: int) -> str:
    return f"repeat_{repeat:03d}.keras"
