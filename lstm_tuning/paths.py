"""Where each stage writes; `dvc.yaml` lists the same paths as the stages' outs."""

from pathlib import Path

SERIES = Path("data/series.csv")
TRANSFORMED = Path("data/transformed.csv")
SCALING = Path("data/scaling.json")
WINDOWS = Path("data/windows.npz")
MODELS = Path("models")
REPEATS = MODELS / "repeats.csv"  # each repeat's seed and whether it diverged
TRAINING_LOSS = Path("training/loss.csv")
CHECKPOINTS = Path("training/checkpoints.npz")  # forecasts (scaled) of every window every k epochs
TRAINING_TIME = Path("training/time.json")
METRICS = Path("evaluation/metrics.json")
RMSE = Path("evaluation/rmse.csv")
FORECASTS = Path("evaluation/forecasts.csv")
HORIZON = Path("evaluation/horizon.csv")  # test RMSE of the target per forecast step t+h
DIAGNOSTICS = Path("evaluation/diagnostics.csv")  # RMSE per checkpoint and repeat, original units
DIAGNOSTICS_MEAN = Path("evaluation/diagnostics_mean.csv")  # the same, averaged over repeats
REPORT_DIR = Path("report")


def model_file(repeat: int) -> str:
    return f"repeat_{repeat:03d}.keras"
