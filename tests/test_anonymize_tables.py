"""Quasi-identifiers outside the learners table, and an anonymized folder that loads clean.

A sample of pilot-default (every table, the sampled learners' credential files) is
anonymized once per date level. Checked independently of lerkit's own code: every
output table and credential file scanned for a date finer than the level; each
generalized value recomputed with pandas ``Period`` / string slicing from the input;
a linkage attack on credential dates measured before and after; the folder re-loaded
and analysed, with the result recomputed from the Parquet files with pandas; the
dictionary's compatibility check fed hand-written copies.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dataset_helpers import sample_pilot

from lerkit.analysis._descriptive import outcome_rates, representation
from lerkit.anonymize._dataset import DatasetAnonymization, anonymize_dataset
from lerkit.anonymize._pseudonymize import Pseudonymizer, coarsen_date_text, redact_credential
from lerkit.datasets import dataset_dictionary, default_dictionary_path, load
from lerkit.errors import DatasetError, LerkitError, PrivacyError
from lerkit.parse import read

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
KEY = b"tables-key-0123456789-abcdefgh"
QUASI = ["birth_year", "gender", "region", "enrolled_on"]
N_LEARNERS = 300
DAY = re.compile(r"(?<![0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9:.]+))?")


def _pseudonym(value: str) -> str:
    mac = hmac.new(KEY, b"learners.learner_id\0" + value.encode(), hashlib.sha256)
    return "psn-" + mac.hexdigest()[:32]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("input") / "pilot-sample"
    return sample_pilot(folder, learners=N_LEARNERS, seed=11, name="pilot-sample")


def _run(small: Path, out: Path, **kwargs: object) -> DatasetAnonymization:
    return anonymize_dataset(
        small, out, key=KEY, k=5, l=2, quasi=QUASI, sensitive=["race_ethnicity"], **kwargs
    )


@pytest.fixture(scope="module")
def month(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    return _run(small, tmp_path_factory.mktemp("month") / "anon", dates="month")


@pytest.fixture(scope="module")
def quarter(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    return _run(small, tmp_path_factory.mktemp("quarter") / "anon", dates="quarter")


@pytest.fixture(scope="module")
def year(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    # the sample's dictionary copy declares ler_events.at only down to quarters
    return _run(small, tmp_path_factory.mktemp("year") / "anon", dates="year")


def _outputs(folder: Path) -> list[tuple[str, str]]:
    """(name, text) of every table (decoded), credential file and published CSV."""
    texts = []
    for path in sorted(folder.glob("*.parquet")):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            # a date or time column would be day resolution by its type
            kind = frame[column].dtype
            assert not pd.api.types.is_datetime64_any_dtype(kind), (path.name, column)
        texts.append((path.name, frame.to_csv(index=False)))
    for path in sorted((folder / "credentials").rglob("*")):
        if path.is_file():
            texts.append((str(path.relative_to(folder)), path.read_text()))
    for path in sorted((folder / "anonymization").glob("*.csv")):
        texts.append((path.name, path.read_text()))
    return texts


def _finer_than(text: str, level: str) -> list[str]:
    """Dates in ``text`` that say more than their ``level`` period."""
    found = []
    for match in DAY.finditer(text):
        month, day, time = int(match.group(2)), match.group(3), match.group(4)
        if not 1 <= month <= 12:
            continue
        starts = {"month": range(1, 13), "quarter": (1, 4, 7, 10), "year": (1,)}[level]
        if day != "01" or month not in starts or (time is not None and time != "00:00:00"):
            found.append(match.group(0))
    return found


@pytest.mark.parametrize("level", ["month", "quarter", "year"])
def test_no_date_finer_than_the_level_survives_in_any_output(
    level: str, small: Path, request: pytest.FixtureRequest
) -> None:
    result: DatasetAnonymization = request.getfixturevalue(level)
    outputs = _outputs(result.path)
    assert any(name.startswith("credentials/") for name, _ in outputs)
    leaks = {(name, hit) for name, text in outputs for hit in _finer_than(text, level)}
    assert leaks == set()
    # the scan finds what it looks for: the input is full of such dates
    source = [(p.name, pd.read_parquet(p).to_csv()) for p in small.glob("*.parquet")]
    source += [(p.name, p.read_text()) for p in (small / "credentials").rglob("*.json")]
    assert sum(len(_finer_than(text, level)) for _, text in source) > 1000
    assert result.provenance["dates"] == level
    assert result.generalized["ler_events.at"] == level
    assert set(load(result.path).validation.counts["severity"]) <= {"info"}


def test_dates_are_generalized_to_their_period(small: Path, month: DatasetAnonymization) -> None:
    def period(values: pd.Series, freq: str) -> pd.Series:
        stamps = pd.to_datetime(values, utc=True).dt.tz_localize(None)
        return stamps.dt.to_period(freq).astype(str).where(values.notna(), None)

    for table, key, column in (
        ("credentials", "credential_id", "issued_on"),
        ("credentials", "credential_id", "expires_on"),
        ("ler_events", "event_id", "at"),
        ("applications", "application_id", "applied_on"),
        ("postings", "posting_id", "posted_on"),
    ):
        before = pd.read_parquet(small / f"{table}.parquet").set_index(key)[column]
        after = pd.read_parquet(month.path / f"{table}.parquet").set_index(key)[column]
        expected = period(before, "M").reindex(after.index)
        assert after.fillna("").astype(str).tolist() == expected.fillna("").tolist(), column
        assert after.notna().any()
        assert month.generalized[f"{table}.{column}"] == "month"
    # the credential files agree with the table: validFrom at the start of that month
    credentials = pd.read_parquet(month.path / "credentials.parquet").dropna(subset=["file"])
    for row in credentials.head(40).itertuples():
        document = json.loads((month.path / row.file).read_text())
        assert document["validFrom"].startswith(f"{row.issued_on}-01")


def test_occupations_and_employers_are_generalized(
    small: Path, month: DatasetAnonymization
) -> None:
    before = pd.read_parquet(small / "outcomes.parquet")
    kept = set(pd.read_parquet(month.path / "learners.parquet")["learner_id"])
    before = before.assign(learner_id=before["learner_id"].map(_pseudonym))
    before = before[before["learner_id"].isin(kept)].set_index(["learner_id", "period"])
    after = pd.read_parquet(month.path / "outcomes.parquet").set_index(["learner_id", "period"])
    after = after.loc[before.index]
    # SOC major group: the two-digit prefix and "-0000"
    major = before["occupation_soc"].str.slice(0, 2) + "-0000"
    assert after["occupation_soc"].fillna("").tolist() == major.fillna("").tolist()
    assert before["occupation_soc"].nunique() > after["occupation_soc"].nunique() > 1
    assert set(after["employer_id"].dropna()) == {"*"}
    assert after["employer_id"].isna().tolist() == before["employer_id"].isna().tolist()
    assert month.generalized["outcomes.occupation_soc"] == "SOC major group"


def test_linkage_on_credential_dates_is_measured(small: Path, month: DatasetAnonymization) -> None:
    """An adversary who knows when a person's credentials were issued, before and after."""
    original = pd.read_parquet(small / "credentials.parquet")
    released = pd.read_parquet(month.path / "credentials.parquet")

    def signature(frame: pd.DataFrame, fmt: str | None) -> pd.Series:
        dates = pd.to_datetime(frame["issued_on"].astype(str))
        text = dates.dt.strftime(fmt) if fmt else frame["issued_on"].astype(str)
        return text.groupby(frame["learner_id"]).agg(lambda s: tuple(sorted(s)))

    # before: exact dates against the original table
    exact = signature(original, None)
    unique_before = int((exact.map(exact.value_counts()) == 1).sum())
    # after: the same knowledge, coarsened to months, against the released table
    known = signature(original, "%Y-%m")
    known.index = known.index.map(_pseudonym)
    released_sig = released.groupby("learner_id")["issued_on"].agg(lambda s: tuple(sorted(s)))
    known = known[known.index.isin(released_sig.index)]
    matches = known.map(released_sig.value_counts()).fillna(0)
    unique_after = int((matches == 1).sum())
    # every released person is found among the candidates their own record gives
    assert (matches >= 1).all()
    assert unique_after < unique_before
    # one known date (the first credential): exact vs month
    first = original.groupby("learner_id")["issued_on"].min().astype(str)
    first_after = released.groupby("learner_id")["issued_on"].min()
    single_before = int((first.map(first.value_counts()) == 1).sum())
    single_after = int((first_after.map(first_after.value_counts()) == 1).sum())
    assert single_after < single_before
    print(
        f"linkage on credential dates ({len(exact)} learners): all dates known: "
        f"{unique_before} unique before, {unique_after} after (month); first date known: "
        f"{single_before} unique before, {single_after} after"
    )


