"""What each architecture is (`model.name`): its params with their bounds, the rules that tie them to other
groups, and whether it carries its LSTM state between batches. Light on purpose: `config` reads this and
never imports Keras; the builder of architecture `<name>` is `lstm_tuning/models/<name>.py`, loaded by
`builders.build` in the stages that train.

The params have no defaults: each value is in the option's `conf/model/` file (the shared LSTM ones in
`conf/model/_shared/lstm.yaml`), the one place it is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from lstm_tuning.errors import UserError
from lstm_tuning.options import Option, Registry, param

# Optimizers whose update is elementwise, so one optimizer over weights stacked along a repeat axis gives
# every repeat exactly the update it would get alone (no norm or factor shared across repeats).
ELEMENTWISE_OPTIMIZERS = ("adam", "adamw", "adamax", "nadam", "rmsprop", "adagrad", "sgd")
LOSSES = ("mse", "mae", "huber", "log_cosh")
# global: one set of weights per (fit, repeat) trained on every series' windows of a panel; local: one per
# (series, fit, repeat), each trained on its own series' windows only. One series: both train the same.
SCOPES = ("global", "local")
ACTIVATIONS = ("tanh", "relu", "linear", "sigmoid", "elu", "selu", "softsign", "gelu", "swish")


@dataclass(kw_only=True)
class LSTMParams:
    """The params of every LSTM-bearing model: its cell, the seed 002 extensions (dropout, weight
    penalties) and how it is optimised."""

    name: str
    scope: str = param(choices=SCOPES)  # on a panel: one model for every series (global) or one per series (local)
    activation: str = param(choices=ACTIVATIONS)  # of the LSTM cell and output (the gates stay sigmoid)
    dropout: float = param(at_least=0, below=1)  # fraction of the LSTM inputs dropped while training
    recurrent_dropout: float = param(at_least=0, below=1)  # of the recurrent state
    kernel_l1: float = param(at_least=0)  # L1/L2 weight penalties added to the loss (0 = none)
    kernel_l2: float = param(at_least=0)
    recurrent_l1: float = param(at_least=0)
    recurrent_l2: float = param(at_least=0)
    bias_l1: float = param(at_least=0)
    bias_l2: float = param(at_least=0)
    optimizer: str = param(choices=ELEMENTWISE_OPTIMIZERS)
    learning_rate: float = param(above=0)
    loss: str = param(choices=LOSSES)


@dataclass(kw_only=True)
class StatefulParams(LSTMParams):
    """The seed 002 model: a stateful LSTM over one timestep whose features are the lags, then Dense(1)."""

    units: int = param(at_least=1)


@dataclass(kw_only=True)
class VanillaParams(LSTMParams):
    """Seed 004 vanilla LSTM: one LSTM layer over the window -> Dense to the forecast."""

    units: int = param(at_least=1)


@dataclass(kw_only=True)
class StackedParams(LSTMParams):
    """Seed 004 stacked LSTM: `layers` LSTM layers of `units` each."""

    units: int = param(at_least=1)  # per layer
    layers: int = param(at_least=1)


@dataclass(kw_only=True)
class BidirectionalParams(LSTMParams):
    """Seed 004 bidirectional LSTM: the window read forwards and backwards."""

    units: int = param(at_least=1)  # per direction


@dataclass(kw_only=True)
class CnnLstmParams(LSTMParams):
    """Seed 004 CNN-LSTM: a Conv1D reads each subsequence of `n_steps` lags, an LSTM the readings."""

    units: int = param(at_least=1)
    filters: int = param(at_least=1)
    n_steps: int = param(at_least=1)  # lags per subsequence; data.n_lags / n_steps subsequences
    kernel_size: int = param(at_least=1)  # time steps per convolution read; at most n_steps
    pool_size: int = param(at_least=1)  # at most n_steps - kernel_size + 1


@dataclass(kw_only=True)
class ConvLstmParams(LSTMParams):
    """Seed 004 ConvLSTM: ConvLSTM2D over frames of 1 row x `n_steps` columns. Its size is `filters`."""

    filters: int = param(at_least=1)
    n_steps: int = param(at_least=1)  # lags per frame; data.n_lags / n_steps frames
    kernel_size: int = param(at_least=1)  # columns (time steps) of the (1, kernel_size) kernel; at most n_steps


@dataclass(kw_only=True)
class EncoderDecoderParams(LSTMParams):
    """Seed 004 encoder-decoder: LSTM encoder -> RepeatVector(n_out) -> LSTM decoder."""

    units: int = param(at_least=1)  # of the encoder and of the decoder


def check_univariate(cfg, source: str) -> None:
    if cfg.task.name != "univariate":
        raise UserError(f"{source}: model=stateful_lstm forecasts task=univariate only, not task={cfg.task.name}; "
                        "pick another model for this framing")
    if cfg.data.calendar:
        raise UserError(f"{source}: model=stateful_lstm reads the n_lags target values as one timestep, with no "
                        f"room for data.calendar=[{', '.join(cfg.data.calendar)}]; set data.calendar=[], or pick a "
                        "model that reads a window of inputs (vanilla, stacked...)")


def check_subsequences(cfg, source: str) -> None:
    """The window must split into whole subsequences that the convolution fits in (CNN-LSTM, ConvLSTM)."""
    model, n_lags = cfg.model, cfg.data.n_lags
    if n_lags % model.n_steps:
        raise UserError(f"{source}: model={model.name} reads each window as subsequences of model.n_steps="
                        f"{model.n_steps} lags, which do not divide data.n_lags={n_lags}; make n_steps a divisor of "
                        "n_lags")
    if model.kernel_size > model.n_steps:
        raise UserError(f"{source}: model.kernel_size={model.kernel_size} is longer than a subsequence "
                        f"(model.n_steps={model.n_steps}); make kernel_size <= n_steps")


def check_pooling(cfg, source: str) -> None:
    check_subsequences(cfg, source)
    model = cfg.model
    if model.pool_size > model.n_steps - model.kernel_size + 1:
        raise UserError(f"{source}: model.pool_size={model.pool_size} is longer than the "
                        f"{model.n_steps - model.kernel_size + 1} steps the convolution leaves (model.n_steps="
                        f"{model.n_steps}, model.kernel_size={model.kernel_size}); make pool_size <= n_steps - "
                        "kernel_size + 1")


@dataclass(frozen=True, kw_only=True)
class Architecture(Option):
    # True: batches in order, the LSTM state carried from one batch to the next (the seed 002 model);
    # False: each window on its own, shuffled batches as Keras fit
    carries_state: bool = False


MODELS = Registry("model", "name")
MODELS.add(Architecture(name="stateful_lstm", params=StatefulParams, check=check_univariate, carries_state=True))
MODELS.add(Architecture(name="vanilla", params=VanillaParams))
MODELS.add(Architecture(name="stacked", params=StackedParams))
MODELS.add(Architecture(name="bidirectional", params=BidirectionalParams))
MODELS.add(Architecture(name="cnn_lstm", params=CnnLstmParams, check=check_pooling))
MODELS.add(Architecture(name="conv_lstm", params=ConvLstmParams, check=check_subsequences))
MODELS.add(Architecture(name="encoder_decoder", params=EncoderDecoderParams))
