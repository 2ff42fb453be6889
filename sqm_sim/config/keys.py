"""Dotted keys of a configuration: schema keys and initiatives addressed by name.

Most dotted keys follow the schema (``quality.inspection_coverage``). An initiative of
the portfolio is addressed by its *name*: ``portfolio.<initiative name>.<field>``, e.g.
``portfolio.capability_project.cpk_gain``, for every numeric field of its kind (timing,
costs, disruption and effect sizes), so that experiments and sensitivity analyses can
make effect sizes and delays uncertain. Which initiatives exist depends on the portfolio
of the configuration at hand, so these keys are resolved against configuration data, not
against the schema alone. Names may contain dots (a search menu qualifies repeated names
as ``portfolio.name``): the field is the key's last part, the name everything between.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, get_args

from pydantic.fields import FieldInfo

from .dotted import PORTFOLIO, names_initiative_field
from .errors import ConfigError, unknown_key_message
from .initiatives import Initiative, InitiativeBase
from .schema import ParameterInfo, describe_field, field_at, iter_parameters, parameter_at

if TYPE_CHECKING:
    from .model import Config

INITIATIVE_MODELS: dict[str, type[InitiativeBase]] = {
    model.model_fields["kind"].default: model for model in get_args(get_args(Initiative)[0])
}
"""The initiative class of every kind, e.g. ``"process_improvement"``."""


def numeric_fields(model: type[InitiativeBase]) -> list[str]:
    """The fields of an initiative kind that a dotted key can set (int or float)."""
    return [name for name, info in model.model_fields.items() if info.annotation in (int, float)]


@dataclass(frozen=True)
class InitiativeField:
    """A dotted key naming one numeric field of one initiative of a portfolio."""

    key: str
    position: int
    """Index of the initiative in the portfolio's list."""
    name: str
    kind: str
    field: str

    @property
    def info(self) -> FieldInfo:
        """The schema field (bounds, unit, meaning, source)."""
        return INITIATIVE_MODELS[self.kind].model_fields[self.field]


_NO_VALUE = object()


def _shown(value: Any) -> str:
    return "" if value is _NO_VALUE else f" = {value!r}"


