"""Turning validation failures into one clear message per bad input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .schema import ParameterInfo, describe_field, field_at, parameter_at, suggest_key


class ConfigError(ValueError):
    """A configuration, scenario or override that cannot be used, with the reason."""


def unknown_key_message(model: type[BaseModel], key: str) -> str:
    """``unknown key 'x'`` plus the nearest valid key, when there is one."""
    suggestion = suggest_key(model, key)
    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
    return f"unknown key '{key}'{hint} (see `sqm-sim params` for all keys)"


def _initiative_field(loc: tuple, data: Mapping[str, Any] | None) -> ParameterInfo | None:
    """A field of an initiative (``portfolio, initiatives, i, kind, field``), documented
    under the key that names it, ``portfolio.<initiative name>.<field>``."""
    from .keys import INITIATIVE_MODELS, PORTFOLIO

    if not (
        len(loc) == 5
        and loc[:2] == (PORTFOLIO, "initiatives")
        and isinstance(loc[2], int)
        and loc[3] in INITIATIVE_MODELS
    ):
        return None
    field = INITIATIVE_MODELS[loc[3]].model_fields.get(loc[4])
    if field is None:
        return None
    try:
        name = data[PORTFOLIO]["initiatives"][loc[2]]["name"]  # type: ignore[index]
    except (KeyError, IndexError, TypeError):
        name = None
    if not isinstance(name, str):
        return describe_field(f"{PORTFOLIO}.initiatives.{loc[2]}.{loc[4]}", field, None)
    return describe_field(f"{PORTFOLIO}.{name}.{loc[4]}", field, None)


def _describe_error(
    model: type[BaseModel], error: Any, data: Mapping[str, Any] | None = None
) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return unknown_key_message(model, key)
    message = str(error["msg"]).removeprefix("Value error, ")
    info = _initiative_field(tuple(error["loc"]), data)
    if info is not None:
        key = info.key
    else:
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


def config_error_from(
    exc: ValidationError,
    model: type[BaseModel],
    origin: str,
    data: Mapping[str, Any] | None = None,
) -> ConfigError:
    """One :class:`ConfigError` listing every problem pydantic found, one per line;
    ``data`` (what was validated) lets a field of an initiative be named by the
    initiative's name, ``portfolio.<name>.<field>``."""
    lines = [_describe_error(model, error, data) for error in exc.errors()]
    heading = f"invalid configuration ({origin}):" if origin else "invalid configuration:"
    return ConfigError("\n  - ".join([heading, *lines]))
