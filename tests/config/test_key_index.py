"""The file of keys (``sqm_sim/config/keys.json``) the command line judges a ``--set`` key
by: current, and giving exactly the schema's answer and message for any key."""

from __future__ import annotations

import json

import pytest

from sqm_sim.config import Config, ConfigError
from sqm_sim.config.dotted import ENTRY, unknown_key_text
from sqm_sim.config.key_index import (
    INDEX,
    KeyIndex,
    check_override_keys,
    index_data,
    read_index,
    sources_fingerprint,
)
from sqm_sim.config.keys import check_key
from sqm_sim.config.schema import all_keys


def test_the_shipped_file_is_current():
    index = read_index()
    assert index is not None, "sqm_sim/config/keys.json is stale: run tools/key_index.py"
    assert list(index.keys) == all_keys(Config)
    assert json.loads(INDEX.read_text(encoding="utf-8")) == index_data()


def schema_verdict(key: str) -> str | None:
    """The schema's own answer: None (accepted) or the message of its refusal."""
    try:
        check_key(key)
    except ConfigError as exc:
        return str(exc)
    return None


def candidates() -> list[str]:
    """Every listed key with an entry's name filled in, and each of them misspelt, cut
    short, lengthened and moved to another section."""
    keys: set[str] = {"", ".", "segments", "segments.x", "segments..share", "portfolio.a.b"}
    keys |= {"portfolio", "portfolio.x", "nosuch", "nosuch.key", "market.nonsense"}
    for listed in all_keys(Config):
        for name in ("premium", ""):
            key = listed.replace(ENTRY, name)
            head, _, leaf = key.rpartition(".")
            keys |= {key, key + ".x", head, f"{head}.{leaf[:-1]}", f"{head}.{leaf}s"}
            keys |= {f"quality.{leaf}", f"{key.partition('.')[2]}", key.upper()}
    return sorted(keys)


def same_answers(keys: list[str]) -> tuple[int, int]:
    """Check that the file accepts and refuses each of ``keys`` as the schema does, with
    the schema's message; (accepted, refused)."""
    index = read_index()
    assert index is not None
    accepted = 0
    for key in keys:
        verdict = schema_verdict(key)
        assert index.accepts(key) == (verdict is None), key
        if verdict is not None:
            assert f"invalid override: {unknown_key_text(index.keys, key)}" == (
                f"invalid override: {verdict}"
            ), key
        accepted += verdict is None
    return accepted, len(keys) - accepted


def test_the_file_accepts_every_key_the_schema_does_and_refuses_a_sample_alike():
    """Every key the schema accepts, and every twentieth candidate (a message costs a fuzzy
    search over all keys: the whole set is in the slow tier)."""
    listed = {key.replace(ENTRY, name) for key in all_keys(Config) for name in ("premium", "")}
    sample = sorted(listed | set(candidates()[::20]))
    accepted, refused = same_answers(sample)
    assert accepted >= len(listed)
    assert refused > 40


@pytest.mark.slow
def test_the_file_accepts_and_refuses_every_candidate_as_the_schema_does():
    accepted, refused = same_answers(candidates())
    assert accepted >= len(all_keys(Config))
    assert refused > 1000


def test_a_stale_file_is_not_used_and_the_schema_answers(tmp_path):
    stale = tmp_path / "keys.json"
    stale.write_text(json.dumps({"fingerprint": "0" * 64, "keys": []}), encoding="utf-8")
    assert read_index(stale) is None
    assert read_index(tmp_path / "missing.json") is None
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert read_index(tmp_path / "broken.json") is None
    check_override_keys(["market.prospects"], index_path=stale)
    with pytest.raises(ConfigError, match=r"did you mean 'market\.prospects'"):
        check_override_keys(["market.nonsense"], index_path=stale)


def test_a_file_that_lists_nothing_refuses_every_schema_key(tmp_path):
    """The file's answer is used when current: a current file listing no key refuses a key
    the schema accepts (so the check above really reads the file)."""
    empty = tmp_path / "keys.json"
    empty.write_text(json.dumps({"fingerprint": sources_fingerprint(), "keys": []}))
    assert read_index(empty) == KeyIndex(())
    with pytest.raises(ConfigError, match=r"invalid override: unknown key 'market\.prospects'"):
        check_override_keys(["market.prospects"], index_path=empty)
    check_override_keys(["portfolio.any.cpk_gain"], index_path=empty)  # data decides


def test_any_edit_of_the_sources_changes_the_fingerprint(tmp_path):
    (tmp_path / "a.py").write_text("x: int = 1\n")
    before = sources_fingerprint(tmp_path)
    (tmp_path / "a.py").write_text("x: int = 2\n")
    assert sources_fingerprint(tmp_path) != before
