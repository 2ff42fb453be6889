"""Reading ``--set key=value`` overrides from the command line (as data, never as code)."""

from __future__ import annotations

import tomllib
from typing import Any

from ..config import ConfigError


def parse_override(text: str) -> tuple[str, Any]:
    """``key=value`` -> (key, value); the value is read as a TOML value (numbers, booleans,
    strings, inline tables), and as a plain string if it is not valid TOML."""
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key:
        raise ConfigError(f"--set expects key=value, got {text!r}")
    try:
        return key, tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        return key, raw
