import numpy as np

from lstm_tuning.windows import frame, parts, split, trim_to_batches


def test_one_lag_pairs_previous_value_with_next():
    series = np.array([np.nan, 1.0, 2.0, 3.0, 4.0])
    X, y, targets = frame(series, 1)
    assert X.shape == (3, 1) and y.shape == (3,)
    np.testing.assert_array_equal(X[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(y, [2, 3, 4])
    np.testing.assert_array_equal(targets, [2, 3, 4])


def test_three_lags_oldest_first():
    series = np.arange(10.0, 100.0, 10.0)  # the seed 004 toy sequence 10..90
    X, y, targets = frame(series, 3)
    assert X.shape == (6, 3)
    np.testing.assert_array_equal(X[0], [10, 20, 30])
    assert y[0] == 40 and y[-1] == 90
    np.testing.assert_array_equal(series[targets], y)


def test_shampoo_split_matches_the_seed():
    # 36 months, lag-1 differencing: 34 supervised rows, train = first 22, test = last 12
    series = np.r_[np.nan, np.arange(35.0)]
    X, y, _ = frame(series, 1)
    assert len(y) == 34
    assert split(len(y), 0, 12) == (22, 22)


def test_validation_window_sits_just_before_the_test_set():
    first_val, first_test = split(34, 6, 12)
    assert (first_val, first_test) == (16, 22)


def test_trim_drops_oldest_rows_to_a_multiple_of_the_batch_size():
    assert trim_to_batches(22, 4) == 2  # the seed's train_scaled[2:]
    assert trim_to_batches(22, 1) == 0
    assert trim_to_batches(20, 4) == 0


def test_multistep_windows_train_only_on_rows_before_the_held_out_ones():
    # 20 rows, the last 3 validate and the last 5 test; windows forecast 3 rows from their first
    first_rows = np.arange(2, 18)
    split_ = parts(first_rows, n_out=3, n_rows=20, val_size=3, test_size=5)
    assert first_rows[split_["train"]].max() + 2 == 11  # last training window ends on row 11, before row 12
    np.testing.assert_array_equal(first_rows[split_["val"]], [12])  # rows 12-14; 13 and 14 would reach the test
    np.testing.assert_array_equal(first_rows[split_["test"]], [15, 16, 17])
    one_step = parts(np.arange(1, 20), n_out=1, n_rows=20, val_size=3, test_size=5)
    assert [int(rows.sum()) for rows in one_step.values()] == [11, 3, 5]
