"""Input fingerprints: stable, and sensitive to every byte and every name."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import lerkit as lk


def make_folder(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.json").write_bytes(b'{"a": 1}')
    (root / "sub" / "b.jsonl").write_bytes(b"{}\n{}\n")
    return root


def test_file_fingerprint_is_its_sha256(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b'{"a": 1}')
    assert lk.fingerprint(path) == hashlib.sha256(b'{"a": 1}').hexdigest()


def test_folder_fingerprint_is_documented_framing(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "f")
    expected = hashlib.sha256()
    for name, data in [("a.json", b'{"a": 1}'), ("sub/b.jsonl", b"{}\n{}\n")]:
        expected.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    assert lk.fingerprint(folder) == expected.hexdigest()


def test_same_content_elsewhere_has_same_fingerprint(tmp_path: Path) -> None:
    assert lk.fingerprint(make_folder(tmp_path / "x")) == lk.fingerprint(
        make_folder(tmp_path / "y")
    )


def test_edit_rename_and_move_change_the_fingerprint(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "f")
    seen = {lk.fingerprint(folder)}
    (folder / "a.json").write_bytes(b'{"a": 2}')
    seen.add(lk.fingerprint(folder))
    (folder / "a.json").rename(folder / "c.json")
    seen.add(lk.fingerprint(folder))
    (folder / "c.json").rename(folder / "sub" / "c.json")
    seen.add(lk.fingerprint(folder))
    (folder / "empty").write_bytes(b"")
    seen.add(lk.fingerprint(folder))
    assert len(seen) == 5


def test_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        lk.fingerprint(tmp_path / "missing")
