"""Closed forms the model tests compare simulations with."""

from __future__ import annotations

from sqm_sim import Config
from sqm_sim.models.operations import defect_probability, prevention_factor


def unit_defect_probability(config: Config, out_of_control: bool) -> float:
    """Defect probability of a unit made at t = 0 (no initiative, no improvement yet):
    the configured design ppm, Cpk, shift while out of control, human error at the
    starting skill, and the prevention multiplier of the prevention budget."""
    ops = config.operations
    return defect_probability(
        ops.design_defect_ppm,
        ops.process_capability_cpk,
        config.quality.drift_shift_sigma if out_of_control else 0.0,
        ops.human_error_probability_untrained,
        config.workforce.skill,
        prevention_factor(config),
    )
