"""Every architecture in the registry builds from its conf/model option for every framing and forecasts
[n_out, n_targets]; its params reach the layers."""

import keras
import pytest
from helpers import SUMMED, data_params, model_params, task_params

from lstm_tuning.data import framings, sources
from lstm_tuning.models import builders
from lstm_tuning.models.base import Shape
from lstm_tuning.models.specs import MODELS

MULTIVARIATE = data_params(**SUMMED, n_lags=4)
TASKS = {  # framing -> (n_out, input series, target series) on the seed's multivariate toy
    "univariate": (1, 1, 1),
    "multiple_input": (1, 2, 1),
    "multiple_parallel": (1, 3, 3),
    "multistep_vector": (2, 1, 1),
    "multistep_encoder_decoder": (2, 1, 1),
    "multiple_input_multistep": (2, 2, 1),
    "multiple_parallel_multistep": (2, 3, 3),
}
WINDOW_MODELS = [name for name, architecture in MODELS.items() if not architecture.carries_state]


def test_the_registry_holds_every_conf_model_option():
    from helpers import ROOT

    assert set(MODELS) == {path.stem for path in (ROOT / "conf/model").glob("*.yaml")}


@pytest.mark.parametrize("architecture", WINDOW_MODELS)
@pytest.mark.parametrize("task", TASKS)
def test_every_architecture_forecasts_every_framing_in_the_right_shape(architecture, task):
    n_out, n_inputs, n_targets = TASKS[task]
    windows = framings.frame(sources.load(MULTIVARIATE), task_params(task, n_out), MULTIVARIATE)
    assert windows.X.shape[1:] == (4, n_inputs) and windows.y.shape[1:] == (n_out, n_targets)
    model = builders.build(model_params(architecture, units=3, filters=3), Shape(4, n_inputs, n_out, n_targets))
    assert model(windows.X).shape == (len(windows.X), n_out, n_targets)


def test_the_stateful_model_is_the_seeds_network():
    model = builders.build(model_params("stateful_lstm", units=3), Shape(2, 1, 1, 1, batch_size=4))
    lstm, dense = model.layers
    assert model.input_shape == (4, 1, 2) and lstm.stateful and lstm.units == 3 and dense.units == 1


def test_hyperparameters_reach_the_layers():
    params = model_params("stacked", layers=3, units=7, activation="tanh", dropout=0.2, recurrent_dropout=0.3,
                          kernel_l1=0.01, recurrent_l2=0.02, bias_l1=0.03)
    model = builders.build(params, Shape(3, 1, 1, 1))
    lstms = [layer for layer in model.layers if isinstance(layer, keras.layers.LSTM)]
    assert len(lstms) == 3 and [layer.return_sequences for layer in lstms] == [True, True, False]
    for layer in lstms:
        assert (layer.units, layer.cell.activation.__name__) == (7, "tanh")
        assert (layer.dropout, layer.recurrent_dropout, layer.unroll) == (0.2, 0.3, True)
        assert layer.cell.kernel_regularizer.get_config() == {"l1": 0.01, "l2": 0.0}
        assert layer.cell.recurrent_regularizer.get_config() == {"l1": 0.0, "l2": 0.02}
        assert layer.cell.bias_regularizer.get_config() == {"l1": 0.03, "l2": 0.0}


def test_cnn_and_conv_lstm_read_the_seeds_subsequences():
    cnn = builders.build(model_params("cnn_lstm", filters=5, kernel_size=2, pool_size=1, n_steps=2), Shape(6, 2, 1, 1))
    conv = [layer for layer in cnn.layers if isinstance(layer, keras.layers.TimeDistributed)][0]
    assert conv.input.shape == (None, 3, 2, 2) and conv.layer.get_config()["kernel_size"] == (2,)
    conv_lstm = builders.build(model_params("conv_lstm", filters=5, kernel_size=2, n_steps=2), Shape(6, 2, 1, 1))
    layer = [layer for layer in conv_lstm.layers if isinstance(layer, keras.layers.ConvLSTM2D)][0]
    assert layer.input.shape == (None, 3, 1, 2, 2) and layer.kernel_size == (1, 2) and layer.filters == 5
