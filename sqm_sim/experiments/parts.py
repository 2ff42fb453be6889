"""The index of a results folder's parts: each Parquet part's row count and SHA-256.

Every part the store writes is recorded in ``manifest.json`` under ``"parts"``, keyed by
its path inside the folder (``runs/part-….parquet``)::

    "parts": {"runs/part-0001-ab.parquet": {"rows": 8, "sha256": "9f2c…"}, …}

Before a folder is resumed or read, each part is checked against its entry: a part whose
bytes no longer hash to the recorded digest (truncated, overwritten, a flipped bit inside
an intact Parquet file) cannot be trusted. A part the index does not list yet (written
after the manifest was last saved, by a process killed in between; or by an older
version) must decode whole, and is then adopted with its row count and digest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INDEX_KEY = "parts"
"""Key of the part index in ``manifest.json``."""


def digest(path: Path) -> str:
    """SHA-256 of the file at ``path``, as hex."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def part_key(part: Path) -> str:
    """A part's key in the index: ``<table>/<file name>``."""
    return f"{part.parent.name}/{part.name}"


def entry(rows: int, sha256: str) -> dict[str, Any]:
    """An index entry: the part's row count and the hex SHA-256 of its bytes."""
    return {"rows": int(rows), "sha256": sha256}


def index_of(manifest: dict[str, Any]) -> dict[str, Any]:
    """The part index of ``manifest`` (created empty if absent or not a JSON object)."""
    index = manifest.get(INDEX_KEY)
    if not isinstance(index, dict):
        index = manifest[INDEX_KEY] = {}
    return index


@dataclass(frozen=True)
class PartCheck:
    """The verdict on one part: ``problem`` (why it cannot be trusted) or None; ``entry``
    its index entry when it can (the recorded one, or a new one for an unlisted part)."""

    problem: str | None
    entry: dict[str, Any] | None


def check_part(part: Path, recorded: Any) -> PartCheck:
    """Check ``part`` against its index entry ``recorded`` (None if the index does not
    list it): same SHA-256 as recorded; or, unlisted, a whole Parquet file that decodes."""
    try:
        sha256 = digest(part)
    except OSError as exc:
        return PartCheck(f"unreadable ({exc.strerror or exc})", None)
    if isinstance(recorded, dict) and "sha256" in recorded:
        if recorded["sha256"] != sha256:
            return PartCheck("its checksum differs from the manifest's", None)
        return PartCheck(None, recorded)
    import pyarrow.parquet as pq

    try:
        rows = pq.read_table(part).num_rows
    except Exception as exc:  # ArrowInvalid, OSError: not a whole Parquet file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return PartCheck(f"not a whole Parquet file ({reason})", None)
    return PartCheck(None, entry(rows, sha256))
