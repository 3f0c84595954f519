"""Forecasts past the end of the data (`forecast`): the final fit's (on every row) repeats' mean forecast
`horizon` steps ahead, and intervals at each of `levels` built from the backtest's out-of-sample errors at
each step, all from the weights train kept. Its params are in `specs`; the work is in
`past_end` (the stage), `forecaster` (the saved models and `lstm_tuning.load`) and `intervals`."""
