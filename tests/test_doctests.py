"""The examples in the package's docstring run and give what they show."""

from __future__ import annotations

import doctest

import sqm_sim


def test_the_package_docstring_examples_pass():
    results = doctest.testmod(sqm_sim, optionflags=doctest.ELLIPSIS)
    assert results.attempted >= 4, "the package docstring lost its examples"
    assert results.failed == 0
