"""Forecasts past the end of the data (`forecast`): the configuration refit on every row, its repeats'
mean forecast `horizon` steps ahead, and intervals at each of `levels` built from the backtest's
out-of-sample errors at each step. Its params are in `specs`; the work is in `refit` (the stage),
`forecaster` (the saved models and `lstm_tuning.load`) and `intervals`."""
