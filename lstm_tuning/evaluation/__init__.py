"""Scoring: the walk-forward evaluation of a trained configuration (`walk_forward.evaluate`), its scores,
and the baselines it is compared with (their options' params in `specs`)."""
