"""``lerkit datasets template`` and ``lerkit datasets check``: output and exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lerkit.cli import app
from lerkit.datasets import default_dictionary, default_dictionary_path

runner = CliRunner()
LEARNERS = default_dictionary().table("learners").column_names


def learner(learner_id: str, **values: str) -> list[str]:
    row = {
        "learner_id": learner_id,
        "name": "",
        "email": "",
        "birth_year": "1990",
        "gender": "female",
        "race_ethnicity": "black",
        "veteran": "",
        "disability": "",
        "region": "pacific",
        "highest_education": "high_school",
        "pathway": "bootcamp",
        "stars": "true",
        "cohort": "ler",
        "enrolled_on": "2024-02-01",
        **values,
    }
    return [row[column] for column in LEARNERS]


def pilot(folder: Path, *rows: list[str], synthetic: bool | None = None) -> Path:
    """A real pilot that has only a learners table."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "learners.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LEARNERS)
        writer.writerows(rows or [learner("L1"), learner("L2")])
    if synthetic is not None:
        (folder / "dataset.yaml").write_text(
            yaml.safe_dump({"name": "cli-pilot", "synthetic": synthetic}), encoding="utf-8"
        )
    return folder


def test_datasets_help_lists_template_and_check() -> None:
    result = runner.invoke(app, ["datasets", "--help"])
    assert result.exit_code == 0
    assert "template" in result.output
    assert "check" in result.output


def test_template_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    folder = tmp_path / "my-pilot"
    result = runner.invoke(app, ["datasets", "template", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"wrote an empty dataset template into {folder} (15 files)",
        f"fill in the CSV files (see {folder / 'README.md'}), then run:",
        f"  lerkit datasets check {folder}",
    ]
    assert (folder / "learners.csv").read_text(encoding="utf-8") == ",".join(LEARNERS) + "\n"
    assert (folder / "dictionary.yaml").read_bytes() == default_dictionary_path().read_bytes()
    again = runner.invoke(app, ["datasets", "template", str(folder)])
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: {str(folder)!r} is not empty; choose an empty folder or pass force (--force) "
        "to overwrite the template files in it\n"
    )
    forced = runner.invoke(app, ["datasets", "template", str(folder), "--force"])
    assert forced.exit_code == 0


