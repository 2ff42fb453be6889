"""Reading ``--set key=value`` overrides from the command line (as data, never as code)."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
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


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """Every ``--set key=value`` as a dict; a key given twice is refused (it would otherwise
    keep only its last value, silently)."""
    overrides: dict[str, Any] = {}
    for item in items:
        key, value = parse_override(item)
        if key in overrides:
            raise ConfigError(
                f"--set {key} given twice ({overrides[key]!r} and {value!r}); give it once"
            )
        overrides[key] = value
    return overrides
