"""The ``lerkit`` command: version, inspect, report and its error handling."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

import lerkit as lk
from lerkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "datasets" / "samples"

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"lerkit {version('lerkit')}\n"


def test_help_lists_commands_and_param_option() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "inspect" in result.output
    assert "report" in result.output
    result = runner.invoke(app, ["report", "--help"])
    assert result.exit_code == 0
    assert "KEY VALUE" in result.output


def test_report_unknown_parameter_exits_2_with_valid_names() -> None:
    result = runner.invoke(app, ["report", "credential-inventory", "-p", "colour", "red"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: unknown parameter 'colour' for report 'credential-inventory'; "
        "valid parameters: source: str = '../datasets/samples'\n"
    )
    assert "Traceback" not in result.output


def test_report_bad_path_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = runner.invoke(app, ["report", "credential-inventory", "-p", "source", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: parameter 'source' of report 'credential-inventory': "
        f"no such file or folder: {str(missing)!r}"
    )


def test_report_unknown_name_exits_2() -> None:
    result = runner.invoke(app, ["report", "no-such-report"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no report named 'no-such-report'; available reports:")


def test_report_param_needs_two_values() -> None:
    result = runner.invoke(app, ["report", "credential-inventory", "-p", "source"])
    assert result.exit_code == 2
    assert "requires 2 arguments" in result.output


def test_report_all_takes_no_parameters() -> None:
    result = runner.invoke(app, ["report", "all", "-p", "source", "x"])
    assert result.exit_code == 2
    assert "runs every report on its defaults" in result.output


def test_report_without_name_lists_reports() -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0
    assert "credential-inventory" in result.output
    assert "source: str" in result.output


def test_inspect_samples_prints_counts_and_problems() -> None:
    found = lk.read(SAMPLES)
    result = runner.invoke(app, ["inspect", str(SAMPLES)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert f"Credentials read: {len(found.credentials)} (" in result.output
    assert "By format" in result.output
    assert "By issuer" in result.output
    formats = {credential.format.value for credential in found.credentials}
    for name in formats:
        assert f" {name} " in result.output
    assert found.problems, "the samples include broken files"
    assert f"Problems ({len(found.problems)})" in result.output
    for code in {problem.code for problem in found.problems}:
        assert code in result.output


def test_inspect_shows_data_verbatim(tmp_path: Path) -> None:
    # neither rich markup ("[bold]") nor emoji codes (":key:" in did:key) may be interpreted
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": {"id": "did:key:z6Mk", "name": "[bold]Acme[/bold] :smile:"},
        "credentialSubject": {"id": "did:example:1"},
    }
    (tmp_path / "vc.json").write_text(json.dumps(document))
    result = runner.invoke(app, ["inspect", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "[bold]Acme[/bold] :smile:" in result.output


def test_inspect_json_matches_read() -> None:
    found = lk.read(SAMPLES)
    result = runner.invoke(app, ["inspect", "--json", str(SAMPLES)])
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["credentials"] == len(found.credentials)
    assert payload["problems"] == len(payload["problem_list"]) == len(found.problems)
    by_format = {row["format"]: row["credentials"] for row in payload["by_format"]}
    expected: dict[str, int] = {}
    for credential in found.credentials:
        expected[credential.format.value] = expected.get(credential.format.value, 0) + 1
    assert by_format == expected


def test_inspect_missing_path_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "Invalid value for 'path'" in result.output


@pytest.mark.notebook
def test_report_all_runs_every_notebook(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "all", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = tmp_path / "credential-inventory" / "default" / "credential-inventory.html"
    assert f"credential-inventory: {html}\n" in result.stdout
    assert f"index: {tmp_path / 'index.html'}\n" in result.stdout
    assert html.is_file()
    assert (
        'href="credential-inventory/default/credential-inventory.html"'
        in (tmp_path / "index.html").read_text()
    )
