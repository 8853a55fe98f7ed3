"""OLS from cell sums against statsmodels on the observation-level rows.

``cell_ols`` never sees an observation: these tests build random panels, fit them with
statsmodels (one row per unit and phase, HC1 / HC3 / cluster-robust covariances), reduce
the same data to cell sums with pandas and check that coefficients and standard errors
agree; then ``pilot_evaluation`` against statsmodels on a panel built from the raw
Parquet files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import lerkit as lk
from lerkit.analysis._evaluation import DEFAULT_COVARIATES, pilot_evaluation
from lerkit.analysis._ols import CellSums, cell_ols
from lerkit.errors import LerkitError

DEFAULT = Path(lk.__file__).parent.parent / "datasets" / "pilot-default"


def _panel(seed: int, units: int = 600, *, balanced: bool) -> pd.DataFrame:
    """Units with an arm, a category, an integer covariate and a region, seen pre and/or
    post with a unit effect (so errors correlate within a unit)."""
    rng = np.random.default_rng(seed)
    people = pd.DataFrame(
        {
            "unit": np.arange(units),
            "ler": rng.integers(0, 2, units),
            "kind": rng.choice(["a", "b", "c"], units),
            "age": rng.integers(20, 26, units).astype(float),
            "region": rng.choice(list("WXYZ"), units),
            "effect": rng.normal(0, 1, units),
        }
    )
    rows = people.loc[people.index.repeat(2)].assign(post=np.tile([0, 1], units))
    if not balanced:
        rows = rows[rng.random(len(rows)) > 0.25]
    noise = rng.normal(0, 1 + rows["ler"] + rows["post"], len(rows))  # heteroskedastic
    rows = rows.assign(
        y=2 + 0.5 * rows["ler"] * rows["post"] + 0.1 * rows["age"] + rows["effect"] + noise
    )
    return rows.reset_index(drop=True)


def _design(frame: pd.DataFrame, *, did: bool, covariates: bool) -> tuple[np.ndarray, list[str]]:
    ones = np.ones(len(frame))
    columns = [ones, frame["ler"].to_numpy(float)]
    names = ["Intercept", "ler"]
    if did:
        post = frame["post"].to_numpy(float)
        columns += [post, columns[1] * post]
        names += ["post", "ler:post"]
    if covariates:
        extra = [
            (frame["kind"] == "b").to_numpy(float),
            (frame["kind"] == "c").to_numpy(float),
            frame["age"].to_numpy(float),
        ]
        columns += extra
        names += ["kind[b]", "kind[c]", "age"]
        if did:
            columns += [c * frame["post"].to_numpy(float) for c in extra]
            names += ["kind[b]:post", "kind[c]:post", "age:post"]
    return np.column_stack(columns), names


def _cells(frame: pd.DataFrame, *, did: bool, covariates: bool, cluster: bool) -> CellSums:
    """Reduce the rows to cells with pandas: units grouped by their regressors, the
    phases they are seen in and (when clustering by region) their region."""
    wide = frame.pivot_table(index="unit", columns="post", values="y", aggfunc="first")
    wide = wide.reindex(columns=[0, 1])
    units = frame.drop_duplicates("unit").set_index("unit")[["ler", "kind", "age", "region"]]
    units = units.join(wide.rename(columns={0: "y0", 1: "y1"}))
    units["has0"], units["has1"] = units["y0"].notna(), units["y1"].notna()
    units = units.fillna({"y0": 0.0, "y1": 0.0})
    units["q0"], units["q1"], units["c01"] = units.y0**2, units.y1**2, units.y0 * units.y1
    keys = ["ler", "kind", "age", "has0", "has1"] + (["region"] if cluster else [])
    sums = units.groupby(keys).agg(
        n=("y0", "size"),
        s0=("y0", "sum"),
        s1=("y1", "sum"),
        q0=("q0", "sum"),
        q1=("q1", "sum"),
        c01=("c01", "sum"),
    )
    sums = sums.reset_index()
    phases = [0, 1] if did else [1]
    design = np.stack(
        [_design(sums.assign(post=t), did=did, covariates=covariates)[0] for t in phases]
    )
    seen = np.stack([sums[f"has{t}"].to_numpy() for t in phases])
    n = sums["n"].to_numpy()
    cross = None
    if did:
        cross = np.zeros((2, 2, len(sums)))
        cross[0, 1] = cross[1, 0] = sums["c01"].to_numpy()
    return CellSums(
        design,
        count=np.where(seen, n, 0),
        total=np.stack([sums[f"s{t}"].to_numpy() for t in phases]),
        squares=np.stack([sums[f"q{t}"].to_numpy() for t in phases]),
        cross=cross,
        cluster=pd.factorize(sums["region"])[0] if cluster else None,
    )


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("balanced", [True, False])
@pytest.mark.parametrize("covariates", [False, True])
@pytest.mark.parametrize("cov_type", ["HC1", "HC3", "unit", "region"])
def test_cell_ols_equals_statsmodels_on_the_rows(
    seed: int, balanced: bool, covariates: bool, cov_type: str
) -> None:
    rows = _panel(seed, balanced=balanced)
    did = cov_type in ("unit", "region")
    if not did:
        rows = rows[rows["post"] == 1].reset_index(drop=True)
    x, names = _design(rows, did=did, covariates=covariates)
    model = sm.OLS(rows["y"].to_numpy(), x)
    if cov_type == "unit":
        reference = model.fit(cov_type="cluster", cov_kwds={"groups": rows["unit"].to_numpy()})
    elif cov_type == "region":
        groups = pd.factorize(rows["region"])[0]
        reference = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
    else:
        reference = model.fit(cov_type=cov_type)
    cells = _cells(rows, did=did, covariates=covariates, cluster=cov_type == "region")
    fit = cell_ols(cells, names, "cluster" if did else cov_type)  # type: ignore[arg-type]
    assert fit.n_obs == len(rows)
    np.testing.assert_allclose(fit.params, reference.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov)), reference.bse, rtol=1e-8)
    term = "ler:post" if did else "ler"
    i = names.index(term)
    low, high = fit.conf_int(term, 0.9)
    ref_low, ref_high = reference.conf_int(alpha=0.1)[i]
    assert (low, high) == pytest.approx((ref_low, ref_high), rel=1e-8)
    assert fit.p_value(term) == pytest.approx(reference.pvalues[i], rel=1e-6)


def test_cell_ols_refuses_inconsistent_sums() -> None:
    x = np.ones((2, 3, 2))
    with pytest.raises(LerkitError, match="count must have shape"):
        CellSums(x, count=np.ones((1, 3)), total=np.ones((2, 3)), squares=np.ones((2, 3)))
    cells = CellSums(
        x, count=np.ones((2, 3)), total=np.ones((2, 3)), squares=np.ones((2, 3)), cross=None
    )
    with pytest.raises(LerkitError, match="needs cross sums"):
        cell_ols(cells, ["a", "b"], "cluster")
    with pytest.raises(LerkitError, match="3 names for 2"):
        cell_ols(cells, ["a", "b", "c"], "HC1")
    uneven = CellSums(
        x,
        count=np.array([[1, 2, 2], [2, 2, 2]]),
        total=np.ones((2, 3)),
        squares=np.ones((2, 3)),
        cross=np.zeros((2, 2, 3)),
    )
    with pytest.raises(LerkitError, match="same phases"):
        cell_ols(uneven, ["a", "b"], "cluster")
    with pytest.raises(LerkitError, match="observations for 2 coefficients"):
        cell_ols(
            CellSums(
                x[:1, :1], count=np.ones((1, 1)), total=np.ones((1, 1)), squares=np.ones((1, 1))
            ),
            ["a", "b"],
            "HC1",
        )


def _raw_panel(root: Path) -> pd.DataFrame:
    """Learner-by-phase mean wages for pilot_evaluation's default periods, pandas only."""
    outcomes = pd.read_parquet(root / "outcomes.parquet")
    learners = pd.read_parquet(root / "learners.parquet")
    enrolled = pd.to_datetime(learners["enrolled_on"])
    quarter = enrolled.dt.year * 4 + (enrolled.dt.month - 1) // 3
    index = outcomes["period"].str[:4].astype(int) * 4 + outcomes["period"].str[5].astype(int) - 1
    phase = np.where(index < quarter.min(), 0, np.where(index > quarter.max(), 1, -1))
    rows = outcomes[(phase >= 0) & outcomes["employed"] & (outcomes["hourly_wage"] > 0)]
    rows = rows.assign(post=phase[rows.index])
    panel = rows.groupby(["learner_id", "post"])["hourly_wage"].mean().rename("y").reset_index()
    people = learners.assign(
        ler=(learners["cohort"] == "ler").astype(int),
        age=(enrolled.dt.year - learners["birth_year"]).astype(float),
    )
    columns = ["learner_id", "ler", *DEFAULT_COVARIATES]
    return panel.merge(people[columns], on="learner_id").dropna()


