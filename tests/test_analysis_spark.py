"""The analyses on Apache Spark give the same results as on DuckDB: one code path.

Every public analysis runs once on the default DuckDB engine and once on a local Spark
engine (``connect(dataset, backend="spark")``) over pilot-default, and the two result
frames must be identical: columns, dtypes, rows and their order, suppression flags and
counts exactly; floats to a relative 1e-9 (see :func:`assert_same`); ``attrs`` too.
The engine itself is checked table by table, for Parquet and for CSV files, against the
DuckDB engine and against the loader's own typed tables (an independent reading).

To check a new analysis on Spark, add one entry to :data:`ANALYSES`.

The module needs Java 17 (CI has it); without Java it is skipped as a whole.
"""

from __future__ import annotations

import math
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest

import lerkit as lk
from lerkit.analysis._decomposition import gap_decomposition
from lerkit.analysis._descriptive import (
    credential_attainment,
    ler_funnel,
    outcome_rates,
    representation,
    verification_summary,
)
from lerkit.analysis._efficiency import process_efficiency
from lerkit.analysis._engine import SPARK_CONFIG, Engine, _java, connect
from lerkit.analysis._evaluation import pilot_evaluation
from lerkit.analysis._follow_through import degree_requirement_follow_through
from lerkit.analysis._hiring import adverse_impact
from lerkit.analysis._matching import (
    matcher_fairness,
    skill_distance,
    skill_gaps,
    top_occupations,
)
from lerkit.analysis._mobility import (
    occupation_transitions,
    wage_change_distribution,
    wage_mobility,
)
from lerkit.analysis._power import detectable_effect
from lerkit.analysis._profile import learner_profile
from lerkit.analysis._screens import degree_vs_skills
from lerkit.analysis._survival import time_to_employment
from lerkit.analysis._targeting import where_to_act
from lerkit.errors import LerkitError

if _java() is None:
    pytest.skip(
        "the Spark engine needs Java 17 (JAVA_HOME or java on PATH); none is installed",
        allow_module_level=True,
    )

PILOT = Path(__file__).resolve().parents[1] / "datasets" / "pilot-default"

#: Relative tolerance for floats. Not exact because Spark adds partial sums per
#: partition and then merges them, DuckDB in its own order: floating-point addition is
#: not associative, so sums, means and what is computed from them can differ in the
#: last bits (seen on pilot-default: up to 7e-14 relative, in gap_decomposition's
#: components near zero; ~1e-15 elsewhere). Counts are integers and compared exactly.
RTOL = 1e-9


# -- the analyses --------------------------------------------------------------------------


@cache
def _caseload() -> list[str]:
    """300 learners of pilot-default (every fifth id in sorted order), read with pandas."""
    learners = pd.read_parquet(PILOT / "learners.parquet", columns=["learner_id"])
    return sorted(learners["learner_id"])[::5][:300]


def _learner_with_most_credentials() -> str:
    """A learner with the most credentials (four signed files): read with pandas."""
    credentials = pd.read_parquet(PILOT / "credentials.parquet", columns=["learner_id"])
    counts = credentials["learner_id"].value_counts()
    return str(counts[counts == counts.max()].index.sort_values()[0])


def _fake_verify_many(paths: list[Path], **_: Any) -> pd.DataFrame:
    """A verify_many stand-in: the real one takes ~100 s here and does not touch the
    engine; what the engine does (the list of files and its order) is what differs."""
    names = [p.name for p in paths]
    digits = [sum(map(ord, n)) for n in names]
    return pd.DataFrame(
        {
            "file": [str(p) for p in paths],
            "issuer": [f"did:web:issuer{d % 3}.example" for d in digits],
            "format": ["ob3" if d % 2 else "vc2" for d in digits],
            "verdict": [("verified", "warning", "not_verified")[d % 3] for d in digits],
            "parsed": "passed",
            "signature": ["failed" if d % 7 == 0 else "passed" for d in digits],
            "status": ["failed" if d % 5 == 0 else "passed" for d in digits],
            "not_expired": ["failed" if d % 11 == 0 else "passed" for d in digits],
            "reason": ["revoked" if d % 10 == 0 else "" for d in digits],
        }
    )


