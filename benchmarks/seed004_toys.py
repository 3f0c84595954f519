"""Every seed 004 toy example with the seed's own model settings, next to the output the seed printed.

    python benchmarks/seed004_toys.py [repeats]

Unscaled toy data as the seed; relu LSTMs, Adam, MSE, fit's default batch of 32 with shuffling. Prints
a Markdown row per example: the forecast's mean over the repeats and its spread, the seed's printed
forecast and the true next values.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from lstm_tuning import training
from lstm_tuning.config import TrainConfig
from lstm_tuning.data import framings, sources
from lstm_tuning.data.specs import GeneratedParams, SummedParams
from lstm_tuning.models.specs import MODELS


def conf(*overrides: str) -> dict:
    """conf/ composed with `overrides`: the value of every param (the params dataclasses have no defaults)."""
    with initialize_config_dir(config_dir=str(Path(__file__).resolve().parent.parent / "conf"), version_base="1.3"):
        return OmegaConf.to_container(compose(config_name="config", overrides=list(overrides)))


UNIVARIATE = GeneratedParams(**conf("data=arithmetic_sequence")["data"])
MULTIVARIATE = SummedParams(**conf("data=summed_sequences")["data"])
CNN = dict(filters=64, kernel_size=1, pool_size=2, n_steps=2)  # 2 subsequences of 2 steps of the 4 lags

# (example, data, task, n_out, model params, epochs, query window, seed's printed forecast, true values)
EXAMPLES = [
    ("vanilla", UNIVARIATE, "univariate", 1, dict(name="vanilla", units=50), 200,
     [[70], [80], [90]], [102.09], [100]),
    ("stacked", UNIVARIATE, "univariate", 1, dict(name="stacked", units=50, layers=2), 200,
     [[70], [80], [90]], [102.47], [100]),
    ("bidirectional", UNIVARIATE, "univariate", 1, dict(name="bidirectional", units=50), 200,
     [[70], [80], [90]], [101.48], [100]),
    ("CNN-LSTM", dataclasses.replace(UNIVARIATE, n_lags=4), "univariate", 1, dict(name="cnn_lstm", units=50, **CNN),
     500, [[60], [70], [80], [90]], [101.69], [100]),
    ("ConvLSTM", dataclasses.replace(UNIVARIATE, n_lags=4), "univariate", 1,
     dict(name="conv_lstm", **CNN | {"kernel_size": 2}), 500, [[60], [70], [80], [90]], [103.68], [100]),
    ("multiple input (vanilla)", MULTIVARIATE, "multiple_input", 1, dict(name="vanilla", units=50), 200,
     [[80, 85], [90, 95], [100, 105]], [208.14], [205]),
    ("parallel (stacked 100)", MULTIVARIATE, "multiple_parallel", 1, dict(name="stacked", units=100, layers=2), 400,
     [[70, 75, 145], [80, 85, 165], [90, 95, 185]], [101.77, 108.73, 206.64], [100, 105, 205]),
    ("multi-step vector (stacked 100)", UNIVARIATE, "multistep_vector", 2, dict(name="stacked", units=100, layers=2),
     50, [[70], [80], [90]], [100.98, 113.29], [100, 110]),
    ("multi-step encoder-decoder (100)", UNIVARIATE, "multistep_encoder_decoder", 2,
     dict(name="encoder_decoder", units=100), 100, [[70], [80], [90]], [101.97, 116.21], [100, 110]),
    ("multiple input multi-step (stacked 100)", MULTIVARIATE, "multiple_input_multistep", 2,
     dict(name="stacked", units=100, layers=2), 200, [[70, 75], [80, 85], [90, 95]], [188.71, 210.17], [185, 205]),
    ("parallel multi-step (encoder-decoder 200)", MULTIVARIATE, "multiple_parallel_multistep", 2,
     dict(name="encoder_decoder", units=200), 300, [[60, 65, 125], [70, 75, 145], [80, 85, 165]],
     [91.86, 97.77, 189.67, 103.30, 109.18, 212.69], [90, 95, 185, 100, 105, 205]),
]


def fmt(values) -> str:
    return ", ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in values)


def main(repeats: int) -> None:
    print(f"| example | this project: mean of {repeats} repeats | largest std over repeats | seed printed | true |")
    print("|---|---|---|---|---|")
    for name, data, task, n_out, params, epochs, query, seed_printed, true in EXAMPLES:
        framing = framings.TASKS[task]
        cut = framings.frame(sources.load(data), framing.params(**{"name": task} | ({"n_out": n_out} if n_out > 1
                                                                                   else {})), data)
        # every window trains, as the seed fits them all
        windows = {"X": cut.X[None], "y": cut.y[None], "first_rows": cut.target_rows,
                   "train": np.ones((1, len(cut.X)), bool), "stop": np.zeros(len(cut.X), bool)}
        own = conf(f"model={params['name']}")["model"]
        model = MODELS[params["name"]].params(**own | {"activation": "relu"} | params)
        train_cfg = TrainConfig(**conf()["train"] | {"epochs": epochs, "batch_size": 32, "repeats": repeats, "seed": 1})
        trained = training.train(model, train_cfg, windows, progress=False)
        forecasts = training.forecast(trained.models, None, np.array([query], "float32"))[:, 0].reshape(repeats, -1)
        print(f"| {name} | {fmt(forecasts.mean(axis=0).tolist())} | {forecasts.std(axis=0, ddof=1).max():.2f} | "
              f"{fmt(seed_printed)} | {fmt(true)} |", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
