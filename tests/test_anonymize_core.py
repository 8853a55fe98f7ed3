"""lerkit.anonymize core: hierarchies, the lattice search, risk, pseudonyms.

Guarantees are checked by independent code: pycanon for k and l, plain pandas for
class sizes and risks, brute force over every lattice node for optimality, the
stdlib ``hmac`` for pseudonyms.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity

from lerkit.anonymize._hierarchy import build_hierarchy
from lerkit.anonymize._kanonymity import k_anonymize
from lerkit.anonymize._pseudonymize import Pseudonymizer, load_key, redact_credential
from lerkit.anonymize._risk import risk_report
from lerkit.errors import PrivacyError

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
HIERARCHIES = {
    "birth_year": ["5-year band", "10-year band", "<35 / 35-54 / 55+"],
    "region": ["census region", "national"],
    "enrolled_on": ["month", "quarter", "year"],
}
# the US Census Bureau's regions, written out independently of the module
CENSUS = {
    "new_england": "northeast",
    "middle_atlantic": "northeast",
    "east_north_central": "midwest",
    "west_north_central": "midwest",
    "south_atlantic": "south",
    "east_south_central": "south",
    "west_south_central": "south",
    "mountain": "west",
    "pacific": "west",
}


@pytest.fixture(scope="module")
def learners() -> pd.DataFrame:
    return pd.read_parquet(PILOT / "learners.parquet")


# -- hierarchies ------------------------------------------------------------------------


def test_census_regions_match_the_census_bureau(learners: pd.DataFrame) -> None:
    h = build_hierarchy(learners["region"], ["census region", "national"], column="region")
    got = h.generalize(learners["region"], 1)
    assert (got == learners["region"].map(CENSUS)).all()
    assert set(h.generalize(learners["region"], 2)) == {"national"}


def test_year_bands_and_dates_generalize_as_declared(learners: pd.DataFrame) -> None:
    h = build_hierarchy(learners["birth_year"], HIERARCHIES["birth_year"], reference_year=2026)
    years = learners["birth_year"]
    five = years // 5 * 5
    expected = five.astype(str) + "-" + (five + 4).astype(str)
    assert (h.generalize(years, 1) == expected).all()
    ten = years // 10 * 10
    assert (h.generalize(years, 2) == ten.astype(str) + "-" + (ten + 9).astype(str)).all()
    dates = pd.to_datetime(learners["enrolled_on"])
    d = build_hierarchy(learners["enrolled_on"], HIERARCHIES["enrolled_on"])
    assert (d.generalize(learners["enrolled_on"], 1) == dates.dt.strftime("%Y-%m")).all()
    quarter = dates.dt.year.astype(str) + "Q" + dates.dt.quarter.astype(str)
    assert (d.generalize(learners["enrolled_on"], 2) == quarter).all()


def test_levels_nest(learners: pd.DataFrame) -> None:
    """A group never splits when generalized further (what full-domain search needs)."""
    for column, steps in HIERARCHIES.items():
        h = build_hierarchy(learners[column], steps, reference_year=2026)
        for level in range(1, h.height + 1):
            pairs = pd.DataFrame(
                {
                    "fine": h.generalize(learners[column], level - 1),
                    "coarse": h.generalize(learners[column], level),
                }
            )
            assert pairs.groupby("fine")["coarse"].nunique().max() == 1, (column, level)


def test_soc_groups_follow_the_soc_structure() -> None:
    codes = pd.Series(["15-1232.00", "15-1252.00", "29-1141.00"])
    h = build_hierarchy(codes, ["SOC broad group", "SOC minor group", "SOC major group"])
    assert h.generalize(codes, 1).tolist() == ["15-1230", "15-1250", "29-1140"]
    assert h.generalize(codes, 2).tolist() == ["15-1200", "15-1200", "29-1100"]
    assert h.generalize(codes, 3).tolist() == ["15-0000", "15-0000", "29-0000"]


def test_wage_bands() -> None:
    wages = pd.Series([7.5, 12.25, 19.99, 20.0])
    h = build_hierarchy(wages, ["USD 5 band", "USD 10 band", "quartile"])
    assert h.generalize(wages, 1).tolist() == [
        "USD 5-<10",
        "USD 10-<15",
        "USD 15-<20",
        "USD 20-<25",
    ]
    assert h.generalize(wages, 2).tolist() == [
        "USD 0-<10",
        "USD 10-<20",
        "USD 10-<20",
        "USD 20-<30",
    ]


def test_unknown_hierarchy_is_a_clear_error(learners: pd.DataFrame) -> None:
    with pytest.raises(PrivacyError, match="unknown hierarchy step 'by planet'") as err:
        build_hierarchy(learners["region"], ["by planet"], column="region")
    assert err.value.code == "unknown_hierarchy"
    with pytest.raises(PrivacyError) as mismatch:
        build_hierarchy(learners["birth_year"], ["month"], column="birth_year")
    assert mismatch.value.code == "hierarchy_type_mismatch"


def test_ncp_of_a_band_is_its_width_over_the_range() -> None:
    years = pd.Series([1980, 1983, 1990, 1999])
    h = build_hierarchy(years, ["10-year band"])
    # 1980-1989 covers 9 of the 19 years between 1980 and 1999
    assert h.ncp[1][0] == pytest.approx(9 / 19)
    cats = pd.Series(["pacific", "mountain", "new_england", "south_atlantic"])
    c = build_hierarchy(cats, ["census region"])
    west = c.codes[1][c.value_codes(pd.Series(["pacific"]))][0]
    assert c.ncp[1][west] == pytest.approx((2 - 1) / (4 - 1))


# -- k-anonymity --------------------------------------------------------------------------


QUASI = ["birth_year", "gender", "veteran", "region", "highest_education", "enrolled_on"]


def test_pycanon_confirms_k_and_l_on_the_pilot(learners: pd.DataFrame) -> None:
    result = k_anonymize(
        learners,
        QUASI,
        k=10,
        l=2,
        sensitive=["race_ethnicity"],
        hierarchies=HIERARCHIES,
        max_suppression=0.05,
        reference_year=2026,
    )
    released = result.data.reset_index(drop=True)
    released[QUASI] = released[QUASI].astype(str)
    assert anonymity.k_anonymity(released, QUASI) >= 10
    assert anonymity.l_diversity(released, QUASI, ["race_ethnicity"]) >= 2
    assert anonymity.k_anonymity(released, QUASI) == result.achieved_k
    assert result.suppressed.sum() <= 0.05 * len(learners)
    assert len(released) == len(learners) - result.suppressed.sum()
    # the released rows are the input's, with only the quasi-identifiers changed
    kept = learners.loc[~result.suppressed]
    assert (result.data["race_ethnicity"] == kept["race_ethnicity"]).all()
    assert result.info_loss.n == len(learners)
    assert 0 < result.info_loss.ncp < 1


def _brute_force(
    frame: pd.DataFrame, quasi: list[str], sensitive: str, hs: dict, k: int, l_div: int, limit: int
):
    """Every node, evaluated with plain pandas groupby on the labels."""
    n, q = len(frame), len(quasi)
    results = []
    for node in itertools.product(*(range(hs[c].height + 1) for c in quasi)):
        labels = pd.DataFrame(
            {c: hs[c].generalize(frame[c], lv) for c, lv in zip(quasi, node, strict=True)}
        )
        labels[sensitive] = frame[sensitive].astype(str)
        grouped = labels.groupby(quasi, dropna=False)
        size = grouped[sensitive].transform("size")
        distinct = grouped[sensitive].transform("nunique")
        bad = (size < k) | (distinct < l_div)
        suppressed = int(bad.sum())
        penalty = 0.0
        for c, lv in zip(quasi, node, strict=True):
            ncp = hs[c].ncp[lv][hs[c].codes[lv][hs[c].value_codes(frame[c])]]
            penalty += float(ncp[~bad.to_numpy()].sum())
        loss = (penalty + suppressed * q) / (n * q)
        results.append((node, suppressed <= limit and suppressed < n, loss))
    return results


def test_lattice_search_finds_the_least_loss_node(learners: pd.DataFrame) -> None:
    sample = learners.sample(600, random_state=7).reset_index(drop=True)
    quasi = ["birth_year", "region", "enrolled_on", "gender"]
    k, l_div, share = 5, 2, 0.04
    result = k_anonymize(
        sample,
        quasi,
        k=k,
        l=l_div,
        sensitive=["race_ethnicity"],
        hierarchies=HIERARCHIES,
        max_suppression=share,
        reference_year=2026,
    )
    every = _brute_force(
        sample, quasi, "race_ethnicity", result.hierarchies, k, l_div, int(share * 600)
    )
    valid = [(loss, node) for node, ok, loss in every if ok]
    assert valid, "the example must have valid nodes"
    best_loss = min(loss for loss, _ in valid)
    chosen = tuple(result.levels[c][0] for c in quasi)
    assert result.info_loss.ncp == pytest.approx(best_loss, abs=1e-12)
    assert chosen in [node for loss, node in valid if loss <= best_loss + 1e-12]
    # and it did not get there by evaluating everything
    assert result.search["evaluated"] < len(every)


def test_zero_suppression_budget_suppresses_nothing(learners: pd.DataFrame) -> None:
    result = k_anonymize(
        learners, ["birth_year", "gender"], k=10, hierarchies=HIERARCHIES, max_suppression=0
    )
    assert result.suppressed.sum() == 0
    assert result.data.groupby(["birth_year", "gender"]).size().min() >= 10


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"quasi": ["birth_year", "shoe_size"]}, "unknown_quasi_identifier"),
        ({"k": 6000}, "k_too_large"),
        ({"hierarchies": {"birth_year": ["lunar cycle"]}}, "unknown_hierarchy"),
        ({"data": "empty"}, "empty_table"),
        ({"sensitive": ["favourite_colour"]}, "unknown_sensitive_attribute"),
        ({"l": 9}, "no_solution"),
    ],
)
def test_bad_input_is_a_privacy_error_with_a_code(
    learners: pd.DataFrame, change: dict, code: str
) -> None:
    args: dict = {
        "quasi": ["birth_year", "gender"],
        "k": 10,
        "l": 2,
        "sensitive": ["race_ethnicity"],
        "hierarchies": HIERARCHIES,
    }
    data = learners.iloc[:0] if change.get("data") == "empty" else learners
    args.update({key: value for key, value in change.items() if key != "data"})
    before = learners.copy()
    quasi = args.pop("quasi")
    with pytest.raises(PrivacyError) as err:
        k_anonymize(data, quasi, **args)
    assert err.value.code == code
    pd.testing.assert_frame_equal(learners, before)  # the input is left untouched


# -- risk ---------------------------------------------------------------------------------


def test_risk_report_matches_plain_pandas(learners: pd.DataFrame) -> None:
    quasi = ["birth_year", "gender", "region"]
    report = risk_report(learners, quasi, threshold=0.2)
    sizes = learners.groupby(quasi)["learner_id"].transform("size")
    assert report.sample_uniques == int((sizes == 1).sum())
    assert report.prosecutor_max == pytest.approx(float((1 / sizes).max()))
    assert report.prosecutor_mean == pytest.approx(float((1 / sizes).mean()))
    assert report.classes == learners.groupby(quasi).ngroups
    assert report.records_at_risk == int((1 / sizes > 0.2).sum())
    assert report.journalist_mean == report.prosecutor_mean
    assert "prosecutor" in report.journalist_basis
    assert int(report.class_sizes["records"].sum()) == len(learners)


def test_journalist_risk_uses_the_population(learners: pd.DataFrame) -> None:
    quasi = ["birth_year", "gender"]
    sample = learners.sample(500, random_state=1)
    report = risk_report(sample, quasi, population=learners)
    big = learners.groupby(quasi).size().rename("F").reset_index()
    joined = sample[quasi].merge(big, on=quasi, how="left")
    assert report.journalist_mean == pytest.approx(float((1 / joined["F"]).mean()))
    assert report.journalist_max <= report.prosecutor_max
    assert report.journalist_basis == "population"


def test_risk_after_is_bounded_by_one_over_k(learners: pd.DataFrame) -> None:
    result = k_anonymize(
        learners,
        QUASI,
        k=10,
        l=2,
        sensitive=["race_ethnicity"],
        hierarchies=HIERARCHIES,
        reference_year=2026,
    )
    after = risk_report(result.data, QUASI)
    assert after.prosecutor_max <= 1 / 10
    assert after.sample_uniques == 0
    assert after.records_at_risk == 0


# -- pseudonyms ---------------------------------------------------------------------------


def test_pseudonyms_are_keyed_hmac_sha256() -> None:
    key = b"k" * 32
    p = Pseudonymizer(key)
    expected = hmac.new(key, b"learners.learner_id\0lrn-1", hashlib.sha256).hexdigest()[:32]
    assert p.pseudonym("lrn-1", "learners.learner_id") == "psn-" + expected
    assert Pseudonymizer(b"x" * 32).pseudonym("lrn-1", "learners.learner_id") != "psn-" + expected
    series = p.series(pd.Series(["lrn-1", None, "lrn-1"]), "learners.learner_id")
    assert series.iloc[0] == series.iloc[2] == "psn-" + expected
    assert pd.isna(series.iloc[1])
    assert "k" * 32 not in repr(p)


def test_key_errors_never_show_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short = tmp_path / "short.key"
    short.write_text("tiny-secret\n")
    with pytest.raises(PrivacyError) as err:
        load_key(key_file=short)
    assert err.value.code == "weak_key"
    assert "tiny-secret" not in str(err.value)
    with pytest.raises(PrivacyError) as missing:
        load_key(key_env="LERKIT_NO_SUCH_KEY_VARIABLE")
    assert missing.value.code == "key_unreadable"
    with pytest.raises(PrivacyError) as both:
        load_key(key_file=short, key_env="X")
    assert both.value.code == "no_key"
    monkeypatch.setenv("LERKIT_TEST_KEY", "a-long-enough-secret-key")
    assert load_key(key_env="LERKIT_TEST_KEY") == b"a-long-enough-secret-key"


def test_redaction_removes_identifiers_everywhere() -> None:
    p = Pseudonymizer(b"0" * 32)
    doc = {
        "credentialSubject": {
            "id": "did:key:holder",
            "name": "Ada Lovelace",
            "identifier": [{"identityHash": "sha256$00", "salt": "ab"}],
            "verifiableCredential": [
                {
                    "credentialSubject": {"id": "did:key:holder", "email": "ada@example.org"},
                    "proof": [{"type": "DataIntegrityProof"}],
                },
            ],
            "note": "lrn-9",
        },
        "evidence": [{"narrative": "ada@example.org"}],
        "proof": {"type": "DataIntegrityProof"},
    }
    redacted, record = redact_credential(
        doc, p, {"lrn-9": "psn-x", "ada@example.org": "[redacted]"}
    )
    text = repr(redacted)
    for secret in (
        "did:key:holder",
        "Ada Lovelace",
        "sha256$00",
        "ada@example.org",
        "lrn-9",
        "proof",
    ):
        assert secret not in text
    inner = redacted["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["id"]
    assert inner == redacted["credentialSubject"]["id"]  # the same holder, the same pseudonym
    assert record.proofs_removed == 2
    assert doc["credentialSubject"]["name"] == "Ada Lovelace"  # the input is not modified
    assert record.values_replaced == 2


# -- Mondrian -----------------------------------------------------------------------------


MONDRIAN_QUASI = ["birth_year", "gender", "region", "highest_education", "enrolled_on"]


def test_mondrian_meets_k_and_l_and_reports_its_loss(learners: pd.DataFrame) -> None:
    result = k_anonymize(
        learners,
        MONDRIAN_QUASI,
        k=10,
        l=2,
        sensitive=["race_ethnicity"],
        hierarchies=HIERARCHIES,
        reference_year=2026,
        algorithm="mondrian",
    )
    released = result.data.reset_index(drop=True)
    assert anonymity.k_anonymity(released, MONDRIAN_QUASI) >= 10
    assert anonymity.l_diversity(released, MONDRIAN_QUASI, ["race_ethnicity"]) >= 2
    assert len(released) == len(learners)  # Mondrian suppresses nothing
    # each published birth-year interval holds the record's true year
    bounds = released["birth_year"].str.split("..", regex=False)
    low = bounds.str[0].astype(int)
    high = bounds.str[-1].astype(int)
    years = learners["birth_year"].reset_index(drop=True)
    assert ((low <= years) & (years <= high)).all()
    # NCP recomputed from the original values of each released class
    classes = released.groupby(MONDRIAN_QUASI).ngroup()
    original = learners.reset_index(drop=True).assign(_class=classes)
    original["enrolled_on"] = pd.to_datetime(original["enrolled_on"])
    total = 0.0
    for column in MONDRIAN_QUASI:
        grouped = original.groupby("_class")[column]
        if column in ("birth_year", "enrolled_on"):
            width = grouped.transform("max") - grouped.transform("min")
            span = original[column].max() - original[column].min()
            total += float((width / span).sum())
        else:
            size = grouped.transform("nunique")
            total += float(((size - 1) / (original[column].nunique() - 1)).sum())
    expected = total / (len(learners) * len(MONDRIAN_QUASI))
    assert result.info_loss.ncp == pytest.approx(expected, rel=1e-9)
    assert result.class_table is not None
    assert int(result.class_table["count"].sum()) == len(learners)


# without t, these releases have t = 0.18 (lattice) and 0.48 (Mondrian) by pycanon
@pytest.mark.parametrize(("algorithm", "t"), [("lattice", 0.15), ("mondrian", 0.3)])
def test_t_closeness_is_confirmed_by_pycanon(
    learners: pd.DataFrame, algorithm: str, t: float
) -> None:
    quasi = ["birth_year", "gender", "region"]
    result = k_anonymize(
        learners,
        quasi,
        k=10,
        l=2,
        t=t,
        sensitive=["race_ethnicity"],
        hierarchies=HIERARCHIES,
        max_suppression=0,  # pycanon measures against the released table's distribution
        reference_year=2026,
        algorithm=algorithm,  # type: ignore[arg-type]
    )
    released = result.data.reset_index(drop=True)
    released[quasi] = released[quasi].astype(str)
    measured = anonymity.t_closeness(released, quasi, ["race_ethnicity"])
    assert measured <= t + 1e-9
    assert result.achieved_t == pytest.approx(measured, abs=1e-9)
