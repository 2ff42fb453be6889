"""The list of every dotted key of the schema, kept in a file, so that the command line
refuses a misspelt ``--set`` key without loading the schema (pydantic): start-up.

``keys.json`` (beside this module) holds the keys :func:`.schema.all_keys` lists for
:class:`~.model.Config` (sections and leaves; ``<name>`` for any entry of a named section)
and a fingerprint of this package's sources. A key is judged by the file only while the
fingerprint matches the sources; otherwise (the schema was edited since the file was
written) by the schema itself: a stale file slows the check down and never changes its
answer. ``python tools/key_index.py`` writes the file; a test fails while it is stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config_error import ConfigError
from .dotted import ENTRY, invalid_override, names_initiative_field, unknown_key_text

INDEX = Path(__file__).with_name("keys.json")
"""The file of keys shipped with the package."""


def sources_fingerprint(folder: Path = INDEX.parent) -> str:
    """SHA-256 of the configuration package's sources (every ``*.py`` by name and
    content): any edit of the schema changes it."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class KeyIndex:
    """The valid dotted keys of the schema, as :func:`.schema.all_keys` lists them."""

    keys: tuple[str, ...]

    def accepts(self, key: str) -> bool:
        """Whether some configuration accepts ``key``, as :func:`.keys.check_key` decides:
        a listed key (``<name>`` standing for any one entry name), a named section's entry
        (``segments.<name>``), or ``portfolio.<name>.<field>``."""
        parts = key.split(".")
        return names_initiative_field(key) or any(
            _matches(listed.split("."), parts) for listed in self._accepted()
        )

    def _accepted(self) -> list[str]:
        """The listed keys and every entry of a named section (``segments.<name>``)."""
        entries = {
            ".".join(parts[: i + 1])
            for parts in (key.split(".") for key in self.keys)
            for i, part in enumerate(parts)
            if part == ENTRY
        }
        return [*self.keys, *sorted(entries)]


def _matches(listed: list[str], parts: list[str]) -> bool:
    return len(listed) == len(parts) and all(
        mine in (ENTRY, part) for mine, part in zip(listed, parts, strict=True)
    )


def index_data() -> dict[str, Any]:
    """What ``keys.json`` holds, read from the schema (loads it)."""
    from .model import Config
    from .schema import all_keys

    return {"fingerprint": sources_fingerprint(), "keys": all_keys(Config)}


def read_index(path: Path = INDEX) -> KeyIndex | None:
    """The keys in ``path`` if its fingerprint matches the sources; ``None`` if the file is
    missing, unreadable or stale."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != sources_fingerprint():
        return None
    return KeyIndex(tuple(data["keys"]))


def check_override_keys(keys: Iterable[str], index_path: Path = INDEX) -> None:
    """Refuse, with the error :meth:`.model.Config.with_overrides` would raise, the first
    key that no configuration accepts, before any configuration is read or validated (the
    command line reports a misspelt ``--set`` key first). Judged by the file of keys when it
    is current, else by the schema's fields."""
    index = read_index(index_path)
    for key in keys:
        if index is None:
            from .keys import check_key

            try:
                check_key(key)
            except ConfigError as exc:
                raise invalid_override(exc) from None
        elif not index.accepts(key):
            raise invalid_override(ConfigError(unknown_key_text(index.keys, key)))
