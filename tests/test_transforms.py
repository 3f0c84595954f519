import numpy as np
import pytest

from lstm_tuning.data import load_series
from lstm_tuning.transforms import Scaling, difference, inverse_difference

from conftest import SHAMPOO


@pytest.mark.parametrize("interval", [1, 2, 12])
def test_differencing_inverts_exactly(interval):
    values = load_series(SHAMPOO, "Month", "Sales").to_numpy()
    diffs = difference(values, interval)
    assert np.isnan(diffs[:interval]).all()
    restored = inverse_difference(diffs[interval:], values[:-interval])
    np.testing.assert_array_equal(restored, values[interval:])


def test_scaling_maps_training_part_to_unit_range_and_inverts():
    values = load_series(SHAMPOO, "Month", "Sales").to_numpy()
    diffs = difference(values, 1)[1:]
    train, test = diffs[:-12], diffs[-12:]
    scaling = Scaling.fit(train)
    scaled = scaling.transform(train)
    assert scaled.min() == pytest.approx(-1.0) and scaled.max() == pytest.approx(1.0)
    np.testing.assert_allclose(scaling.inverse(scaling.transform(diffs)), diffs, rtol=0, atol=1e-10)
    # the test year is outside the training range: scaling it must not squeeze it into [-1, 1]
    assert np.abs(scaling.transform(test)).max() > 1.0


def test_scaling_round_trips_through_json():
    scaling = Scaling.fit(np.array([-3.0, 0.5, 7.25]))
    restored = Scaling.from_dict(scaling.to_dict())
    x = np.linspace(-10, 10, 7)
    np.testing.assert_array_equal(restored.transform(x), scaling.transform(x))


def test_scaler_ignores_test_values():
    values = load_series(SHAMPOO, "Month", "Sales").to_numpy()
    changed = values.copy()
    changed[-12:] *= 10
    fit = lambda v: Scaling.fit(difference(v, 1)[1:-12])  # noqa: E731
    assert fit(values) == fit(changed)
