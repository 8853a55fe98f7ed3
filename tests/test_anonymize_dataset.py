"""lerkit.anonymize on a whole dataset folder, and the ``lerkit anonymize`` command.

A small dataset (a sample of pilot-default's learners, their rows in every table and
their credential files) keeps the module fast. What is checked, independently:
pycanon for k and l on the written learners table; a byte scan of every output file
for every direct identifier of the input and the key; pseudonyms recomputed with the
stdlib ``hmac``; credential files re-read with ``lerkit.parse`` and re-hashed; the
folder re-loaded with ``lerkit.datasets.load``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from dataset_helpers import sample_pilot
from pycanon import anonymity
from typer.testing import CliRunner

from lerkit.anonymize._dataset import DatasetAnonymization, anonymize_dataset
from lerkit.cli import app
from lerkit.datasets import load
from lerkit.errors import PrivacyError
from lerkit.parse import read

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
KEY = b"test-key-0123456789-abcdefghij"
OTHER_KEY = b"another-key-9876543210-zyxwvu"
QUASI = ["birth_year", "gender", "region", "enrolled_on"]
N_LEARNERS = 400


def _folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _pseudonym(key: bytes, value: str) -> str:
    mac = hmac.new(key, b"learners.learner_id\0" + value.encode(), hashlib.sha256)
    return "psn-" + mac.hexdigest()[:32]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("input") / "pilot-small"
    return sample_pilot(folder, learners=N_LEARNERS, seed=3, name="pilot-small")


@pytest.fixture(scope="module")
def result(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    out = tmp_path_factory.mktemp("out") / "anon"
    return anonymize_dataset(
        small, out, key=KEY, k=10, l=2, quasi=QUASI, sensitive=["race_ethnicity"]
    )


@pytest.fixture(scope="module")
def mondrian(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    out = tmp_path_factory.mktemp("out3") / "anon"
    return anonymize_dataset(
        small,
        out,
        key=KEY,
        k=10,
        l=2,
        quasi=QUASI,
        sensitive=["race_ethnicity"],
        algorithm="mondrian",
    )


@pytest.fixture(scope="module")
def other(small: Path, tmp_path_factory: pytest.TempPathFactory) -> DatasetAnonymization:
    out = tmp_path_factory.mktemp("out2") / "anon"
    return anonymize_dataset(
        small, out, key=OTHER_KEY, k=10, l=2, quasi=QUASI, sensitive=["race_ethnicity"]
    )


@pytest.mark.parametrize("algorithm", ["lattice", "mondrian"])
def test_pycanon_confirms_k_and_l_on_the_written_learners(
    algorithm: str, request: pytest.FixtureRequest
) -> None:
    result = request.getfixturevalue("result" if algorithm == "lattice" else "mondrian")
    assert result.anonymization.algorithm == algorithm
    learners = pd.read_parquet(result.path / "learners.parquet")
    # a generalized column holds its published label in place
    published = learners[QUASI].astype(str).assign(race_ethnicity=learners["race_ethnicity"])
    published = published.reset_index(drop=True)
    assert anonymity.k_anonymity(published, QUASI) >= 10
    assert anonymity.l_diversity(published, QUASI, ["race_ethnicity"]) >= 2
    # what lerkit claims is what pycanon measures, and something was generalized
    assert anonymity.k_anonymity(published, QUASI) == result.anonymization.achieved_k
    assert anonymity.l_diversity(published, QUASI, ["race_ethnicity"]) == (
        result.anonymization.achieved_l
    )
    suppressed = result.anonymization.info_loss.suppressed
    assert len(learners) == N_LEARNERS - suppressed
    assert suppressed <= 0.05 * N_LEARNERS


def _identifiers(small: Path) -> tuple[set[str], set[str]]:
    """(single-token identifiers, full names) of the input's people."""
    learners = pd.read_parquet(small / "learners.parquet")
    tokens = set(learners["learner_id"]) | set(learners["email"].dropna())
    # the holders' DIDs, salted e-mail hashes and salts inside the credential files
    for path in (small / "credentials").rglob("*.json"):
        text = path.read_text()
        tokens |= set(re.findall(r"did:key:z[1-9A-HJ-NP-Za-km-z]+", text))
        tokens |= set(re.findall(r"sha256\$[0-9a-f]{64}", text))
        tokens |= set(re.findall(r'"salt": ?"([0-9a-f]+)"', text))
    return tokens, set(learners["name"].dropna())


