"""The public API: what ``import lerkit as lk`` offers is exactly ``__all__``."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import lerkit as lk
from lerkit import errors


def test_all_is_sorted_and_importable() -> None:
    assert list(lk.__all__) == sorted(lk.__all__, key=str.casefold) or list(lk.__all__) == sorted(
        lk.__all__
    )
    for name in lk.__all__:
        assert hasattr(lk, name), name


def test_all_names_every_public_attribute() -> None:
    public = {
        name
        for name, value in vars(lk).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public == set(lk.__all__) - {"__version__"}


def test_every_error_derives_from_lerkit_error_and_has_a_code() -> None:
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, lk.LerkitError)
        assert cls.code
        assert cls.code == cls.code.lower()
        assert " " not in cls.code
    assert len({getattr(errors, name).code for name in errors.__all__}) == len(errors.__all__)


def test_parse_error_names_its_location() -> None:
    err = lk.ParseError(
        "bad", code="invalid_json", location=lk.SourceLocation("a.zip", member="b.json")
    )
    assert str(err) == "a.zip!b.json: bad"
    assert err.code == "invalid_json"


def test_py_typed_is_shipped() -> None:
    package = importlib.resources.files("lerkit")
    assert package.joinpath("py.typed").is_file()


def test_version_is_the_installed_distribution() -> None:
    from importlib.metadata import version

    assert lk.__version__ == version("lerkit")


def test_analysis_is_imported_on_first_use() -> None:
    # lk.analysis pulls in ibis and statsmodels: `import lerkit` (every CLI command) must not
    code = "import sys, lerkit; print('ibis' in sys.modules, lerkit.analysis.wilson is not None)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "True"], result.stderr
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        lk.nonexistent  # noqa: B018
