"""Every zoo architecture builds from its conf/model option for every framing and forecasts [n_out, n_targets]."""

import dataclasses

import keras
import pytest
import yaml

from lstm_tuning import datasets, framings, zoo
from lstm_tuning.config import DataConfig, ModelConfig, TaskConfig

from conftest import ROOT

MULTIVARIATE = DataConfig(source="seed004_multiple_input", target="out", covariates=["in1", "in2"], n_lags=4)
TASKS = {  # framing -> (n_out, input series, target series) on the seed's multivariate toy
    "univariate": (1, 1, 1),
    "multiple_input": (1, 2, 1),
    "multiple_parallel": (1, 3, 3),
    "multistep_vector": (2, 1, 1),
    "multistep_encoder_decoder": (2, 1, 1),
    "multiple_input_multistep": (2, 2, 1),
    "multiple_parallel_multistep": (2, 3, 3),
}


def model_option(name: str, **changes) -> ModelConfig:
    return dataclasses.replace(ModelConfig(**yaml.safe_load((ROOT / "conf/model" / f"{name}.yaml").read_text())),
                               **changes)


@pytest.mark.parametrize("architecture", zoo.ARCHITECTURES)
@pytest.mark.parametrize("task", TASKS)
def test_every_architecture_forecasts_every_framing_in_the_right_shape(architecture, task):
    n_out, n_inputs, n_targets = TASKS[task]
    windows = framings.frame(datasets.load(MULTIVARIATE), TaskConfig(task, n_out), MULTIVARIATE)
    assert windows.X.shape[1:] == (4, n_inputs) and windows.y.shape[1:] == (n_out, n_targets)
    model = zoo.build(model_option(architecture, units=3, filters=3), 4, n_inputs, n_out, n_targets)
    assert model(windows.X).shape == (len(windows.X), n_out, n_targets)


def test_hyperparameters_reach_the_layers():
    cfg = model_option("stacked", layers=3, units=7, activation="tanh", dropout=0.2, recurrent_dropout=0.3,
                       kernel_l1=0.01, recurrent_l2=0.02, bias_l1=0.03)
    lstms = [layer for layer in zoo.build(cfg, 3, 1, 1, 1).layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 3 and [layer.return_sequences for layer in lstms] == [True, True, False]
    for layer in lstms:
        assert (layer.units, layer.cell.activation.__name__) == (7, "tanh")
        assert (layer.dropout, layer.recurrent_dropout, layer.unroll) == (0.2, 0.3, True)
        assert layer.cell.kernel_regularizer.get_config() == {"l1": 0.01, "l2": 0.0}
        assert layer.cell.recurrent_regularizer.get_config() == {"l1": 0.0, "l2": 0.02}
        assert layer.cell.bias_regularizer.get_config() == {"l1": 0.03, "l2": 0.0}


def test_cnn_and_conv_lstm_read_the_seeds_subsequences():
    cnn = zoo.build(model_option("cnn_lstm", filters=5, kernel_size=2, pool_size=1, n_seq=3, n_steps=2), 6, 2, 1, 1)
    conv = [layer for layer in cnn.layers if isinstance(layer, keras.layers.TimeDistributed)][0]
    assert conv.input.shape == (None, 3, 2, 2) and conv.layer.get_config()["kernel_size"] == (2,)
    conv_lstm = zoo.build(model_option("conv_lstm", filters=5, kernel_size=2, n_seq=3, n_steps=2), 6, 2, 1, 1)
    layer = [layer for layer in conv_lstm.layers if isinstance(layer, keras.layers.ConvLSTM2D)][0]
    assert layer.input.shape == (None, 3, 1, 2, 2) and layer.kernel_size == (1, 2) and layer.filters == 5