def _texts(folder: Path) -> list[tuple[Path, str]]:
    out = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".parquet":
            # compressed pages hide strings from a byte scan: scan the decoded values too
            text += pd.read_parquet(path).to_csv(index=False)
        out.append((path, text))
    return out


_TOKEN = re.compile(r"[A-Za-z0-9_.:@$+-]+")
_WORD = re.compile(r"[A-Za-z'-]+")


def _scan(text: str, tokens: set[str], names: set[str]) -> set[str]:
    """The identifiers found in ``text``: whole tokens, and names as word pairs."""
    found = tokens & set(_TOKEN.findall(text))
    # also inside longer tokens (mailto:, urn:...): every suffix after a separator
    for token in _TOKEN.findall(text):
        for part in re.split(r"[:/=]", token)[1:]:
            if part in tokens:
                found.add(part)
    words = _WORD.findall(text)
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(words)}
    return found | (names & pairs)


def test_no_direct_identifier_or_key_in_any_output_file(
    small: Path, result: DatasetAnonymization
) -> None:
    tokens, names = _identifiers(small)
    assert len(tokens) > 3 * N_LEARNERS  # ids, e-mails, DIDs, hashes, salts
    assert len(names) > N_LEARNERS / 2
    tokens |= {KEY.decode(), KEY.hex()}
    texts = _texts(result.path)
    assert any(p.suffix == ".json" and "credentials" in p.parts for p, _ in texts)
    found = {(p.name, hit) for p, text in texts for hit in _scan(text, tokens, names)}
    assert found == set()
    # the scan itself finds what it looks for
    sample_text = (small / "learners.parquet").read_bytes().decode("utf-8", "replace")
    original = pd.read_parquet(small / "learners.parquet")
    sample_text += original.to_csv(index=False)
    people = set(original["learner_id"]) | set(original["email"].dropna()) | names
    assert people <= _scan(sample_text, tokens, names)


def test_pseudonyms_are_consistent_across_tables(
    small: Path, result: DatasetAnonymization, other: DatasetAnonymization
) -> None:
    original = pd.read_parquet(small / "learners.parquet")
    kept = original.loc[~result.anonymization.suppressed, "learner_id"]
    written = pd.read_parquet(result.path / "learners.parquet")
    assert written["learner_id"].tolist() == [_pseudonym(KEY, v) for v in kept]
    for table in ("outcomes", "credentials", "ler_events", "applications"):
        before = pd.read_parquet(small / f"{table}.parquet")
        before = before[before["learner_id"].isin(set(kept))]
        after = pd.read_parquet(result.path / f"{table}.parquet")
        expected = sorted(_pseudonym(KEY, v) for v in before["learner_id"])
        assert sorted(after["learner_id"]) == expected, table
    again = pd.read_parquet(other.path / "learners.parquet")
    assert not set(again["learner_id"]) & set(written["learner_id"])


def test_redacted_credentials_parse_and_match_the_table(result: DatasetAnonymization) -> None:
    credentials = pd.read_parquet(result.path / "credentials.parquet")
    with_files = credentials.dropna(subset=["file"])
    assert len(with_files) > 0
    for row in with_files.itertuples():
        path = result.path / row.file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
        assert row.proof == "none"
        assert '"proof"' not in path.read_text()
    parsed = read(result.path / "credentials")
    assert not parsed.problems
    top = [c for c in parsed.credentials if c.parent_record_id is None]  # not a CLR's members
    assert len(top) == len(with_files)
    assert {c.id for c in top} == set(with_files["credential_id"])
    redactions = pd.read_csv(result.path / "anonymization" / "redactions.csv")
    assert len(redactions) == len(with_files)
    assert not redactions["verifies"].any()
    assert (redactions["proofs_removed"] >= 1).all()


