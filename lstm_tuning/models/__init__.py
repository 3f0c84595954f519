"""The architectures: what each is (its params, checks and batch regime) in `specs`, read by the config
without Keras; each one's builder in its own module `<name>.py`, loaded by `builders.build` when a stage
trains."""