def _verification(engine: Engine) -> pd.DataFrame:
    with mock.patch("lerkit.verify.verify_many", _fake_verify_many):
        return verification_summary(engine)


#: (id, call): every public analysis of lerkit.analysis that reads a dataset, with the
#: parameters that take it through its main code paths. Extend here.
ANALYSES: list[tuple[str, Callable[[Engine], Any]]] = [
    ("representation", lambda e: representation(e)),
    ("credential_attainment", lambda e: credential_attainment(e)),
    ("ler_funnel", lambda e: ler_funnel(e)),
    ("verification_summary", _verification),
    # the wage threshold is a median computed in the engine; cells of two attributes
    ("outcome_rates", lambda e: outcome_rates(e, "wage_above", by="gender", intersect="stars")),
    ("adverse_impact", lambda e: adverse_impact(e)),
    ("degree_vs_skills", lambda e: degree_vs_skills(e)),
    ("degree_requirement_follow_through", lambda e: degree_requirement_follow_through(e)),
    ("pilot_evaluation", lambda e: pilot_evaluation(e)),
    ("detectable_effect", lambda e: detectable_effect(e)),
    ("time_to_employment", lambda e: time_to_employment(e)),
    ("gap_decomposition", lambda e: gap_decomposition(e, n_boot=20)),
    ("learner_profile", lambda e: learner_profile(e, _learner_with_most_credentials())),
    ("process_efficiency", lambda e: process_efficiency(e)),
    # exact medians: approximate=True is each engine's own sketch (DuckDB's t-digest,
    # Spark's percentile_approx), and those differ by design
    ("wage_mobility", lambda e: wage_mobility(e)),
    ("wage_change_distribution", lambda e: wage_change_distribution(e)),
    ("occupation_transitions", lambda e: occupation_transitions(e)),
    ("where_to_act", lambda e: where_to_act(e)),
    ("skill_gaps", lambda e: skill_gaps(e)),
    ("matcher_fairness", lambda e: matcher_fairness(e)),
    ("skill_distance", lambda e: skill_distance(e)),
    ("top_occupations", lambda e: top_occupations(e)),
    # a caseload: the ids go to the engine as a small table of their own
    ("top_occupations_caseload", lambda e: top_occupations(e, learner_ids=_caseload(), k=2)),
]


# -- comparing results ---------------------------------------------------------------------


