"""The garbage collector's settings while a run is simulated, and after it."""

from __future__ import annotations

import gc

import pytest

from sqm_sim.run.simulation import RUN_GC_THRESHOLD, frozen_world


def test_the_world_is_frozen_during_the_run_and_everything_restored_after():
    gc.unfreeze()  # whatever froze objects before this test (harmless: back to the collector)
    before = gc.get_threshold()
    with frozen_world():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (RUN_GC_THRESHOLD, *before[1:])
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_settings_are_restored_after_an_error():
    gc.unfreeze()
    before = gc.get_threshold()
    with pytest.raises(ZeroDivisionError), frozen_world():
        1 / 0  # noqa: B018
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_a_disabled_collector_or_an_earlier_freeze_is_left_alone():
    before = gc.get_threshold()
    gc.disable()
    try:
        with frozen_world():
            assert gc.get_freeze_count() == 0
            assert gc.get_threshold() == before
    finally:
        gc.enable()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with frozen_world():
            assert gc.get_threshold() == before
        assert gc.get_freeze_count() == frozen  # still the caller's freeze
    finally:
        gc.unfreeze()
