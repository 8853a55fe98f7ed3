"""Fixtures for the interop tests.

The Node packages come from ``interop/package-lock.json`` (``make interop``, which
``make test`` runs first). When ``interop/node_modules`` is missing the JS tests fail
with that instruction; they are skipped only when, in addition, ``LERKIT_SKIP_INTEROP=1``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _js import SPEC_REPO_OB_303, JsRun, build_js_run
from _support import pinned_contexts


@pytest.fixture(scope="session")
def contexts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """lerkit's pinned contexts as one JSON file: all the JSON-LD the JS peers may load."""
    path = tmp_path_factory.mktemp("interop") / "contexts.json"
    path.write_text(json.dumps(pinned_contexts()), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def spec_repo_ob_303(standards: Path) -> dict[str, Any]:
    """The OB 3.0.3 context as the 1EdTech spec repository publishes it."""
    document: dict[str, Any] = json.loads((standards / SPEC_REPO_OB_303).read_text("utf-8"))
    return document


@pytest.fixture(scope="session")
def js_run(contexts_file: Path, spec_repo_ob_303: dict[str, Any]) -> JsRun:
    """Everything the JS peers do in this session (one Node process)."""
    return build_js_run(contexts_file, spec_repo_ob_303)
