"""Time each zoo architecture's default (conf/model/<name>.yaml, conf/train/default.yaml) on Shampoo Sales.

    python benchmarks/zoo_speed.py [architecture ...]

Prints a Markdown row per architecture: training seconds for all repeats (XLA compile included), the
per-epoch cost, and the walk-forward test RMSE in original units (mean and std over repeats; persistence
is 136.761). CNN-LSTM and ConvLSTM read 4 lags (2 subsequences of 2), the others the default 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

from lstm_tuning import datasets, framings, per_series_transforms, stateless_training, zoo
from lstm_tuning.config import DataConfig, ModelConfig, TaskConfig, TrainConfig

CONF = Path(__file__).resolve().parent.parent / "conf"


def conf(group: str, option: str) -> dict:
    return yaml.safe_load((CONF / group / f"{option}.yaml").read_text())


def main(architectures: list[str]) -> None:
    train_cfg = TrainConfig(**conf("train", "default"))
    print("| model | n_lags | repeats x epochs | train seconds | ms per epoch | test RMSE mean (std) |")
    print("|---|---|---|---|---|---|")
    for name in architectures:
        model_cfg = ModelConfig(**conf("model", name))
        n_lags = model_cfg.n_seq * model_cfg.n_steps if name in ("cnn_lstm", "conv_lstm") else 1
        data_cfg = DataConfig(**conf("data", "shampoo") | {"n_lags": n_lags})
        series = datasets.load(data_cfg)
        fit_rows = len(series) - data_cfg.test_size
        scaled, fitted = per_series_transforms.fit_transform(series, data_cfg.diff_interval, [], fit_rows)
        windows = framings.frame(scaled, TaskConfig(), data_cfg)
        test = windows.target_rows >= fit_rows
        trained = stateless_training.train_stateless(
            model_cfg, train_cfg, windows.X[~test], windows.y[~test], progress=False
        )
        forecasts = stateless_training.predict(trained.models, windows.X[test])[..., 0, 0]
        values = series[data_cfg.target].to_numpy()
        rows = windows.target_rows[test]
        predicted = fitted[data_cfg.target].inverse_scaling(forecasts) + values[rows - 1]
        rmse = np.sqrt(np.mean((predicted - values[rows]) ** 2, axis=1))
        print(f"| {name} | {n_lags} | {train_cfg.repeats} x {train_cfg.epochs} | {trained.seconds:.1f} | "
              f"{1000 * trained.seconds / train_cfg.epochs:.1f} | {rmse.mean():.1f} ({rmse.std(ddof=1):.1f}) |",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or list(zoo.ARCHITECTURES))
