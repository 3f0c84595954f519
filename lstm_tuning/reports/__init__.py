"""Reports: the run report, study reports over DVC experiments, their statistics, and the pull-request review."""