def test_pilot_evaluation_equals_statsmodels_on_the_learner_panel(pilot: Any) -> None:
    panel = _raw_panel(DEFAULT)
    balanced = panel[panel.groupby("learner_id")["post"].transform("nunique") == 2]
    after = panel[panel["post"] == 1]
    terms = "C(stars) + C(pathway) + age + C(highest_education)"
    post_terms = " + ".join(f"{t}:post" for t in terms.split(" + "))
    groups = {"groups": pd.factorize(balanced["learner_id"])[0]}
    reference = {
        "naive": smf.ols("y ~ ler", after).fit(cov_type="HC3"),
        "did": smf.ols("y ~ ler * post", balanced).fit(cov_type="cluster", cov_kwds=groups),
        "did_adjusted": smf.ols(f"y ~ ler * post + {terms} + {post_terms}", balanced).fit(
            cov_type="cluster", cov_kwds=groups
        ),
        "regression": smf.ols(f"y ~ ler + {terms}", after).fit(cov_type="HC3"),
    }
    table = pilot_evaluation(pilot).set_index("measure")
    assert list(table.index) == list(reference)
    for measure, fit in reference.items():
        term = "ler:post" if "ler:post" in fit.params.index else "ler"
        row = table.loc[measure]
        assert row["estimate"] == pytest.approx(fit.params[term], rel=1e-9)
        assert row["se"] == pytest.approx(fit.bse[term], rel=1e-8)
        low, high = fit.conf_int().loc[term]
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-8)
    assert table.loc["did", "n"] == balanced["learner_id"].nunique()
    assert table.loc["naive", "n"] == after["learner_id"].nunique()


@pytest.fixture(scope="module")
def pilot() -> Any:
    return lk.datasets.load("pilot-default")
