"""Running operations: the runner, connection runtimes, run records."""
