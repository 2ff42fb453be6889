"""The exception of unusable input, importable without the schema: the command line catches
it before any configuration (pydantic) loads, and modules that only raise it stay light."""


class ConfigError(ValueError):
    """A configuration, scenario or override that cannot be used, with the reason."""
