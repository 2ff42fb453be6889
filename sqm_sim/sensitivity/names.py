"""The names of the sensitivity methods (no numerical imports: the command line reads them
to build its help without loading SALib)."""

METHODS = ("morris", "sobol", "fast", "delta")
"""Methods computed by SALib (:mod:`.methods`)."""

SENSITIVITY_METHODS = (*METHODS, "oat")
"""Every method a sensitivity file may name: SALib's and one-at-a-time."""