def test_the_folder_loads_clean_and_analyses_group_by_labels(
    month: DatasetAnonymization,
) -> None:
    dataset = load(month.path, check_files="sha256")
    counts = dataset.validation.counts
    assert set(counts["severity"]) <= {"info"}, counts.to_string()
    learners = pd.read_parquet(month.path / "learners.parquet")
    outcomes = pd.read_parquet(month.path / "outcomes.parquet")
    # representation by a generalized column: its groups are the labels written
    shares = representation(dataset, by="enrolled_on")
    shares = shares[shares["attribute"] == "enrolled_on"]
    truth = learners["enrolled_on"].value_counts()
    assert set(shares["category"]) == set(truth.index)
    shown = shares[~shares["suppressed"]].set_index("category")["n"]
    assert shown.to_dict() == {k: truth[k] for k in shown.index}
    # outcome rates by a column left as it is, recomputed with pandas
    rates = outcome_rates(dataset, by="pathway")
    latest = outcomes[outcomes["period"] == outcomes["period"].max()]
    joined = latest.merge(learners[["learner_id", "pathway"]], on="learner_id")
    expected = joined.groupby("pathway")["employed"].mean()
    got = rates[~rates["suppressed"]].set_index("pathway")["estimate"]
    assert got.to_dict() == pytest.approx(expected[got.index].to_dict())
    # the redacted credential files still parse
    parsed = read(month.path / "credentials")
    assert not parsed.problems


