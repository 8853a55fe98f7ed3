"""anonymization_plan: the dictionary's quasi-identifiers, sensitive columns and hierarchies.

Checked against dictionary.yaml read with plain yaml and the learners parquet read
with pandas, and against k_anonymize given the raw step names.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import lerkit as lk
from lerkit.anonymize._plan import AnonymizationPlan, anonymization_plan
from lerkit.errors import LerkitError

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "datasets" / "pilot-default"


def dictionary_columns(table: str) -> list[dict[str, Any]]:
    """The table's columns from the dataset's dictionary.yaml, read with plain yaml."""
    path = PILOT / "dictionary.yaml"
    if not path.is_file():
        path = ROOT / "lerkit" / "datasets" / "dictionary.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = raw["tables"]
    spec = (
        tables[table] if isinstance(tables, dict) else next(t for t in tables if t["name"] == table)
    )
    columns = spec["columns"]
    if isinstance(columns, dict):
        return [{"name": name, **(value or {})} for name, value in columns.items()]
    return list(columns)


@pytest.fixture(scope="module")
def data() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def plan(data: lk.datasets.Dataset) -> AnonymizationPlan:
    return anonymization_plan(data)


@pytest.fixture(scope="module")
def learners() -> pd.DataFrame:
    return pd.read_parquet(PILOT / "learners.parquet")


def test_roles_and_steps_are_the_dictionary_ones(
    plan: AnonymizationPlan, learners: pd.DataFrame
) -> None:
    columns = dictionary_columns("learners")
    present = [c for c in columns if c["name"] in learners and learners[c["name"]].notna().any()]
    quasi = [c["name"] for c in present if c.get("privacy") == "quasi_identifier"]
    sensitive = [c["name"] for c in present if c.get("privacy") == "sensitive"]
    # the comparisons below must be able to fail
    assert quasi
    assert sensitive
    assert plan.table == "learners"
    assert plan.quasi == tuple(quasi)
    assert plan.sensitive == tuple(sensitive)
    declared = {c["name"]: tuple(c.get("hierarchy") or ()) for c in present}
    assert dict(plan.steps) == {name: declared[name] for name in quasi}
    assert any(plan.steps.values())


def test_hierarchies_are_built_on_the_table_values(
    plan: AnonymizationPlan, learners: pd.DataFrame
) -> None:
    assert set(plan.hierarchies) == set(plan.quasi)
    for name, hierarchy in plan.hierarchies.items():
        assert hierarchy.column == name
        # original, the declared steps, then "*" unless the last step is already one group
        assert hierarchy.steps[0] == "original"
        assert hierarchy.steps[1 : 1 + len(plan.steps[name])] == plan.steps[name]
        assert set(hierarchy.domain.dropna().astype(str)) == set(
            learners[name].dropna().astype(str)
        )
    region = plan.hierarchies["region"]
    assert set(region.generalize(learners["region"].dropna(), 1)) <= {
        "northeast",
        "midwest",
        "south",
        "west",
    }


def test_reference_year_is_the_datasets_as_of_year(plan: AnonymizationPlan) -> None:
    meta = yaml.safe_load((PILOT / "dataset.yaml").read_text(encoding="utf-8"))
    assert plan.reference_year == int(str(meta["as_of"])[:4])


def test_plan_gives_the_same_release_as_the_raw_steps(
    data: lk.datasets.Dataset, plan: AnonymizationPlan
) -> None:
    learners = data.table("learners")
    quasi = ["birth_year", "gender", "region"]
    small = anonymization_plan(data, quasi=quasi, sensitive=["race_ethnicity"])
    raw_steps = {name: [*dictionary_steps(name)] for name in quasi}
    common = {"k": 5, "l": 2, "sensitive": ["race_ethnicity"], "max_suppression": 0.05}
    via_plan = lk.anonymize.k_anonymize(
        learners,
        list(small.quasi),
        hierarchies=dict(small.hierarchies),
        reference_year=small.reference_year,
        **common,
    )
    via_steps = lk.anonymize.k_anonymize(
        learners, quasi, hierarchies=raw_steps, reference_year=plan.reference_year, **common
    )
    assert via_plan.levels == via_steps.levels
    assert via_plan.info_loss == via_steps.info_loss


def dictionary_steps(name: str) -> list[str]:
    column = next(c for c in dictionary_columns("learners") if c["name"] == name)
    return list(column.get("hierarchy") or [])


def test_plan_is_immutable(plan: AnonymizationPlan) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.quasi = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.hierarchies["gender"] = plan.hierarchies["region"]  # type: ignore[index]
    with pytest.raises(TypeError):
        plan.steps["gender"] = ()  # type: ignore[index]


def test_given_columns_are_kept_in_order(data: lk.datasets.Dataset) -> None:
    plan = anonymization_plan(data, quasi=["region", "gender"], sensitive=[])
    assert plan.quasi == ("region", "gender")
    assert plan.sensitive == ()
    assert list(plan.summary()["column"]) == ["region", "gender"]


def test_summary_lists_every_column_with_its_role(plan: AnonymizationPlan) -> None:
    table = plan.summary()
    assert list(table["column"]) == [*plan.quasi, *plan.sensitive]
    assert list(table["role"]) == ["quasi-identifier"] * len(plan.quasi) + ["sensitive"] * len(
        plan.sensitive
    )
    rows = table.set_index("column")["hierarchy"]
    # "national" is one group already, so no "*" level is added after it
    assert rows["region"] == " > ".join(["original", *dictionary_steps("region")])
    assert rows["birth_year"] == " > ".join(["original", *dictionary_steps("birth_year"), "*"])


def test_accepts_a_name_or_a_folder(plan: AnonymizationPlan) -> None:
    assert anonymization_plan("pilot-default").quasi == plan.quasi
    assert anonymization_plan(PILOT).sensitive == plan.sensitive


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        (
            {"quasi": ["birth_year", "shoe_size"]},
            "unknown_quasi_identifier",
            "quasi-identifier 'shoe_size' is not a column of table 'learners'; columns: learner_id",
        ),
        (
            {"sensitive": ["salary"]},
            "unknown_sensitive_attribute",
            "sensitive attribute 'salary' is not a column of table 'learners'",
        ),
        (
            {"quasi": ["gender"], "sensitive": ["gender"]},
            "invalid_argument",
            "'gender' is given both as a quasi-identifier and as sensitive",
        ),
        (
            {"quasi": "gender"},
            "invalid_argument",
            "give the quasi-identifiers as a list of column names, not the string 'gender'",
        ),
        ({"quasi": []}, "no_quasi_identifiers", "table 'learners' has no quasi-identifiers"),
        ({"table": "nope"}, "missing_table", "dataset 'pilot-default' has no table 'nope'"),
    ],
)
def test_bad_input_is_a_clear_error(
    data: lk.datasets.Dataset, kwargs: dict[str, Any], code: str, message: str
) -> None:
    with pytest.raises(LerkitError) as caught:
        anonymization_plan(data, **kwargs)
    assert caught.value.code == code
    assert str(caught.value).startswith(message)
