"""Inventory counts, read through the real parser from small scenario folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import lerkit as lk

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def ob3(
    n: int,
    issuer: tuple[str, str | None],
    achievement_type: str | None,
    issued: str | None,
    frameworks: tuple[str | None, ...] = (),
) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": f"https://example.org/achievements/{n}",
        "type": ["Achievement"],
        "name": f"Achievement {n}",
        "description": "Example",
        "criteria": {"narrative": "Complete the course."},
    }
    if achievement_type:
        achievement["achievementType"] = achievement_type
    if frameworks:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": f"Target {i}",
                "targetUrl": f"https://example.org/targets/{i}",
                **({"targetFramework": framework} if framework else {}),
            }
            for i, framework in enumerate(frameworks)
        ]
    document: dict[str, Any] = {
        "@context": OB3_CONTEXT,
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": issuer[0],
            "type": ["Profile"],
            **({"name": issuer[1]} if issuer[1] else {}),
        },
        "name": f"Credential {n}",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": achievement},
    }
    if issued:
        document["validFrom"] = issued
    return document


COLLEGE = ("https://college.example.org", "Valley Community College")
BOOTCAMP = ("https://bootcamp.example.org", "Code Bootcamp")
UNNAMED = ("did:example:unnamed", None)


@pytest.fixture
def pile(tmp_path: Path) -> Path:
    documents = [
        ob3(1, COLLEGE, "Certificate", "2024-01-15T10:00:00Z", ("O*NET-SOC", "O*NET-SOC")),
        ob3(2, COLLEGE, "Certificate", "2024-01-31T23:30:00-05:00", ("ESCO",)),
        ob3(3, BOOTCAMP, None, "2024-03-01T00:00:00Z", (None,)),
        ob3(4, UNNAMED, "Badge", None),
    ]
    for n, document in enumerate(documents, 1):
        (tmp_path / f"credential-{n}.json").write_text(json.dumps(document))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "truncated.json").write_text('{"type": ')
    return tmp_path


def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in frame.itertuples(index=False)]


def test_totals(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    assert (summary.n_credentials, summary.n_top_level, summary.n_problems) == (4, 4, 1)
    assert summary.n_undated == 1
    assert summary.summary == (
        "Credentials read: 4 (4 top-level, 0 nested in a CLR or attached as endorsements)\n"
        "Problems: 1"
    )


def test_by_format(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    assert rows(summary.by_format) == [("ob3", 4, 100.0)]


def test_by_issuer_labels_missing_names_and_sorts(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    assert rows(summary.by_issuer) == [
        ("Valley Community College", "https://college.example.org", 2),
        ("(not stated)", "did:example:unnamed", 1),
        ("Code Bootcamp", "https://bootcamp.example.org", 1),
    ]


def test_by_issuer_folds_the_tail(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile), top_n=1)
    assert rows(summary.by_issuer) == [
        ("Valley Community College", "https://college.example.org", 2),
        ("Other issuers (2)", "", 2),
    ]


def test_by_achievement_type(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    assert rows(summary.by_achievement_type) == [
        ("Certificate", 2),
        ("(not stated)", 1),
        ("Badge", 1),
    ]


def test_by_framework_counts_alignments_and_credentials(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    assert rows(summary.by_framework) == [
        ("O*NET-SOC", 2, 1),
        ("(not stated)", 1, 1),
        ("ESCO", 1, 1),
    ]


def test_issued_by_month_uses_utc(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile))
    # 2024-01-31T23:30-05:00 is 2024-02-01 in UTC
    assert rows(summary.issued_by_month) == [
        (pd.Timestamp("2024-01-01"), "ob3", 1),
        (pd.Timestamp("2024-02-01"), "ob3", 1),
        (pd.Timestamp("2024-03-01"), "ob3", 1),
    ]


def test_problems_are_listed_relative_to_root(pile: Path) -> None:
    summary = lk.inventory_summary(lk.read(pile), root=pile)
    assert list(summary.problems["location"]) == ["broken/truncated.json"]
    assert list(summary.problems_by_code.columns) == ["code", "severity", "problems"]
    assert summary.problems_by_code["problems"].sum() == 1


def test_empty_input_gives_empty_tables(tmp_path: Path) -> None:
    summary = lk.inventory_summary(lk.read(tmp_path))
    assert summary.n_credentials == 0
    assert summary.by_format.empty
    assert summary.issued_by_month.empty
    for name in ("by_format", "by_issuer", "by_achievement_type", "by_framework"):
        assert summary.figure(name).data == () or len(summary.figure(name).data) == 1


@pytest.mark.parametrize(
    ("table", "title"),
    [
        ("by_format", "Credentials by format"),
        ("by_issuer", "Credentials by issuer (as the credentials name them)"),
        ("by_achievement_type", "Credentials by achievement type"),
        ("by_framework", "Skill and occupation alignments by framework"),
        ("issued_by_month", "Credentials by month of issue"),
    ],
)
def test_figures_have_titles_and_units(pile: Path, table: str, title: str) -> None:
    figure = lk.inventory_summary(lk.read(pile)).figure(table)
    assert figure.layout.title.text == title
    value_axis = (
        figure.layout.yaxis if table in ("by_format", "issued_by_month") else figure.layout.xaxis
    )
    assert "(count)" in value_axis.title.text


def test_month_figure_says_how_many_are_undated(pile: Path) -> None:
    figure = lk.inventory_summary(lk.read(pile)).figure("issued_by_month")
    assert figure.layout.title.subtitle.text == (
        "1 credentials without an issuance date are not shown"
    )


def test_unknown_figure(pile: Path) -> None:
    with pytest.raises(ValueError, match="no figure for 'by_colour'; choose one of by_format"):
        lk.inventory_summary(lk.read(pile)).figure("by_colour")


def test_show_escapes_data_and_hides_the_index(pile: Path) -> None:
    (pile / "<i>x&y.json").write_text("{")
    summary = lk.inventory_summary(lk.read(pile), root=pile)
    html = summary.show("problems").to_html()
    assert "&lt;i&gt;x&amp;y.json" in html
    assert "<i>" not in html
    assert "row_heading" not in html
    assert ">2024-01<" in summary.show("issued_by_month").to_html()
    assert ">100.0<" in summary.show("by_format").to_html()


def test_show_unknown_table(pile: Path) -> None:
    with pytest.raises(ValueError, match="no table 'learners'; choose one of by_format"):
        lk.inventory_summary(lk.read(pile)).show("learners")
