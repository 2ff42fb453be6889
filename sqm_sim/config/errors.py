"""Turning validation failures into one clear message per bad input."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from .config_error import ConfigError
from .dotted import unknown_key_text
from .schema import ParameterInfo, all_keys, describe_field, field_at, parameter_at

MAX_LISTED = 10
"""Most problems described one by one in an error message; the rest are counted."""


def repeated(items: Iterable[Hashable]) -> list[Any]:
    """The items that occur more than once, sorted (linear time)."""
    return sorted(item for item, count in Counter(items).items() if count > 1)


def unknown_key_message(model: type[BaseModel], key: str) -> str:
    """``unknown key 'x'`` plus the nearest valid key of ``model``, when there is one."""
    return unknown_key_text(all_keys(model), key)


def _is_nan(value: Any) -> bool:
    """Whether ``value`` is a float NaN (it fails every bound, so say what it is)."""
    return isinstance(value, float) and math.isnan(value)


_CLASS_NAME = re.compile(r"\b(?:instance of )?[A-Z]\w*Settings\b")
"""A settings class name in a pydantic message: the user knows tables, not classes."""


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
    return _CLASS_NAME.sub("table of settings", _describe_raw(model, error, data))


def _describe_raw(model: type[BaseModel], error: Any, data: Mapping[str, Any] | None) -> str:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return unknown_key_message(model, key)
    message = str(error["msg"]).removeprefix("Value error, ")
    info = _initiative_field(tuple(error["loc"]), data)
    if info is not None:
        key = info.key
    else:
        found = field_at(model, key)
        if found is not None and found[1] is not None and error["type"] == "model_type":
            return (
                f"{key} is a section (a table of settings), not a single value: set its "
                f"keys, e.g. {key}.NAME=VALUE (see `sqm-sim params {key}.`)"
            )
        if found is None or found[1] is not None:  # the whole config or a section
            return f"{key or 'config'}: {message}"
        info = parameter_at(model, key)
    if _is_nan(error["input"]):
        message = "not a number (NaN); give a number"
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


def problem_list(heading: str, problems: list[str], total: int | None = None) -> ConfigError:
    """One problem on one line after ``heading``; several, one per indented line, at most
    :data:`MAX_LISTED` of them (``total``: how many there are, if more than given)."""
    total = max(total or 0, len(problems))
    if total == 1:
        return ConfigError(f"{heading} {problems[0]}")
    lines = problems[:MAX_LISTED]
    if total > len(lines):
        lines.append(f"... and {total - len(lines):,} more ({total:,} problems in all)")
    return ConfigError("\n  - ".join([heading, *lines]))


def config_error_from(
    exc: ValidationError,
    model: type[BaseModel],
    origin: str,
    data: Mapping[str, Any] | None = None,
) -> ConfigError:
    """One :class:`ConfigError` listing the problems pydantic found (at most
    :data:`MAX_LISTED`, the rest counted); ``data`` (what was validated) lets a field of an
    initiative be named by the initiative's name, ``portfolio.<name>.<field>``."""
    errors = exc.errors()
    lines = [_describe_error(model, error, data) for error in errors[:MAX_LISTED]]
    heading = f"invalid configuration ({origin}):" if origin else "invalid configuration:"
    return problem_list(heading, lines, total=len(errors))
