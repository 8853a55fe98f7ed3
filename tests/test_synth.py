"""lerkit.datasets.synthesize: a complete, calibrated, deterministic synthetic pilot.

Scenario fixtures: ``pilot_files`` is a small pilot with signed credential files (schema,
files, events, determinism); ``pilot_tables`` a 5,000-learner pilot without files
(calibration). The ground-truth test generates five more pilots: estimates must cover
the true effects for most seeds, not for one lucky seed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import statsmodels.formula.api as smf
import yaml
from statsmodels.stats.proportion import proportion_confint

import lerkit
from lerkit.datasets import default_dictionary, load, synthesize
from lerkit.datasets._credential_files import verify_options
from lerkit.datasets._synth import _calibration as cal
from lerkit.datasets._synth import figures
from lerkit.errors import DatasetError

AS_OF = date(2026, 3, 31)
DICTIONARY = default_dictionary()
ARROW = {
    "string": pa.string(),
    "category": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "list": pa.list_(pa.string()),
}


@pytest.fixture(scope="module")
def pilot_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "pilot"
    synthesize(600, 2024, out, progress=False)
    return out


@pytest.fixture(scope="module")
def pilot_tables(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "pilot"
    synthesize(5000, 7, out, files=False, progress=False)
    return out


def _table(root: Path, name: str) -> pd.DataFrame:
    return pq.read_table(root / f"{name}.parquet").to_pandas()


# -- schema -------------------------------------------------------------------------------------


def test_the_loader_finds_no_problem(pilot_files: Path) -> None:
    dataset = load(pilot_files, check_files="sha256")
    assert dataset.metadata.synthetic is True
    assert dataset.metadata.as_of == AS_OF
    assert set(dataset.tables) == set(DICTIONARY.table_names)
    assert dataset.problems.empty, dataset.problems.head(10).to_string()
    assert dataset.ok
    assert not dataset.unsupported_analyses()
    dataset.close()


def test_every_table_conforms_to_the_dictionary(pilot_files: Path) -> None:
    """An independent check with pyarrow and pandas: columns, types, rules, keys, references."""
    frames = {t.name: _table(pilot_files, t.name) for t in DICTIONARY.tables}
    for spec in DICTIONARY.tables:
        schema = pq.read_schema(pilot_files / f"{spec.name}.parquet")
        assert schema.names == list(spec.column_names), spec.name
        for column in spec.columns:
            assert schema.field(column.name).type == ARROW[column.type], column.qualified_name
        frame = frames[spec.name]
        assert len(frame) > 0, spec.name
        assert not frame.duplicated(list(spec.primary_key)).any(), spec.name
        for column in spec.columns:
            values = frame[column.name]
            present = values[values.notna()]
            where = column.qualified_name
            if column.required:
                assert values.notna().all(), where
            if column.codes:
                assert set(present) <= set(column.codes), (where, set(present) - set(column.codes))
            if column.pattern:
                items = present.explode() if column.type == "list" else present
                bad = [v for v in items if not re.fullmatch(column.pattern, str(v))]
                assert not bad, (where, bad[:3])
            if column.min is not None and len(present):
                assert present.min() >= column.min, where
            if column.max is not None and len(present):
                assert present.max() <= column.max, where
            if column.unique:
                assert not present.duplicated().any(), where
            if column.reference is not None:
                table, target = column.reference
                items = present.explode() if column.type == "list" else present
                missing = set(items) - set(frames[table][target])
                assert not missing, (where, sorted(missing)[:3])


def test_csv_exports_hold_the_same_rows(pilot_files: Path) -> None:
    for spec in DICTIONARY.tables:
        parquet = _table(pilot_files, spec.name)
        text = pd.read_csv(pilot_files / "csv" / f"{spec.name}.csv", dtype=str,
                           keep_default_na=False)  # fmt: skip
        assert list(text.columns) == list(spec.column_names)
        assert len(text) == len(parquet), spec.name
    learners = pd.read_csv(pilot_files / "csv" / "learners.csv", dtype=str, keep_default_na=False)
    assert set(learners["stars"]) == {"true", "false"}
    postings = pd.read_csv(pilot_files / "csv" / "postings.csv", dtype=str, keep_default_na=False)
    first = _table(pilot_files, "postings").iloc[0]
    assert postings["required_skills"].iloc[0] == "|".join(first["required_skills"])
    assert postings["posted_on"].iloc[0] == first["posted_on"].isoformat()
    events = pd.read_csv(pilot_files / "csv" / "ler_events.csv", dtype=str, keep_default_na=False)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) for v in events["at"])


def test_dataset_yaml_describes_the_folder(pilot_files: Path) -> None:
    meta = yaml.safe_load((pilot_files / "dataset.yaml").read_text())
    assert meta["synthetic"] is True
    assert meta["seed"] == 2024
    assert meta["as_of"] == AS_OF
    assert meta["generator"] == f"lerkit {lerkit.__version__}"
    assert meta["scenario"]["ler_hire_log_odds"] == 0.6
    for table, rows in meta["counts"].items():
        assert pq.read_metadata(pilot_files / f"{table}.parquet").num_rows == rows, table
    packaged = Path(lerkit.datasets.__file__).with_name("dictionary.yaml").read_bytes()
    assert (pilot_files / "dictionary.yaml").read_bytes() == packaged


def test_learner_identities_are_obviously_synthetic(pilot_files: Path) -> None:
    learners = _table(pilot_files, "learners")
    assert learners["email"].str.endswith("@example.org").all()
    assert learners["email"].is_unique
    family = learners["name"].str.split(" ").str[-1]
    assert set(family) <= {"Example", "Sample", "Muestra", "Placeholder", "Demo", "Fixture",
                           "Testcase", "Mock", "Ejemplo", "Exemplo", "Beispiel", "Specimen"}  # fmt: skip
    hosts = _table(pilot_files, "issuers")["issuer_id"].str.removeprefix("did:web:")
    assert hosts.str.fullmatch(r"(?:[a-z0-9-]+\.)*example(?:\.(?:com|org|edu))?").all(), list(hosts)


def test_stars_follows_its_definition(pilot_files: Path) -> None:
    learners = _table(pilot_files, "learners")
    age = 2024 - learners["birth_year"]
    between = learners["highest_education"].isin(["high_school", "some_college", "associate"])
    assert (learners["stars"] == ((age >= 25) & between)).all()
    assert learners.loc[learners["pathway"] == "military", "veteran"].eq(True).all()


# -- credential files, faults and events ----------------------------------------------------------


def test_credential_files_verify_except_the_planted_faults(pilot_files: Path) -> None:
    credentials = _table(pilot_files, "credentials")
    learners = _table(pilot_files, "learners").set_index("learner_id")
    faults = pd.read_csv(pilot_files / "ground_truth" / "credential_faults.csv")
    fault_of = dict(zip(faults["credential_id"], faults["fault"], strict=True))
    arm = credentials["learner_id"].map(learners["cohort"])
    with_file = credentials["file"].notna()
    assert (with_file == (arm == "ler")).all()
    assert (credentials.loc[~with_file, "proof"] == "none").all()
    assert {"tampered", "expired", "revoked"} <= set(faults["fault"])
    expected = {"tampered": "not_verified", "revoked": "not_verified",
                "suspended": "not_verified", "expired": "warning"}  # fmt: skip
    options = verify_options(pilot_files, AS_OF)
    outcome: Counter[tuple[str, str]] = Counter()
    formats: Counter[str] = Counter()
    for row in credentials[with_file].itertuples():
        data = (pilot_files / row.file).read_bytes()
        report = lerkit.verify(data.decode("utf-8"), options=options)
        fault = fault_of.get(row.credential_id, "")
        outcome[(fault, report.status)] += 1
        formats[f"{row.format}/{row.proof}"] += 1
        assert report.status == expected.get(fault, "verified"), (row.credential_id, fault)
    assert sum(n for (fault, _s), n in outcome.items() if fault) == len(faults)
    assert {"ob3/eddsa-rdfc-2022", "clr2/eddsa-rdfc-2022", "ob3/jwt"} <= set(formats), formats


def test_fault_detail_matches_the_tables(pilot_files: Path) -> None:
    credentials = _table(pilot_files, "credentials").set_index("credential_id")
    faults = pd.read_csv(pilot_files / "ground_truth" / "credential_faults.csv")
    truth = json.loads((pilot_files / "ground_truth" / "effects.json").read_text())
    assert dict(Counter(faults["fault"])) == {
        k: v for k, v in truth["realized"]["fault_counts"].items() if v
    }
    for row in faults[faults["fault"] == "expired"].itertuples():
        until = credentials.loc[row.credential_id, "expires_on"]
        assert until < AS_OF
        assert until.isoformat() in row.detail


def test_ler_events_follow_the_credentials(pilot_files: Path) -> None:
    events = _table(pilot_files, "ler_events")
    credentials = _table(pilot_files, "credentials").set_index("credential_id")
    faults = pd.read_csv(pilot_files / "ground_truth" / "credential_faults.csv")
    fault_of = dict(zip(faults["credential_id"], faults["fault"], strict=True))
    assert credentials.loc[events["credential_id"], "file"].notna().all()
    issued = events[events["event"] == "issued"]
    assert issued["credential_id"].is_unique
    assert set(issued["credential_id"]) == set(credentials.index[credentials["file"].notna()])
    first = events.groupby("credential_id")["at"].min()
    assert (first == issued.set_index("credential_id")["at"].reindex(first.index)).all()
    assert set(events.loc[events["event"] == "revoked", "credential_id"]) == {
        c for c, f in fault_of.items() if f == "revoked"
    }
    employer_events = events["event"].isin(["shared", "verified"])
    assert events.loc[employer_events, "employer_id"].notna().all()
    assert events.loc[~employer_events, "employer_id"].isna().all()
    verified = events[events["event"] == "verified"]
    assert not verified["credential_id"].map(fault_of).notna().any()
    shared = events[events["event"] == "shared"].groupby(["credential_id", "employer_id"])
    assert len(verified) > 0
    for row in verified.itertuples():
        assert shared["at"].min()[(row.credential_id, row.employer_id)] <= row.at
    actors = {"issued": "issuer", "claimed": "learner", "shared": "learner",
              "verified": "employer", "revoked": "issuer"}  # fmt: skip
    assert (events["actor"] == events["event"].map(actors)).all()
    assert events["at"].max() < pd.Timestamp(AS_OF, tz="UTC")


def test_the_funnel_is_consistent(pilot_files: Path) -> None:
    applications = _table(pilot_files, "applications")
    postings = _table(pilot_files, "postings").set_index("posting_id")
    assert not (applications["interviewed"] & ~applications["screened_in"]).any()
    assert not (applications["hired"] & ~applications["interviewed"]).any()
    checked = applications["credential_check"].notna()
    assert (checked == applications["interviewed"]).all()
    assert (checked == applications["check_days"].notna()).all()
    posted = applications["posting_id"].map(postings["posted_on"])
    assert (applications["applied_on"] >= posted).all()
    degree_posting = applications["posting_id"].map(postings["requires_degree"])
    assert (applications.loc[degree_posting, "screen"] == "degree").all()
    learners = _table(pilot_files, "learners").set_index("learner_id")
    arm = applications["learner_id"].map(learners["cohort"])
    assert (applications.loc[arm == "comparison", "credential_check"].dropna() == "manual").all()


# -- determinism ----------------------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    synthesize(250, 99, tmp_path / "a", progress=False, sign_share=0.5)
    synthesize(250, 99, tmp_path / "b", progress=False, sign_share=0.5)
    synthesize(250, 98, tmp_path / "c", progress=False, sign_share=0.5)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert len(a) > 50
    assert a.keys() == b.keys()
    different = [name for name in a if a[name] != b[name]]
    assert not different
    for name in ("learners.parquet", "credentials.parquet", "outcomes.parquet",
                 "applications.parquet", "csv/ler_events.csv"):  # fmt: skip
        assert a[name] != c[name], name
    assert a.keys() != c.keys()  # other credential ids, other file names
    proofs = Counter(_table(tmp_path / "a", "credentials")["proof"])
    assert proofs["none"] > 0
    assert proofs["eddsa-rdfc-2022"] > 0


def test_chunk_boundaries_do_not_change_distributions(tmp_path: Path) -> None:
    synthesize(6000, 5, tmp_path / "big", files=False, progress=False)
    synthesize(6000, 5, tmp_path / "small", files=False, progress=False, chunk_size=700)
    big, small = _table(tmp_path / "big", "learners"), _table(tmp_path / "small", "learners")
    assert big["learner_id"].equals(small["learner_id"])  # ids: a keyed permutation of the index
    assert not big["pathway"].equals(small["pathway"])  # the rest: other random streams

    def close(p: float, q: float, n: int) -> bool:
        se = math.sqrt(max(p * (1 - p), 1e-4) * 2 / n)
        return abs(p - q) < 4.5 * se

    n = len(big)
    for column, value in (("cohort", "ler"), ("stars", True), ("pathway", "university"),
                          ("gender", "female"), ("race_ethnicity", "black")):  # fmt: skip
        p, q = (big[column] == value).mean(), (small[column] == value).mean()
        assert close(p, q, n), (column, p, q)
    apps_big, apps_small = (_table(tmp_path / d, "applications") for d in ("big", "small"))
    assert close(apps_big["hired"].mean(), apps_small["hired"].mean(), len(apps_big))
    out_big, out_small = (_table(tmp_path / d, "outcomes") for d in ("big", "small"))
    assert close(out_big["employed"].mean(), out_small["employed"].mean(), n * 4)
    assert abs(out_big["hourly_wage"].median() / out_small["hourly_wage"].median() - 1) < 0.03


# -- calibration ----------------------------------------------------------------------------------


def _close_share(observed: pd.Series, expected: dict[str, float], n: int) -> None:
    for key, share in expected.items():
        got = float(observed.get(key, 0.0))
        se = math.sqrt(share * (1 - share) / n)
        assert abs(got - share) < 4.5 * se + 1e-9, (key, got, share)


def test_population_shares_match_the_calibration(pilot_tables: Path) -> None:
    learners = _table(pilot_tables, "learners")
    n = len(learners)
    _close_share(learners["region"].value_counts(normalize=True), cal.division_shares(), n)
    _close_share(learners["gender"].value_counts(normalize=True), cal.pilot_gender_shares(), n)
    _close_share(
        learners["race_ethnicity"].value_counts(normalize=True), cal.pilot_race_shares(), n
    )
    meta = yaml.safe_load((pilot_tables / "dataset.yaml").read_text())
    _close_share(learners["pathway"].value_counts(normalize=True),
                 meta["scenario"]["pathway_mix"], n)  # fmt: skip
    # veterans: every military learner, and the others at the rate that fills up to 6.3%
    military = meta["scenario"]["pathway_mix"]["military"]
    other = (cal.pilot_veteran_share() - military) / (1 - military)
    expected = military + (1 - military) * (1 - meta["scenario"]["veteran_not_reported"]) * other
    _close_share(pd.Series({"yes": (learners["veteran"] == True).mean()}),  # noqa: E712
                 {"yes": expected}, n)  # fmt: skip
    assert 0.2 < learners["stars"].mean() < 0.8


def test_postings_and_employers_match_the_calibration(pilot_tables: Path) -> None:
    postings = _table(pilot_tables, "postings")
    early = postings[postings["posted_on"] < date(2023, 7, 1)]
    share = early["requires_degree"].mean()
    se = math.sqrt(0.44 * 0.56 / len(early))
    assert abs(share - 0.44) < 4.5 * se, (share, len(early))
    late = postings[postings["posted_on"] >= date(2025, 1, 1)]["requires_degree"].mean()
    assert late < share - 0.05
    typology = pd.read_csv(pilot_tables / "ground_truth" / "employers.csv")
    counts = typology["typology"].value_counts()
    droppers = counts.drop("never").sum()
    assert droppers == round(0.46 * len(typology))
    for kind, published in (("leader", 0.37), ("in_name_only", 0.45), ("backslider", 0.18)):
        assert abs(counts[kind] - published * droppers) <= 1, (kind, counts[kind])
    # in name only: after the drop no posting requires a degree, yet the screen is a degree
    applications = _table(pilot_tables, "applications").merge(postings, on="posting_id")
    hidden = applications[(applications["screen"] == "degree") & ~applications["requires_degree"]]
    kinds = set(hidden["employer_id"].map(typology.set_index("employer_id")["typology"]))
    assert kinds == {"in_name_only"}


def test_occupations_carry_the_published_wages(pilot_tables: Path) -> None:
    occupations = _table(pilot_tables, "occupations").set_index("occupation_soc")
    for figure in cal.OCCUPATION_FIGURES:
        assert occupations.loc[figure.soc, "title"] == figure.title
        assert occupations.loc[figure.soc, "median_wage"] == figure.median_hourly
        assert occupations.loc[figure.soc, "typical_education"] == figure.typical_education
    outcomes = _table(pilot_tables, "outcomes").dropna(subset=["hourly_wage"])
    medians = outcomes.groupby("occupation_soc")["hourly_wage"].median()
    ratio = medians / occupations["median_wage"].reindex(medians.index)
    assert ratio.between(0.8, 1.35).all(), ratio.to_dict()
    postings = _table(pilot_tables, "postings").dropna(subset=["wage"])
    posted = postings.groupby("occupation_soc")["wage"].median()
    assert (posted / occupations["median_wage"].reindex(posted.index)).between(0.93, 1.07).all()


def test_readme_lists_every_figure_and_its_source(pilot_files: Path) -> None:
    readme = (pilot_files / "README.md").read_text()
    for figure in figures():
        assert f"| {figure.key} |" in readme, figure.key
        assert figure.status in ("published", "derived", "assumption")
        if figure.status == "published":
            assert figure.url.startswith("http"), figure.key
            assert figure.url.replace("|", "\\|") in readme
    assert "assumption" in readme
    assert "ler_hire_log_odds" in readme


# -- ground truth -------------------------------------------------------------------------------


def _estimates(root: Path) -> dict[str, tuple[float, float, float]]:
    """The analyses a user would run: logistic models of the funnel stages with the
    generator's covariates, a difference in differences of log wages, a proportion."""
    learners = _table(root, "learners")
    credentials = _table(root, "credentials")
    alignments = _table(root, "alignments")
    postings = _table(root, "postings")
    applications = _table(root, "applications")
    outcomes = _table(root, "outcomes")
    skills_of = (
        alignments[alignments["framework"] == "onet_element"]
        .groupby("achievement_id")["target_code"]
        .apply(set)
    )
    held = (
        credentials.assign(skills=credentials["achievement_id"].map(skills_of))
        .groupby("learner_id")["skills"]
        .apply(lambda sets: set().union(*sets))
    )
    data = applications.merge(postings[["posting_id", "required_skills"]], on="posting_id").merge(
        learners, on="learner_id"
    )
    data["match"] = [
        len(held.get(learner, set()) & set(required)) / len(required)
        for learner, required in zip(data["learner_id"], data["required_skills"], strict=True)
    ]
    data["ler"] = (data["cohort"] == "ler").astype(int)
    data["bachelor"] = data["highest_education"].isin(["bachelor", "graduate"]).astype(int)
    data["age10"] = (2024 - data["birth_year"] - 35) / 10
    data["hired"] = data["hired"].astype(int)
    data["interviewed_i"] = data["interviewed"].astype(int)
    found: dict[str, tuple[float, float, float]] = {}

    def coefficient(model: object) -> tuple[float, float, float]:
        params, ci = model.params, model.conf_int()  # type: ignore[attr-defined]
        return float(params["ler"]), float(ci.loc["ler", 0]), float(ci.loc["ler", 1])

    interviewed = data[data["interviewed"]]
    found["hire"] = coefficient(
        smf.logit("hired ~ ler + match + bachelor + age10", data=interviewed).fit(disp=0)
    )
    found["hire_naive"] = coefficient(smf.logit("hired ~ ler", data=interviewed).fit(disp=0))
    screened = data[data["screened_in"]]
    found["interview"] = coefficient(
        smf.logit("interviewed_i ~ ler + match + bachelor", data=screened).fit(disp=0)
    )
    focus = data[(data["screen"] == "degree") & data["stars"] & (data["match"] >= 0.5)]
    out = int((~focus["screened_in"]).sum())
    low, high = proportion_confint(out, len(focus), alpha=0.05, method="wilson")
    found["exclusion"] = (out / len(focus), float(low), float(high))

    outcomes = outcomes[outcomes["employed"] & outcomes["period"].str[:4].isin(["2023", "2025"])]
    wages = (
        outcomes.assign(year=outcomes["period"].str[:4], log_wage=np.log(outcomes["hourly_wage"]))
        .groupby(["learner_id", "year"])["log_wage"]
        .mean()
        .unstack()
        .dropna()
    )
    wages["delta"] = wages["2025"] - wages["2023"]
    wages = wages.join(learners.set_index("learner_id"))
    wages["ler"] = (wages["cohort"] == "ler").astype(int)
    wages["age10"] = (2024 - wages["birth_year"] - 35) / 10
    found["wage"] = coefficient(
        smf.ols("delta ~ ler + C(pathway) + age10", data=wages).fit(cov_type="HC1")
    )
    found["wage_naive"] = coefficient(smf.ols("delta ~ ler", data=wages).fit(cov_type="HC1"))
    return found


