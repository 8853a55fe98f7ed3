"""Reports pilot-profile, pilot-evaluation, learner-profile and verification-audit.

The notebooks run through papermill with non-default parameters (another group
column, another dataset synthesized here, an occupation filter, another credential
folder); their printed key numbers are checked against plain pandas computed straight
from the parquet files. The helpers of ``lerkit.reports._audit`` are checked against
hand-built tables and the files themselves.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from report_helpers import checked_output

import lerkit as lk
from lerkit.errors import LerkitError, ParameterError
from lerkit.reports import read_parameters, run_report
from lerkit.reports._audit import (
    audit_source,
    check_counts,
    failed_credentials,
    failure_reasons,
    problem_counts,
    source_caveat,
    table_overview,
)
from lerkit.verify import CHECK_NAMES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PILOT = ROOT / "datasets" / "pilot-default"
SAMPLES = ROOT / "datasets" / "samples"


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "pilot-800"
    lk.datasets.synthesize(800, 47, folder, files=False, csv=False, progress=False)
    return folder


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{name}.parquet")


def printed_table(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=r"\s+")


def assert_report_ok(result: Any, fingerprinted: Path) -> str:
    assert result.html_path.is_file()
    html = result.html_path.read_text(encoding="utf-8")
    assert "lerkit-provenance" in html
    assert f"sha256:{lk.fingerprint(fingerprinted)[:16]}" in html
    assert "Traceback" not in html
    return html


# -- the notebooks' parameters -------------------------------------------------------


@pytest.mark.parametrize("name", ["pilot-profile", "pilot-evaluation"])
def test_pilot_reports_declare_the_shared_parameters(name: str) -> None:
    specs = read_parameters(NOTEBOOKS / f"{name}.ipynb")
    assert specs["dataset"].default == "pilot-default"
    assert specs["group"].default == "race_ethnicity"
    assert (specs["min_cell"].default, specs["min_cell"].type_name) == (10, "int")


def test_learner_profile_defaults_to_a_real_learner() -> None:
    specs = read_parameters(NOTEBOOKS / "learner-profile.ipynb")
    assert specs["dataset"].default == "pilot-default"
    learners = table(PILOT, "learners")
    assert specs["learner_id"].default in set(learners["learner_id"])
    held = table(PILOT, "credentials")
    assert (held["learner_id"] == specs["learner_id"].default).sum() >= 2


def test_verification_audit_defaults_to_the_pilots_credentials() -> None:
    specs = read_parameters(NOTEBOOKS / "verification-audit.ipynb")
    assert (NOTEBOOKS / specs["source"].default).resolve() == (PILOT / "credentials").resolve()
    for name in ("trust_file", "status_dir", "did_web_dir", "now"):
        assert specs[name].optional
        assert specs[name].default is None
        assert specs[name].type_name == "str"


def test_invalid_parameters_are_refused_before_the_kernel_starts(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"'min_cell' of report 'pilot-profile' expects int"):
        run_report("pilot-profile", {"min_cell": "ten"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match=r"unknown parameter 'groups'.*did you mean 'group'"):
        run_report("pilot-evaluation", {"groups": "gender"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match=r"'k' of report 'learner-profile' expects int"):
        run_report("learner-profile", {"k": "many"}, output_dir=tmp_path)
    with pytest.raises(ParameterError, match=r"'sample' of report 'verification-audit'"):
        run_report("verification-audit", {"sample": "lots"}, output_dir=tmp_path)
    assert not any(tmp_path.iterdir())  # nothing ran, nothing was written


# -- papermill runs with other parameters --------------------------------------------


@pytest.mark.notebook
def test_pilot_profile_on_another_dataset_and_group(synth: Path, tmp_path: Path) -> None:
    result = run_report(
        "pilot-profile",
        {"dataset": str(synth), "group": "gender", "attributes": ["pathway", "stars"]},
        output_dir=tmp_path,
    )
    html = assert_report_ok(result, synth)
    assert "Synthetic data." in html
    learners = table(synth, "learners")

    tables = printed_table(checked_output(result.notebook_path, "table_overview"))
    assert dict(zip(tables["table"], tables["rows"], strict=True))["learners"] == len(learners)
    assert dict(zip(tables["table"], tables["rows"], strict=True))["outcomes"] == len(
        table(synth, "outcomes")
    )

    people = printed_table(checked_output(result.notebook_path, "people["))
    assert set(people["attribute"]) == {"pathway", "stars", "gender"}
    for attribute in ("pathway", "gender"):
        counts = learners[attribute].astype(str).value_counts()
        shown = people[(people["attribute"] == attribute) & people["n"].notna()]
        assert len(shown) >= 2
        for row in shown.itertuples():
            assert int(row.n) == counts[row.category]
            assert row.estimate == pytest.approx(counts[row.category] / len(learners), abs=5e-4)
        # every published count describes at least min_cell people
        assert (shown["n"] >= 10).all()


@pytest.mark.notebook
def test_pilot_evaluation_with_occupation_filter_and_employment(
    synth: Path, tmp_path: Path
) -> None:
    result = run_report(
        "pilot-evaluation",
        {
            "dataset": str(synth),
            "group": "stars",
            "occupation": "changed",
            "outcome": "employed",
            "planned_effect": 0.05,
        },
        output_dir=tmp_path,
    )
    assert_report_ok(result, synth)

    # wage change of learners employed in the first and last quarter whose occupation
    # changed, by STARs status, from the outcomes table directly
    outcomes = table(synth, "outcomes")
    periods = sorted(outcomes["period"].unique())
    first, last = periods[0], periods[-1]
    paid = outcomes[outcomes["employed"] & (outcomes["hourly_wage"] > 0)]
    pre = paid[paid["period"] == first].set_index("learner_id")
    post = paid[paid["period"] == last].set_index("learner_id")
    both = pre.merge(post, left_index=True, right_index=True, suffixes=("_pre", "_post"))
    moved = both[both["occupation_soc_pre"] != both["occupation_soc_post"]]
    stars = table(synth, "learners").set_index("learner_id")["stars"]
    change = (moved["hourly_wage_post"] - moved["hourly_wage_pre"]).groupby(
        stars.reindex(moved.index).astype(str).str.lower()
    )
    shown = printed_table(checked_output(result.notebook_path, "mean_change_usd"))
    shown = shown[shown["n"].notna()]
    assert len(shown) >= 1
    for row in shown.itertuples():
        values = change.get_group(str(row.stars).lower())
        assert int(row.n) == len(values)
        assert row.estimate == pytest.approx(values.mean(), abs=0.006)

    # the plan asks for the sample size detecting 5 points of employment
    plan = printed_table(checked_output(result.notebook_path, "plan["))
    assert plan["outcome"].iloc[0] == "proportion"
    assert plan["effect"].iloc[0] == pytest.approx(0.05)
    assert plan["n_total"].iloc[0] == plan["n_ler"].iloc[0] + plan["n_comparison"].iloc[0]


@pytest.mark.notebook
def test_learner_profile_on_another_dataset(synth: Path, tmp_path: Path) -> None:
    held = table(synth, "credentials")
    learner = held.groupby("learner_id").size().sort_values(kind="stable").index[-1]
    result = run_report(
        "learner-profile",
        {"dataset": str(synth), "learner_id": learner, "k": 3, "verify": False},
        output_dir=tmp_path,
    )
    html = assert_report_ok(result, synth)
    assert "not for publication" in html
    printed = checked_output(result.notebook_path, "profile.credentials[")
    mine = held[held["learner_id"] == learner]
    assert len(printed.strip().splitlines()) == 1 + len(mine)  # header + one line each
    achievements = table(synth, "achievements").set_index("achievement_id")["name"]
    for name in achievements.reindex(mine["achievement_id"]):
        assert name in printed
    postings = checked_output(result.notebook_path, "profile.opportunities[")
    assert len(postings.strip().splitlines()) <= 1 + 3


@pytest.mark.notebook
def test_verification_audit_of_another_folder(tmp_path: Path) -> None:
    result = run_report(
        "verification-audit",
        {"source": str(SAMPLES), "by": ["format"], "sample": None, "min_cell": 3},
        output_dir=tmp_path,
    )
    html = assert_report_ok(result, SAMPLES)
    assert "Synthetic data." not in html  # the samples are not a synthetic pilot
    expected = lk.verify_many(SAMPLES, workers=1, progress=False)
    printed = checked_output(result.notebook_path, "value_counts")
    for verdict, n in expected["verdict"].value_counts().items():
        assert f"{verdict}" in printed
        assert any(line.split() == [verdict, str(n)] for line in printed.splitlines())
    checks = printed_table(checked_output(result.notebook_path, "check_counts"))
    parsed = checks.set_index("check").loc["parsed"]
    assert parsed["failed"] == int((expected["parsed"] == "failed").sum())


# -- the helpers -----------------------------------------------------------------------


def test_table_overview_counts_the_parquet_rows() -> None:
    overview = table_overview(lk.datasets.load("pilot-default")).set_index("table")
    for name in ("learners", "credentials", "outcomes", "applications"):
        frame = table(PILOT, name)
        assert overview.loc[name, "rows"] == len(frame)
        assert overview.loc[name, "columns"] == frame.shape[1]
        assert overview.loc[name, "file"] == f"{name}.parquet"


def test_problem_counts_count_without_the_values(tmp_path: Path) -> None:
    (tmp_path / "learners.csv").write_text(
        "learner_id,birth_year\nL1,1890\nL2,1885\nL3,1990\nL4,abc\n", encoding="utf-8"
    )
    data = lk.datasets.load(tmp_path)
    counts = problem_counts(data)
    assert list(counts.columns) == ["severity", "table", "column", "code", "problems"]
    expected = data.problems.groupby(["severity", "table", "column", "code"]).size()
    got = counts.set_index(["severity", "table", "column", "code"])["problems"]
    for key, n in expected.items():
        assert got[key] == n
    # two birth years below the dictionary's minimum (1940), whatever their severity
    ranges = counts[(counts["column"] == "birth_year") & (counts["code"] == "out_of_range")]
    assert ranges["problems"].sum() == 2
    assert counts["problems"].sum() == data.validation.total
    assert "1890" not in counts.to_string()
    assert problem_counts(lk.datasets.load("pilot-default")).empty


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    checks = {name: "passed" for name in CHECK_NAMES}
    base = {"source": "", "issuer": "did:web:a", "verdict": "verified", "reason": None}
    return pd.DataFrame([{**base, **checks, **row} for row in rows])


def test_check_counts_and_failure_reasons_on_a_known_table(tmp_path: Path) -> None:
    frame = _frame(
        [
            {"source": str(tmp_path / "a.json")},
            {
                "source": str(tmp_path / "x" / "b.json"),
                "verdict": "not_verified",
                "signature": "failed",
                "not_expired": "skipped",
                "reason": "signature: does not match\nmore",
            },
            {
                "source": str(tmp_path / "c.json"),
                "verdict": "not_verified",
                "signature": "failed",
                "reason": "signature: does not match",
            },
            {
                "source": str(tmp_path / "d.json"),
                "issuer": "did:web:b",
                "verdict": "warning",
                "not_expired": "failed",
                "reason": "not_expired: expired",
            },
            {
                "source": str(tmp_path / "e.json"),
                "issuer": None,
                "verdict": "not_verified",
                "status": "indeterminate",
                "reason": "status: list unavailable",
            },
        ]
    )
    counts = check_counts(frame).set_index("check")
    assert list(counts.index) == list(CHECK_NAMES)
    assert counts.loc["signature", ["passed", "failed"]].tolist() == [3, 2]
    assert counts.loc["not_expired", ["passed", "failed", "skipped"]].tolist() == [3, 1, 1]
    assert counts.loc["status", "indeterminate"] == 1
    assert (counts["credentials"] == 5).all()

    reasons = failure_reasons(frame)
    assert reasons.to_dict("records")[0] == {
        "issuer": "did:web:a",
        "verdict": "not_verified",
        "check": "signature",
        "reason": "signature: does not match",
        "credentials": 2,
    }
    assert set(zip(reasons["issuer"], reasons["check"], strict=True)) == {
        ("did:web:a", "signature"),
        ("did:web:b", "not_expired"),
        ("(unknown)", "status"),
    }
    assert reasons["credentials"].sum() == 4

    listed = failed_credentials(frame, tmp_path)
    assert listed["file"].tolist() == ["c.json", "e.json", "x/b.json", "d.json"]
    assert listed["verdict"].tolist()[-1] == "warning"
    assert len(failed_credentials(frame, limit=2)) == 2
    with pytest.raises(LerkitError) as caught:
        failed_credentials(frame, limit=-1)
    assert caught.value.code == "invalid_argument"
    assert failure_reasons(_frame([{}])).empty


def test_helpers_refuse_a_table_that_is_not_a_verification() -> None:
    with pytest.raises(LerkitError, match="no column 'verdict'"):
        check_counts(pd.DataFrame({"a": [1]}))


def test_audit_source_of_a_dataset_uses_its_files_status_and_date() -> None:
    audit = audit_source("pilot-default")
    files = table(PILOT, "credentials")["file"].dropna()
    assert {p.resolve() for p in audit.paths} == {(PILOT / f).resolve() for f in files}
    meta = yaml.safe_load((PILOT / "dataset.yaml").read_text(encoding="utf-8"))
    as_of = dt.date.fromisoformat(str(meta["as_of"]))
    assert audit.options.now == dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)
    assert Path(str(audit.options.status_lists)).resolve() == (PILOT / "status").resolve()
    assert Path(str(audit.options.did_web)).resolve() == (PILOT / "dids").resolve()
    assert str(source_caveat(audit)).startswith("**Synthetic data.**")


def test_audit_source_of_a_folder_inside_a_dataset() -> None:
    folder = PILOT / "credentials" / "certify.example.org"
    audit = audit_source(folder, now="2025-01-02T03:04:05")
    assert audit.paths == (folder,)
    assert audit.dataset is not None
    assert audit.dataset.resolve() == PILOT.resolve()
    assert audit.options.now == dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert Path(str(audit.options.status_lists)).resolve() == (PILOT / "status").resolve()


def test_audit_source_of_a_plain_folder_and_its_sample() -> None:
    audit = audit_source(SAMPLES)
    assert audit.dataset is None
    assert audit.options.now is None
    assert audit.options.status_lists is None
    assert str(source_caveat(audit)) == ""

    files = sorted(p for p in (PILOT / "credentials").rglob("*") if p.is_file())
    picked = audit_source(PILOT / "credentials", sample=25, seed=3).paths
    assert len(picked) == 25
    assert len(set(picked)) == 25
    assert set(picked) <= set(files)
    assert picked == audit_source(PILOT / "credentials", sample=25, seed=3).paths
    assert picked != audit_source(PILOT / "credentials", sample=25, seed=4).paths
    # a sample larger than the folder is the whole folder
    every = audit_source(SAMPLES, sample=10_000).paths
    assert len(every) == len([p for p in SAMPLES.rglob("*") if p.is_file()])


def test_audit_source_errors_name_the_bad_value(tmp_path: Path) -> None:
    with pytest.raises(LerkitError, match="'no-such-credentials'") as caught:
        audit_source("no-such-credentials")
    assert caught.value.code == "audit_input_not_found"
    with pytest.raises(LerkitError, match=r"status_dir '.*missing' does not exist") as caught:
        audit_source(SAMPLES, status_dir=tmp_path / "missing")
    assert caught.value.code == "audit_input_not_found"
    with pytest.raises(LerkitError, match="now 'yesterday'") as caught:
        audit_source(SAMPLES, now="yesterday")
    assert caught.value.code == "invalid_argument"
    with pytest.raises(LerkitError, match="sample 0") as caught:
        audit_source(SAMPLES, sample=0)
    assert caught.value.code == "invalid_argument"
