"""Every docstring example in lerkit runs and shows what it says it shows."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lerkit

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(lerkit.__path__, prefix="lerkit.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_modules_were_found() -> None:
    assert "lerkit.verify._verifier" in MODULES
    assert len(MODULES) > 40
