"""Where the series come from, how they are transformed, and how they are cut into windows."""