def _pilots(tmp_path: Path, seeds: list[int], **scenario: float) -> Iterator[tuple[Path, dict]]:
    for seed in seeds:
        out = tmp_path / f"pilot-{seed}"
        pilot = synthesize(5000, seed, out, files=False, progress=False, **scenario)
        yield out, dict(pilot.ground_truth)


def test_estimates_recover_the_true_effects_across_seeds(tmp_path: Path) -> None:
    seeds = [11, 22, 33, 44, 55]
    covered: Counter[str] = Counter()
    naive_gap: dict[str, list[float]] = {"hire": [], "wage": []}
    for root, truth in _pilots(tmp_path, seeds):
        effects = truth["effects"]
        target = {
            "hire": effects["ler_hire_log_odds"]["parameter"],
            "interview": effects["ler_interview_log_odds"]["parameter"],
            "exclusion": effects["degree_screen_exclusion_qualified_stars"]["parameter"],
            "wage": effects["ler_wage_log"]["realized_att"],
        }
        assert effects["ler_wage_log"]["realized_att"] == pytest.approx(0.06)
        found = _estimates(root)
        for name, value in target.items():
            _estimate, low, high = found[name]
            assert high - low < {"hire": 0.6, "interview": 0.4, "exclusion": 0.05,
                                 "wage": 0.06}[name], (name, low, high)  # fmt: skip
            covered[name] += low <= value <= high
        for name in naive_gap:
            naive_gap[name].append(found[name][0] - found[f"{name}_naive"][0])
    # a 95% interval misses the truth by chance in 5% of seeds: 4 of 5 is the bar
    assert all(covered[name] >= 4 for name in ("hire", "interview", "exclusion", "wage")), covered
    # the arms differ in STARs status, age and pathway: a naive comparison is biased down
    assert all(gap > 0 for gap in naive_gap["hire"]), naive_gap
    assert all(gap > 0 for gap in naive_gap["wage"]), naive_gap


