"""Reading the parameter schema: dotted keys, bounds, units and sources of every field.

The schema is the single source of truth for what a parameter means; error messages,
``--set`` overrides, ``sqm-sim params`` and sensitivity-analysis parameter spaces all read
it through these functions.
"""

from __future__ import annotations

from collections import abc
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .dotted import ENTRY

UNIT_OF_PARENT = "as the field"
SOURCE_OF_PARENT = "see field"


@dataclass(frozen=True)
class ParameterInfo:
    """One leaf parameter of the schema, addressed by its dotted key."""

    key: str
    default: Any
    unit: str
    description: str
    source: str
    lower: float | None
    upper: float | None
    lower_inclusive: bool
    upper_inclusive: bool
    type_name: str

    def range_text(self) -> str:
        """Human-readable allowed range, e.g. ``0 <= value <= 1``."""
        parts = []
        if self.lower is not None:
            parts.append(f"{_fmt(self.lower)} {'<=' if self.lower_inclusive else '<'} ")
        parts.append("value")
        if self.upper is not None:
            parts.append(f" {'<=' if self.upper_inclusive else '<'} {_fmt(self.upper)}")
        if len(parts) > 1:
            return "".join(parts)
        return self.type_name if self.type_name.startswith("one of") else "any value"


def _fmt(number: float) -> str:
    return f"{number:g}"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel class behind an annotation (``Model`` or ``Model | None``), if any."""
    if get_origin(annotation) in (dict, abc.Mapping):
        return None
    candidates = (annotation, *get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def mapping_of_models(annotation: Any) -> type[BaseModel] | None:
    """``Model`` for a ``dict[str, Model]`` annotation (named sections such as segments)."""
    if get_origin(annotation) in (dict, abc.Mapping):
        _, value = get_args(annotation)
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value
    return None


def _number(bound: Any) -> float:
    """A bound as a float (``annotated_types`` types a bound only as comparable)."""
    return float(bound)


def _bounds(info: FieldInfo) -> tuple[float | None, bool, float | None, bool]:
    lower = upper = None
    lower_inclusive = upper_inclusive = True
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            lower, lower_inclusive = _number(item.ge), True
        elif isinstance(item, annotated_types.Gt):
            lower, lower_inclusive = _number(item.gt), False
        elif isinstance(item, annotated_types.Le):
            upper, upper_inclusive = _number(item.le), True
        elif isinstance(item, annotated_types.Lt):
            upper, upper_inclusive = _number(item.lt), False
    return lower, lower_inclusive, upper, upper_inclusive


def _type_name(annotation: Any) -> str:
    args = get_args(annotation)
    if args and all(isinstance(a, str) for a in args):
        return "one of " + ", ".join(repr(a) for a in args)
    if args:
        return " | ".join(getattr(a, "__name__", str(a)) for a in args)
    return getattr(annotation, "__name__", str(annotation))


def describe_field(key: str, info: FieldInfo, default: Any) -> ParameterInfo:
    """Documentation of one schema field under dotted ``key``."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    lower, lower_inclusive, upper, upper_inclusive = _bounds(info)
    return ParameterInfo(
        key=key,
        default=default,
        unit=str(extra.get("unit", "")),
        description=info.description or "",
        source=str(extra.get("source", "")),
        lower=lower,
        upper=upper,
        lower_inclusive=lower_inclusive,
        upper_inclusive=upper_inclusive,
        type_name=_type_name(info.annotation),
    )


def iter_parameters(
    model: type[BaseModel] | BaseModel, prefix: str = ""
) -> Iterator[ParameterInfo]:
    """Every leaf parameter of ``model`` with its dotted key, in declaration order, with
    its default (of a class) or its value (of an instance)."""
    instance = model() if isinstance(model, type) else model
    yield from _iter_instance(instance, prefix, None)


def _iter_instance(
    instance: BaseModel, prefix: str, parent: ParameterInfo | None
) -> Iterator[ParameterInfo]:
    for name, info in type(instance).model_fields.items():
        key = f"{prefix}{name}"
        value = getattr(instance, name)
        described = describe_field(key, info, value)
        if parent is not None and parent.unit:
            # a distribution's mean is in the unit of the field that holds it
            unit = parent.unit if described.unit == UNIT_OF_PARENT else described.unit
            described = replace(
                described,
                unit=unit,
                description=f"{parent.description}: {described.description}",
                source=parent.source if described.source == SOURCE_OF_PARENT else described.source,
            )
        if isinstance(value, BaseModel):
            yield from _iter_instance(value, key + ".", described)
        elif mapping_of_models(info.annotation) is not None:
            for entry, section in value.items():
                yield from _iter_instance(section, f"{key}.{entry}.", None)
        else:
            yield described


def field_at(model: type[BaseModel], key: str) -> tuple[FieldInfo, type[BaseModel] | None] | None:
    """The field a dotted key names and, if it is a section, that section's class."""
    current: type[BaseModel] | None = model
    info: FieldInfo | None = None
    parts = key.split(".")
    index = 0
    while index < len(parts):
        part = parts[index]
        if current is None or part not in current.model_fields:
            return None
        info = current.model_fields[part]
        entry_model = mapping_of_models(info.annotation)
        if entry_model is not None and index + 1 < len(parts):
            index += 1  # any entry name is allowed: segments.<name>.<field>
            if index + 1 == len(parts):
                return info, entry_model
            current = entry_model
        else:
            current = _nested_model(info.annotation)
        index += 1
    assert info is not None
    return info, current


def parameter_at(model: type[BaseModel], key: str) -> ParameterInfo | None:
    """Documentation of the field a dotted key names (leaf or section)."""
    found = field_at(model, key)
    if found is None:
        return None
    if found[1] is None:  # a leaf: documented as iter_parameters documents it
        for info in iter_parameters(model):
            if info.key == key:
                return replace(info, default=None)
    return describe_field(key, found[0], None)


def all_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every dotted key that can be set: sections and leaves."""
    keys: list[str] = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        keys.append(key)
        nested = _nested_model(info.annotation)
        entry_model = mapping_of_models(info.annotation)
        if nested is not None:
            keys.extend(all_keys(nested, key + "."))
        elif entry_model is not None:
            keys.extend(all_keys(entry_model, f"{key}.{ENTRY}."))
    return keys
