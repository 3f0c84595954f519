"""The scores' arithmetic: scikit-learn's, without importing it in the stages."""

import numpy as np
import pytest

from lstm_tuning.evaluation import scores


@pytest.mark.parametrize("shape", [(12, 1), (36, 1), (7, 3), (1, 12)])
def test_rmse_and_mae_are_scikit_learns_bit_for_bit(shape):
    from sklearn.metrics import mean_absolute_error, root_mean_squared_error

    rng = np.random.default_rng(sum(shape))
    actual = rng.normal(300, 120, shape)
    forecasts = actual + rng.normal(0, 90, shape)
    ours = scores.root_mean_squared_error(actual, forecasts), scores.mean_absolute_error(actual, forecasts)
    theirs = (root_mean_squared_error(actual, forecasts, multioutput="raw_values"),
              mean_absolute_error(actual, forecasts, multioutput="raw_values"))
    for mine, sklearn in zip(ours, theirs):
        assert mine.tobytes() == sklearn.tobytes()
    if shape[1] == 1:  # errors() keeps sklearn's uniform average of one column
        assert float(ours[0][0]) == root_mean_squared_error(actual, forecasts)
        assert float(ours[1][0]) == mean_absolute_error(actual, forecasts)