def test_empty_template_checks_clean_but_supports_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    assert runner.invoke(app, ["datasets", "template", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["datasets", "check", str(folder)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Dataset 't' at {folder.resolve()} (real pilot, dictionary version 1)"
    assert lines[-2:] == ["0 error(s), 0 warning(s), 12 info", "0 of 16 analyses supported"]
    assert "empty_table" in result.stdout
    payload = json.loads(
        runner.invoke(app, ["datasets", "check", str(folder), "--format", "json"]).stdout
    )
    assert payload["ok"] is True
    assert payload["counts"] == {"error": 0, "warning": 0, "info": 12}
    assert payload["analyses"]["supported"] == []
    assert payload["analyses"]["unsupported"][0] == {
        "name": "representation",
        "missing": ["table learners has no rows"],
    }
    assert {t["status"] for t in payload["tables"]} == {"read"}


def test_check_reports_problems_with_exit_1_and_json(tmp_path: Path) -> None:
    folder = pilot(
        tmp_path / "p",
        learner("L1"),
        learner("L2", gender="woman", birth_year="19x0"),
        learner("L1"),
    )
    result = runner.invoke(app, ["datasets", "check", str(folder)])
    assert result.exit_code == 1
    assert "not_allowed_value" in result.stdout
    assert "duplicate_key" in result.stdout
    assert "3 error(s), 8 warning(s), 3 info" in result.stdout

    result = runner.invoke(
        app, ["datasets", "check", str(folder), "--format", "json", "--examples", "1"]
    )
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["dataset"] == "p"
    assert payload["counts"]["error"] == 3
    errors = {
        (g["table"], g["column"], g["code"]): g
        for g in payload["problem_groups"]
        if g["severity"] == "error"
    }
    assert set(errors) == {
        ("learners", "gender", "not_allowed_value"),
        ("learners", "birth_year", "wrong_type"),
        ("learners", "learner_id", "duplicate_key"),
    }
    assert errors[("learners", "birth_year", "wrong_type")]["examples"] == [
        {
            "row": 2,
            "message": "learners row 2: birth_year '19x0' is not an integer",
            "value": "19x0",
        }
    ]
    assert errors[("learners", "learner_id", "duplicate_key")]["examples"][0]["row"] == 3
    tables = {t["table"]: t for t in payload["tables"]}
    assert tables["learners"] == {
        "table": "learners",
        "file": "learners.csv",
        "rows": "3",
        "columns": "14",
        "status": "read",
    }
    assert tables["outcomes"]["status"] == "missing"
    assert tables["issuers"]["status"] == "absent (optional)"
    assert payload["analyses"]["supported"] == ["representation"]
    assert len(payload["fingerprint"]) == 64


def test_check_warnings_pass_unless_strict(tmp_path: Path) -> None:
    folder = pilot(tmp_path / "p", synthetic=False)
    result = runner.invoke(app, ["datasets", "check", str(folder)])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 8 warning(s), 3 info" in result.stdout
    assert result.stdout.splitlines()[-1] == "1 of 16 analyses supported: representation"
    assert runner.invoke(app, ["datasets", "check", str(folder), "--strict"]).exit_code == 1
    assert runner.invoke(app, ["datasets", "check", str(folder), "--complete"]).exit_code == 1
    synthetic = pilot(tmp_path / "s", synthetic=True)
    assert runner.invoke(app, ["datasets", "check", str(synthetic)]).exit_code == 1
    assert runner.invoke(app, ["datasets", "check", str(synthetic), "--partial"]).exit_code == 0


def test_check_writes_every_problem(tmp_path: Path) -> None:
    folder = pilot(tmp_path / "p", *[learner(f"L{i}", gender="F") for i in range(20)])
    out = tmp_path / "problems.csv"
    result = runner.invoke(
        app, ["datasets", "check", str(folder), "--examples", "2", "--problems-out", str(out)]
    )
    assert result.exit_code == 1
    assert "(and 18 more)" in result.stdout
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(row["code"] == "not_allowed_value" for row in rows) == 20


def test_check_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = runner.invoke(app, ["datasets", "check", str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"error: no dataset folder {str(missing)!r}\n"
    folder = pilot(tmp_path / "p")
    bad = runner.invoke(app, ["datasets", "check", str(folder), "--format", "xml"])
    assert bad.exit_code == 2
    assert "'xml' is not one of table, json" in bad.output
    assert runner.invoke(app, ["datasets", "check", str(folder), "--files", "all"]).exit_code == 2
    named = runner.invoke(
        app, ["datasets", "check", "no-such-pilot", "--datasets-dir", str(tmp_path)]
    )
    assert named.exit_code == 2
    assert named.stderr.startswith(
        "error: no dataset 'no-such-pilot': not a folder, and not a dataset name in "
    )


def test_check_finds_named_datasets(tmp_path: Path) -> None:
    pilot(tmp_path / "pilot-a", synthetic=False)
    result = runner.invoke(app, ["datasets", "check", "pilot-a", "--datasets-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dataset 'cli-pilot' at ")


@pytest.mark.parametrize(
    ("dictionary", "message"),
    [
        ("version: 2\ntables: {}\n", "has dictionary version 2; this lerkit reads version 1"),
        ("version: 1\ntables: [\n", "not valid YAML"),
    ],
)
def test_check_bad_dataset_dictionary_exits_1(
    tmp_path: Path, dictionary: str, message: str
) -> None:
    folder = pilot(tmp_path / "p")
    (folder / "dictionary.yaml").write_text(dictionary, encoding="utf-8")
    result = runner.invoke(app, ["datasets", "check", str(folder)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr


def test_synth_writes_a_pilot_that_check_accepts(tmp_path: Path) -> None:
    out = tmp_path / "pilot"
    args = ["datasets", "synth", "--learners", "300", "--seed", "5", "--out", str(out)]
    result = runner.invoke(app, [*args, "--no-files", "-p", "ler_hire_log_odds", "0.9"])
    assert result.exit_code == 0, result.output
    assert "learners 300" in result.output
    metadata = yaml.safe_load((out / "dataset.yaml").read_text())
    assert metadata["seed"] == 5
    assert metadata["scenario"]["ler_hire_log_odds"] == 0.9
    checked = runner.invoke(app, ["datasets", "check", str(out), "--format", "json"])
    assert checked.exit_code == 0, checked.output


def test_synth_refuses_an_unknown_scenario_parameter(tmp_path: Path) -> None:
    args = ["datasets", "synth", "--learners", "10", "--seed", "1", "--out", str(tmp_path / "x")]
    result = runner.invoke(app, [*args, "-p", "ler_hire", "1"])
    assert result.exit_code == 2
    assert "unknown scenario parameter 'ler_hire'" in result.output
    assert not (tmp_path / "x" / "learners.parquet").exists()