def test_an_original_column_is_refused_by_name(month: DatasetAnonymization) -> None:
    dictionary = load(month.path).dictionary
    with pytest.raises(DatasetError) as err:
        dictionary.require_original("learners", "enrolled_on")
    assert err.value.code == "generalized_column"
    assert "learners.enrolled_on" in str(err.value)
    dictionary.require_original("learners", "pathway", "cohort")  # left as they are


def test_an_analysis_needing_original_dates_fails_clearly(month: DatasetAnonymization) -> None:
    from lerkit.analysis._decomposition import gap_decomposition
    from lerkit.analysis._evaluation import pilot_evaluation
    from lerkit.analysis._follow_through import degree_requirement_follow_through
    from lerkit.analysis._survival import time_to_employment

    with pytest.raises(LerkitError, match=r"learners\.enrolled_on is generalized"):
        pilot_evaluation(month.path)
    with pytest.raises(LerkitError, match=r"learners\.enrolled_on is generalized"):
        time_to_employment(month.path)
    with pytest.raises(LerkitError, match=r"postings\.posted_on is generalized"):
        degree_requirement_follow_through(month.path)
    with pytest.raises(LerkitError, match=r"credentials\.issued_on is generalized"):
        gap_decomposition(month.path, explanatory=["credentials_count"], period="2025")
    # grouping by a generalized column works on its labels
    from lerkit.analysis._descriptive import representation

    table = representation(month.path, by=["birth_year"])
    assert table["n"].notna().any()


# -- the dictionary's rule for generalized columns --------------------------------------------


def _copy(tmp_path: Path, columns: dict[str, dict[str, object]]) -> Path:
    path = tmp_path / "dictionary.yaml"
    path.write_text(
        yaml.safe_dump({"version": 1, "tables": {"learners": {"columns": columns}}}),
        encoding="utf-8",
    )
    return path


def _generalized(step: str, **extra: object) -> dict[str, object]:
    return {
        "type": "category",
        "required": True,
        "privacy": "quasi_identifier",
        "values": {"1980-1984": "1980-1984"},
        "generalized": {"column": "birth_year", "step": step, "level": 1},
        **extra,
    }


def test_a_generalized_column_must_name_a_step_of_its_hierarchy(tmp_path: Path) -> None:
    ok = dataset_dictionary(_copy(tmp_path, {"birth_year": _generalized("5-year band")}))
    spec = ok.table("learners").column("birth_year")
    assert spec.generalized is not None
    assert spec.generalized.step == "5-year band"
    with pytest.raises(DatasetError) as err:
        dataset_dictionary(_copy(tmp_path, {"birth_year": _generalized("decade")}))
    assert err.value.code == "incompatible_dictionary"
    assert "learners.birth_year: generalized to 'decade'" in str(err.value)
    # '*' needs no declared hierarchy (gender has none)
    gender = {**_generalized("*"), "values": {"*": "*"}}
    gender["generalized"] = {"column": "gender", "step": "*", "level": 1}
    assert dataset_dictionary(_copy(tmp_path, {"gender": gender})).column("learners.gender")


