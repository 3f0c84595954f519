"""Choosing configurations: what a choice is written as (`conf/experiment/<name>.yaml`, by the tool, never by
hand). Issue 11's Optuna search writes its choice through the same `choice.write`."""
