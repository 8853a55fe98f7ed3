"""publish_table: published cross-tables whose hidden cells cannot be solved for.

The adversary here is written from scratch: it reads only the published table (labels,
the counts shown, the totals rows) and, with scipy's linear programming, finds the
smallest and largest value each hidden cell can take given every published number
and counts of at least zero. A hidden cell whose range is narrower than the protection
asked for is a disclosure.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import lerkit as lk
from lerkit.analysis._engine import _quiet, connect
from lerkit.anonymize._publish import NOT_REPORTED, TOTAL, publish_table
from lerkit.errors import LerkitError, PrivacyError


def _adversary(
    table: pd.DataFrame,
    dims: list[str],
    *,
    column: str = "n",
    extra_known: pd.DataFrame | None = None,
) -> dict[tuple[str, ...], tuple[float, float]]:
    """For each hidden cell of ``table``: (min, max) given the published cells.

    The labels of the inner cells are public (they are the table's rows); the
    unknowns are their counts. ``extra_known`` adds cells the adversary knows from
    elsewhere (e.g. totals not printed).
    """
    inner_mask = (table[dims] != TOTAL).all(axis=1)
    inner = table[inner_mask][dims].to_numpy(dtype=object)
    published = table[~table["suppressed"]]
    if extra_known is not None:
        published = pd.concat([published, extra_known], ignore_index=True)

    def members(labels: tuple[str, ...]) -> np.ndarray:
        match = np.ones(len(inner), dtype=bool)
        for j, label in enumerate(labels):
            if label != TOTAL:
                match &= inner[:, j] == label
        return match.astype(float)

    a_eq = [members(tuple(r)) for r in published[dims].to_numpy(dtype=object)]
    b_eq = published[column].astype(float).to_numpy()
    bounds = [(0, None)] * len(inner)
    ranges = {}
    for labels in table[table["suppressed"]][dims].itertuples(index=False):
        c = members(tuple(labels))
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0, low.message
        if high.status == 3:  # unbounded above
            ranges[tuple(labels)] = (low.fun, np.inf)
            continue
        assert high.status == 0, high.message
        ranges[tuple(labels)] = (low.fun, -high.fun)
    return ranges


def _people(rng: np.random.Generator, shape: tuple[int, ...], size: int) -> pd.DataFrame:
    """Records over skewed categories, so some cells are small or empty."""
    columns = {}
    for d, k in enumerate(shape):
        p = rng.dirichlet(np.full(k, 0.6))
        columns[f"d{d}"] = rng.choice([f"c{i}" for i in range(k)], size=size, p=p)
    return pd.DataFrame(columns)


def _check_protected(frame: pd.DataFrame, dims: list[str], protection: float = 1.0) -> int:
    table = publish_table(frame, by=dims, protection=protection)
    shown = table[~table["suppressed"]]
    assert (shown["n"] >= 10).all()
    ranges = _adversary(table, dims)
    narrow = {k: v for k, v in ranges.items() if v[1] - v[0] < protection - 1e-6}
    assert narrow == {}, narrow
    return len(ranges)


def _inner_size(table: pd.DataFrame, dims: list[str]) -> int:
    return int((table[dims] != TOTAL).all(axis=1).sum())


# -- the adversary itself -------------------------------------------------------------------


def test_adversary_recovers_a_primary_only_suppression() -> None:
    # a naive table: only the cells under 10 are blanked, totals shown
    frame = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 4 + ["c"] * 25})
    naive = frame["g"].value_counts().sort_index().rename("n").reset_index()
    naive = pd.concat([naive, pd.DataFrame({"g": [TOTAL], "n": [len(frame)]})], ignore_index=True)
    naive["suppressed"] = naive["n"] < 10
    ranges = _adversary(naive, ["g"])
    assert ranges == {("b",): pytest.approx((4.0, 4.0))}
    # publish_table's version of the same table keeps b's range open
    table = publish_table(frame, by="g")
    ranges = _adversary(table, ["g"])
    assert ("b",) in ranges
    assert all(high - low >= 1 for low, high in ranges.values())


def test_adversary_catches_primary_only_in_a_two_way_table() -> None:
    counts = np.array([[5, 50, 60], [40, 30, 70], [20, 80, 90]])
    labels_r, labels_c = ["r0", "r1", "r2"], ["c0", "c1", "c2"]
    # the naive table: the truth with its row, column and grand totals, cells < 10 blanked
    grid = np.zeros((4, 4))
    grid[:3, :3] = counts
    grid[3, :3], grid[:3, 3], grid[3, 3] = counts.sum(0), counts.sum(1), counts.sum()
    naive = pd.DataFrame(
        [
            (r, c, grid[i, j])
            for i, r in enumerate([*labels_r, TOTAL])
            for j, c in enumerate([*labels_c, TOTAL])
        ],
        columns=["r", "c", "n"],
    )
    naive["suppressed"] = naive["n"] < 10
    assert _adversary(naive, ["r", "c"]) == {("r0", "c0"): pytest.approx((5.0, 5.0))}
    frame = pd.DataFrame(
        [
            (r, c)
            for i, r in enumerate(labels_r)
            for j, c in enumerate(labels_c)
            for _ in range(counts[i, j])
        ],
        columns=["r", "c"],
    )
    table = publish_table(frame, by=["r", "c"])
    ranges = _adversary(table, ["r", "c"])
    assert ("r0", "c0") in ranges
    assert min(high - low for low, high in ranges.values()) >= 1


# -- random tables --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(25))
def test_two_way_tables_keep_every_hidden_cell_open(seed: int) -> None:
    rng = np.random.default_rng(600 + seed)
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    frame = _people(rng, shape, int(rng.integers(40, 400)))
    _check_protected(frame, ["d0", "d1"])


@pytest.mark.parametrize("seed", range(10))
def test_three_way_tables_keep_every_hidden_cell_open(seed: int) -> None:
    rng = np.random.default_rng(700 + seed)
    shape = tuple(int(k) for k in rng.integers(2, 4, size=3))
    frame = _people(rng, shape, int(rng.integers(60, 500)))
    _check_protected(frame, ["d0", "d1", "d2"])


@pytest.mark.parametrize("seed", range(6))
def test_a_wider_protection_is_met(seed: int) -> None:
    rng = np.random.default_rng(800 + seed)
    frame = _people(rng, (4, 3), int(rng.integers(80, 300)))
    assert _check_protected(frame, ["d0", "d1"], protection=8.0) > 0


@pytest.mark.parametrize("seed", range(8))
def test_inner_cells_hold_when_margins_are_known_but_not_printed(seed: int) -> None:
    rng = np.random.default_rng(900 + seed)
    frame = _people(rng, (3, 4), int(rng.integers(50, 300)))
    dims = ["d0", "d1"]
    table = publish_table(frame, by=dims, margins=False)
    assert not table["total"].any()
    cross = pd.crosstab(frame["d0"], frame["d1"], margins=True, margins_name=TOTAL)
    totals = cross.stack().rename("n").reset_index()
    totals.columns = ["d0", "d1", "n"]
    totals = totals[(totals["d0"] == TOTAL) | (totals["d1"] == TOTAL)].assign(suppressed=False)
    ranges = _adversary(table, dims, extra_known=totals)
    assert all(high - low >= 1 for low, high in ranges.values()), ranges


# -- what the table says ----------------------------------------------------------------------


def test_counts_and_totals_match_pandas() -> None:
    rng = np.random.default_rng(5)
    frame = _people(rng, (3, 4), 800)
    table = publish_table(frame, by=["d0", "d1"], min_cell=1)
    expected = pd.crosstab(frame["d0"], frame["d1"], margins=True, margins_name=TOTAL)
    for r, c, n, hidden in table[["d0", "d1", "n", "suppressed"]].itertuples(index=False):
        if c in expected.columns and r in expected.index:
            assert (n == expected.loc[r, c]) if not hidden else pd.isna(n)
        else:  # a combination nobody is in: hidden, as zero cells are
            assert hidden
    assert (table["suppressed"] == table["n"].isna()).all()
    # every combination and every margin is there once
    assert len(table) == (3 + 1) * (4 + 1)


def test_hidden_cells_are_blank_not_zero_and_totals_use_true_values() -> None:
    frame = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 4 + ["c"] * 25})
    table = publish_table(frame, by="g")
    assert table.loc[table["g"] == "b", "n"].isna().all()
    assert table.loc[table["g"] == TOTAL, "n"].item() == 59
    assert str(table["n"].dtype) == "Int64"
    assert table.attrs["suppression"]["primary"] == 1
    assert table.attrs["suppression"]["complementary"] == 1


def test_sums_and_means_match_pandas_and_hidden_sums_stay_open() -> None:
    rng = np.random.default_rng(11)
    frame = _people(rng, (3, 3), 300)
    frame["wage"] = rng.uniform(12, 40, len(frame)).round(2)
    frame.loc[rng.random(len(frame)) < 0.1, "wage"] = np.nan
    dims = ["d0", "d1"]
    table = publish_table(frame, by=dims, values="wage")
    shown = table[~table["suppressed"] & ~table["total"]]
    grouped = frame.groupby(dims)["wage"]
    for r, c, s, m in shown[["d0", "d1", "wage_sum", "wage_mean"]].itertuples(index=False):
        assert s == pytest.approx(grouped.sum().loc[(r, c)])
        assert m == pytest.approx(grouped.mean().loc[(r, c)])
    total = table[(table["d0"] == TOTAL) & (table["d1"] == TOTAL)]
    assert total["wage_sum"].item() == pytest.approx(frame["wage"].sum())
    assert table.loc[table["suppressed"], ["wage_sum", "wage_mean"]].isna().all().all()
    if table["suppressed"].any():
        ranges = _adversary(table, dims, column="wage_sum")
        assert min(high - low for low, high in ranges.values()) > 1e-6


def test_empty_values_booleans_and_listed_categories() -> None:
    frame = pd.DataFrame({"veteran": [True] * 12 + [False] * 40 + [None] * 11})
    table = publish_table(frame, by="veteran", categories={"veteran": [True, False, "other"]})
    assert table["veteran"].tolist() == ["true", "false", "other", NOT_REPORTED, TOTAL]
    # the empty category is hidden (zero people), and a partner with it
    assert table.loc[table["veteran"] == "other", "suppressed"].item()
    assert table["suppressed"].sum() == 2


def test_ibis_table_gives_the_same_table() -> None:
    rng = np.random.default_rng(3)
    frame = _people(rng, (3, 3), 200)
    frame["wage"] = rng.uniform(10, 30, len(frame))
    con = ibis.duckdb.connect()
    with _quiet():  # ibis's own deprecation warnings, as the engine silences them
        expr = con.create_table("people", frame)
    a = publish_table(frame, by=["d0", "d1"], values=["wage"])
    b = publish_table(expr, by=["d0", "d1"], values=["wage"])
    key = ["d0", "d1"]
    a, b = a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False)


def test_pre_aggregated_counts() -> None:
    frame = pd.DataFrame({"g": ["a", "a", "b", "c"], "people": [20, 10, 4, 25]})
    table = publish_table(frame, by="g", count="people")
    assert table.loc[table["g"] == "a", "n"].item() == 30
    assert table.loc[table["g"] == TOTAL, "n"].item() == 59
    assert table.loc[table["g"] == "b", "suppressed"].item()


# -- bad input ------------------------------------------------------------------------------


def test_bad_input_is_a_clear_error_and_leaves_the_input_alone() -> None:
    frame = pd.DataFrame({"g": ["a"] * 12, "h": ["x"] * 12})
    before = frame.copy()
    with pytest.raises(LerkitError, match="no column 'region'") as err:
        publish_table(frame, by=["g", "region"])
    assert err.value.code == "invalid_argument"
    with pytest.raises(LerkitError, match="min_cell must be a positive integer, not 0"):
        publish_table(frame, by="g", min_cell=0)
    with pytest.raises(LerkitError, match="protection must be a positive number, not -1"):
        publish_table(frame, by="g", protection=-1)
    with pytest.raises(LerkitError, match="named twice"):
        publish_table(frame, by=["g", "g"])
    with pytest.raises(LerkitError, match="category 'x', the label of the totals"):
        publish_table(frame, by="h", total_label="x")
    with pytest.raises(PrivacyError, match="nobody to count") as empty:
        publish_table(frame.iloc[:0], by="g")
    assert empty.value.code == "empty_table"
    pd.testing.assert_frame_equal(frame, before)


# -- the bundled pilot -------------------------------------------------------------------------


def test_pilot_table_from_the_engine_matches_the_parquet_and_holds() -> None:
    engine = connect(lk.datasets.load("pilot-default"))
    dims = ["region", "veteran"]
    table = publish_table(engine.table("learners"), by=dims)
    root = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"
    raw = pd.read_parquet(root / "learners.parquet", columns=dims)
    raw["veteran"] = raw["veteran"].map({True: "true", False: "false"}).fillna(NOT_REPORTED)
    expected = pd.crosstab(raw["region"], raw["veteran"], margins=True, margins_name=TOTAL)
    assert table["suppressed"].any()  # the pilot has small veteran cells
    for r, v, n in table.loc[~table["suppressed"], [*dims, "n"]].itertuples(index=False):
        assert n == expected.loc[r, v]
    small = [(r, v) for r in expected.index for v in expected.columns if expected.loc[r, v] < 10]
    flagged = set(map(tuple, table.loc[table["suppressed"], dims].to_numpy()))
    assert set(small) <= flagged
    ranges = _adversary(table, dims)
    assert min(high - low for low, high in ranges.values()) >= 1
