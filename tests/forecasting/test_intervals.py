"""Split-conformal intervals and their coverage, against answers worked by hand."""

import numpy as np
import pytest

from lstm_tuning.forecasting import intervals


@pytest.mark.parametrize("n, level, expected, guaranteed", [
    (19, 95, 19.0, True),  # rank ceil(20 * 0.95) = 19: the largest of 19
    (19, 80, 16.0, True),  # rank ceil(20 * 0.8) = 16
    (9, 95, 9.0, False),  # rank 10 > 9: the largest, without the guarantee
    (4, 50, 3.0, True),  # rank ceil(5 * 0.5) = 3
])
def test_the_conformal_quantile_is_the_ceil_n_plus_1_rank(n, level, expected, guaranteed):
    scores = np.arange(n, 0, -1, dtype=float)  # n .. 1, unsorted
    assert intervals.conformal_quantile(scores, level) == (expected, guaranteed)


def test_missing_errors_are_skipped_and_no_error_gives_no_interval():
    assert intervals.conformal_quantile(np.array([np.nan, 2.0, 1.0, np.nan]), 50) == (2.0, True)
    width, guaranteed = intervals.conformal_quantile(np.array([np.nan]), 80)
    assert np.isnan(width) and not guaranteed


def test_half_widths_per_step_rest_on_the_errors_resolved_at_that_step():
    # 3 origins x 2 steps x 1 series; the last origin's second step is past the end
    errors = np.array([[[1.0], [-4.0]], [[-2.0], [5.0]], [[3.0], [np.nan]]])
    widths, counts, guaranteed = intervals.half_widths(errors, [50.0])
    np.testing.assert_array_equal(counts[:, 0], [3, 2])
    np.testing.assert_array_equal(widths[0, :, 0], [2.0, 5.0])  # ranks ceil(4 * .5) = 2 and ceil(3 * .5) = 2
    assert guaranteed.all()


def test_coverage_at_a_test_origin_uses_only_the_errors_observed_before_it():
    # origins at rows 10..14, one step; the last two are test origins
    errors = np.array([1.0, -2.0, 3.0, 2.5, -10.0])[:, None, None]
    rows = np.arange(10, 15)
    tested = np.array([False, False, False, True, True])
    inside = intervals.coverage(errors, rows, tested, [50.0])[0, :, 0, 0]
    # row 13: earlier |errors| 1, 2, 3 -> rank 2 -> 2; |2.5| > 2: outside
    # row 14: earlier 1, 2, 3, 2.5 -> rank ceil(5 * .5) = 3 -> 2.5; |-10| > 2.5: outside
    assert np.isnan(inside[:3]).all()
    np.testing.assert_array_equal(inside[3:], [0.0, 0.0])

    # two steps ahead, only origins whose second row (origin + 1) was observed before the test origin count
    two_steps = np.zeros((5, 2, 1))
    two_steps[:, 1, 0] = [1.0, 1.0, 9.0, 1.0, 1.0]
    inside = intervals.coverage(two_steps, rows, tested, [50.0])[0, :, 1, 0]
    # row 13: origins 10, 11 (rows 11, 12 < 13); 12 forecasts row 13 itself: not yet observed -> width 1: inside
    np.testing.assert_array_equal(inside[3:], [1.0, 1.0])
