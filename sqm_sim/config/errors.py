"""Turning validation failures into one clear message per bad input."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from .schema import field_at, parameter_at, suggest_key


class ConfigError(ValueError):
    """A configuration, scenario or override that cannot be used, with the reason."""


def unknown_key_message(model: type[BaseModel], key: str) -> str:
    """``unknown key 'x'`` plus the nearest valid key, when there is one."""
    suggestion = suggest_key(model, key)
    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
    return f"unknown key '{key}'{hint} (see `sqm-sim params` for all keys)"


def _describe_error(model: type[BaseModel], error: Any) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return unknown_key_message(model, key)
    message = str(error["msg"]).removeprefix("Value error, ")
    found = field_at(model, key)
    if found is None or found[1] is not None:  # the whole config or a section
        return f"{key or 'config'}: {message}"
    info = parameter_at(model, key)
    allowed = ""
    if info is not None:
        range_text = info.range_text()
        bits = [info.type_name]
        if range_text not in {"any value", info.type_name}:
            bits.append(range_text)
        if info.unit and info.unit != "-":
            bits.append(f"unit: {info.unit}")
        allowed = " (allowed: " + ", ".join(bits) + ")"
    return f"{key} = {error['input']!r}: {message}{allowed}"


def config_error_from(exc: ValidationError, model: type[BaseModel], origin: str) -> ConfigError:
    """One :class:`ConfigError` listing every problem pydantic found, one per line."""
    lines = [_describe_error(model, error) for error in exc.errors()]
    heading = f"invalid configuration ({origin}):" if origin else "invalid configuration:"
    return ConfigError("\n  - ".join([heading, *lines]))
