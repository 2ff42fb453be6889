"""Shipped TOML files looked up by name (scenarios, portfolios) or given by path."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

from .config_error import ConfigError

MAX_TOML_BYTES = 1_000_000
"""Largest settings file read (bytes). The shipped files hold a few kB; a file of
megabytes is a mistake or an attack, and parsing it (TOML in pure Python, about 10^5 keys
a second) would hang the command for minutes before any check could refuse it."""


def read_toml(path: Path) -> dict:
    """Parse a TOML file as data; any problem becomes a one-line :class:`ConfigError`.

    A folder, a file larger than :data:`MAX_TOML_BYTES`, a file that is not UTF-8 text,
    malformed TOML and a file without a single setting (empty, or only comments) are
    refused.
    """
    if path.is_dir():
        raise ConfigError(f"{path} is a folder, not a TOML file")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_TOML_BYTES + 1)
        if len(raw) > MAX_TOML_BYTES:
            raise ConfigError(
                f"{path} is larger than {MAX_TOML_BYTES:,} bytes: not a settings file "
                "(the shipped ones hold a few kB)"
            )
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a TOML file: it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"malformed TOML in {path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if not data:
        raise ConfigError(f"{path} holds no settings (the file is empty or only comments)")
    return data


def shipped_names(folder: Path) -> list[str]:
    """Names of the TOML files shipped in ``folder``."""
    return sorted(path.stem for path in folder.glob("*.toml"))


def resolve(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """The file a name (shipped in ``folder``) or a path refers to."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or candidate.exists() or len(candidate.parts) > 1:
        if candidate.is_dir():
            raise ConfigError(f"{what} {candidate} is a folder, not a TOML file")
        if not candidate.is_file():
            raise ConfigError(f"{what} file not found: {candidate}")
        return candidate
    shipped = folder / f"{name_or_path}.toml"
    if shipped.is_file():
        return shipped
    names = shipped_names(folder)
    close = difflib.get_close_matches(str(name_or_path), names, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise ConfigError(
        f"unknown {what} '{name_or_path}'{hint} (shipped {what}s: {', '.join(names)}; "
        "or give the path of a TOML file)"
    )
