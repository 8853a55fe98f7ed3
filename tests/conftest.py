"""Shared fixtures and the deterministic Hypothesis profile for the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

#: Official examples, schemas, contexts and vectors, kept beside the repository
#: (``../shared/standards``) and never edited. CI always has them, so a missing
#: folder is a broken checkout, not a reason to skip.
STANDARDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "standards"

# Same examples on every run and every machine: a failure seen once can be
# reproduced, and CI time stays bounded. No example database is written.
settings.register_profile(
    "lerkit",
    derandomize=True,
    max_examples=200,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("lerkit")


@pytest.fixture(scope="session")
def standards() -> Path:
    """The shared standards folder; fails the test loudly when it is absent."""
    if not (STANDARDS_DIR / "MANIFEST.md").is_file():
        pytest.fail(
            f"shared standards not found at {STANDARDS_DIR} (expected MANIFEST.md there); "
            "the test suite needs the ../shared/standards checkout beside the repository",
            pytrace=False,
        )
    return STANDARDS_DIR
