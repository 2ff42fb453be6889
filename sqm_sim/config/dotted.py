"""Dotted keys as plain text: what can be said of a key from the list of valid keys alone.

Loading the schema (pydantic and every section) costs most of a one-line error's start-up,
so the rules that need only the keys' text live here, without it: the closest valid key to
a misspelt one, the message for an unknown key, and the shape
``portfolio.<name>.<field>`` of an initiative's key (whether that initiative exists only a
configuration can tell). The schema's checks (:mod:`.keys`, :mod:`.errors`) and the
command line's early check (:mod:`.key_index`) both say it with these functions.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from .config_error import ConfigError

PORTFOLIO = "portfolio"
"""The config section holding the initiatives."""

ENTRY = "<name>"
"""Any entry's name in a key of a named section, as listed: ``segments.<name>.share``."""


def closest_key(keys: Sequence[str], key: str) -> str | None:
    """The valid dotted key (of ``keys``) closest to a misspelt one, if any is close
    enough."""
    matches = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    if not matches:
        # a right leaf name in the wrong section, or a misspelt leaf in the right one
        leaf = key.rsplit(".", 1)[-1]
        by_leaf = {k.rsplit(".", 1)[-1]: k for k in keys}
        close = difflib.get_close_matches(leaf, list(by_leaf), n=1, cutoff=0.75)
        matches = [by_leaf[close[0]]] if close else []
    return matches[0] if matches else None


def unknown_key_text(keys: Sequence[str], key: str) -> str:
    """``unknown key 'x'`` plus the nearest of the valid ``keys``, when there is one."""
    suggestion = closest_key(keys, key)
    hint = f"; did you mean '{suggestion}'?" if suggestion else ""
    return f"unknown key '{key}'{hint} (see `sqm-sim params` for all keys)"


def names_initiative_field(key: str) -> bool:
    """Whether ``key`` has the form ``portfolio.<name>.<field>``."""
    prefix, _, rest = key.partition(".")
    return prefix == PORTFOLIO and "." in rest


def invalid_override(exc: ConfigError) -> ConfigError:
    """The error of a ``--set`` override (or ``with_overrides`` key) that ``exc`` refuses."""
    return ConfigError(f"invalid override: {exc}")
