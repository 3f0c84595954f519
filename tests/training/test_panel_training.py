"""Real TensorFlow: training that scales to panels (issue 24): epochs of sampled batches
(`train.steps_per_epoch`), and a panel's windows trained as one global model or one local model per series,
each equal to training its own windows alone (as test_shuffled's fits-together test).

The panels are two short toy series (2 lags) concatenated as the window stage writes a panel's windows
(PANEL.md: `series`, `ids`), and the models tiny, so each training compiles in seconds.
"""

import numpy as np
import pytest
from helpers import ARITHMETIC, PARAMS, data_params, model_params, option_params, task_params

from lstm_tuning import config, training
from lstm_tuning.data import backtest, framings, sources, transforms
from lstm_tuning.errors import UserError

SCALE = 0.01  # the toy's values scaled to ~[0, 0.3]: a few tanh epochs stay well-conditioned


def series_windows(length: int, scale: float, curved: bool = False, fits: int = 1) -> dict:
    """The window stage's arrays of one toy series of `length` rows, the last 6 held out for testing (`fits`
    3: an expanding backtest refit every 2 rows, each fit with 2 more training windows than the one before);
    `curved`: its square root, so its differences (what the model reads) are not all equal."""
    data = data_params(**ARITHMETIC, length=length, n_lags=2, val_size=0, test_size=6)
    series = sources.load(data) * scale
    series = np.sqrt(series) if curved else series
    scheme = option_params("backtest", "holdout") if fits == 1 else option_params("backtest", "expanding",
                                                                                  refit_every=6 // fits)
    plan = backtest.plan(scheme, len(series), 0, 6, "series")
    assert len(plan.fits) == fits
    scaled, _ = transforms.transform(series, data, plan, "series")
    return framings.split_windows(scaled, task_params("univariate"), data, plan, "transformed")


def panel(parts: list[dict]) -> dict:
    """The windows of several series concatenated in series order, as the window stage writes a panel."""
    windows = {key: np.concatenate([p[key] for p in parts], axis=1) for key in ("X", "y", "train")}
    for key in ("first_rows", "stop"):
        windows[key] = np.concatenate([p[key] for p in parts])
    windows["series"] = np.concatenate([np.full(len(p["first_rows"]), s) for s, p in enumerate(parts)])
    windows["ids"] = np.array([f"series_{s}" for s in range(len(parts))])
    windows["final"] = parts[0]["final"]
    return windows


def train_cfg(**values):
    return option_params("train", "default", **values)


@pytest.mark.slow  # seconds of training: the slow tier
def test_sampled_epochs_draw_training_windows_only_and_repeat_with_their_seed():
    windows = series_windows(30, SCALE)
    held_out = ~windows["train"][0]
    assert held_out.any()
    windows["X"] = np.where(held_out[None, :, None, None], np.nan, windows["X"])  # read once: the loss turns NaN
    params = model_params("vanilla", units=3)

    def run(seed):
        cfg = train_cfg(epochs=2, batch_size=4, repeats=2, seed=seed, checkpoint_every=2, steps_per_epoch=3)
        return training.train(params, cfg, windows, progress=False)

    first, again, other = run(3), run(3), run(4)
    assert not first.diverged.any() and np.isfinite(first.loss).all()
    for ours, same in zip(first.fit_weights, again.fit_weights):
        np.testing.assert_array_equal(ours, same)
    np.testing.assert_array_equal(first.loss, again.loss)
    # another seed: other initial weights and other batches
    assert not np.array_equal(first.fit_weights[0], other.fit_weights[0])
    assert first.checkpoint_forecasts.shape == (1, 1, 2, len(held_out), 1, 1)


@pytest.mark.slow  # seconds of training: the slow tier
@pytest.mark.parametrize("steps_per_epoch", [3, None])
def test_each_local_series_trains_exactly_as_it_would_alone(steps_per_epoch):
    """model.scope=local: one model per (series, fit, repeat) in one program; series of different lengths
    (so a different number of batches each), shuffled or sampled, with dropout."""
    parts = [series_windows(30, SCALE), series_windows(24, 2 * SCALE, curved=True)]
    windows = panel(parts)
    params = model_params("vanilla", units=3, activation="tanh", dropout=0.3, scope="local")
    cfg = train_cfg(epochs=4, batch_size=4, repeats=2, seed=3, checkpoint_every=2, steps_per_epoch=steps_per_epoch)
    together = training.train(params, cfg, windows, progress=False)
    fits = len(windows["final"])
    assert together.checkpoint_forecasts.shape == (2, fits, 2, len(windows["series"]), 1, 1)
    assert together.fit_weights[0].shape[:3] == (fits, 2, 2)  # [fits, series, repeats, ...]
    for s, part in enumerate(parts):
        alone = training.train(params, cfg, part, progress=False)
        own = windows["series"] == s
        np.testing.assert_array_equal(together.checkpoint_forecasts[:, :, :, own], alone.checkpoint_forecasts)
        for ours, its in zip(together.fit_weights, alone.fit_weights):
            np.testing.assert_array_equal(ours[:, s], its)
    # each series' own model: the two series' members differ
    assert not np.array_equal(together.fit_weights[-1][:, 0], together.fit_weights[-1][:, 1])


@pytest.mark.slow  # seconds of training: the slow tier
def test_a_global_panel_trains_one_model_per_fit_and_repeat_on_every_series():
    """model.scope=global trains a panel as one series: the series column changes nothing, and a local
    model of one series is its global one."""
    parts = [series_windows(30, SCALE), series_windows(24, 2 * SCALE)]
    windows = panel(parts)
    cfg = train_cfg(epochs=2, batch_size=4, repeats=2, seed=3, checkpoint_every=2, steps_per_epoch=3)
    trained = training.train(model_params("vanilla", units=3), cfg, windows, progress=False)
    as_one = {k: v for k, v in windows.items() if k not in ("series", "ids")}
    one_series = training.train(model_params("vanilla", units=3), cfg, as_one, progress=False)
    np.testing.assert_array_equal(trained.checkpoint_forecasts, one_series.checkpoint_forecasts)
    assert trained.fit_weights[0].shape[:2] == (1, 2)
    single_local = training.train(model_params("vanilla", units=3, scope="local"), cfg, parts[0], progress=False)
    single_global = training.train(model_params("vanilla", units=3), cfg, parts[0], progress=False)
    np.testing.assert_array_equal(single_local.checkpoint_forecasts, single_global.checkpoint_forecasts)


@pytest.mark.slow  # seconds of training: the slow tier
def test_each_fit_of_a_panel_with_sampled_epochs_trains_and_forecasts_exactly_as_it_would_alone():
    """A global panel of more windows than one checkpoint chunk forecasts, in 3 fits with different numbers of
    training windows, sampled epochs: every fit's checkpoint forecasts are its own members' (the last chunk of a
    later fit was once padded from the fit before it, which shifted every window of fits 1 and 2), equal to
    training that fit alone, and so is every fit's in-sample error."""
    from helpers import fit_alone

    from lstm_tuning.training import shuffled

    parts = [series_windows(30 + s % 16, SCALE * (1 + s % 5), curved=s % 2 == 1, fits=3) for s in range(160)]
    windows = panel(parts)
    n = len(windows["series"])
    assert n > shuffled.FORECAST_CHUNK and n % shuffled.FORECAST_CHUNK  # several chunks, the last one padded
    counts = windows["train"].sum(axis=1)
    assert len(set(counts)) == 3
    params = model_params("vanilla", units=3)
    cfg = train_cfg(epochs=2, batch_size=4, repeats=2, seed=3, checkpoint_every=2, steps_per_epoch=3)
    together = training.train(params, cfg, windows, progress=False)

    def in_sample_error(forecasts, fit):
        train = windows["train"][fit]
        return np.abs(forecasts[:, train].mean(axis=0) - windows["y"][fit][train]).mean()

    for fit in range(3):
        weights = [w[fit] for w in together.fit_weights]
        own = training.forecast_ahead(together.models, windows["X"][fit], None, np.arange(n), 1, weights)
        np.testing.assert_allclose(together.forecasts[fit], own, rtol=1e-5, atol=1e-6)
        assert in_sample_error(together.forecasts[fit], fit) == pytest.approx(in_sample_error(own, fit), rel=1e-5)
    for fit in (1, 2):
        alone = training.train(params, cfg, fit_alone(windows, fit), progress=False)
        np.testing.assert_array_equal(together.checkpoint_forecasts[:, fit], alone.checkpoint_forecasts[:, 0])
        for ours, its in zip(together.fit_weights, alone.fit_weights):
            np.testing.assert_array_equal(ours[fit], its[0])


def test_a_local_series_without_training_windows_is_named():
    parts = [series_windows(30, SCALE), series_windows(24, SCALE)]
    windows = panel(parts)
    windows["train"] = windows["train"] & (windows["series"] == 0)
    cfg = train_cfg(epochs=1, batch_size=4, repeats=1, seed=3, checkpoint_every=1)
    with pytest.raises(UserError, match="series series_1 has no training window in fit 0"):
        training.train(model_params("vanilla", units=3, scope="local"), cfg, windows, progress=False)


def test_the_stateful_model_refuses_sampled_batches():
    with pytest.raises(UserError, match=r"train\.steps_per_epoch=5 samples shuffled batches.*steps_per_epoch=null"):
        config.load(["train.steps_per_epoch=5"], PARAMS)


@pytest.mark.slow  # seconds of training: the slow tier
def test_each_local_stateful_series_trains_exactly_as_it_would_alone():
    """The seed 002 model, local: every (series, repeat) in one program, carrying its state through its own
    series' ordered batches only (series of 22 and 16 training windows: the first drops its 2 oldest)."""
    parts = [series_windows(30, SCALE), series_windows(24, 2 * SCALE, curved=True)]
    windows = panel(parts)
    params = model_params("stateful_lstm", scope="local")
    cfg = train_cfg(epochs=4, batch_size=4, repeats=2, seed=3, checkpoint_every=2)
    together = training.train(params, cfg, windows, progress=False)
    assert together.checkpoint_forecasts.shape == (2, 1, 2, len(windows["series"]), 1, 1)
    for s, part in enumerate(parts):
        alone = training.train(params, cfg, part, progress=False)
        own = windows["series"] == s
        np.testing.assert_array_equal(together.checkpoint_forecasts[:, :, :, own], alone.checkpoint_forecasts)
        for ours, its in zip(together.fit_weights, alone.fit_weights):
            np.testing.assert_array_equal(ours[:, s], its)
    with pytest.raises(UserError, match="train.early_stopping=2 is not implemented yet for model.scope=local"):
        training.train(params, train_cfg(epochs=1, batch_size=4, repeats=1, seed=3, checkpoint_every=1,
                                         early_stopping=2), windows, progress=False)


def test_scope_is_a_param_of_every_model_and_only_global_or_local():
    for name in ("stateful_lstm", "vanilla", "stacked", "bidirectional", "cnn_lstm", "conv_lstm", "encoder_decoder"):
        assert model_params(name).scope == "global"
    assert config.load(["model.scope=local"], PARAMS).model.scope == "local"
    with pytest.raises(UserError, match=r"model.scope='both' is not supported; valid: global, local"):
        config.load(["model.scope=both"], PARAMS)


def test_windows_are_held_as_their_series_rows():
    """The trainers read each window from its series' rows (memory grows with rows, not rows x lags): the
    rows give back every window exactly, one row per window past each series' first."""
    from lstm_tuning.training.shuffled import rows_of_windows

    parts = [series_windows(30, SCALE), series_windows(24, SCALE, curved=True)]
    windows = panel(parts)
    X = windows["X"]
    rows, start = rows_of_windows(X, windows["series"], windows["first_rows"])
    n_lags = X.shape[2]
    assert rows.shape == (X.shape[0], X.shape[1] + 2 * (n_lags - 1), X.shape[3])
    np.testing.assert_array_equal(rows[:, start[:, None] + np.arange(n_lags)], X)
    gap = X.copy()
    gap[:, 5, 0] += 1  # a window that does not continue the one before it keeps every lag
    rows, start = rows_of_windows(gap, windows["series"], windows["first_rows"])
    np.testing.assert_array_equal(rows[:, start[:, None] + np.arange(n_lags)], gap)


@pytest.mark.slow  # seconds of training: the slow tier
def test_a_local_member_that_diverges_is_dropped_for_its_own_series_only():
    """Local models: series 1's values are too large for float32 squares (its loss is inf at once), so its every
    member diverges; series 0's train on as they would alone, and no repeat counts as diverged for the panel."""
    parts = [series_windows(30, SCALE), series_windows(24, SCALE, curved=True)]
    parts[1] = parts[1] | {"X": parts[1]["X"] * 1e25, "y": parts[1]["y"] * 1e25}
    windows = panel(parts)
    params = model_params("stateful_lstm", scope="local")
    cfg = train_cfg(epochs=2, batch_size=4, repeats=2, seed=3, checkpoint_every=2)
    together = training.train(params, cfg, windows, progress=False)
    assert together.series_diverged.shape == (1, 2, 2)  # [fits, series, repeats]
    assert together.series_diverged[:, 1].all() and not together.series_diverged[:, 0].any()
    assert not together.diverged.any()  # a repeat diverged for the panel only where it did in every series
    alone = training.train(params, cfg, parts[0], progress=False)
    assert alone.series_diverged is None and not alone.diverged.any()
    own = windows["series"] == 0
    np.testing.assert_array_equal(together.checkpoint_forecasts[:, :, :, own], alone.checkpoint_forecasts)
    with pytest.raises(UserError, match=r"series series_1: all 2 of its repeats diverged"):
        training.check_series_kept(together.series_diverged, windows["ids"], params)
    training.check_series_kept(together.series_diverged[:, :1], windows["ids"], params)  # series 0 alone: kept
