"""Set-up files agree with each other: pyproject, lock file, conda environment."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {
    "duckdb": "python-duckdb",
    "fastjsonschema": "python-fastjsonschema",
    "ibis-framework": "ibis-framework-core",
}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_lock_pins_every_dependency_with_hashes() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lock = (ROOT / "requirements" / "lock.txt").read_text()
    pinned = {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", lock, re.M)}
    assert wanted <= pinned, f"not in the lock file (run `make lock`): {sorted(wanted - pinned)}"
    for block in re.split(r"\n(?=[A-Za-z0-9])", lock):
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def test_environment_yml_mirrors_pyproject() -> None:
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    wanted.discard("uv")  # only refreshes the pip lock file; conda users do not need it
    # conda-forge names some packages differently
    wanted = {CONDA_NAMES.get(name, name) for name in wanted}
    text = (ROOT / "environment.yml").read_text().lower()
    listed = {_name(m.group(1)) for m in re.finditer(r"^\s*-\s*([a-z0-9_.-]+)", text, re.M)}
    assert wanted <= listed, f"missing from environment.yml: {sorted(wanted - listed)}"
    assert "python=3.11" in text


def test_readme_names_the_two_commands_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make reports" in readme
    assert "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), "CI must run exactly the README's test command"