@pytest.mark.parametrize("algorithm", ["lattice", "mondrian"])
def test_the_folder_loads_with_no_error_or_warning(
    algorithm: str, request: pytest.FixtureRequest
) -> None:
    result = request.getfixturevalue("result" if algorithm == "lattice" else "mondrian")
    dataset = load(result.path, check_files="sha256")
    counts = dataset.validation.counts
    # only the dropped optional columns (name, email) are mentioned, as information
    assert set(counts["severity"]) <= {"info"}, counts.to_string()
    assert set(counts["code"]) <= {"missing_optional_column"}, counts.to_string()
    assert set(dataset.tables) >= {"learners", "credentials", "outcomes"}
    generalized = {c.qualified_name: c for c in dataset.dictionary.generalized_columns()}
    assert set(generalized) == set(result.generalized)
    learners = pd.read_parquet(result.path / "learners.parquet")
    assert "learners.enrolled_on" in generalized  # dates never stay at day resolution
    for column in ("birth_year", "region", "enrolled_on"):
        if f"learners.{column}" not in generalized:
            continue
        spec = generalized[f"learners.{column}"]
        assert spec.type == "category"
        # the dictionary's allowed values are exactly the labels written
        assert set(spec.codes) == set(learners[column].dropna().astype(str))
        assert spec.generalized is not None
        assert spec.generalized.column == column


def test_reports_and_provenance(result: DatasetAnonymization) -> None:
    reports = result.path / "anonymization"
    provenance = json.loads((reports / "provenance.json").read_text())
    kanon = provenance["k_anonymity"]
    assert (kanon["k"], kanon["l"]) == (10, 2)
    assert "lattice" in kanon["algorithm"]
    assert set(kanon["levels"]) == set(QUASI)
    assert provenance["pseudonymization"]["key"] == "not recorded"
    before = json.loads((reports / "risk_before.json").read_text())
    after = json.loads((reports / "risk_after.json").read_text())
    assert after["prosecutor_risk_max"] <= 1 / 10
    assert after["sample_uniques"] == 0
    assert before["sample_uniques"] > 0
    loss = json.loads((reports / "info_loss.json").read_text())
    assert 0 <= loss["ncp"] <= 1
    assert pd.read_csv(reports / "class_sizes_after.csv")["class_size"].min() >= 10


def test_utility_estimates_are_recomputed_from_the_files(
    small: Path, result: DatasetAnonymization
) -> None:
    def rates(folder: Path) -> pd.Series:
        learners = pd.read_parquet(folder / "learners.parquet")
        outcomes = pd.read_parquet(folder / "outcomes.parquet")
        latest = outcomes[outcomes["period"] == outcomes["period"].max()]
        joined = latest.merge(learners[["learner_id", "pathway"]], on="learner_id")
        return joined.groupby("pathway")["employed"].mean()

    utility = result.utility
    rows = utility[
        (utility["measure"] == "employment_rate") & (utility["group_column"] == "pathway")
    ].set_index("group")
    before, after = rates(small), rates(result.path)
    assert rows["original"].to_dict() == pytest.approx(before.to_dict())
    assert rows["anonymized"].dropna().to_dict() == pytest.approx(after.to_dict())
    # computed from the original data, with its group sizes: never in the released folder
    assert not list(result.path.rglob("utility*"))


def test_utility_goes_to_the_internal_folder_only(small: Path, tmp_path: Path) -> None:
    out, internal = tmp_path / "anon", tmp_path / "team"
    with pytest.raises(PrivacyError) as info:
        anonymize_dataset(small, out, key=KEY, quasi=QUASI, internal_dir=out / "team")
    assert info.value.code == "internal_inside_output"
    assert not out.exists()
    result = anonymize_dataset(
        small, out, key=KEY, quasi=QUASI, sensitive=["race_ethnicity"], internal_dir=internal
    )
    written = pd.read_csv(internal / "utility.csv")
    assert len(written) == len(result.utility)
    assert written["n_original"].tolist() == result.utility["n_original"].tolist()
    assert not list(out.rglob("utility*"))


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"quasi": ["birth_year", "shoe_size"]}, "unknown_quasi_identifier"),
        ({"k": 100_000}, "k_too_large"),
        ({"hierarchy": "by planet"}, "unknown_hierarchy"),
        ({"empty": True}, "empty_table"),
    ],
)
def test_bad_input_leaves_the_input_untouched(
    small: Path, tmp_path: Path, kwargs: dict, code: str
) -> None:
    source = small
    if "hierarchy" in kwargs or "empty" in kwargs:
        source = tmp_path / "input"
        shutil.copytree(small, source)
        if "hierarchy" in kwargs:
            dictionary = yaml.safe_load((source / "dictionary.yaml").read_text())
            region = dictionary["tables"]["learners"]["columns"]["region"]
            region["hierarchy"] = [kwargs["hierarchy"]]
            (source / "dictionary.yaml").write_text(yaml.safe_dump(dictionary))
        else:
            learners = pd.read_parquet(source / "learners.parquet")
            learners.iloc[:0].to_parquet(source / "learners.parquet", index=False)
    before = _folder_hash(source)
    out = tmp_path / "out"
    args = {"k": kwargs.get("k", 10), "quasi": kwargs.get("quasi", QUASI)}
    with pytest.raises(PrivacyError) as err:
        anonymize_dataset(source, out, key=KEY, l=2, sensitive=["race_ethnicity"], **args)
    assert err.value.code == code
    assert _folder_hash(source) == before
    assert not out.exists()
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_output_inside_the_input_is_refused(small: Path) -> None:
    with pytest.raises(PrivacyError) as err:
        anonymize_dataset(small, small / "anon", key=KEY, quasi=QUASI)
    assert err.value.code == "output_inside_input"


