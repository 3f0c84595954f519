"""Choosing configurations: `lstm-tuning search` (an Optuna study whose trials are DVC experiments, `study`),
its search files (`space`), pruning inside the train stage (`pruning`), and the choice written by the tool as
`conf/experiment/<name>.yaml` (`choice`, `finish`), never by hand."""