def test_the_compatibility_check_stays_strict_for_everything_else(tmp_path: Path) -> None:
    # the same relabelled column without the note is a loosened rule
    plain = _generalized("5-year band")
    del plain["generalized"]
    with pytest.raises(DatasetError, match="type changed from integer to category"):
        dataset_dictionary(_copy(tmp_path, {"birth_year": plain}))
    # a note cannot loosen required
    with pytest.raises(DatasetError, match="required changed to false"):
        dataset_dictionary(
            _copy(tmp_path, {"birth_year": {**_generalized("5-year band"), "required": False}})
        )
    # a generalized column keeps no rule about original values
    link = {"references": "occupations.occupation_soc"}
    with pytest.raises(DatasetError, match="references describes original values") as err:
        dataset_dictionary(_copy(tmp_path, {"birth_year": _generalized("5-year band", **link)}))
    assert err.value.code == "invalid_dictionary"
    wrong = _generalized("5-year band")
    wrong["generalized"] = {"column": "region", "step": "5-year band", "level": 1}
    with pytest.raises(DatasetError, match="names 'region', not the column 'birth_year'"):
        dataset_dictionary(_copy(tmp_path, {"birth_year": wrong}))
    # and the packaged dictionary itself has no generalized column
    packaged = dataset_dictionary(default_dictionary_path())
    assert packaged.generalized_columns() == ()


# -- dates inside credentials, and bad arguments -------------------------------------------------


def test_coarsen_date_text() -> None:
    assert coarsen_date_text("2025-02-21", "month") == ("2025-02-01", 1)
    assert coarsen_date_text("2025-08-21T13:45:10.5+02:00", "quarter") == (
        "2025-07-01T00:00:00Z",
        1,
    )
    assert coarsen_date_text("2025-02-01T00:00:00Z", "month") == ("2025-02-01T00:00:00Z", 0)
    assert coarsen_date_text("from 2024-11-25 to 2027-02-03", "year") == (
        "from 2024-01-01 to 2027-01-01",
        2,
    )
    assert coarsen_date_text("2025-13-40 and 12025-02-21", "month") == (
        "2025-13-40 and 12025-02-21",
        0,
    )
    with pytest.raises(PrivacyError) as err:
        coarsen_date_text("2025-02-21", "week")  # type: ignore[arg-type]
    assert err.value.code == "invalid_argument"


def test_redaction_coarsens_dates_but_not_ids() -> None:
    doc = {
        "id": "urn:example:2025-02-21",
        "validFrom": "2025-02-21T09:00:00Z",
        "credentialSubject": {"id": "did:key:z6Mk", "achievement": {"id": "x:2025-02-21"}},
        "awardedDate": "2025-02-21",
    }
    out, record = redact_credential(doc, Pseudonymizer(KEY), dates="month")
    assert out["validFrom"] == "2025-02-01T00:00:00Z"
    assert out["awardedDate"] == "2025-02-01"
    assert out["id"] == doc["id"]
    assert out["credentialSubject"]["achievement"]["id"] == "x:2025-02-21"
    assert record.dates_coarsened == 2
    assert doc["validFrom"] == "2025-02-21T09:00:00Z"  # the input is not modified


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"generalize": {"outcomes.occupation_soc": "SOC galaxy"}}, "unknown_hierarchy"),
        ({"generalize": {"outcomes.hourly_wage_x": "*"}}, "unknown_quasi_identifier"),
        ({"generalize": {"credentials.issued_on": "year"}}, "invalid_argument"),
        ({"dates": "week"}, "invalid_argument"),
        ({"algorithm": "flash"}, "invalid_argument"),
    ],
)
def test_bad_generalization_arguments_write_nothing(
    small: Path, tmp_path: Path, kwargs: dict[str, object], code: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(PrivacyError) as err:
        _run(small, out, **kwargs)
    assert err.value.code == code
    assert not out.exists()
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_loader_says_which_analyses_need_original_values(month: DatasetAnonymization) -> None:
    from lerkit.datasets import load

    unsupported = {a.name: a.reason for a in load(month.path).unsupported_analyses()}
    assert "learners.enrolled_on is generalized" in unsupported["pilot_evaluation"]
    assert "postings.posted_on is generalized" in unsupported["degree_follow_through"]
    assert "credentials.issued_on is generalized" in unsupported["time_to_employment"]
    # grouping by generalized labels still works: not flagged
    assert "where_to_act" not in unsupported
    assert "representation" not in unsupported