# -- the command --------------------------------------------------------------------------


def test_cli_anonymize(small: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY + b"\n")
    out = tmp_path / "anon"
    args = ["anonymize", str(small), "--k", "10", "--l", "2", "--out", str(out)]
    args += ["--key-file", str(key_file), "--sensitive", "race_ethnicity"]
    for column in QUASI:
        args += ["--quasi", column]
    runner = CliRunner()
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "prosecutor risk, highest" in done.output
    assert KEY.decode() not in done.output
    learners = pd.read_parquet(out / "learners.parquet")
    original = pd.read_parquet(small / "learners.parquet")
    assert set(learners["learner_id"]) <= {_pseudonym(KEY, v) for v in original["learner_id"]}
    again = runner.invoke(app, args)
    assert again.exit_code == 2
    assert "already exists" in again.output
    bad = runner.invoke(
        app, [*args[:7], str(tmp_path / "x"), "--key-file", str(key_file), "--quasi", "nope"]
    )
    assert bad.exit_code == 2
    assert "'nope'" in bad.output
    nokey = runner.invoke(app, ["anonymize", str(small), "--out", str(tmp_path / "y")])
    assert nokey.exit_code == 2
    assert not (tmp_path / "y").exists()


def test_cli_anonymize_algorithm_dates_and_published_tables(small: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY)
    out = tmp_path / "anon"
    args = ["anonymize", str(small), "--out", str(out), "--key-file", str(key_file)]
    args += ["--algorithm", "mondrian", "--dates", "quarter", "--min-cell", "20"]
    args += ["--generalize", "outcomes.occupation_soc=SOC minor group"]
    args += ["--sensitive", "race_ethnicity"]
    for column in QUASI:
        args += ["--quasi", column]
    runner = CliRunner()
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "algorithm: mondrian" in done.output
    provenance = json.loads((out / "anonymization" / "provenance.json").read_text())
    assert "Mondrian" in provenance["k_anonymity"]["algorithm"]
    assert provenance["dates"] == "quarter"
    assert provenance["generalized_columns"]["outcomes.occupation_soc"] == "SOC minor group"
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert outcomes["occupation_soc"].dropna().str.fullmatch(r"\d\d-\d\d00").all()
    applications = pd.read_parquet(out / "applications.parquet")
    assert applications["applied_on"].str.fullmatch(r"\d{4}Q[1-4]").all()
    # one published table per quasi-identifier, recomputed from the written learners
    learners = pd.read_parquet(out / "learners.parquet")
    for column in QUASI:
        table = pd.read_csv(out / "anonymization" / f"population_{column}.csv", dtype=str)
        assert {"n", "suppressed", "total"} <= set(table.columns)
        inner = table[table["total"] == "False"]
        truth = learners[column].astype(str).value_counts()
        for row in inner.itertuples():
            hidden = row.suppressed == "True"
            assert hidden == pd.isna(row.n), row
            if not hidden:
                assert int(row.n) == truth[getattr(row, column)] >= 20
        # every count below the minimum is hidden
        small_cells = set(truth[truth < 20].index)
        assert small_cells <= set(inner.loc[inner["suppressed"] == "True", column])
        # a single hidden cell could be recovered from the total: never alone
        assert (inner["suppressed"] == "True").sum() != 1
    assert "population_" in (out / "README.md").read_text()
    assert load(out).validation.counts["severity"].isin(["info"]).all()
    bad = runner.invoke(app, [*args[:6], "--dates", "week"])
    assert bad.exit_code == 2
    assert "'week' is not one of month, quarter, year" in bad.output
    bad = runner.invoke(app, [*args[:6], "--algorithm", "flash"])
    assert bad.exit_code == 2
    assert "'flash'" in bad.output
