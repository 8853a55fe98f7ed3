"""lerkit.datasets.load: dataset folders validated against the data dictionary.

Scenario folders are built in tmp_path: a small valid pilot with a few rows in every
table (as CSV or as Parquet), then one defect at a time, asserting the exact problems
(table, row, column, code).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import lerkit.datasets as lkd
from lerkit.datasets import (
    DataDictionary,
    Dataset,
    DatasetError,
    default_dictionary,
    default_dictionary_path,
    load,
)

DICTIONARY = default_dictionary()

# -- a small valid pilot ------------------------------------------------------------------------

CRED_1 = b'{"id": "urn:uuid:c1", "type": ["VerifiableCredential"]}\n'
CRED_2 = b'{"id": "urn:uuid:c2", "type": ["VerifiableCredential"]}\n'
EMAIL_HOST = "example.org"


def valid_rows() -> dict[str, list[dict[str, Any]]]:
    """A few rows in every table, all valid and consistent (native Python values)."""
    d = dt.date
    return {
        "learners": [
            {
                "learner_id": f"L{i}",
                "name": f"Learner {i}",
                "email": f"l{i}@{EMAIL_HOST}",
                "birth_year": 1980 + i,
                "gender": ["female", "male", "nonbinary"][i - 1],
                "race_ethnicity": ["black", "hispanic_latino", "white"][i - 1],
                "veteran": [True, False, None][i - 1],
                "disability": [False, None, True][i - 1],
                "region": ["pacific", "mountain", "south_atlantic"][i - 1],
                "highest_education": ["high_school", "some_college", "bachelor"][i - 1],
                "pathway": ["bootcamp", "military", "university"][i - 1],
                "stars": [True, True, False][i - 1],
                "cohort": ["ler", "comparison", "ler"][i - 1],
                "enrolled_on": d(2024, i, 15),
            }
            for i in (1, 2, 3)
        ],
        "issuers": [
            {
                "issuer_id": "did:web:college.example.edu",
                "name": "Example Community College",
                "issuer_type": "community_college",
                "region": "pacific",
            }
        ],
        "credentials": [
            {
                "credential_id": "urn:uuid:c1",
                "learner_id": "L1",
                "issuer_id": "did:web:college.example.edu",
                "achievement_id": "https://college.example.edu/a/1",
                "format": "ob3",
                "proof": "eddsa-rdfc-2022",
                "issued_on": d(2024, 6, 1),
                "expires_on": None,
                "file": "credentials/c1.json",
                "sha256": hashlib.sha256(CRED_1).hexdigest(),
            },
            {
                "credential_id": "urn:uuid:c2",
                "learner_id": "L2",
                "issuer_id": "did:web:college.example.edu",
                "achievement_id": "https://college.example.edu/a/2",
                "format": "clr2",
                "proof": "jwt",
                "issued_on": d(2024, 7, 1),
                "expires_on": d(2027, 7, 1),
                "file": "credentials/c2.json",
                "sha256": hashlib.sha256(CRED_2).hexdigest(),
            },
        ],
        "achievements": [
            {
                "achievement_id": "https://college.example.edu/a/1",
                "issuer_id": "did:web:college.example.edu",
                "name": "IT Support Certificate",
                "achievement_type": "Certificate",
                "field": "Information technology",
                "level": "certificate",
                "credit_hours": 12.0,
            },
            {
                "achievement_id": "https://college.example.edu/a/2",
                "issuer_id": None,
                "name": "Networking Course",
                "achievement_type": "Course",
                "field": None,
                "level": "course",
                "credit_hours": 3.5,
            },
        ],
        "alignments": [
            {
                "achievement_id": "https://college.example.edu/a/1",
                "framework": "onet_soc",
                "target_code": "15-1232.00",
                "target_name": "Computer User Support Specialists",
                "target_url": None,
            },
            {
                "achievement_id": "https://college.example.edu/a/1",
                "framework": "onet_element",
                "target_code": "2.A.1.a",
                "target_name": "Reading Comprehension",
                "target_url": None,
            },
        ],
        "skills": [
            {
                "skill_id": "2.A.1.a",
                "name": "Reading Comprehension",
                "framework": "onet_element",
                "category": "Basic",
            },
            {
                "skill_id": "2.B.3.e",
                "name": "Troubleshooting",
                "framework": "onet_element",
                "category": None,
            },
        ],
        "ler_events": [
            {
                "event_id": "E1",
                "learner_id": "L1",
                "credential_id": "urn:uuid:c1",
                "event": "issued",
                "at": dt.datetime(2024, 6, 1, 9, 30, tzinfo=dt.UTC),
                "actor": "issuer",
                "employer_id": None,
            },
            {
                "event_id": "E2",
                "learner_id": "L1",
                "credential_id": "urn:uuid:c1",
                "event": "verified",
                "at": dt.datetime(2024, 6, 3, 14, 0, tzinfo=dt.UTC),
                "actor": "employer",
                "employer_id": "EMP1",
            },
        ],
        "employers": [
            {
                "employer_id": "EMP1",
                "name": "Example Health",
                "industry": "62",
                "region": "pacific",
                "size": "large",
            }
        ],
        "outcomes": [
            {
                "learner_id": "L1",
                "period": "2025Q1",
                "employed": True,
                "occupation_soc": "15-1232.00",
                "hourly_wage": 24.5,
                "employer_id": "EMP1",
            },
            {
                "learner_id": "L2",
                "period": "2025Q1",
                "employed": False,
                "occupation_soc": None,
                "hourly_wage": None,
                "employer_id": None,
            },
        ],
        "occupations": [
            {
                "occupation_soc": "15-1232.00",
                "title": "Computer User Support Specialists",
                "median_wage": 28.3,
                "typical_education": "some_college",
                "skills": ["2.A.1.a", "2.B.3.e"],
            }
        ],
        "postings": [
            {
                "posting_id": "P1",
                "employer_id": "EMP1",
                "posted_on": d(2025, 1, 10),
                "occupation_soc": "15-1232.00",
                "title": "IT Support Technician",
                "region": "pacific",
                "requires_degree": False,
                "required_skills": ["2.B.3.e"],
                "wage": 25.0,
            }
        ],
        "applications": [
            {
                "application_id": "APP1",
                "learner_id": "L1",
                "posting_id": "P1",
                "applied_on": d(2025, 1, 20),
                "screen": "skills",
                "screened_in": True,
                "interviewed": True,
                "hired": True,
                "credential_check": "ler",
                "check_days": 1.0,
            },
            {
                "application_id": "APP2",
                "learner_id": "L2",
                "posting_id": "P1",
                "applied_on": d(2025, 1, 21),
                "screen": "skills",
                "screened_in": False,
                "interviewed": False,
                "hired": False,
                "credential_check": None,
                "check_days": None,
            },
        ],
    }


def csv_text(value: Any) -> str:
    """How a value is written in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "|".join(value)
    return str(value)


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    """A CSV with a header row; cells quoted only when needed."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "category": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "list": pa.list_(pa.string()),
}


def write_table(folder: Path, table: str, rows: list[dict[str, Any]], fmt: str = "csv") -> Path:
    """Write one table: columns in dictionary order then any extra ones."""
    spec = DICTIONARY.table(table)
    columns = [c for c in spec.column_names if any(c in row for row in rows)] or list(
        spec.column_names
    )
    columns += [c for row in rows for c in row if c not in columns and not spec.has_column(c)]
    columns = list(dict.fromkeys(columns))
    if fmt == "csv":
        path = folder / f"{table}.csv"
        write_csv(path, columns, [[csv_text(row.get(c)) for c in columns] for row in rows])
        return path
    path = folder / f"{table}.parquet"
    fields = [
        pa.field(c, _ARROW[spec.column(c).type] if spec.has_column(c) else pa.string())
        for c in columns
    ]
    arrays = {c: [row.get(c) for row in rows] for c in columns}
    pq.write_table(pa.table(arrays, schema=pa.schema(fields)), path)
    return path


def build(
    folder: Path,
    fmt: str = "csv",
    change: Callable[[dict[str, list[dict[str, Any]]]], None] | None = None,
    *,
    metadata: dict[str, Any] | None = None,
    skip: tuple[str, ...] = (),
) -> Path:
    """Write the valid pilot into ``folder`` (after ``change`` edits the rows)."""
    rows = valid_rows()
    if change is not None:
        change(rows)
    folder.mkdir(parents=True, exist_ok=True)
    for table, table_rows in rows.items():
        if table not in skip:
            write_table(folder, table, table_rows, fmt)
    (folder / "credentials").mkdir(exist_ok=True)
    (folder / "credentials" / "c1.json").write_bytes(CRED_1)
    (folder / "credentials" / "c2.json").write_bytes(CRED_2)
    if metadata is not None:
        (folder / "dataset.yaml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return folder


def found(dataset: Dataset, *, severity: str | None = None) -> set[tuple[Any, ...]]:
    """(table, row, column, code) of every problem kept (optionally of one severity)."""
    frame = dataset.problems
    if severity is not None:
        frame = frame[frame["severity"] == severity]
    return {
        (t, None if pd.isna(r) else int(r), c, code)
        for t, r, c, code in zip(
            frame["table"], frame["row"], frame["column"], frame["code"], strict=True
        )
    }


def errors(dataset: Dataset) -> set[tuple[Any, ...]]:
    return found(dataset, severity="error")


def problem_set(dataset: Dataset) -> set[tuple[Any, ...]]:
    """(severity, table, row, column, code, message) of every problem kept."""
    frame = dataset.problems
    return {
        (s, t, None if pd.isna(r) else int(r), c, code, m)
        for s, t, r, c, code, m in zip(
            frame["severity"],
            frame["table"],
            frame["row"],
            frame["column"],
            frame["code"],
            frame["message"],
            strict=True,
        )
    }


# -- the dictionary -----------------------------------------------------------------------------

#: The generator writes exactly these tables: renaming one breaks it.
DESIGN_TABLES = (
    "learners",
    "issuers",
    "credentials",
    "achievements",
    "alignments",
    "skills",
    "ler_events",
    "employers",
    "outcomes",
    "occupations",
    "postings",
    "applications",
)


def test_packaged_dictionary_has_the_design_tables_and_keys() -> None:
    assert DICTIONARY.table_names == DESIGN_TABLES
    assert DICTIONARY.version == 1
    assert DICTIONARY.table("outcomes").primary_key == ("learner_id", "period")
    assert DICTIONARY.table("learners").column_names[:3] == ("learner_id", "name", "email")
    assert {t.name for t in DICTIONARY.tables if not t.required} == {
        "issuers",
        "skills",
        "employers",
    }
    assert DICTIONARY.column("issuers.region").codes == DICTIONARY.column("learners.region").codes
    assert DICTIONARY.column("issuers.region").values_from == "learners.region"
    assert DICTIONARY.column("credentials.file").file_path
    assert DICTIONARY.column("credentials.sha256").sha256_of == "file"
    assert DICTIONARY.column("credentials.learner_id").reference == ("learners", "learner_id")
    assert len(DICTIONARY.analyses) == 16
    assert DICTIONARY.analysis("ler_funnel").tables == ("learners", "ler_events")


def test_privacy_roles_and_hierarchies_for_anonymization() -> None:
    direct = {c.qualified_name for c in DICTIONARY.columns_with_role("direct_identifier")}
    assert {"learners.learner_id", "learners.name", "learners.email"} <= direct
    assert "credentials.learner_id" in direct
    sensitive = {c.qualified_name for c in DICTIONARY.columns_with_role("sensitive")}
    assert sensitive == {"learners.race_ethnicity", "learners.disability", "outcomes.hourly_wage"}
    quasi = DICTIONARY.columns_with_role("quasi_identifier")
    assert DICTIONARY.column("learners.birth_year") in quasi
    assert DICTIONARY.hierarchies()["learners.birth_year"] == (
        "5-year band",
        "10-year band",
        "<35 / 35-54 / 55+",
    )
    every = [c for role in lkd.PRIVACY_ROLES for c in DICTIONARY.columns_with_role(role)]
    assert len(every) == len(DICTIONARY.columns())
    with pytest.raises(DatasetError, match="unknown privacy role 'secret'") as info:
        DICTIONARY.columns_with_role("secret")  # type: ignore[arg-type]
    assert info.value.code == "unknown_privacy_role"


def tiny(**column: Any) -> dict[str, Any]:
    """A one-table dictionary whose table t has key id and the column c given."""
    return {
        "version": 1,
        "tables": {
            "t": {
                "primary_key": ["id"],
                "columns": {
                    "id": {"type": "string", "required": True, "privacy": "none"},
                    "c": {"required": False, "privacy": "none", **column},
                },
            },
            "u": {
                "primary_key": ["k"],
                "columns": {
                    "k": {"type": "string", "required": True, "privacy": "none"},
                    "v": {"type": "string", "required": False, "privacy": "none"},
                },
            },
        },
    }


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (
            {"type": "text"},
            "d.yaml: tables.t.columns.c.type: unknown type 'text'; expected one of string, integer, number, boolean, date, datetime, category, list",
        ),
        (
            {"type": "string", "references": "nowhere.id"},
            "d.yaml: tables.t.columns.c.references: 'nowhere.id' is not a column of the dictionary",
        ),
        (
            {"type": "string", "references": "u.nope"},
            "d.yaml: tables.t.columns.c.references: 'u.nope' is not a column of the dictionary",
        ),
        (
            {"type": "string", "references": "u.v"},
            "d.yaml: tables.t.columns.c.references: 'u.v' is neither the primary key of 'u' nor unique: true",
        ),
        (
            {"type": "integer", "references": "u.k"},
            "d.yaml: tables.t.columns.c.references: t.c (integer) cannot reference u.k (string)",
        ),
        (
            {"type": "category", "values_from": "u.k"},
            "d.yaml: tables.t.columns.c.values_from: 'u.k' is not a category column",
        ),
        (
            {"type": "category", "values_from": "t.zz"},
            "d.yaml: tables.t.columns.c.values_from: 't.zz' is not a column of the dictionary",
        ),
        (
            {"type": "category"},
            "d.yaml: tables.t.columns.c: a category column needs exactly one of values, values_from",
        ),
        (
            {"type": "string", "values": {"a": "A"}},
            "d.yaml: tables.t.columns.c.values: only category columns have values",
        ),
        (
            {"type": "string", "requried": True},
            "d.yaml: tables.t.columns.c: unknown field 'requried'; expected some of description, file_path, generalized, hierarchy, max, min, pattern, privacy, references, required, sha256_of, type, unique, unit, values, values_from",
        ),
        (
            {"type": "integer", "min": 10, "max": 1},
            "d.yaml: tables.t.columns.c: min 10 is greater than max 1",
        ),
        (
            {"type": "integer", "min": 1.5},
            "d.yaml: tables.t.columns.c.min: 1.5 is not a valid integer bound",
        ),
        (
            {"type": "string", "min": 1},
            "d.yaml: tables.t.columns.c.min: min needs type integer, number, date or datetime, not string",
        ),
        (
            {"type": "string", "pattern": "a("},
            "d.yaml: tables.t.columns.c.pattern: invalid regular expression",
        ),
        (
            {"type": "string", "pattern": "(?=a)a"},
            "d.yaml: tables.t.columns.c.pattern: regular expression '(?=a)a' is not RE2 syntax",
        ),
        (
            {"type": "string", "pattern": "(a)\\1"},
            "d.yaml: tables.t.columns.c.pattern: regular expression '(a)\\\\1' is not RE2 syntax",
        ),
        (
            {"type": "string", "privacy": "public"},
            "d.yaml: tables.t.columns.c.privacy: unknown privacy role 'public'; expected one of direct_identifier, quasi_identifier, sensitive, none",
        ),
        (
            {"type": "string", "sha256_of": "id"},
            "d.yaml: tables.t.columns.c.sha256_of: 'id' is not a column of 't' with file_path: true",
        ),
        (
            {"type": "category", "values": {True: "Yes"}},
            "d.yaml: tables.t.columns.c.values: key True is not a string (quote it in the YAML)",
        ),
    ],
)
def test_invalid_dictionaries_name_the_yaml_path(column: dict[str, Any], message: str) -> None:
    with pytest.raises(DatasetError) as info:
        lkd.parse_dictionary(tiny(**column), source="d.yaml")
    assert info.value.code == "invalid_dictionary"
    if message.endswith(("expression", "syntax")):
        assert str(info.value).startswith(message)
    else:
        assert str(info.value) == message


def test_invalid_dictionary_structure() -> None:
    good = tiny(type="string")
    bad_key = json.loads(json.dumps(good))
    bad_key["tables"]["t"]["primary_key"] = ["nope"]
    with pytest.raises(
        DatasetError, match=r"tables\.t\.primary_key\[0\]: no column 'nope' in table 't'"
    ):
        lkd.parse_dictionary(bad_key)
    bad_analysis = {**good, "analyses": {"a": {"t": ["id", "zz"]}}}
    with pytest.raises(DatasetError, match=r"analyses\.a\.t\[1\]: no column 'zz' in 't'"):
        lkd.parse_dictionary(bad_analysis)
    with pytest.raises(DatasetError, match=r"^version: expected an integer, got the string '1'$"):
        lkd.parse_dictionary({**good, "version": "1"})


def test_dictionary_file_that_is_not_yaml(tmp_path: Path) -> None:
    path = tmp_path / "dictionary.yaml"
    path.write_text("version: 1\ntables:\n  t: {columns: [\n", encoding="utf-8")
    with pytest.raises(
        DatasetError, match=r"dictionary.yaml: not valid YAML: .*\(line \d+, column \d+\)"
    ):
        lkd.load_dictionary(path)


# -- a dataset's own dictionary copy ------------------------------------------------------------


def packaged_yaml() -> dict[str, Any]:
    return yaml.safe_load(default_dictionary_path().read_text(encoding="utf-8"))


def write_copy(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "dictionary.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_identical_copy_is_compatible(tmp_path: Path) -> None:
    folder = build(tmp_path / "d")
    shutil.copy(default_dictionary_path(), folder / "dictionary.yaml")
    dataset = load(folder)
    assert dataset.problems.empty
    assert dataset.dictionary.table_names == DESIGN_TABLES
    assert dataset.dictionary.source == (folder / "dictionary.yaml").resolve()


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            lambda d: d["tables"]["learners"]["columns"]["gender"].update(required=False),
            "learners.gender: required changed to false",
        ),
        (
            lambda d: d["tables"]["learners"]["columns"]["gender"]["values"].update(other="Other"),
            "learners.gender: allows codes not in the packaged dictionary: other",
        ),
        (
            lambda d: d["tables"]["learners"]["columns"]["birth_year"].update(min=1900),
            "learners.birth_year: min widened from 1940 to 1900",
        ),
        (
            lambda d: d["tables"]["outcomes"]["columns"]["period"].pop("pattern"),
            "outcomes.period: pattern changed from '[0-9]{4}Q[1-4]' to None",
        ),
        (
            lambda d: d["tables"]["learners"]["columns"].update(
                birth_year={"type": "string", "required": True, "privacy": "quasi_identifier"}
            ),
            "learners.birth_year: type changed from integer to string",
        ),
        (
            lambda d: d["tables"]["learners"]["columns"]["email"].update(privacy="none"),
            "learners.email: privacy changed from direct_identifier to none",
        ),
        (
            lambda d: d["tables"]["outcomes"].update(required=False),
            "outcomes: required changed to false",
        ),
        (
            lambda d: d["tables"]["credentials"]["columns"]["learner_id"].pop("references"),
            "credentials.learner_id: references changed from 'learners.learner_id' to None",
        ),
    ],
)
def test_copy_that_loosens_a_rule_is_incompatible(
    tmp_path: Path, edit: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    data = packaged_yaml()
    edit(data)
    folder = build(tmp_path / "d")
    write_copy(folder, data)
    with pytest.raises(DatasetError) as info:
        load(folder)
    assert info.value.code == "incompatible_dictionary"
    assert str(info.value).startswith(
        f"{(folder / 'dictionary.yaml').resolve()} is not compatible with the packaged data dictionary (version 1): "
    )
    assert reason in str(info.value)


def test_copy_with_another_version_is_incompatible(tmp_path: Path) -> None:
    data = packaged_yaml()
    data["version"] = 2
    folder = build(tmp_path / "d")
    path = write_copy(folder, data)
    with pytest.raises(DatasetError) as info:
        load(folder)
    assert info.value.code == "incompatible_dictionary"
    assert str(info.value) == (
        f"{path.resolve()} has dictionary version 2; this lerkit reads version 1 "
        "(regenerate the dataset or use a matching lerkit)"
    )


def test_copy_may_add_columns_and_tighten_rules(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        for i, row in enumerate(rows["learners"]):
            row["shoe_size"] = [40, 12, 44][i]

    folder = build(tmp_path / "d", change=change)
    # a short copy: only what it adds or tightens; every other rule stays the packaged one
    write_copy(
        folder,
        {
            "version": 1,
            "tables": {
                "learners": {
                    "columns": {
                        "shoe_size": {
                            "type": "integer",
                            "required": True,
                            "privacy": "quasi_identifier",
                            "min": 30,
                            "max": 50,
                        },
                        "birth_year": {
                            "type": "integer",
                            "required": True,
                            "privacy": "quasi_identifier",
                            "min": 1940,
                            "max": 1982,
                        },
                    }
                }
            },
        },
    )
    dataset = load(folder)
    assert found(dataset) == {
        ("learners", 2, "shoe_size", "out_of_range"),
        ("learners", 3, "birth_year", "out_of_range"),
    }
    assert dataset.dictionary.table_names == DESIGN_TABLES
    assert dataset.dictionary.column("learners.shoe_size").privacy == "quasi_identifier"
    assert dataset.table("learners")["shoe_size"].tolist() == [40, 12, 44]


def test_short_copy_does_not_drop_the_other_tables_rules(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        rows["credentials"][0]["format"] = "pdf"

    folder = build(tmp_path / "d", change=change)
    learners_only = {"version": 1, "tables": {"learners": packaged_yaml()["tables"]["learners"]}}
    write_copy(folder, learners_only)
    assert found(load(folder)) == {("credentials", 1, "format", "not_allowed_value")}


# -- a valid pilot --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_valid_pilot_has_no_problems_and_supports_every_analysis(tmp_path: Path, fmt: str) -> None:
    folder = build(
        tmp_path / "pilot",
        fmt,
        metadata={
            "name": "tiny",
            "synthetic": True,
            "seed": 7,
            "as_of": "2025-06-30",
            "counts": {"learners": 3},
        },
    )
    dataset = load(folder, check_files="sha256")
    assert dataset.problems.empty, dataset.problems.to_string()
    assert dataset.ok
    assert dataset.validation.total == 0
    assert dataset.tables == DESIGN_TABLES
    assert dataset.sources["learners"].path == folder.resolve() / f"learners.{fmt}"
    assert dataset.sources["learners"].format == fmt
    assert dataset.sources["learners"].n_rows == 3
    assert [a.name for a in dataset.supported_analyses()] == [a.name for a in DICTIONARY.analyses]
    assert dataset.unsupported_analyses() == ()
    assert dataset.metadata.name == "tiny"
    assert dataset.metadata.synthetic is True
    assert dataset.metadata.seed == 7
    assert dataset.metadata.as_of == dt.date(2025, 6, 30)
    assert dataset.summary == (
        "Dataset 'tiny' (synthetic): 12 of 12 tables; 0 errors, 0 warnings, 0 info; "
        "16 of 16 analyses supported."
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_are_typed_per_the_dictionary(tmp_path: Path, fmt: str) -> None:
    dataset = load(build(tmp_path / "pilot", fmt))
    learners = dataset.table("learners")
    assert list(learners.columns) == list(DICTIONARY.table("learners").column_names)
    assert isinstance(learners["gender"].dtype, pd.CategoricalDtype)
    assert list(learners["gender"].cat.categories) == list(
        DICTIONARY.column("learners.gender").codes
    )
    assert learners["gender"].tolist() == ["female", "male", "nonbinary"]
    assert str(learners["birth_year"].dtype) == "Int64"
    assert str(learners["veteran"].dtype) == "boolean"
    assert learners["veteran"].isna().tolist() == [False, False, True]
    assert pd.api.types.is_datetime64_any_dtype(learners["enrolled_on"])
    assert learners["enrolled_on"].iloc[0] == pd.Timestamp("2024-01-15")
    events = dataset.table("ler_events")
    assert str(events["at"].dt.tz) in ("UTC", "Etc/UTC")
    assert events["at"].iloc[1] == pd.Timestamp("2024-06-03 14:00", tz="UTC")
    assert dataset.table("occupations")["skills"].tolist() == [["2.A.1.a", "2.B.3.e"]]
    assert dataset.table("postings")["required_skills"].iloc[0] == ["2.B.3.e"]
    assert dataset.table("outcomes")["hourly_wage"].tolist()[0] == 24.5
    assert dataset.table("learners", columns=["learner_id"]).columns.tolist() == ["learner_id"]
    assert dataset.sql("SELECT count(*) FROM learners WHERE stars").fetchall() == [(2,)]
    assert dataset.relation("credentials").count("*").fetchall() == [(2,)]
    assert dataset.sql(
        "SELECT learner_id FROM learners WHERE birth_year > ?", [1981]
    ).fetchall() == [("L2",), ("L3",)]


def test_table_lookup_errors(tmp_path: Path) -> None:
    dataset = load(build(tmp_path / "p", skip=("issuers",)))
    with pytest.raises(DatasetError, match="the data dictionary has no table 'people'") as info:
        dataset.table("people")
    assert info.value.code == "unknown_table"
    with pytest.raises(DatasetError, match="has no readable table 'issuers'") as info:
        dataset.relation("issuers")
    assert info.value.code == "missing_table"


# -- one defect at a time ------------------------------------------------------------------------


def setter(
    table: str, index: int, **values: Any
) -> Callable[[dict[str, list[dict[str, Any]]]], None]:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        rows[table][index].update(values)

    return change


# defects both formats can hold, with the exact problems each must give
DEFECTS: list[
    tuple[str, Callable[[dict[str, list[dict[str, Any]]]], None], set[tuple[Any, ...]]]
] = [
    (
        "empty required",
        setter("learners", 2, gender=None),
        {("learners", 3, "gender", "missing_value")},
    ),
    (
        "empty required date",
        setter("credentials", 0, issued_on=None),
        {("credentials", 1, "issued_on", "missing_value")},
    ),
    (
        "category code",
        setter("learners", 1, region="atlantis"),
        {("learners", 2, "region", "not_allowed_value")},
    ),
    (
        "values_from codes",
        setter("employers", 0, region="atlantis"),
        {("employers", 1, "region", "not_allowed_value")},
    ),
    (
        "below min",
        setter("learners", 0, birth_year=1890),
        {("learners", 1, "birth_year", "out_of_range")},
    ),
    (
        "above max",
        setter("outcomes", 0, hourly_wage=900.0),
        {("outcomes", 1, "hourly_wage", "out_of_range")},
    ),
    (
        "pattern",
        setter("outcomes", 1, period="2025-Q1"),
        {("outcomes", 2, "period", "pattern_mismatch")},
    ),
    (
        "duplicate key",
        setter("learners", 2, learner_id="L1"),
        {("learners", 3, "learner_id", "duplicate_key")},
    ),
    (
        "duplicate composite key",
        setter("alignments", 1, framework="onet_soc", target_code="15-1232.00"),
        {("alignments", 2, "achievement_id,framework,target_code", "duplicate_key")},
    ),
    (
        "dangling reference",
        setter("credentials", 1, learner_id="L9"),
        {("credentials", 2, "learner_id", "dangling_reference")},
    ),
    (
        "dangling list item",
        setter("postings", 0, required_skills=["2.B.3.e", "9.9.9", "2.A.1.a", "8.8"]),
        {("postings", 1, "required_skills", "dangling_reference")},
    ),
    (
        "missing file",
        setter("credentials", 1, file="credentials/nope.json"),
        {("credentials", 2, "file", "missing_file")},
    ),
    (
        "file outside",
        setter("credentials", 0, file="../c1.json"),
        {("credentials", 1, "file", "file_outside_dataset")},
    ),
    (
        "absolute file",
        setter("credentials", 0, file="/etc/hostname"),
        {("credentials", 1, "file", "file_outside_dataset")},
    ),
]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(("label", "change", "expected"), DEFECTS, ids=[d[0] for d in DEFECTS])
def test_each_defect_gives_exactly_its_problem(
    tmp_path: Path,
    fmt: str,
    label: str,
    change: Callable[[dict[str, list[dict[str, Any]]]], None],
    expected: set[tuple[Any, ...]],
) -> None:
    dataset = load(build(tmp_path / "p", fmt, change))
    assert found(dataset) == expected
    assert not dataset.ok


def test_dangling_list_items_are_each_a_problem(tmp_path: Path) -> None:
    dataset = load(
        build(
            tmp_path / "p",
            change=setter("postings", 0, required_skills=["2.B.3.e", "9.9.9", "2.A.1.a", "8.8"]),
        )
    )
    assert set(dataset.problems["message"]) == {
        "postings row 1: required_skills item '8.8' not found in skills.skill_id",
        "postings row 1: required_skills item '9.9.9' not found in skills.skill_id",
    }
    assert dataset.validation.counts["count"].tolist() == [2]


def test_messages_name_the_value_and_where(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        rows["learners"][0]["birth_year"] = 1890
        rows["learners"][1]["gender"] = "woman"
        rows["learners"][2]["learner_id"] = "L1"
        rows["learners"][2]["email"] = "x" * 100
        rows["credentials"][1]["learner_id"] = "L9"
        rows["outcomes"][1].update(learner_id="L1")

    dataset = load(build(tmp_path / "p", change=change))
    assert problem_set(dataset) == {
        (
            "error",
            "learners",
            1,
            "birth_year",
            "out_of_range",
            "learners row 1: birth_year 1890 is below the minimum 1940",
        ),
        (
            "error",
            "learners",
            2,
            "gender",
            "not_allowed_value",
            "learners row 2: gender 'woman' is not an allowed value (allowed: female, male, nonbinary, unknown)",
        ),
        (
            "error",
            "learners",
            3,
            "learner_id",
            "duplicate_key",
            "learners row 3: duplicate learner_id 'L1', first in row 1",
        ),
        (
            "error",
            "learners",
            3,
            "email",
            "pattern_mismatch",
            "learners row 3: email '"
            + "x" * 57
            + "...' does not match the pattern [^@\\s]+@[^@\\s]+",
        ),
        (
            "error",
            "credentials",
            2,
            "learner_id",
            "dangling_reference",
            "credentials row 2: learner_id 'L9' not found in learners.learner_id",
        ),
        (
            "error",
            "outcomes",
            2,
            "learner_id,period",
            "duplicate_key",
            "outcomes row 2: duplicate key learner_id, period 'L1, 2025Q1', first in row 1",
        ),
    }
    assert dataset.problems.set_index("code").loc["pattern_mismatch", "value"] == "x" * 100
    # problems come in table (dictionary) order, then row
    assert dataset.problems["table"].tolist() == ["learners"] * 4 + ["credentials", "outcomes"]


CSV_ONLY_DEFECTS: list[
    tuple[str, Callable[[dict[str, list[dict[str, Any]]]], None], set[tuple[Any, ...]]]
] = [
    (
        "integer",
        setter("learners", 1, birth_year="19x0"),
        {("learners", 2, "birth_year", "wrong_type")},
    ),
    (
        "fractional integer",
        setter("learners", 1, birth_year="1985.5"),
        {("learners", 2, "birth_year", "wrong_type")},
    ),
    (
        "hex integer",
        setter("learners", 1, birth_year="0x7C1"),
        {("learners", 2, "birth_year", "wrong_type")},
    ),
    ("boolean", setter("learners", 0, stars="maybe"), {("learners", 1, "stars", "wrong_type")}),
    (
        "date",
        setter("credentials", 0, issued_on="2024-13-01"),
        {("credentials", 1, "issued_on", "wrong_type")},
    ),
    (
        "non-ISO date",
        setter("credentials", 0, issued_on="06/01/2024"),
        {("credentials", 1, "issued_on", "wrong_type")},
    ),
    (
        "short date",
        setter("credentials", 0, issued_on="2024-6-1"),
        {("credentials", 1, "issued_on", "wrong_type")},
    ),
    ("datetime", setter("ler_events", 0, at="yesterday"), {("ler_events", 1, "at", "wrong_type")}),
    (
        "number",
        setter("outcomes", 0, hourly_wage="24,50"),
        {("outcomes", 1, "hourly_wage", "wrong_type")},
    ),
    (
        "nan",
        setter("outcomes", 0, hourly_wage="nan"),
        {("outcomes", 1, "hourly_wage", "wrong_type")},
    ),
    (
        "empty list item",
        setter("occupations", 0, skills="2.A.1.a||2.B.3.e"),
        {("occupations", 1, "skills", "empty_list_item")},
    ),
    (
        "blank required",
        setter("learners", 0, cohort="   "),
        {("learners", 1, "cohort", "missing_value")},
    ),
]


@pytest.mark.parametrize(
    ("label", "change", "expected"), CSV_ONLY_DEFECTS, ids=[d[0] for d in CSV_ONLY_DEFECTS]
)
def test_unparseable_csv_values_are_problems_not_crashes(
    tmp_path: Path,
    label: str,
    change: Callable[[dict[str, list[dict[str, Any]]]], None],
    expected: set[tuple[Any, ...]],
) -> None:
    dataset = load(build(tmp_path / "p", "csv", change))
    assert found(dataset) == expected


def test_wrong_type_message_and_typed_value(tmp_path: Path) -> None:
    dataset = load(build(tmp_path / "p", change=setter("learners", 1, birth_year="19x0")))
    assert dataset.problems["message"].tolist() == [
        "learners row 2: birth_year '19x0' is not an integer"
    ]
    assert dataset.problems["value"].tolist() == ["19x0"]
    # the typed table has it missing; the problem says so
    assert dataset.table("learners")["birth_year"].isna().tolist() == [False, True, False]


def test_csv_accepts_the_documented_spellings(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        rows["learners"][0].update(
            stars="TRUE", veteran=" yes ", disability="0", birth_year="1985.0"
        )
        rows["learners"][1].update(stars="No", veteran="1", disability="False")
        rows["ler_events"][0]["at"] = "2024-06-01 09:30:00+02:00"
        rows["ler_events"][1]["at"] = "2024-06-03T14:00"
        rows["occupations"][0]["skills"] = " 2.A.1.a | 2.B.3.e "
        rows["outcomes"][0]["hourly_wage"] = "2.45e1"

    dataset = load(build(tmp_path / "p", change=change))
    assert dataset.problems.empty, dataset.problems.to_string()
    learners = dataset.table("learners")
    assert learners["stars"].tolist() == [True, False, False]
    assert learners["veteran"].tolist()[:2] == [True, True]
    assert learners["disability"].tolist()[:2] == [False, False]
    assert learners["birth_year"].tolist()[0] == 1985
    events = dataset.table("ler_events")
    assert events["at"].tolist() == [
        pd.Timestamp("2024-06-01 07:30", tz="UTC"),
        pd.Timestamp("2024-06-03 14:00", tz="UTC"),
    ]
    assert dataset.table("occupations")["skills"].tolist() == [["2.A.1.a", "2.B.3.e"]]
    assert dataset.table("outcomes")["hourly_wage"].tolist()[0] == 24.5


def test_rows_are_data_rows_not_lines(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        rows["learners"][0]["name"] = "Ada\nExample, Jr."
        rows["learners"][2]["gender"] = "x"

    folder = build(tmp_path / "p", change=change)
    text = (folder / "learners.csv").read_text(encoding="utf-8")
    (folder / "learners.csv").write_text("\ufeff" + text, encoding="utf-8")  # Excel's BOM
    dataset = load(folder)
    assert found(dataset) == {("learners", 3, "gender", "not_allowed_value")}
    assert dataset.table("learners")["name"].iloc[0] == "Ada\nExample, Jr."


# -- structure: columns, tables, files ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_missing_required_column(tmp_path: Path, fmt: str) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        for row in rows["learners"]:
            del row["gender"]

    dataset = load(build(tmp_path / "p", fmt, change))
    assert found(dataset) == {("learners", None, "gender", "missing_column")}
    assert dataset.problems["message"].tolist() == [
        f"required column 'gender' is missing from learners.{fmt}"
    ]
    support = dataset.analysis_support("adverse_impact")
    assert not support.supported
    assert support.reason == "column learners.gender is missing"
    assert dataset.analysis_support("representation").supported
    # the typed view still has the column (all missing), so queries keep working
    assert dataset.table("learners")["gender"].isna().all()


def test_column_name_case_is_hinted(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        for row in rows["learners"]:
            row["Gender"] = row.pop("gender")

    dataset = load(build(tmp_path / "p", change=change))
    assert problem_set(dataset) == {
        (
            "error",
            "learners",
            None,
            "gender",
            "missing_column",
            "required column 'gender' is missing from learners.csv (the file has 'Gender'; names are case-sensitive)",
        ),
        (
            "info",
            "learners",
            None,
            "Gender",
            "extra_column",
            "column 'Gender' of learners.csv is not in the dictionary; kept as read",
        ),
    }


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_extra_and_missing_optional_columns_are_info_and_kept(tmp_path: Path, fmt: str) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        for i, row in enumerate(rows["learners"]):
            row["favourite_colour"] = ["red", "green", None][i]
            del row["email"]
        for row in rows["outcomes"]:
            del row["hourly_wage"]

    dataset = load(build(tmp_path / "p", fmt, change))
    assert found(dataset) == {
        ("learners", None, "favourite_colour", "extra_column"),
        ("learners", None, "email", "missing_optional_column"),
        ("outcomes", None, "hourly_wage", "missing_optional_column"),
    }
    assert set(dataset.problems["severity"]) == {"info"}
    assert dataset.ok
    learners = dataset.table("learners")
    assert learners.columns[-1] == "favourite_colour"
    assert learners["favourite_colour"].tolist()[:2] == ["red", "green"]
    unsupported = {a.name: a.reason for a in dataset.unsupported_analyses()}
    assert unsupported["outcome_rates"] == "column outcomes.hourly_wage is missing"
    message = dataset.problems.set_index("column").loc["hourly_wage", "message"]
    assert message.startswith(
        f"optional column 'hourly_wage' is absent from outcomes.{fmt}; analyses that cannot run: outcome_rates, "
    )


def test_column_without_values_does_not_support_analyses(tmp_path: Path) -> None:
    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        for row in rows["applications"]:
            row["check_days"] = None

    dataset = load(build(tmp_path / "p", change=change))
    assert dataset.problems.empty
    assert (
        dataset.analysis_support("process_efficiency").reason
        == "column applications.check_days has no values"
    )


def test_partial_real_pilot_warns_and_names_the_analyses(tmp_path: Path) -> None:
    folder = build(
        tmp_path / "p",
        skip=("outcomes", "postings", "applications", "issuers"),
        metadata={"synthetic": False},
    )
    dataset = load(folder)
    assert found(dataset, severity="warning") == {
        ("outcomes", None, None, "missing_table"),
        ("postings", None, None, "missing_table"),
        ("applications", None, None, "missing_table"),
    }
    assert found(dataset, severity="info") == {
        ("issuers", None, None, "missing_optional_table"),
        ("credentials", None, "issuer_id", "reference_not_checked"),
        ("achievements", None, "issuer_id", "reference_not_checked"),
    }
    assert dataset.ok  # a subset of tables is fine for a real pilot
    messages = dataset.problems.set_index("table")["message"]
    assert messages["outcomes"] == (
        "required table 'outcomes' is missing (looked for outcomes.parquet, outcomes.csv, "
        "csv/outcomes.csv); analyses that cannot run: outcome_rates, wage_mobility, "
        "time_to_employment, pilot_evaluation, gap_decomposition, where_to_act"
    )
    supported = {a.name for a in dataset.supported_analyses()}
    assert supported == {
        "representation",
        "credential_attainment",
        "ler_funnel",
        "verification",
        "learner_profile",
    }
    assert dataset.analysis_support("adverse_impact").reason == "table applications is missing"
    assert "issuers" not in dataset.tables


def test_missing_table_is_an_error_for_a_synthetic_dataset(tmp_path: Path) -> None:
    folder = build(tmp_path / "p", skip=("outcomes",), metadata={"synthetic": True})
    assert found(load(folder), severity="error") == {("outcomes", None, None, "missing_table")}
    assert found(load(folder, partial=True), severity="warning") == {
        ("outcomes", None, None, "missing_table")
    }
    real = build(tmp_path / "r", skip=("outcomes",))
    assert found(load(real, partial=False), severity="error") == {
        ("outcomes", None, None, "missing_table")
    }


def test_file_precedence_parquet_then_csv_then_csv_folder(tmp_path: Path) -> None:
    folder = build(tmp_path / "p", "parquet")
    rows = valid_rows()
    rows["learners"][0]["gender"] = "bad"  # only in the CSV copies
    write_table(folder / "csv", "learners", rows["learners"], "csv")
    write_table(folder, "learners", rows["learners"], "csv")
    dataset = load(folder)
    source = dataset.sources["learners"]
    assert source.path == folder.resolve() / "learners.parquet"
    assert source.ignored == (
        folder.resolve() / "learners.csv",
        folder.resolve() / "csv" / "learners.csv",
    )
    assert dataset.problems.empty
    (folder / "learners.parquet").unlink()
    assert load(folder).sources["learners"].path == folder.resolve() / "learners.csv"
    (folder / "learners.csv").unlink()
    dataset = load(folder)
    assert dataset.sources["learners"].path == folder.resolve() / "csv" / "learners.csv"
    assert found(dataset) == {("learners", 1, "gender", "not_allowed_value")}


def test_unknown_files_are_named_and_not_read(tmp_path: Path) -> None:
    folder = build(tmp_path / "p")
    write_csv(folder / "learner.csv", ["learner_id"], [["L1"]])
    (folder / "ground_truth").mkdir()
    write_csv(folder / "ground_truth" / "effects.csv", ["x"], [["1"]])
    (folder / "README.md").write_text("# pilot\n", encoding="utf-8")
    dataset = load(folder)
    assert problem_set(dataset) == {
        (
            "info",
            None,
            None,
            None,
            "unknown_table",
            "learner.csv is not a table of the data dictionary; not read",
        ),
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"learner_id,birth_year\nL1,1980\nL2\n",
            "cannot read learners.csv: CSV Error on Line: 3; Original Line: L2; Expected Number of Columns: 2 Found: 1; table left out",
        ),
        (
            b"learner_id,name\nL1,Jos\xe9\n",
            "cannot read learners.csv: CSV Error on Line: 2; Original Line: L1,Jos?; Invalid unicode (byte sequence mismatch) detected. This file is not utf-8 encoded.; table left out",
        ),
        (b"", "cannot read learners.csv: no header row (the file is empty); table left out"),
        (
            b"learner_id,learner_id\nL1,L2\n",
            "cannot read learners.csv: the header names column 'learner_id' twice; table left out",
        ),
    ],
    ids=["ragged", "latin-1", "empty", "duplicate header"],
)
def test_unreadable_table_file_is_a_problem(tmp_path: Path, content: bytes, message: str) -> None:
    folder = build(tmp_path / "p")
    (folder / "learners.csv").write_bytes(content)
    dataset = load(folder)
    assert "learners" not in dataset.tables
    unreadable = dataset.problems[dataset.problems["code"] == "unreadable_file"]
    assert unreadable[["severity", "table"]].values.tolist() == [["error", "learners"]]
    assert unreadable["message"].tolist() == [message]
    # references into the table left out are not checked, and say so
    assert ("credentials", None, "learner_id", "reference_not_checked") in found(dataset)
    assert dataset.analysis_support("representation").reason == "table learners is missing"


def test_empty_table_is_info_and_supports_nothing(tmp_path: Path) -> None:
    folder = build(tmp_path / "p", skip=())
    write_csv(folder / "applications.csv", list(DICTIONARY.table("applications").column_names), [])
    dataset = load(folder)
    assert found(dataset) == {("applications", None, None, "empty_table")}
    assert dataset.analysis_support("process_efficiency").reason == "table applications has no rows"


def test_credential_files_exist_and_match_their_sha256(tmp_path: Path) -> None:
    folder = build(tmp_path / "p")
    (folder / "credentials" / "c2.json").write_bytes(CRED_2 + b" ")  # tampered
    assert load(folder).problems.empty  # default: existence only
    dataset = load(folder, check_files="sha256")
    assert found(dataset) == {("credentials", 2, "file", "sha256_mismatch")}
    actual = hashlib.sha256(CRED_2 + b" ").hexdigest()
    assert dataset.problems["message"].tolist() == [
        f"credentials row 2: file 'credentials/c2.json': SHA-256 is {actual}, "
        f"the table records {hashlib.sha256(CRED_2).hexdigest()}"
    ]
    (folder / "credentials" / "c1.json").unlink()
    assert found(load(folder, check_files="exists")) == {("credentials", 1, "file", "missing_file")}
    assert load(folder, check_files="none").problems.empty
    with pytest.raises(
        DatasetError, match="check_files must be one of none, exists, sha256, not 'all'"
    ):
        load(folder, check_files="all")  # type: ignore[arg-type]


def test_metadata_problems_are_warnings(tmp_path: Path) -> None:
    folder = build(
        tmp_path / "p",
        metadata={"seed": "abc", "counts": {"learners": 5, "outcomes": 2}, "licence": "CC0"},
    )
    dataset = load(folder)
    assert problem_set(dataset) == {
        (
            "warning",
            None,
            None,
            None,
            "invalid_metadata",
            "dataset.yaml: seed 'abc' is not an integer; ignored",
        ),
        (
            "warning",
            "learners",
            None,
            None,
            "count_mismatch",
            "dataset.yaml counts 5 learners rows; learners.csv has 3",
        ),
    }
    assert dataset.ok
    assert dataset.metadata.seed is None
    assert dataset.metadata.name == "p"
    assert dataset.metadata.extra == {"licence": "CC0"}
    (folder / "dataset.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    assert found(load(folder)) == {(None, None, None, "invalid_metadata")}


# -- CSV and Parquet agree -----------------------------------------------------------------------


def many_defects(rows: dict[str, list[dict[str, Any]]]) -> None:
    rows["learners"][0]["birth_year"] = 2030
    rows["learners"][1]["cohort"] = "treatment"
    rows["learners"][2]["learner_id"] = "L1"
    rows["credentials"][0]["achievement_id"] = "https://elsewhere.example/a"
    rows["credentials"][1]["sha256"] = "ABC"
    rows["ler_events"][1]["employer_id"] = "EMP9"
    rows["occupations"][0]["skills"] = ["2.A.1.a", "", "7.7"]
    rows["outcomes"][0]["occupation_soc"] = "15-1232"
    rows["outcomes"][1]["employed"] = None
    rows["applications"][1]["check_days"] = -1.0
    rows["alignments"][0]["framework"] = "esco"
    rows["alignments"][1]["framework"] = "esco"
    rows["alignments"][1]["target_code"] = "15-1232.00"


def test_csv_and_parquet_give_the_same_problems(tmp_path: Path) -> None:
    from_csv = load(build(tmp_path / "csv", "csv", many_defects), check_files="sha256")
    from_parquet = load(build(tmp_path / "parquet", "parquet", many_defects), check_files="sha256")
    expected = {
        ("learners", 1, "birth_year", "out_of_range"),
        ("learners", 2, "cohort", "not_allowed_value"),
        ("learners", 3, "learner_id", "duplicate_key"),
        ("credentials", 1, "achievement_id", "dangling_reference"),
        ("credentials", 2, "sha256", "pattern_mismatch"),
        ("ler_events", 2, "employer_id", "dangling_reference"),
        ("occupations", 1, "skills", "empty_list_item"),
        ("occupations", 1, "skills", "dangling_reference"),
        ("outcomes", 1, "occupation_soc", "dangling_reference"),
        ("outcomes", 2, "employed", "missing_value"),
        ("applications", 2, "check_days", "out_of_range"),
        ("alignments", 2, "achievement_id,framework,target_code", "duplicate_key"),
    }
    assert found(from_csv) == expected

    def normalize(dataset: Dataset) -> set[tuple[Any, ...]]:
        return {
            (s, t, r, c, code, m.replace(".parquet", ".csv"))
            for s, t, r, c, code, m in problem_set(dataset)
        }

    assert normalize(from_csv) == normalize(from_parquet)
    for table in from_csv.tables:
        csv_frame, parquet_frame = from_csv.table(table), from_parquet.table(table)
        pd.testing.assert_frame_equal(csv_frame, parquet_frame, check_dtype=False)


def test_parquet_written_by_pandas(tmp_path: Path) -> None:
    """pandas writes dates as timestamps, categories as dictionaries, missing ints as NaN."""
    folder = build(tmp_path / "p", "parquet")
    frame = pd.DataFrame([{k: v for k, v in row.items()} for row in valid_rows()["learners"]])
    frame["enrolled_on"] = pd.to_datetime(frame["enrolled_on"])
    frame.loc[2, "enrolled_on"] = pd.Timestamp("2024-03-15 12:00")
    frame["gender"] = frame["gender"].astype("category")
    frame["birth_year"] = frame["birth_year"].astype(float)
    frame.loc[1, "birth_year"] = float("nan")
    frame.to_parquet(folder / "learners.parquet", index=False)
    dataset = load(folder)
    assert problem_set(dataset) == {
        (
            "error",
            "learners",
            2,
            "birth_year",
            "missing_value",
            "learners row 2: birth_year is empty but required",
        ),
        (
            "error",
            "learners",
            3,
            "enrolled_on",
            "wrong_type",
            "learners row 3: enrolled_on '2024-03-15 12:00:00' is not an ISO 8601 date (YYYY-MM-DD)",
        ),
    }
    assert dataset.table("learners")["birth_year"].tolist()[0] == 1981


# -- bounded problems, everything queryable ------------------------------------------------------


def test_systematic_error_is_counted_exactly_and_capped(tmp_path: Path) -> None:
    n = 1_000

    def change(rows: dict[str, list[dict[str, Any]]]) -> None:
        template = rows["learners"][0]
        rows["learners"] = [
            {**template, "learner_id": f"L{i}", "gender": "F"} for i in range(1, n + 1)
        ]

    dataset = load(build(tmp_path / "p", change=change), max_examples=5)
    report = dataset.validation
    assert report.counts.to_dict("records") == [
        {
            "severity": "error",
            "table": "learners",
            "column": "gender",
            "code": "not_allowed_value",
            "count": n,
            "shown": 5,
        }
    ]
    assert report.total == n
    assert report.omitted == n - 5
    assert dataset.problems["row"].tolist() == [1, 2, 3, 4, 5]
    assert (
        report.summary
        == f"{n} errors, 0 warnings, 0 info ({n - 5} more not shown: Dataset.problem_relation() has all)"
    )
    every = dataset.problem_relation()
    assert every.count("*").fetchall() == [(n,)]
    assert every.columns == ["severity", "table", "row", "column", "code", "message", "value"]
    path = dataset.write_problems(tmp_path / "problems.parquet")
    written = pq.read_table(path).to_pandas()
    assert len(written) == n
    assert written["row"].tolist() == list(range(1, n + 1))
    assert load(build(tmp_path / "q", change=change), max_examples=0).problems.empty


def test_large_table_validates_in_duckdb_not_pandas(tmp_path: Path) -> None:
    import numpy as np

    n = 200_000
    rng = np.random.default_rng(7)
    spec = DICTIONARY.table("learners")

    def codes(column: str) -> Any:
        allowed = np.array(spec.column(column).codes)
        return allowed[rng.integers(0, len(allowed), n)]

    ids = np.char.add("L", np.arange(n).astype(str))
    ids[150_000] = ids[42]  # row 150001 repeats row 43
    birth = rng.integers(1950, 2005, n)
    birth[99_999] = 1899  # row 100000
    gender = codes("gender")
    gender[7] = "F"  # row 8
    table = pa.table(
        {
            "learner_id": ids,
            "birth_year": birth,
            "gender": gender,
            "race_ethnicity": codes("race_ethnicity"),
            "veteran": rng.integers(0, 2, n).astype(bool),
            "region": codes("region"),
            "highest_education": codes("highest_education"),
            "pathway": codes("pathway"),
            "stars": rng.integers(0, 2, n).astype(bool),
            "cohort": codes("cohort"),
            "enrolled_on": pa.array(
                np.datetime64("2024-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
            ).cast(pa.date32()),
        }
    )
    folder = tmp_path / "big"
    folder.mkdir()
    pq.write_table(table, folder / "learners.parquet")
    del table, ids, birth, gender
    tracemalloc.start()
    start = time.perf_counter()
    try:
        dataset = load(folder)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found(dataset, severity="error") == {
        ("learners", 150_001, "learner_id", "duplicate_key"),
        ("learners", 100_000, "birth_year", "out_of_range"),
        ("learners", 8, "gender", "not_allowed_value"),
    }
    assert dataset.sources["learners"].n_rows == n
    # the 200,000 rows never reached Python: a DataFrame of them would take tens of MB
    assert peak < 5_000_000, peak
    assert elapsed < 20, elapsed
    assert dataset.sql("SELECT count(*) FROM learners WHERE stars IS NULL").fetchall() == [(0,)]


def test_dangling_references_and_duplicates_agree_with_pandas(tmp_path: Path) -> None:
    """Cross-check: the same findings computed independently with pandas on the CSVs."""
    import numpy as np

    rng = np.random.default_rng(11)
    base = valid_rows()
    learner = base["learners"][0]
    learners = [{**learner, "learner_id": f"L{i}"} for i in range(500)]
    credential = base["credentials"][0]
    credentials = []
    for _ in range(3_000):
        owner = f"L{rng.integers(0, 560)}"  # about 1 in 9 points past the learners
        cid = f"urn:uuid:{rng.integers(0, 2_800)}"  # some ids repeat
        credentials.append(
            {**credential, "credential_id": cid, "learner_id": owner, "file": None, "sha256": None}
        )
    folder = tmp_path / "p"
    folder.mkdir()
    write_table(folder, "learners", learners)
    write_table(folder, "credentials", credentials)
    dataset = load(folder)

    frame = pd.read_csv(folder / "credentials.csv", dtype=str, keep_default_na=False)
    known = set(pd.read_csv(folder / "learners.csv", dtype=str)["learner_id"])
    dangling = {i + 1 for i in frame.index[~frame["learner_id"].isin(known)]}
    duplicates = {i + 1 for i in frame.index[frame["credential_id"].duplicated(keep="first")]}
    assert dangling
    assert duplicates

    every = dataset.problem_relation().df()
    assert set(every.loc[every["code"] == "dangling_reference", "row"]) == dangling
    assert set(every.loc[every["code"] == "duplicate_key", "row"]) == duplicates
    counts = dataset.validation.counts.set_index("code")["count"]
    assert counts["dangling_reference"] == len(dangling)
    assert counts["duplicate_key"] == len(duplicates)


# -- resolution, fingerprint, templates ----------------------------------------------------------


def test_named_datasets_resolve_through_the_search_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "datasets"
    build(root / "pilot-x", metadata={"name": "pilot-x", "synthetic": False})
    assert load("pilot-x", datasets_dir=root).path == (root / "pilot-x").resolve()
    monkeypatch.setenv(lkd.DATASETS_ENV_VAR, str(root))
    assert lkd.dataset_search_path()[0] == root
    assert lkd.resolve_dataset("pilot-x") == root / "pilot-x"
    assert lkd.available_datasets(root) == {"pilot-x": root / "pilot-x"}
    with pytest.raises(DatasetError) as info:
        load("pilot-y", datasets_dir=root)
    assert info.value.code == "dataset_not_found"
    assert str(info.value) == (
        f"no dataset 'pilot-y': not a folder, and not a dataset name in {root} (available: pilot-x)"
    )
    with pytest.raises(DatasetError, match="is a file, not a dataset folder"):
        load(root / "pilot-x" / "learners.csv")
    with pytest.raises(DatasetError, match=r"^no dataset folder "):
        load(tmp_path / "nowhere")


def test_the_checkout_datasets_folder_is_on_the_search_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(lkd.DATASETS_ENV_VAR, raising=False)
    assert lkd.dataset_search_path() == (Path(__file__).resolve().parents[1] / "datasets",)


def test_fingerprint_is_the_folder_fingerprint(tmp_path: Path) -> None:
    from lerkit import fingerprint

    folder = build(tmp_path / "p")
    dataset = load(folder)
    assert dataset.fingerprint == fingerprint(folder)
    before = dataset.fingerprint
    (folder / "credentials" / "c1.json").write_bytes(CRED_1 + b"\n")
    assert load(folder).fingerprint != before


def test_close_releases_the_connection_and_temporary_copies(tmp_path: Path) -> None:
    with load(build(tmp_path / "p")) as dataset:
        temporary = dataset._tmp
        assert temporary is not None
        assert (temporary / "learners.parquet").is_file()
        assert dataset.sql("SELECT 1").fetchall() == [(1,)]
    assert not temporary.exists()


def test_template_round_trip(tmp_path: Path) -> None:
    folder = tmp_path / "my-pilot"
    written = lkd.write_template(folder)
    assert {p.name for p in written} == {f"{t}.csv" for t in DESIGN_TABLES} | {
        "dictionary.yaml",
        "dataset.yaml",
        "README.md",
    }
    assert (folder / "credentials").is_dir()
    for table in DICTIONARY.tables:
        assert (folder / f"{table.name}.csv").read_text(encoding="utf-8") == ",".join(
            table.column_names
        ) + "\n"
    assert (folder / "dictionary.yaml").read_bytes() == default_dictionary_path().read_bytes()
    assert yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8")) == {
        "name": "my-pilot",
        "description": "",
        "synthetic": False,
    }
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for column in DICTIONARY.columns():
        assert f"| {column.name} | {column.type} |" in readme
    assert "`hispanic_latino` (Hispanic or Latino)" in readme
    assert "lerkit datasets check my-pilot" in readme

    empty = load(folder)
    assert empty.ok
    assert empty.tables == DESIGN_TABLES
    assert set(empty.problems["code"]) == {"empty_table"}
    assert empty.supported_analyses() == ()
    assert empty.analysis_support("representation").reason == "table learners has no rows"

    # filled in with the small pilot, it checks clean and supports everything
    for table, rows in valid_rows().items():
        write_table(folder, table, rows)
    (folder / "credentials" / "c1.json").write_bytes(CRED_1)
    (folder / "credentials" / "c2.json").write_bytes(CRED_2)
    filled = load(folder, check_files="sha256")
    assert filled.problems.empty, filled.problems.to_string()
    assert len(filled.supported_analyses()) == len(DICTIONARY.analyses)


def test_template_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        lkd.write_template(folder)
    assert info.value.code == "folder_not_empty"
    lkd.write_template(folder, force=True)
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert (folder / "learners.csv").is_file()
    with pytest.raises(DatasetError) as info:
        lkd.write_template(folder / "notes.txt")
    assert info.value.code == "not_a_folder"


def test_public_names() -> None:
    assert lkd.__all__ == sorted(lkd.__all__, key=lambda n: (not n.isupper(), n))
    for name in lkd.__all__:
        assert hasattr(lkd, name), name
    assert isinstance(DICTIONARY, DataDictionary)
    assert set(lkd.PROBLEM_CODES) >= {
        "missing_column",
        "wrong_type",
        "not_allowed_value",
        "out_of_range",
        "pattern_mismatch",
        "missing_value",
        "duplicate_key",
        "dangling_reference",
        "missing_table",
        "extra_column",
    }


def test_unique_column_from_a_tightening_copy(tmp_path: Path) -> None:
    folder = build(tmp_path / "p", change=setter("learners", 2, email="l1@example.org"))
    email = packaged_yaml()["tables"]["learners"]["columns"]["email"]
    write_copy(
        folder,
        {"version": 1, "tables": {"learners": {"columns": {"email": {**email, "unique": True}}}}},
    )
    dataset = load(folder)
    assert problem_set(dataset) == {
        (
            "error",
            "learners",
            3,
            "email",
            "duplicate_value",
            "learners row 3: email 'l1@example.org' is already used in row 1 (unique: true)",
        )
    }
    assert dataset.dictionary.column("learners.email").unique
    assert repr(dataset).endswith("12 table(s), 1 error, 0 warnings, 0 info>")
