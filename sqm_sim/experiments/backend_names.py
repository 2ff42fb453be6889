"""The names of the execution backends (no imports: the command line reads them to build
its help without loading multiprocessing or the engine)."""

BACKENDS = ("serial", "processes", "dask")
"""Where runs can execute (:mod:`.backends`)."""
