"""verify_many: rows in reading order, one bad input never spoils the others, and the
same table whatever the number of workers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest

import lerkit as lk
from lerkit.issue import IssuedCredential, demo_credentials, generate_key
from lerkit.verify import CHECK_NAMES, VerifyOptions, _many

KEY = generate_key(seed=bytes([9]) * 32)


@pytest.fixture(scope="module")
def issued() -> list[IssuedCredential]:
    return demo_credentials(90, KEY, seed=11)


@pytest.fixture(scope="module")
def tokens() -> list[str]:
    return [c.jwt or "" for c in demo_credentials(4, KEY, seed=12, proof="jwt")]


def _documents(issued: list[IssuedCredential]) -> list[dict[str, Any]]:
    return [dict(c.document or {}) for c in issued]


def _expected_order(sources: Any) -> tuple[list[str], list[str]]:
    """Sources of the rows, as lk.read finds the credentials and the unreadable inputs."""
    found = lk.read(sources)
    top = [c for c in found.credentials if c.parent_record_id is None]
    problems = [p for p in found.problems if p.severity == "error" and p.record_id is None]
    return [str(c.source) for c in top] + [str(p.source) for p in problems], [
        c.record_id for c in top
    ]


def _check(sources: Any) -> pd.DataFrame:
    serial = lk.verify_many(sources, workers=1, progress=False)
    parallel = lk.verify_many(sources, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial, parallel)
    order, record_ids = _expected_order(sources)
    assert serial["source"].tolist() == order
    assert serial["record_id"].tolist()[: len(record_ids)] == record_ids
    return serial


@pytest.fixture
def folder(tmp_path: Path, issued: list[IssuedCredential], tokens: list[str]) -> Path:
    root = tmp_path / "batch"
    root.mkdir()
    documents = _documents(issued)
    for n, document in enumerate(documents[:70]):
        if n == 13:
            document = {**document, "name": "tampered"}
        (root / f"c{n:03}.json").write_text(json.dumps(document))
    (root / "c020.json").write_text('{"broken": ')  # replaces a good one: not JSON
    (root / "c030.json").write_text("")
    (root / "c040.json").write_text(json.dumps({"type": "not a credential"}))
    (root / "README.md").write_text("skipped, not a row")
    (root / "lines.jsonl").write_text(
        "\n".join(json.dumps(d) for d in documents[70:75]) + "\n{bad line\n"
    )
    with zipfile.ZipFile(root / "more.zip", "w") as archive:
        archive.writestr("a.json", json.dumps(documents[75]))
        archive.writestr("b.jwt", tokens[0])
        archive.writestr("c.json", "nope")
    (root / "sub").mkdir()
    (root / "sub" / "token.jwt").write_text(tokens[1])
    return root


def test_a_folder_with_bad_files_among_good_ones(folder: Path) -> None:
    table = _check(folder)
    by_source = table.set_index("source")
    assert by_source.loc[str(folder / "c000.json"), "verdict"] == "verified"
    assert by_source.loc[str(folder / "c013.json"), "signature"] == "failed"
    for name, code in [("c020.json", "invalid_json"), ("c030.json", "empty")]:
        row = by_source.loc[str(folder / name)]
        assert (row["verdict"], row["parsed"]) == ("not_verified", "failed")
        assert f"({code})" in row["errors"]
    assert by_source.loc[f"{folder / 'lines.jsonl'}:6", "parsed"] == "failed"
    assert by_source.loc[f"{folder / 'more.zip'}!b.jwt", "verdict"] == "verified"
    assert by_source.loc[str(folder / "sub" / "token.jwt"), "verdict"] == "verified"
    good = table[table["parsed"] == "passed"]
    assert (good["verdict"] == "verified").sum() == len(good) - 1  # all but the tampered
    assert str(folder / "README.md") not in set(table["source"])


def test_paths_listed_with_in_memory_inputs(
    folder: Path, issued: list[IssuedCredential], tokens: list[str]
) -> None:
    documents = _documents(issued)
    sources: list[Any] = [
        documents[80],
        json.dumps(documents[81]),
        tokens[2],
        folder / "c001.json",
        str(folder / "c002.json"),
        folder / "missing.json",
        "neither JSON nor a path\nreally",
        [documents[82], tokens[3]],
        *documents[:70],
    ]
    table = _check(sources)
    assert table["source"].tolist()[:3] == ["<memory>[0]", "<memory>[1]", "<memory>[2]"]
    missing = table[table["source"] == str(folder / "missing.json")]
    assert missing["errors"].tolist() == ["parsed: no such file or folder (not_found)"]


def test_one_file_holding_many_credentials(tmp_path: Path, issued: list[IssuedCredential]) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps(_documents(issued)[:70]))
    table = _check(path)
    assert len(table) == 70
    assert table["source"].iloc[5] == f"{path}#/5"
    assert (table["verdict"] == "verified").all()


def test_few_inputs(issued: list[IssuedCredential]) -> None:
    table = _check([*_documents(issued)[:3], {"type": "x"}])
    assert table["verdict"].tolist() == ["verified"] * 3 + ["not_verified"]


def test_workers_send_back_rows_not_reports(issued: list[IssuedCredential]) -> None:
    items, _ = _many._inputs(_documents(issued)[:2])
    _many._init_worker(VerifyOptions())
    outcomes = _many._verify_items(items)
    assert len(outcomes) == 2
    for credential_rows, problem_rows in outcomes:
        assert problem_rows == []
        (row,) = credential_rows
        assert set(row) == {*_many.REPORT_COLUMNS, *CHECK_NAMES}
        assert all(isinstance(value, str | None) for value in row.values())


class _Bar:
    made: ClassVar[list[_Bar]] = []

    def __init__(self, *, total: int, **kwargs: Any) -> None:
        self.total = total
        self.done = 0
        _Bar.made.append(self)

    def update(self, n: int) -> None:
        self.done += n

    def close(self) -> None:
        pass


@pytest.mark.parametrize("workers", [1, 2])
def test_the_progress_bar_counts_every_input(
    monkeypatch: pytest.MonkeyPatch, folder: Path, workers: int
) -> None:
    monkeypatch.setattr(_many, "tqdm", _Bar)
    _Bar.made.clear()
    lk.verify_many(folder, workers=workers, progress=True)
    (bar,) = _Bar.made
    items, _ = _many._inputs(folder)
    assert bar.total == bar.done == len(items) > _many._PARALLEL_FROM