def initiative_field(
    portfolio: Mapping[str, Any], key: str, value: Any = _NO_VALUE
) -> InitiativeField | None:
    """The initiative field ``key`` names in ``portfolio`` (plain data, as in
    ``Config.to_dict()["portfolio"]``); ``None`` if ``key`` is not of the form
    ``portfolio.<name>.<field>``. An unknown initiative name or field is a
    :class:`ConfigError` naming the key, the value (if given) and what is allowed."""
    if not names_initiative_field(key):
        return None
    name, field = key.partition(".")[2].rsplit(".", 1)
    initiatives: Sequence[Mapping[str, Any]] = portfolio.get("initiatives", ()) or ()
    names = [str(item.get("name")) for item in initiatives]
    if name not in names:
        raise ConfigError(_unknown_initiative(key, value, name, names, portfolio))
    position = names.index(name)
    kind = str(initiatives[position].get("kind"))
    model = INITIATIVE_MODELS.get(kind)
    if model is None:  # the portfolio itself is invalid; validation will say so
        raise ConfigError(
            f"{key}{_shown(value)}: initiative '{name}' has unknown kind {kind!r} "
            f"(allowed: {', '.join(INITIATIVE_MODELS)})"
        )
    allowed = numeric_fields(model)
    if field not in allowed:
        close = difflib.get_close_matches(field, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ConfigError(
            f"{key}{_shown(value)}: initiative '{name}' (kind '{kind}') has no numeric "
            f"field '{field}'{hint} (allowed: {', '.join(allowed)})"
        )
    return InitiativeField(key, position, name, kind, field)


def check_key(key: str) -> None:
    """A :class:`ConfigError` (the one :func:`set_key` raises) if no configuration accepts
    ``key``: neither a schema key nor of the form ``portfolio.<name>.<field>`` (whether that
    initiative exists only a configuration can tell). Reads the schema's fields only, so
    no configuration is validated (and no validator built)."""
    from .model import Config

    if field_at(Config, key) is None and not names_initiative_field(key):
        raise ConfigError(unknown_key_message(Config, key))


def _unknown_initiative(
    key: str, value: Any, name: str, names: list[str], portfolio: Mapping[str, Any]
) -> str:
    title = f"portfolio '{portfolio.get('name', '')}'"
    if not names:
        return (
            f"{key}{_shown(value)}: unknown initiative '{name}': the {title} has no "
            "initiatives (choose a portfolio first; keys portfolio.<initiative name>.<field>)"
        )
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return (
        f"{key}{_shown(value)}: unknown initiative '{name}'{hint} (initiatives are "
        f"addressed by name, portfolio.<name>.<field>; the {title} has: {', '.join(names)})"
    )


def set_key(data: dict[str, Any], key: str, value: Any) -> None:
    """Set dotted ``key`` to ``value`` in plain config ``data`` (as from
    ``Config.to_dict()``), in place. Schema keys are checked against the schema,
    initiative keys against the portfolio in ``data`` (as it is at this point); an
    unknown key is a :class:`ConfigError`."""
    from .model import Config

    if field_at(Config, key) is None:
        found = initiative_field(data.get(PORTFOLIO, {}), key, value)
        if found is None:
            raise ConfigError(unknown_key_message(Config, key))
        data[PORTFOLIO]["initiatives"][found.position][found.field] = value
        return
    *parents, leaf = key.split(".")
    target = data
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def _portfolio_data(config: Config) -> dict[str, Any]:
    return config.portfolio.model_dump(mode="json", exclude_none=True)


def value_at(config: Config, key: str) -> Any:
    """The value of dotted ``key`` in ``config`` (schema or initiative key)."""
    if field_at(type(config), key) is None:
        found = initiative_field(_portfolio_data(config), key)
        if found is not None:
            return getattr(config.portfolio.initiatives[found.position], found.field)
    value: Any = config
    for part in key.split("."):
        value = value[part] if isinstance(value, Mapping) else getattr(value, part)
    return value


def parameter_info(config: Config, key: str) -> ParameterInfo | None:
    """Documentation (bounds, unit, type) of the field ``key`` names in ``config``: a
    schema key or an initiative key; ``None`` if the key is unknown. An initiative key
    naming an unknown initiative or field is a :class:`ConfigError`."""
    if field_at(type(config), key) is not None:
        return parameter_at(type(config), key)
    found = initiative_field(_portfolio_data(config), key)
    if found is None:
        return None
    return _initiative_info(found, default=None)


def _initiative_info(found: InitiativeField, default: Any) -> ParameterInfo:
    info = describe_field(found.key, found.info, default)
    return replace(
        info, description=f"initiative '{found.name}' ({found.kind}): {info.description}"
    )


def initiative_parameters(config: Config) -> Iterator[ParameterInfo]:
    """Every numeric field of every initiative of ``config``'s portfolio, documented
    under its key ``portfolio.<name>.<field>``, with the value it has in ``config``."""
    portfolio = _portfolio_data(config)
    for initiative in config.portfolio.initiatives:
        for field in numeric_fields(type(initiative)):
            found = initiative_field(portfolio, f"{PORTFOLIO}.{initiative.name}.{field}")
            assert found is not None
            yield _initiative_info(found, default=getattr(initiative, field))


def config_parameters(config: Config) -> Iterator[ParameterInfo]:
    """Every key ``config`` accepts with its value there: the schema's leaves, then the
    numeric fields of its portfolio's initiatives (``sqm-sim params --portfolio``)."""
    for info in iter_parameters(config):
        if info.key in (f"{PORTFOLIO}.initiatives", f"{PORTFOLIO}.rules"):
            # plain data, as a portfolio file has it
            field = info.key.split(".")[1]
            info = replace(info, default=_portfolio_data(config).get(field, []))
        yield info
    yield from initiative_parameters(config)