def assert_same(expected: Any, got: Any, where: str = "result") -> None:
    """``got`` (Spark) is ``expected`` (DuckDB): frames, attrs, dataclasses, containers.

    Frames: same columns, dtypes and index; every non-float column exactly equal; float
    columns equal to :data:`RTOL` with missing values in the same places.
    """
    if isinstance(expected, pd.DataFrame):
        assert isinstance(got, pd.DataFrame), f"{where}: {type(got).__name__}, not a DataFrame"
        assert list(got.columns) == list(expected.columns), f"{where}: columns differ"
        assert got.dtypes.to_dict() == expected.dtypes.to_dict(), f"{where}: dtypes differ"
        floats = [c for c in expected.columns if pd.api.types.is_float_dtype(expected[c])]
        exact = [c for c in expected.columns if c not in floats]
        pd.testing.assert_frame_equal(got[exact], expected[exact], check_exact=True, obj=where)
        pd.testing.assert_frame_equal(
            got[floats], expected[floats], check_exact=False, rtol=RTOL, atol=0.0, obj=where
        )
        assert_same(dict(expected.attrs), dict(got.attrs), f"{where}.attrs")
    elif isinstance(expected, pd.Series):
        assert_same(expected.to_frame(), got.to_frame(), where)
    elif is_dataclass(expected) and not isinstance(expected, type):
        assert type(got) is type(expected), f"{where}: {type(got).__name__}"
        for field in fields(expected):
            assert_same(
                getattr(expected, field.name), getattr(got, field.name), f"{where}.{field.name}"
            )
    elif isinstance(expected, dict):
        assert isinstance(got, dict), f"{where}: {type(got).__name__}, not a dict"
        assert list(got) == list(expected), f"{where}: keys {list(got)} != {list(expected)}"
        for key in expected:
            assert_same(expected[key], got[key], f"{where}[{key!r}]")
    elif isinstance(expected, list | tuple):
        assert type(got) is type(expected), f"{where}: {type(got).__name__}"
        assert len(got) == len(expected), f"{where}: length {len(got)} != {len(expected)}"
        for i, (a, b) in enumerate(zip(expected, got, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(expected, float | np.floating) and not isinstance(expected, bool):
        assert isinstance(got, float | np.floating), f"{where}: {got!r} is not a float"
        if math.isnan(expected):
            assert math.isnan(got), f"{where}: {got!r} != nan"
        else:
            assert math.isclose(got, expected, rel_tol=RTOL, abs_tol=0.0), (
                f"{where}: {got!r} != {expected!r}"
            )
    else:
        assert type(got) is type(expected), f"{where}: {type(got).__name__}"
        assert got == expected, f"{where}: {got!r} != {expected!r}"


def test_assert_same_can_fail() -> None:
    """The comparison is not vacuous: each kind of difference is caught."""
    base = pd.DataFrame({"g": ["a", "b"], "n": [10, 12], "estimate": [0.1, 0.2]})
    base.attrs["parameters"] = {"by": "g", "threshold": 1.5}
    assert_same(base, base.copy())
    changed_float = base.copy()
    changed_float.loc[1, "estimate"] = 0.2 * (1 + 1e-8)
    changed_count = base.assign(n=[10, 13])
    changed_dtype = base.assign(n=base["n"].astype("int32"))
    changed_order = base.iloc[::-1].reset_index(drop=True)
    changed_attrs = base.copy()
    changed_attrs.attrs["parameters"] = {"by": "g", "threshold": 1.6}
    for other in (changed_float, changed_count, changed_dtype, changed_order, changed_attrs):
        with pytest.raises(AssertionError):
            assert_same(base, other)
    # a last-bit difference of a float sum is within the tolerance
    assert_same(base, base.assign(estimate=[0.1 + 0.2 - 0.2, 0.2]))


# -- engines -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pilot() -> lk.datasets.Dataset:
    return lk.datasets.load("pilot-default")


@pytest.fixture(scope="module")
def duck(pilot: lk.datasets.Dataset) -> Engine:
    return connect(pilot)


@pytest.fixture(scope="session")
def spark_pilot() -> Iterator[Engine]:
    """One Spark session and engine on pilot-default for the whole run."""
    engine = connect(lk.datasets.load("pilot-default"), backend="spark")
    yield engine
    engine.backend._session.stop()


@pytest.mark.parametrize("run", [call for _, call in ANALYSES], ids=[n for n, _ in ANALYSES])
def test_same_result_on_spark(
    run: Callable[[Engine], Any], duck: Engine, spark_pilot: Engine
) -> None:
    expected = run(duck)
    got = run(spark_pilot)
    assert_same(expected, got)


def test_every_public_analysis_is_listed() -> None:
    """A public analysis that reads a dataset and is missing from ANALYSES fails here."""
    import inspect

    import lerkit.analysis as analysis

    reads_data = {
        name
        for name in analysis.__all__
        if inspect.isfunction(getattr(analysis, name))
        and next(iter(inspect.signature(getattr(analysis, name)).parameters), None)
        in ("dataset", "source")
        and name not in ("as_engine", "connect")
    }
    covered = {
        name
        for name in reads_data
        if any(i == name or i.startswith(f"{name}_") for i, _ in ANALYSES)
    }
    assert reads_data - covered == set(), "add these analyses to ANALYSES"


# -- the engine ----------------------------------------------------------------------------


def _in_order(engine: Engine, name: str) -> pd.DataFrame:
    """A whole table sorted on every column but lists (ibis writes NULLS LAST for
    every backend: Spark's own default is first)."""
    table = engine.table(name)
    keys = [c for c, kind in table.schema().items() if not kind.is_array()]
    return engine.execute(table.order_by(keys))


def _table_on_both(duck: Engine, spark: Engine, name: str) -> pd.DataFrame:
    assert duck.table(name).schema() == spark.table(name).schema()
    got = _in_order(spark, name)
    assert_same(_in_order(duck, name), got, name)
    return got


def test_parquet_tables_are_the_same(duck: Engine, spark_pilot: Engine) -> None:
    for name in duck.tables:
        got = _table_on_both(duck, spark_pilot, name)
        # and as pandas reads the file (values; the engine types follow the dictionary)
        assert len(got) == len(pd.read_parquet(PILOT / f"{name}.parquet"))
    events = spark_pilot.execute(spark_pilot.table("ler_events").select("at"))
    assert str(events["at"].dtype) == "datetime64[us, UTC]"


#: CSV cells at the edges of the loader's rules (datasets/_sql.py): a BOM and CRLF line
#: ends, quoted commas, doubled quotes and a line break in a cell, blanks, ".0"
#: integers, rejected integers ("1e3", "12.5"), yes/no/0 booleans and a rejected "t",
#: impossible dates, date-times with and without offsets, lists with blanks and gaps.
_EDGE_CSV = {
    "learners.csv": (
        "\ufefflearner_id,name,birth_year,gender,veteran,stars,cohort,enrolled_on\r\n"
        'L1,"Smith, Ann",1985,female,yes,TRUE,ler,2024-01-02\r\n'
        'L2,"Say ""hi""",1990.0,,0, false ,comparison,\r\n'
        'L3,"two\r\nlines", 1971 ,male,,t,ler,2024-13-01\r\n'
        "L4,  ,1e3,female,No,f,comparison,2024-02-29\r\n"
        "L5,fern,12.5,male,1,No,ler,2024-2-3\r\n"
    ),
    "ler_events.csv": (
        "event_id,learner_id,credential_id,event,at,actor\n"
        "E1,L1,C1,issued,2025-10-11T13:41:27Z,issuer\n"
        "E2,L1,C1,claimed,2025-10-11T13:41:27+02:00,learner\n"
        "E3,L2,C2,issued,2025-10-11 08:00:00,issuer\n"
        "E4,L2,C2,shared,,learner\n"
        "E5,L3,C3,shared,2025-10-11T08:00:00.123456-05:30,learner\n"
        "E6,L3,C3,verified,yesterday,employer\n"
    ),
    "postings.csv": (
        "posting_id,employer_id,posted_on,occupation_soc,title,requires_degree,required_skills,wage\n"
        "P1,X,2023-01-01,29-1141.00,Nurse,true,a|b|c,37.35\n"
        "P2,X,2023-01-02,29-1141.00,Nurse,false,,1e2\n"
        "P3,X,2023-01-03,29-1141.00,Nurse,,solo, 12.5 \n"
        "P4,X,2023-01-04,29-1141.00,Nurse,FALSE, x | y||z| ,nan\n"
        "P5,X,2023-01-05,29-1141.00,Nurse,no,|,.5\n"
    ),
}


_KEYS = {"learners": "learner_id", "ler_events": "event_id", "postings": "posting_id"}


def _plain(frame: pd.DataFrame) -> list[list[Any]]:
    """Rows as Python values (None for missing) to compare frames of different dtypes."""
    rows = []
    for record in frame.astype(object).itertuples(index=False):
        row = []
        for value in record:
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, str):
                value = value.replace("\r\n", "\n")
            elif value is None or (not isinstance(value, list) and pd.isna(value)):
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.as_unit("us")
            elif isinstance(value, np.generic):
                value = value.item()
            row.append(value)
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def edge_csv(tmp_path_factory: pytest.TempPathFactory) -> lk.datasets.Dataset:
    folder = tmp_path_factory.mktemp("edge_csv")
    for name, text in _EDGE_CSV.items():
        (folder / name).write_bytes(text.encode())
    return lk.datasets.load(folder)


def test_csv_cells_read_the_same(edge_csv: lk.datasets.Dataset, spark_pilot: Engine) -> None:
    duck = connect(edge_csv)
    spark = connect(edge_csv, backend=spark_pilot.backend)
    got = {name: _table_on_both(duck, spark, name) for name in edge_csv.tables}
    for name, frame in got.items():
        # the loader's typed table is an independent reading by the same rules
        loader = edge_csv.table(name).sort_values(_KEYS[name])
        assert _plain(frame.sort_values(_KEYS[name])[list(loader.columns)]) == _plain(loader), name
    learners = got["learners"].sort_values("learner_id")
    assert learners["name"].tolist()[:3] == ["Smith, Ann", 'Say "hi"', "two\nlines"]
    assert learners["birth_year"].tolist()[:2] == [1985, 1990]
    assert learners["birth_year"].isna().tolist()[3:] == [True, True]  # 1e3, 12.5
    assert learners["stars"].tolist()[:4] == [True, False, None, None]  # "t", "f": no
    skills = got["postings"].sort_values("posting_id")["required_skills"]
    assert [None if v is None else list(v) for v in skills] == [
        ["a", "b", "c"], None, ["solo"], ["x", "y", "z"], [],
    ]  # fmt: skip


@pytest.fixture(scope="module")
def pilot_csv(tmp_path_factory: pytest.TempPathFactory) -> lk.datasets.Dataset:
    """pilot-default from its CSV export only (csv/<table>.csv, no Parquet)."""
    folder = tmp_path_factory.mktemp("pilot_csv")
    shutil.copytree(PILOT / "csv", folder / "csv")
    shutil.copy(PILOT / "dataset.yaml", folder / "dataset.yaml")
    return lk.datasets.load(folder, check_files="none")


def test_csv_export_reads_as_the_parquet_files(
    pilot_csv: lk.datasets.Dataset, duck: Engine, spark_pilot: Engine
) -> None:
    """pilot-default's CSV export on Spark is its CSV export on DuckDB, table by table,
    and both are the Parquet tables: the text casts lose and invent nothing."""
    assert {s.format for s in pilot_csv.sources.values()} == {"csv"}
    csv_duck = connect(pilot_csv)
    csv_spark = connect(pilot_csv, backend=spark_pilot.backend)
    for name in pilot_csv.tables:
        got = _table_on_both(csv_duck, csv_spark, name)
        assert_same(_in_order(duck, name), got, f"{name} (Parquet)")


def test_engines_on_one_session_keep_their_own_tables(
    edge_csv: lk.datasets.Dataset, spark_pilot: Engine
) -> None:
    # Spark's temporary views are shared by the session: a second dataset's "learners"
    # must not replace the first's
    connect(edge_csv, backend=spark_pilot.backend)
    learners = spark_pilot.table("learners")
    n = spark_pilot.execute(learners.count().name("n").as_table())["n"].iloc[0]
    assert n == len(pd.read_parquet(PILOT / "learners.parquet"))


# -- connect(backend="spark") --------------------------------------------------------------


def test_spark_session_is_configured_and_reused(
    edge_csv: lk.datasets.Dataset, spark_pilot: Engine
) -> None:
    session = spark_pilot.backend._session
    assert spark_pilot.backend.name == "pyspark"
    assert session.sparkContext.master == "local[2]"
    for key, value in SPARK_CONFIG.items():
        assert session.sparkContext.getConf().get(key) == value, key
    assert session.conf.get("spark.sql.session.timeZone") == "UTC"
    assert connect(edge_csv, backend="pyspark").backend._session is session
    assert connect(edge_csv, backend=session).backend._session is session


def test_spark_without_java_is_a_clear_error(
    pilot: lk.datasets.Dataset, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))  # no bin/java there
    with pytest.raises(LerkitError, match=r"pip install 'lerkit\[spark\]'.*Java 17") as err:
        connect(pilot, backend="spark")
    assert err.value.code == "missing_dependency"
    assert "no java found" in str(err.value)


def test_spark_without_pyspark_is_a_clear_error(
    pilot: lk.datasets.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(LerkitError, match=r"pip install 'lerkit\[spark\]'") as err:
        connect(pilot, backend="spark")
    assert err.value.code == "missing_dependency"


@pytest.mark.parametrize("backend", ["postgres", 42])
def test_unknown_backend(pilot: lk.datasets.Dataset, backend: Any) -> None:
    with pytest.raises(LerkitError, match="engine backend") as err:
        connect(pilot, backend=backend)
    assert err.value.code == "invalid_argument"