def test_no_effect_scenarios_give_null_estimates(tmp_path: Path) -> None:
    zero = {"ler_hire_log_odds": 0.0, "ler_interview_log_odds": 0.0, "ler_wage_log": 0.0}
    covered: Counter[str] = Counter()
    for root, truth in _pilots(tmp_path, [101, 202, 303], **zero):
        assert truth["effects"]["ler_wage_log"]["realized_att"] == 0.0
        found = _estimates(root)
        for name in ("hire", "interview", "wage"):
            covered[name] += found[name][1] <= 0.0 <= found[name][2]
    assert all(covered[name] >= 2 for name in ("hire", "interview", "wage")), covered


# -- arguments ------------------------------------------------------------------------------------


def test_unknown_scenario_parameters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="unknown scenario parameter 'ler_hire'") as caught:
        synthesize(100, 1, tmp_path / "x", progress=False, ler_hire=1.0)
    assert caught.value.code == "unknown_parameter"
    with pytest.raises(DatasetError, match=r"ler_share=1\.5 is not a share") as caught:
        synthesize(100, 1, tmp_path / "y", progress=False, ler_share=1.5)
    assert caught.value.code == "invalid_parameter"


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="n_learners must be a positive integer"):
        synthesize(0, 1, tmp_path / "a", progress=False)
    with pytest.raises(DatasetError, match="seed must be a non-negative integer"):
        synthesize(10, -1, tmp_path / "b", progress=False)
    with pytest.raises(DatasetError, match="sign_share must be a number from 0 to 1"):
        synthesize(10, 1, tmp_path / "c", progress=False, sign_share=2)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(DatasetError, match="exists and is not an empty folder") as caught:
        synthesize(10, 1, tmp_path / "full", progress=False)
    assert caught.value.code == "output_exists"
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
