"""The pandas baseline of ``benchmarks/analysis.py``: lerkit's analyses written as an analyst would.

Each function takes a dataset folder of Parquet tables and returns what the lerkit
analysis of the same name returns, computed with plain pandas for the data step
(``pd.read_parquet`` of the columns it needs, ``merge``, ``groupby``) and with lerkit's
own statistics helpers for the rest (``_intervals``, ``suppress``, ``finish``, the
Kaplan-Meier and Oaxaca-Blinder functions, the estimators' statsmodels calls): only
the data step differs from the engine path, so the two must agree to the last digit
and any difference in time or memory is the data step's.

SQL semantics are kept where they change a count: ``groupby(..., dropna=False)`` (SQL
groups NULL keys), pandas' nullable ``boolean`` dtype for flags built from columns that
can be missing (three-valued logic, as ``~NULL`` stays NULL in SQL), inner joins where
the engine joins inner. The code is straightforward, not tuned: no categorical
encoding, no chunking, no pre-filtering beyond reading the needed columns.

:data:`DATA` accumulates the seconds spent in the data step (reading and aggregating),
so the benchmark can show it apart from the statistics both paths share.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf  # type: ignore[import-untyped]

from lerkit.analysis._decomposition import DEFAULT_EXPLANATORY, oaxaca_blinder
from lerkit.analysis._descriptive import (
    DEFAULT_ATTRIBUTES,
    FUNNEL_STAGES,
    NOT_REPORTED,
    _proportion,
    _suppress_groups,
    funnel_table,
    outcome_table,
)
from lerkit.analysis._efficiency import efficiency_table
from lerkit.analysis._evaluation import DEFAULT_COVARIATES, quarter_index
from lerkit.analysis._follow_through import follow_through_table, typology
from lerkit.analysis._hiring import CAVEATS, _ratios_and_tests
from lerkit.analysis._intervals import t_interval
from lerkit.analysis._power import power_analysis
from lerkit.analysis._result import finish, with_rates
from lerkit.analysis._screens import DEGREE_LEVELS, QUALIFIED_SHARE
from lerkit.analysis._suppress import MIN_CELL, suppress
from lerkit.analysis._survival import survival_table
from lerkit.datasets import dataset_dictionary, default_dictionary


class StepTimer:
    """Seconds spent inside ``with DATA:`` blocks since the last :meth:`reset`."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def reset(self) -> None:
        self.seconds = 0.0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds += time.perf_counter() - started


DATA = StepTimer()


def read(root: Path, table: str, columns: Sequence[str]) -> pd.DataFrame:
    return pd.read_parquet(Path(root) / f"{table}.parquet", columns=list(columns))


def label(values: pd.Series, missing: str = NOT_REPORTED) -> pd.Series:
    """Category labels as lerkit shows them: text, booleans "true"/"false", empty =
    ``missing`` (``not_reported``; the matcher says "unknown")."""
    present = values.dropna()
    if pd.api.types.is_bool_dtype(values) or (
        values.dtype == object and set(present.unique()) <= {True, False}
    ):
        text = values.map({True: "true", False: "false"})
    else:
        text = values.astype("string")
    return text.astype("string").fillna(missing).astype(object)


def nullable(flag: pd.Series, known: pd.Series) -> pd.Series:
    """A boolean flag that is missing where its input was (SQL three-valued logic)."""
    return flag.astype("boolean").where(known.to_numpy(dtype=bool), pd.NA)


def _codes(root: Path, table: str, column: str) -> tuple[str, ...]:
    copy = Path(root) / "dictionary.yaml"
    dictionary = dataset_dictionary(copy) if copy.is_file() else default_dictionary()
    spec = dictionary.table(table)
    if not spec.has_column(column):
        return ()
    kind = spec.column(column)
    if kind.type == "boolean":
        return ("true", "false")
    if kind.type == "category":
        return kind.codes
    return ()


def _quarter(days: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(days)
    return stamps.dt.year.astype("int64") * 4 + (stamps.dt.month.astype("int64") - 1) // 3


# -- 1. representation ---------------------------------------------------------------------


def representation(root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95) -> pd.DataFrame:
    attributes = list(DEFAULT_ATTRIBUTES)
    with DATA():
        learners = read(root, "learners", attributes)
        counted = {a: label(learners[a]).value_counts() for a in attributes}
    rows = []
    for attribute in attributes:
        observed = {str(k): int(v) for k, v in counted[attribute].items()}
        codes = list(_codes(root, "learners", attribute))
        order = codes + sorted(c for c in observed if c not in codes and c != NOT_REPORTED)
        if NOT_REPORTED in observed:
            order.append(NOT_REPORTED)
        rows.append(
            pd.DataFrame(
                {
                    "attribute": attribute,
                    "category": order,
                    "n": [observed.get(c, 0) for c in order],
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["total"] = frame.groupby("attribute")["n"].transform("sum").astype("int64")
    frame["measure"] = "share"
    _proportion(frame, "n", "total", confidence)
    frame = suppress(frame, count="n", min_cell=min_cell, by=("attribute",))
    return finish(
        frame,
        analysis="representation",
        parameters={"by": attributes, "reference": None, "cohort": None},
        min_cell=min_cell,
        confidence=confidence,
        groups=["attribute", "category"],
    )


# -- 2. credential attainment ----------------------------------------------------------------


def credential_attainment(
    root: Path, by: str = "pathway", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        learners = read(root, "learners", ["learner_id", by])
        people = pd.DataFrame({"learner_id": learners["learner_id"], "group": label(learners[by])})
        credentials = read(root, "credentials", ["learner_id", "achievement_id", "issuer_id"])
        alignments = read(root, "alignments", ["achievement_id", "framework", "target_code"])
        held = credentials.groupby("learner_id").size().rename("credentials")
        linked = credentials[["learner_id", "achievement_id"]].merge(
            alignments, on="achievement_id"
        )
        targets = (
            linked[["learner_id", "framework", "target_code"]]
            .drop_duplicates()
            .groupby("learner_id")
            .size()
            .rename("skills")
        )
        per = people.join(held, on="learner_id").join(targets, on="learner_id")
        per["credentials"] = per["credentials"].fillna(0).astype(float)
        per["skills"] = per["skills"].fillna(0).astype(float)
        means = (
            per.groupby("group", dropna=False)
            .agg(
                n=("group", "size"),
                credentials_mean=("credentials", "mean"),
                credentials_sd=("credentials", "std"),
                skills_mean=("skills", "mean"),
                skills_sd=("skills", "std"),
            )
            .reset_index()
            .sort_values("group", ignore_index=True)
        )
        achievements = read(root, "achievements", ["achievement_id", "achievement_type", "level"])
        issuers = read(root, "issuers", ["issuer_id", "issuer_type"])
        kinds = credentials.merge(achievements, on="achievement_id", how="left").merge(
            issuers, on="issuer_id", how="left"
        )
        kinds = people.merge(kinds, on="learner_id")
        # holders of each kind: distinct learners per group and category of a dimension
        parts = []
        for d in ("achievement_type", "level", "issuer_type"):
            holders = (
                kinds.assign(category=label(kinds[d]))
                .groupby(["group", "category"], dropna=False)["learner_id"]
                .nunique()
                .rename("n")
                .reset_index()
            )
            parts.append(holders.assign(dimension=d))
        shares = pd.concat(parts, ignore_index=True)[["group", "dimension", "category", "n"]]
    rows: list[pd.DataFrame] = []
    for measure, column in (
        ("credentials_per_learner", "credentials"),
        ("skills_per_learner", "skills"),
    ):
        part = means[["group", "n"]].copy()
        part["measure"] = measure
        part["dimension"] = ""
        part["category"] = ""
        part["estimate"] = means[f"{column}_mean"].astype(float)
        part["sd"] = means[f"{column}_sd"].astype(float)
        low, high = t_interval(part["estimate"], part["sd"], part["n"], confidence)
        part["ci_low"], part["ci_high"] = low, high
        part["total"] = part["n"]
        rows.append(part)
    sizes = dict(zip(means["group"], means["n"].astype(int), strict=True))
    shares["total"] = shares["group"].map(sizes).astype("int64")
    shares["measure"] = "share_holding"
    shares["sd"] = np.nan
    _proportion(shares, "n", "total", confidence)
    order = {"achievement_type": 0, "level": 1, "issuer_type": 2}
    shares = (
        shares.assign(_d=shares["dimension"].map(order))
        .sort_values(["group", "_d", "category"], ignore_index=True)
        .drop(columns="_d")
    )
    rows.append(shares)
    frame = pd.concat(rows, ignore_index=True)
    frame = _suppress_groups(frame, means[["group", "n"]], min_cell=min_cell)
    frame = suppress(frame, count="n", min_cell=min_cell, by=("measure", "dimension", "category"))
    frame = frame.rename(columns={"group": by})
    columns = [
        by,
        "measure",
        "dimension",
        "category",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "suppressed",
        "total",
        "sd",
    ]
    return finish(
        frame[columns],
        analysis="credential_attainment",
        parameters={"by": by, "cohort": None, "interval": "t (means), Wilson (shares)"},
        min_cell=min_cell,
        confidence=confidence,
        groups=[by, "dimension", "category"],
        hide=["total", "sd"],
    )


# -- 3. LER funnel ---------------------------------------------------------------------------


def ler_funnel(
    root: Path, by: str = "pathway", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        learners = read(root, "learners", ["learner_id", "cohort", by])
        learners = learners[learners["cohort"] == "ler"]
        flags = pd.DataFrame({"learner_id": learners["learner_id"], "group": label(learners[by])})
        events = read(root, "ler_events", ["learner_id", "event"])
        reached = events.groupby(["learner_id", "event"]).size().unstack(fill_value=0) > 0
        applications = read(root, "applications", ["learner_id", "hired"])
        applied = applications.assign(hired=applications["hired"].fillna(False).astype(bool))
        applied = applied.groupby("learner_id")["hired"].any().to_frame()
        applied["applied"] = True
        for stage in FUNNEL_STAGES:
            source = reached if stage in reached.columns else applied
            if stage in source.columns:
                flags[stage] = flags["learner_id"].map(source[stage]).fillna(False).astype(bool)
            else:
                flags[stage] = False
        aggregates = {"total": flags.groupby("group").size()}
        for i, stage in enumerate(FUNNEL_STAGES):
            aggregates[stage] = flags.groupby("group")[stage].sum()
            if i:
                both = flags[stage] & flags[FUNNEL_STAGES[i - 1]]
                aggregates[f"{stage}__converted"] = both.groupby(flags["group"]).sum()
        counts = pd.DataFrame(aggregates).rename_axis("group").reset_index()
        counts = counts.sort_values("group", ignore_index=True)
    frame = funnel_table(counts, min_cell=min_cell, confidence=confidence)
    frame = frame.rename(columns={"group": by})
    return finish(
        frame,
        analysis="ler_funnel",
        parameters={"by": by, "cohort": "ler", "stages": list(FUNNEL_STAGES)},
        min_cell=min_cell,
        confidence=confidence,
        groups=[by, "stage"],
        hide=[
            "total",
            "previous_n",
            "converted",
            "conversion",
            "conversion_low",
            "conversion_high",
        ],
    )


# -- 4. outcome rates ------------------------------------------------------------------------


def outcome_rates(
    root: Path, by: str = "race_ethnicity", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed"])
        period = str(outcomes["period"].max())
        quarter = outcomes[outcomes["period"] == period]
        learners = read(root, "learners", ["learner_id", by])
        joined = quarter.merge(learners, on="learner_id")
        cells = pd.DataFrame(
            {by: label(joined[by]), "flag": joined["employed"].fillna(False).astype(bool)}
        )
        counts = (
            cells.groupby(by, dropna=False).agg(n=("flag", "size"), k=("flag", "sum")).reset_index()
        )
    # rates, gaps and suppression are lerkit's statistics step, shared
    table = outcome_table(
        counts, [by], measure="employment_rate", min_cell=min_cell, confidence=confidence
    )
    return finish(
        table,
        analysis="outcome_rates",
        parameters={"outcome": "employed", "by": by, "period": period},
        min_cell=min_cell,
        confidence=confidence,
        groups=[by],
        hide=["k", "gap", "gap_low", "gap_high"],
    )


# -- 5. process efficiency -------------------------------------------------------------------


def process_efficiency(
    root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        apps = read(root, "applications", ["credential_check", "check_days", "hired"])
        raw = apps[apps["check_days"].notna() & apps["credential_check"].notna()].copy()
        raw["hired"] = raw["hired"].astype("boolean").fillna(False).astype(bool)
    # the statistics (t, order-statistic and Welch intervals, suppression) are lerkit's
    frame = efficiency_table(raw, [], min_cell=min_cell, confidence=confidence)
    return finish(
        frame,
        analysis="process_efficiency",
        parameters={"by": ("credential_check",)},
        min_cell=min_cell,
        confidence=confidence,
        groups=["credential_check"],
        hide=("hires", "p_value"),
    )


# -- 6. adverse impact -----------------------------------------------------------------------


def adverse_impact(root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95) -> pd.DataFrame:
    by = ("gender", "race_ethnicity")
    stage = "hired"
    with DATA():
        apps = read(root, "applications", ["learner_id", "screen", stage])
        learners = read(root, "learners", ["learner_id", *by])
        joined = apps.merge(learners, on="learner_id")
        joined["selected"] = joined[stage].fillna(False).astype("int64")
        parts = []
        for dims in [("gender",), ("race_ethnicity",), by]:
            counts = (
                joined.groupby(["screen", *dims], dropna=False)
                .agg(n=("selected", "size"), selected=("selected", "sum"))
                .reset_index()
            )
            labels = counts[list(dims)].astype("string").fillna("unknown")
            counts = counts.assign(
                dimension=" × ".join(dims),
                category=labels.agg(" × ".join, axis=1),
                unknown_demographics=(labels == "unknown").any(axis=1).to_numpy(),
            )
            for column in dims:
                counts[column] = labels[column]
            parts.append(counts)
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[["screen", "dimension", "category", *by, "n", "selected", "unknown_demographics"]]
    frame["screen"] = frame["screen"].astype(str)
    frame["n"] = frame["n"].astype("int64")
    frame["selected"] = frame["selected"].astype("int64")
    frame = frame.sort_values(["screen", "dimension", "category"], ignore_index=True)
    frame = suppress(
        frame,
        count="n",
        min_cell=min_cell,
        by=("screen", "dimension"),
        totals=[[c] for c in by],
        numerators=["selected"],
    )
    total = frame.groupby(["screen", "dimension"])["n"].transform("sum")
    frame["excluded_small_category"] = ~frame["unknown_demographics"] & (frame["n"] < 0.0 * total)
    frame = _ratios_and_tests(frame, confidence=confidence, fisher_below=5.0)
    frame["measure"] = f"selection_rate_{stage}"
    frame["small_sample"] = frame["n"] < 30
    result = finish(
        frame,
        analysis="adverse_impact",
        parameters={"stage": stage, "by": list(by)},
        min_cell=min_cell,
        confidence=confidence,
        groups=["screen", "dimension", "category"],
        hide=[
            "selected",
            "impact_ratio",
            "four_fifths",
            "difference",
            "difference_ci_low",
            "difference_ci_high",
            "p_value",
            "test",
        ],
    )
    result.attrs["caveats"] = list(CAVEATS)
    return result


# -- 7. degree vs skills ---------------------------------------------------------------------


def degree_vs_skills(
    root: Path, by: str = "race_ethnicity", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    qualified_share = QUALIFIED_SHARE
    with DATA():
        apps = read(
            root,
            "applications",
            ["application_id", "learner_id", "posting_id", "screen", "screened_in"],
        )
        postings = read(root, "postings", ["posting_id", "requires_degree", "required_skills"])
        credentials = read(root, "credentials", ["learner_id", "achievement_id"])
        alignments = read(root, "alignments", ["achievement_id", "target_code"])
        learners = read(root, "learners", ["learner_id", by, "highest_education", "stars"])
        required = (
            postings[["posting_id", "required_skills"]]
            .explode("required_skills")
            .dropna(subset=["required_skills"])
            .drop_duplicates()
            .rename(columns={"required_skills": "skill"})
        )
        held = (
            credentials.merge(alignments, on="achievement_id")[["learner_id", "target_code"]]
            .drop_duplicates()
            .rename(columns={"target_code": "skill"})
        )
        held["has"] = 1
        wanted = apps[["application_id", "learner_id", "posting_id"]].merge(
            required, on="posting_id"
        )
        matched = wanted.merge(held, on=["learner_id", "skill"], how="left")
        match = matched.groupby("application_id").agg(
            m_required=("skill", "size"), m_held=("has", "count")
        )
        education = learners["highest_education"]
        people = pd.DataFrame(
            {
                "learner_id": learners["learner_id"],
                "group": learners[by].astype("string"),
                "degree_ok": nullable(education.isin(DEGREE_LEVELS), education.notna()),
                "stars": learners["stars"].astype("boolean").fillna(False),
            }
        )
        jobs = pd.DataFrame(
            {
                "posting_id": postings["posting_id"],
                "requires_degree": postings["requires_degree"].astype("boolean").fillna(False),
            }
        )
        pool = (
            apps.join(match, on="application_id")
            .merge(people, on="learner_id")
            .merge(jobs, on="posting_id")
        )
        share = (pool["m_held"].astype(float) / pool["m_required"].astype(float)).fillna(0.0)
        pool["skills_ok"] = share >= qualified_share - 1e-9
        pool["screened_in"] = pool["screened_in"].astype("boolean").fillna(False)

        def totals(table: pd.DataFrame) -> pd.DataFrame:
            degree = table["screen"] == "degree"
            skills = table["screen"] == "skills"
            focus = table["stars"] & table["skills_ok"] & degree
            required = table["requires_degree"] & table["skills_ok"]
            flags = {
                "skills_qualified": table["skills_ok"],
                "degree_qualified": table["degree_ok"],
                "req_skills_qualified": required,
                "req_gap": required & ~table["degree_ok"],
                "stars_focus": focus,
                "stars_focus_out": focus & ~table["screened_in"],
                "degree_pool": degree,
                "degree_pass": degree & table["screened_in"],
                "skills_pool": skills,
                "skills_pass": skills & table["screened_in"],
            }
            out = pd.DataFrame(
                {k: v.astype("boolean").fillna(False).astype("int64") for k, v in flags.items()}
            )
            out.insert(0, "applications", 1)
            out["group"] = table["group"].astype(object).where(table["group"].notna(), "unknown")
            return out

        flags = totals(pool)
        grouped = flags.groupby("group").sum().reset_index()
        overall = flags.drop(columns="group").sum().to_frame().T.assign(group="all")
    counts = pd.concat([grouped, overall], ignore_index=True)
    counts["group"] = counts["group"].astype(str)
    counts = counts.set_index("group")
    rates = {
        "skills_qualified": ("skills_qualified", "applications"),
        "degree_qualified": ("degree_qualified", "applications"),
        "opportunity_gap": ("req_gap", "req_skills_qualified"),
        "degree_screen_exclusion_qualified_stars": ("stars_focus_out", "stars_focus"),
    }
    shares = {
        "share_of_applicants": "applications",
        "share_of_degree_screen_pool": "degree_pool",
        "share_passing_degree_screen": "degree_pass",
        "share_of_skills_screen_pool": "skills_pool",
        "share_passing_skills_screen": "skills_pass",
    }
    rows: list[dict[str, Any]] = []
    records: dict[Any, dict[Any, Any]] = counts.to_dict("index")
    for group, row in records.items():
        for measure, (num, den) in rates.items():
            k, n = int(row[num]), int(row[den])
            rows.append({"measure": measure, "group": group, "k": k, "n": n, "cell": n})
        if group == "all":
            continue
        for measure, column in shares.items():
            k, n = int(row[column]), int(records["all"][column])
            rows.append({"measure": measure, "group": group, "k": k, "n": n, "cell": k})
    frame = with_rates(pd.DataFrame(rows), confidence=confidence)
    frame = frame.sort_values(["measure", "group"], ignore_index=True)
    # a rate (cell = n) is also hidden when its k or n - k is small; a share's cell is k
    frame["rate_k"] = frame["k"].where(frame["cell"] == frame["n"])
    frame = suppress(frame, count="cell", min_cell=min_cell, by=("measure",), numerators=["rate_k"])
    frame = frame.drop(columns=["cell", "rate_k"])
    return finish(
        frame,
        analysis="degree_vs_skills",
        parameters={"by": by, "qualified_share": qualified_share},
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=["k"],
    )


# -- 8. degree requirement follow-through ----------------------------------------------------


def degree_requirement_follow_through(
    root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        postings = read(
            root, "postings", ["posting_id", "employer_id", "posted_on", "requires_degree"]
        )
        posted = pd.to_datetime(postings["posted_on"])
        postings["category"] = posted.dt.year.astype(str) + "Q" + posted.dt.quarter.astype(str)
        postings["month"] = posted.dt.to_period("M").dt.to_timestamp()
        postings["k"] = postings["requires_degree"].fillna(False).astype("int64")
        quarterly = (
            postings.groupby("category", dropna=False)
            .agg(n=("k", "size"), k=("k", "sum"))
            .reset_index()
            .sort_values("category", ignore_index=True)
        )
        monthly = (
            postings.groupby(["employer_id", "month"], dropna=False)
            .agg(n=("k", "size"), k=("k", "sum"))
            .reset_index()
        )
        apps = read(root, "applications", ["learner_id", "posting_id", "hired"])
        learners = read(root, "learners", ["learner_id", "highest_education"])
        hired = (
            apps[apps["hired"].fillna(False).astype(bool)]
            .merge(postings[["posting_id", "employer_id", "month"]], on="posting_id")
            .merge(learners, on="learner_id")
        )
        education = hired["highest_education"]
        hired["nondegree"] = nullable(~education.isin(DEGREE_LEVELS), education.notna())
        hires = (
            hired.groupby(["employer_id", "month"], dropna=False)
            .agg(hires=("nondegree", "size"), nondegree=("nondegree", "sum"))
            .reset_index()
        )
    quarterly = with_rates(quarterly, confidence=confidence).assign(
        part="quarterly", measure="share_postings_requiring_degree"
    )
    # the permutation scans and typology are lerkit's statistics step on the small
    # employer-by-month frames, shared as every baseline shares its statistics
    employers = typology(monthly, hires, confidence=confidence)
    return follow_through_table(
        quarterly, employers, parameters={}, min_cell=min_cell, confidence=confidence
    )


# -- 9. time to employment -------------------------------------------------------------------


def time_to_employment(
    root: Path, by: str = "pathway", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    with DATA():
        learners = read(root, "learners", ["learner_id", "enrolled_on", by])
        credentials = read(root, "credentials", ["learner_id", "issued_on"])
        credentials["issued_on"] = pd.to_datetime(credentials["issued_on"])
        learners["enrolled_on"] = pd.to_datetime(learners["enrolled_on"])
        joined = credentials.merge(learners[["learner_id", "enrolled_on"]], on="learner_id")
        joined = joined[joined["issued_on"] >= joined["enrolled_on"]]
        starts = joined.groupby("learner_id")["issued_on"].min().rename("start").reset_index()
        starts["start_q"] = _quarter(starts["start"])
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed"])
        # twelve distinct periods: convert each once
        quarters = {p: quarter_index(str(p)) for p in outcomes["period"].unique()}
        outcomes["q"] = outcomes["period"].map(quarters).astype("int64")
        last = int(outcomes["q"].max())
        employed = outcomes.loc[
            outcomes["employed"].fillna(False).astype(bool), ["learner_id", "q"]
        ]
        after = employed.merge(starts[["learner_id", "start_q"]], on="learner_id")
        after = after[after["q"] > after["start_q"]]
        first = after.groupby("learner_id")["q"].min().rename("first_q")
        group = learners[["learner_id"]].assign(group=learners[by].astype("string"))
        people = starts.merge(group, on="learner_id").join(first, on="learner_id")
        people["event"] = people["first_q"].notna().astype("int64")
        people["duration"] = people["first_q"].fillna(last).astype("int64") - people["start_q"]
        people = people[people["duration"] > 0]
        counts = (
            people.groupby(["group", "duration"], dropna=False)
            .agg(entered=("event", "size"), events=("event", "sum"))
            .reset_index()
            .sort_values(["group", "duration"], ignore_index=True)
        )
    counts["group"] = counts["group"].astype(str)
    counts = counts.astype({"duration": "int64", "entered": "int64", "events": "int64"})
    counts["censored"] = counts["entered"] - counts["events"]
    frame = survival_table(counts, min_cell=min_cell, confidence=confidence)
    return finish(
        frame,
        analysis="time_to_employment",
        parameters={"by": by, "start": "credential", "unit": "quarters"},
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=("events", "censored"),
    )


# -- 10, 11, 12: periods, detectable effect, pilot evaluation, gap decomposition -------------


def _post_periods(outcomes: pd.DataFrame, learners: pd.DataFrame) -> list[str]:
    """Quarters after the last enrolment quarter (lerkit's default post period)."""
    last = int(_quarter(pd.Series([learners["enrolled_on"].max()])).iloc[0])
    return sorted(p for p in outcomes["period"].astype(str).unique() if quarter_index(p) > last)


def _pre_periods(outcomes: pd.DataFrame, learners: pd.DataFrame) -> list[str]:
    first = int(_quarter(pd.Series([learners["enrolled_on"].min()])).iloc[0])
    return sorted(p for p in outcomes["period"].astype(str).unique() if quarter_index(p) < first)


def detectable_effect(root: Path) -> pd.DataFrame:
    with DATA():
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed", "hourly_wage"])
        learners = read(root, "learners", ["learner_id", "cohort", "enrolled_on"])
        periods = _post_periods(outcomes, learners)
        rows = outcomes[
            outcomes["period"].isin(periods)
            & outcomes["employed"].fillna(False).astype(bool)
            & outcomes["hourly_wage"].notna()
            & (outcomes["hourly_wage"] > 0)
        ]
        per = rows.groupby("learner_id")["hourly_wage"].mean().rename("y").reset_index()
        joined = per.merge(learners[["learner_id", "cohort"]], on="learner_id")
        frame = joined.groupby("cohort")["y"].agg(n="count", mean="mean", var="var")
    ler, comp = frame.loc["ler"], frame.loc["comparison"]
    n1, n2 = float(ler["n"]), float(comp["n"])
    pooled = math.sqrt(((n1 - 1) * ler["var"] + (n2 - 1) * comp["var"]) / (n1 + n2 - 2))
    result = power_analysis(
        n=n1, alpha=0.05, power=0.8, outcome="mean", sd=pooled, ratio=n2 / n1, effect=None
    )
    result["mean_ler"] = float(ler["mean"])
    result["mean_comparison"] = float(comp["mean"])
    result["period"] = ",".join(periods)
    return result


def _terms(frame: pd.DataFrame, covariates: list[str]) -> list[str]:
    """Formula terms: numbers as they are, strings and booleans as categories."""
    terms = []
    for name in covariates:
        column = frame[name]
        numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        terms.append(name if numeric else f"C({name})")
    return terms


def _row(
    fit: Any, *, name: str, method: str, n: int, n_ler: int, n_comp: int, confidence: float
) -> dict[str, Any]:
    """The arm's coefficient of a statsmodels fit as a result row."""
    term = "ler:post" if "ler:post" in fit.params.index else "ler"
    low, high = fit.conf_int(alpha=1 - confidence).loc[term]
    return {
        "measure": name,
        "estimate": float(fit.params[term]),
        "ci_low": float(low),
        "ci_high": float(high),
        "n": n,
        "se": float(fit.bse[term]),
        "p_value": float(fit.pvalues[term]),
        "n_ler": n_ler,
        "n_comparison": n_comp,
        "method": method,
    }


def pilot_evaluation(
    root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    covariates = list(DEFAULT_COVARIATES)
    cluster = "learner_id"
    with DATA():
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed", "hourly_wage"])
        learners = read(
            root,
            "learners",
            [
                "learner_id",
                "cohort",
                "enrolled_on",
                "birth_year",
                "stars",
                "pathway",
                "highest_education",
            ],
        )
        pre, post = _pre_periods(outcomes, learners), _post_periods(outcomes, learners)
        rows = outcomes[
            outcomes["period"].isin([*pre, *post])
            & outcomes["employed"].fillna(False).astype(bool)
            & outcomes["hourly_wage"].notna()
            & (outcomes["hourly_wage"] > 0)
        ]
        rows = rows.assign(post=rows["period"].isin(post).astype("int64"))
        panel = (
            rows.groupby(["learner_id", "post"])["hourly_wage"]
            .agg(y="mean", quarters="count")
            .reset_index()
        )
        people = pd.DataFrame(
            {
                "learner_id": learners["learner_id"],
                "ler": (learners["cohort"] == "ler").astype("int64"),
                "stars": learners["stars"],
                "pathway": learners["pathway"],
                "age": (
                    pd.to_datetime(learners["enrolled_on"]).dt.year - learners["birth_year"]
                ).astype("float64"),
                "highest_education": learners["highest_education"],
            }
        )
        panel = panel.merge(people, on="learner_id").sort_values(["learner_id", "post"])
        panel = panel.dropna(subset=["y", *covariates, cluster]).reset_index(drop=True)
    after = panel[panel["post"] == 1]
    both = panel.groupby("learner_id")["post"].transform("nunique") == 2
    panel = panel[both].reset_index(drop=True)
    terms = _terms(panel, covariates)
    groups = pd.factorize(panel[cluster])[0]
    clustered = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}

    def counts(frame: pd.DataFrame) -> tuple[int, int, int]:
        arms = frame.drop_duplicates("learner_id")["ler"]
        return len(arms), int(arms.sum()), int((arms == 0).sum())

    fits = []
    n, n_ler, n_comp = counts(after)
    fits.append(
        (
            "naive",
            "post-period difference of means, HC3",
            smf.ols("y ~ ler", data=after).fit(cov_type="HC3"),
            (n, n_ler, n_comp),
        )
    )
    sizes = counts(panel)
    fits.append(
        (
            "did",
            f"2x2 difference in differences, SE clustered by {cluster}",
            smf.ols("y ~ ler * post", data=panel).fit(**clustered),
            sizes,
        )
    )
    rhs = " + ".join([*terms, *(f"{t}:post" for t in terms)])
    fits.append(
        (
            "did_adjusted",
            f"difference in differences, covariates x post, SE clustered by {cluster}",
            smf.ols(f"y ~ ler * post + {rhs}", data=panel).fit(**clustered),
            sizes,
        )
    )
    fits.append(
        (
            "regression",
            "post-period OLS with covariates, HC3",
            smf.ols(f"y ~ ler + {' + '.join(terms)}", data=after).fit(cov_type="HC3"),
            counts(after),
        )
    )
    frame = pd.DataFrame(
        [
            _row(
                fit,
                name=name,
                method=method,
                n=s[0],
                n_ler=s[1],
                n_comp=s[2],
                confidence=confidence,
            )
            for name, method, fit, s in fits
        ]
    )
    frame["suppressed"] = np.minimum(frame["n_ler"], frame["n_comparison"]) < min_cell
    return finish(
        frame,
        analysis="pilot_evaluation",
        parameters={"pre": pre, "post": post, "covariates": covariates},
        min_cell=min_cell,
        confidence=confidence,
        hide=("se", "p_value", "n_ler", "n_comparison"),
    )


def gap_decomposition(
    root: Path, n_boot: int = 500, min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    group, reference, comparison = "race_ethnicity", "white", "black"
    explanatory = list(DEFAULT_EXPLANATORY)
    with DATA():
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed", "hourly_wage"])
        learners = read(
            root,
            "learners",
            [
                "learner_id",
                group,
                "cohort",
                "pathway",
                "highest_education",
                "enrolled_on",
                "birth_year",
            ],
        )
        periods = _post_periods(outcomes, learners)
        rows = outcomes[
            outcomes["period"].isin(periods)
            & outcomes["employed"].fillna(False).astype(bool)
            & outcomes["hourly_wage"].notna()
            & (outcomes["hourly_wage"] > 0)
        ]
        wages = np.log(rows["hourly_wage"]).groupby(rows["learner_id"]).mean().rename("y")
        people = pd.DataFrame(
            {
                "learner_id": learners["learner_id"],
                group: learners[group],
                "has_ler": (learners["cohort"] == "ler").astype("int64"),
                "pathway": learners["pathway"],
                "highest_education": learners["highest_education"],
                "age": (
                    pd.to_datetime(learners["enrolled_on"]).dt.year - learners["birth_year"]
                ).astype("float64"),
            }
        )
        end = max(periods)
        year, quarter = int(end[:4]), int(end[5])
        cutoff = pd.Timestamp(year=year, month=quarter * 3, day=1) + pd.offsets.MonthEnd(0)
        credentials = read(root, "credentials", ["learner_id", "issued_on"])
        held = credentials[pd.to_datetime(credentials["issued_on"]) <= cutoff]
        count = held.groupby("learner_id").size().rename("credentials_count")
        frame = people.join(wages, on="learner_id", how="inner").join(count, on="learner_id")
        frame["credentials_count"] = frame["credentials_count"].fillna(0).astype(float)
        frame = frame.sort_values("learner_id", ignore_index=True)
    table = oaxaca_blinder(
        frame,
        outcome="y",
        group=group,
        reference=reference,
        comparison=comparison,
        explanatory=explanatory,
        n_boot=n_boot,
        confidence=confidence,
        random_state=0,
    )
    table["suppressed"] = np.minimum(table["n_reference"], table["n_comparison"]) < min_cell
    return finish(
        table,
        analysis="gap_decomposition",
        parameters={"periods": periods, "n_boot": n_boot},
        min_cell=min_cell,
        confidence=confidence,
        hide=("share_of_gap", "n_reference", "n_comparison"),
    )


# -- 13. learner profile (tables only, no verification) --------------------------------------


def learner_profile(root: Path, learner_id: str, qualified_share: float = 0.5, k: int = 10) -> Any:
    """The same :class:`~lerkit.analysis.LearnerProfile` parts (``verify=False``)."""
    from lerkit.analysis._profile import LearnerProfile

    with DATA():
        credentials = read(root, "credentials", ["credential_id", "learner_id", "achievement_id"])
        mine = credentials[credentials["learner_id"] == learner_id]
        alignments = read(
            root, "alignments", ["achievement_id", "framework", "target_code", "target_name"]
        )
        per = mine.groupby("achievement_id").size().rename("held")
        skills = alignments[alignments["achievement_id"].isin(set(mine["achievement_id"].dropna()))]
        skills = (
            skills.join(per, on="achievement_id")
            .groupby("target_code", sort=True)
            .agg(
                framework=("framework", "first"),
                target_name=("target_name", "first"),
                credentials=("held", "sum"),
            )
            .reset_index()
        )
        held = set(skills["target_code"])
        postings = read(root, "postings", ["posting_id", "wage", "required_skills"])
        required = postings["required_skills"].map(
            lambda v: sorted(set(v)) if v is not None and not _isna(v) else []
        )
        postings["required"] = required.map(len).astype("int64")
        postings["covered"] = required.map(lambda r: sum(s in held for s in r)).astype("int64")
        postings = postings[postings["required"] > 0].copy()
        postings["coverage"] = postings["covered"] / postings["required"]
        match = postings[postings["coverage"] >= qualified_share - 1e-12]
        match = match.sort_values(
            ["coverage", "wage", "posting_id"], ascending=[False, False, True], na_position="last"
        ).head(k)
    return LearnerProfile(
        learner_id, mine.reset_index(drop=True), skills, match.reset_index(drop=True)
    )


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# -- 8a. wage mobility (lerkit/analysis/_mobility.py) ---------------------------------------


def wage_mobility(
    root: Path, by: str = "pathway", min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    """Wage change from the first to the last quarter, by group (lerkit's defaults)."""
    # imported here: the module is newer than this baseline and may be absent
    from lerkit.analysis._intervals import wilson
    from lerkit.analysis._mobility import _group_cells, _median_bounds

    with DATA():
        pairs, first, last = _window_pairs(root, by)
        pre, post = [first], [last]
        rows = pairs[pairs["pre_wage"].notna() & pairs["post_wage"].notna()].copy()
        rows["change"] = rows["post_wage"] - rows["pre_wage"]
        rows["log_change"] = np.log(rows["post_wage"]) - np.log(rows["pre_wage"])
        rows["gain"] = (rows["change"] > 0).astype("int64")
        counts = (
            rows.groupby("g_0")
            .agg(
                n=("change", "size"),
                gains=("gain", "sum"),
                mean=("change", "mean"),
                sd=("change", "std"),
                log_mean=("log_change", "mean"),
                log_sd=("log_change", "std"),
                median=("change", "median"),
            )
            .reset_index()
        )
        sorted_changes = {
            str(k): np.sort(v.to_numpy(dtype=float)) for k, v in rows.groupby("g_0")["change"]
        }
    counts = counts.astype({"n": "int64", "gains": "int64", "g_0": str})
    counts = counts.sort_values("g_0", ignore_index=True)
    counts = _group_cells(counts, ["g_0"], min_cell)
    records: list[dict[str, Any]] = []
    for values in counts.to_dict("records"):
        n = int(values["n"])
        common = {
            by: values["g_0"],
            "n": n,
            "suppressed": bool(values["suppressed"]),
            "gains": None,
        }
        low, high = t_interval(values["mean"], values["sd"], n, confidence)
        records.append(
            {
                **common,
                "measure": "mean_change_usd",
                "estimate": values["mean"],
                "ci_low": float(low),
                "ci_high": float(high),
                "sd": values["sd"],
            }
        )
        low, high = t_interval(values["log_mean"], values["log_sd"], n, confidence)
        records.append(
            {
                **common,
                "measure": "mean_log_change_pct",
                "estimate": 100.0 * values["log_mean"],
                "ci_low": 100.0 * float(low),
                "ci_high": 100.0 * float(high),
                "sd": 100.0 * values["log_sd"],
            }
        )
        ranks = _median_bounds(n, confidence)
        x = sorted_changes[values["g_0"]]
        m_low, m_high = (x[ranks[0] - 1], x[ranks[1] - 1]) if ranks else (math.nan, math.nan)
        records.append(
            {
                **common,
                "measure": "median_change_usd",
                "estimate": values["median"],
                "ci_low": float(m_low),
                "ci_high": float(m_high),
                "sd": math.nan,
            }
        )
        w_low, w_high = wilson(values["gains"], n, confidence)
        few = min(values["gains"], n - values["gains"]) < min_cell
        records.append(
            {
                **common,
                "measure": "share_with_gain",
                "estimate": values["gains"] / n,
                "ci_low": float(w_low),
                "ci_high": float(w_high),
                "sd": math.nan,
                "suppressed": common["suppressed"] or few,
                "gains": values["gains"],
            }
        )
    frame = pd.DataFrame.from_records(records)
    frame = frame[
        [by, "measure", "estimate", "ci_low", "ci_high", "n", "suppressed", "sd", "gains"]
    ]
    frame["gains"] = frame["gains"].astype("Int64")
    return finish(
        frame,
        analysis="wage_mobility",
        parameters={"by": by, "pre": pre, "post": post},
        min_cell=min_cell,
        confidence=confidence,
        groups=[by],
        hide=["sd", "gains"],
    )


# -- 15. where to act (lerkit/analysis/_targeting.py) ---------------------------------------


def where_to_act(root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95) -> pd.DataFrame:
    """Employment-rate gaps to the population by region, earlier occupation and pathway."""
    # imported here: the module is newer than this baseline and may be absent
    from lerkit.analysis._targeting import NO_EARLIER_JOB, _gaps, _hide, _rank

    names = ["region", "occupation", "pathway"]
    with DATA():
        outcomes = read(
            root, "outcomes", ["learner_id", "period", "employed", "hourly_wage", "occupation_soc"]
        )
        quarter = str(outcomes["period"].dropna().astype(str).max())
        now = outcomes.loc[outcomes["period"] == quarter, ["learner_id", "employed", "hourly_wage"]]
        learners = read(root, "learners", ["learner_id", "region", "pathway"])
        rows = learners.merge(now, on="learner_id")
        earlier = outcomes[
            (outcomes["period"] < quarter)
            & outcomes["employed"].fillna(False).astype(bool)
            & outcomes["occupation_soc"].notna()
        ]
        previous = earlier.sort_values("period").groupby("learner_id")["occupation_soc"].last()
        rows["occupation"] = rows["learner_id"].map(previous).fillna(NO_EARLIER_JOB)
        y = rows["employed"].fillna(False).astype("int64").astype(float)
        parts = [
            pd.DataFrame(
                {
                    "dimension": name,
                    "category": rows[name].astype(object)
                    if name == "occupation"
                    else label(rows[name]),
                    "side": "all",
                    "y": y,
                    "y2": y * y,
                }
            )
            for name in names
        ]
        counts = (
            pd.concat(parts, ignore_index=True)
            .groupby(["dimension", "category", "side"], dropna=False)
            .agg(n=("y", "size"), s=("y", "sum"), ss=("y2", "sum"))
            .reset_index()
        )
        titles = read(root, "occupations", ["occupation_soc", "title"])
    counts = counts.astype({"n": "int64", "s": float, "ss": float})
    table = _gaps(counts, names, False, "overall", None, True, confidence)
    table = _hide(table, False, True, min_cell)
    table = _rank(table)
    named = dict(
        zip(titles["occupation_soc"].astype(str), titles["title"].astype(str), strict=True)
    )
    named[NO_EARLIER_JOB] = "No earlier job"
    table["label"] = [
        named.get(str(c), str(c)) if d == "occupation" else str(c)
        for d, c in zip(table["dimension"], table["category"], strict=True)
    ]
    table["measure"] = "employment_rate_gap"
    columns = [
        "dimension",
        "category",
        "measure",
        "estimate",
        "ci_low",
        "ci_high",
        "n",
        "suppressed",
        "label",
        "value",
        "value_low",
        "value_high",
        "reference_value",
        "k",
        "others_n",
        "shortfall",
        "score",
        "rank",
    ]
    result = finish(
        table[columns],
        analysis="where_to_act",
        parameters={"dimensions": names, "outcome": "employed", "period": quarter},
        min_cell=min_cell,
        confidence=confidence,
        groups=["dimension", "category"],
        hide=["value", "value_low", "value_high", "k", "others_n", "shortfall", "score"],
    )
    result["rank"] = result["rank"].astype("Int64")
    return result


# -- 7. skills matching (lerkit/analysis/_matching.py) ----------------------------------------

_SKILL_TOL = 1e-9


def _held(root: Path, learner_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """(learner_id, skill_id): the distinct alignment codes of each learner's credentials."""
    credentials = read(root, "credentials", ["learner_id", "achievement_id"])
    if learner_ids is not None:
        credentials = credentials[credentials["learner_id"].isin(set(learner_ids))]
    alignments = read(root, "alignments", ["achievement_id", "target_code"])
    held = credentials.merge(alignments, on="achievement_id")
    held = held.rename(columns={"target_code": "skill_id"})[["learner_id", "skill_id"]]
    return held.dropna().drop_duplicates()


def _profiles(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Occupations (code, title, median_wage) and their distinct (occupation_soc, skill_id)."""
    occupations = read(root, "occupations", ["occupation_soc", "title", "median_wage", "skills"])
    profile = (
        occupations[["occupation_soc", "skills"]]
        .explode("skills")
        .rename(columns={"skills": "skill_id"})
        .dropna()
        .drop_duplicates()
    )
    return occupations.drop(columns="skills"), profile


def _top_k(
    held: pd.DataFrame,
    occupations: pd.DataFrame,
    profile: pd.DataFrame,
    k: int,
    qualified_share: float,
) -> pd.DataFrame:
    """Each learner's top k occupations: learner_id, occupation_soc, rank, score, ..."""
    sizes = profile.groupby("occupation_soc").size().rename("required").reset_index()
    pairs = held.merge(profile, on="skill_id")
    scored = pairs.groupby(["learner_id", "occupation_soc"]).size().rename("covered").reset_index()
    scored = scored.merge(sizes, on="occupation_soc").merge(occupations, on="occupation_soc")
    scored["score"] = scored["covered"].astype(float) / scored["required"].astype(float)
    scored["no_wage"] = scored["median_wage"].isna()
    scored = scored.sort_values(
        ["learner_id", "score", "no_wage", "median_wage", "occupation_soc"],
        ascending=[True, False, True, False, True],
    )
    scored["rank"] = scored.groupby("learner_id").cumcount() + 1
    top = scored[scored["rank"] <= k].drop(columns="no_wage")
    top = top.assign(qualified=top["score"] >= qualified_share - _SKILL_TOL)
    return top.reset_index(drop=True)


def top_occupations(
    root: Path, learner_ids: Sequence[str], k: int = 3, qualified_share: float = QUALIFIED_SHARE
) -> pd.DataFrame:
    """The top ``k`` occupations of the given learners and the skills they miss."""
    with DATA():
        held = _held(root, learner_ids)
        occupations, profile = _profiles(root)
        top = _top_k(held, occupations, profile, k, qualified_share)
        wanted = top[["learner_id", "occupation_soc"]].merge(profile, on="occupation_soc")
        wanted = wanted.merge(held.assign(has=True), on=["learner_id", "skill_id"], how="left")
        missing = (
            wanted[wanted["has"].isna()]
            .sort_values("skill_id")
            .groupby(["learner_id", "occupation_soc"])["skill_id"]
            .agg(tuple)
            .rename("missing_skills")
        )
        top = top.join(missing, on=["learner_id", "occupation_soc"])
    top["missing_skills"] = top["missing_skills"].map(lambda v: v if isinstance(v, tuple) else ())
    top = top.sort_values(["learner_id", "rank"], ignore_index=True)
    columns = ["learner_id", "rank", "occupation_soc", "title", "score", "covered", "required",
               "missing_skills", "median_wage", "qualified"]  # fmt: skip
    return top[columns].astype({"rank": "int64", "covered": "int64", "required": "int64"})


def skill_gaps(
    root: Path,
    by: str = "stars",
    k: int = 3,
    qualified_share: float = QUALIFIED_SHARE,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Missing skills blocking learners from their top ``k`` occupations, by group."""
    from lerkit.analysis._matching import _suppress_rates

    with DATA():
        held = _held(root)
        occupations, profile = _profiles(root)
        top = _top_k(held, occupations, profile, k, qualified_share)
        open_ = top.loc[~top["qualified"], ["learner_id", "occupation_soc"]]
        wanted = open_.merge(profile, on="occupation_soc")
        wanted = wanted.merge(held.assign(has=True), on=["learner_id", "skill_id"], how="left")
        blocking = wanted.loc[wanted["has"].isna(), ["learner_id", "skill_id"]].drop_duplicates()
        learners = read(root, "learners", ["learner_id", by])
        people = pd.DataFrame(
            {"learner_id": learners["learner_id"], "group": label(learners[by], "unknown")}
        )
        blocked = blocking.merge(people, on="learner_id")
        per_group = blocked.groupby(["skill_id", "group"]).size().rename("blocked").reset_index()
        sizes = people.groupby("group").size().rename("n").reset_index()
        skills = read(root, "skills", ["skill_id", "name"])
    overall = per_group.groupby("skill_id", as_index=False).agg(blocked=("blocked", "sum"))
    overall = overall.sort_values(["blocked", "skill_id"], ascending=[False, True])
    skill_ids = overall["skill_id"].astype(str).tolist()
    groups = [*sorted(sizes["group"]), "all"]
    grid = pd.MultiIndex.from_product([skill_ids, groups], names=["skill_id", "group"])
    counts = pd.concat([per_group, overall.assign(group="all")], ignore_index=True)
    counts["skill_id"] = counts["skill_id"].astype(str)
    frame = (
        counts.groupby(["skill_id", "group"])["blocked"].sum().reindex(grid, fill_value=0)
    ).reset_index()
    size = dict(zip(sizes["group"], sizes["n"].astype(int), strict=True))
    size["all"] = int(sizes["n"].sum())
    frame["n"] = frame["group"].map(size).astype("int64")
    frame["k"] = frame["blocked"].astype("int64")
    frame = with_rates(frame, confidence=confidence)
    frame["measure"] = "blocked_share"
    frame["suppressed"] = _suppress_rates(frame, table="skill_id", min_cell=min_cell)
    overall_rows = frame[frame["group"] == "all"].set_index("skill_id")
    shown_total = overall_rows["k"].where(~overall_rows["suppressed"].astype(bool))
    order = sorted(
        skill_ids,
        key=lambda s: (bool(pd.isna(shown_total[s])), -float(np.nan_to_num(shown_total[s])), s),
    )
    rank = {skill: i for i, skill in enumerate(order)}
    frame = frame.sort_values(
        "skill_id", key=lambda c: c.map(rank), kind="stable", ignore_index=True
    )
    names = dict(zip(skills["skill_id"].astype(str), skills["name"].astype(str), strict=True))
    frame["skill_name"] = frame["skill_id"].map(names).astype(object)
    return finish(
        frame.drop(columns="k"),
        analysis="skill_gaps",
        parameters={"by": by, "k": int(k), "qualified_share": qualified_share},
        min_cell=min_cell,
        confidence=confidence,
        groups=["skill_id", "group"],
        hide=["blocked"],
    )


def skill_distance(root: Path, reachable: float = 0.5, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Occupation-to-occupation skill distance, wage gain and the people behind each move."""
    from lerkit.analysis._matching import distance_pairs, suppress_people

    with DATA():
        occupations, profile = _profiles(root)
        sizes = profile.groupby("occupation_soc").size().rename("size")
        shared = profile.rename(columns={"occupation_soc": "origin"}).merge(
            profile.rename(columns={"occupation_soc": "destination"}), on="skill_id"
        )
        common = shared.groupby(["origin", "destination"]).size().rename("shared").reset_index()
        outcomes = read(root, "outcomes", ["learner_id", "period", "employed", "occupation_soc"])
        first, last = outcomes["period"].min(), outcomes["period"].max()
        working = outcomes[outcomes["employed"].fillna(False).astype(bool)]
        at_end = working.loc[working["period"] == last, ["learner_id", "occupation_soc"]]
        at_start = working.loc[working["period"] == first, ["learner_id", "occupation_soc"]]
        counted = at_end.groupby("occupation_soc").size().rename("employed_in_origin")
        movers = at_start.rename(columns={"occupation_soc": "origin"}).merge(
            at_end.rename(columns={"occupation_soc": "destination"}), on="learner_id"
        )
        movers = movers.dropna(subset=["origin", "destination"])
        movers = movers[movers["origin"] != movers["destination"]]
        counted_moves = movers.groupby(["origin", "destination"]).size().rename("moved")
    infos = occupations.join(sizes, on="occupation_soc", how="inner")
    codes, pairs = distance_pairs(infos, common, reachable)

    employed = pd.DataFrame({"origin": codes})
    employed["employed_in_origin"] = employed["origin"].map(counted).fillna(0).astype("int64")
    moved = pairs[["origin", "destination"]].join(counted_moves, on=["origin", "destination"])
    moved["moved"] = moved["moved"].fillna(0).astype("int64")
    employed, moved = suppress_people(employed, moved, min_cell)
    pairs = pairs.merge(employed, on="origin", how="left").merge(
        moved, on=["origin", "destination"], how="left"
    )
    return finish(
        pairs.drop(columns="shared"),
        analysis="skill_distance",
        parameters={"reachable": reachable},
        min_cell=min_cell,
        confidence=0.95,
        groups=["origin", "destination"],
    )


def matcher_fairness(
    root: Path,
    by: str = "race_ethnicity",
    qualified_share: float = QUALIFIED_SHARE,
    occupation_soc: str | None = None,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The share of postings the skills matcher recommends learners of each group for
    (lerkit's default ``per="posting"``; no region filter)."""
    from lerkit.analysis._matching import _impact_ratios, _posting_shares

    measures = ("recommended", "recommended_no_degree", "recommended_degree_screened")
    with DATA():
        postings = read(
            root, "postings", ["posting_id", "occupation_soc", "requires_degree", "required_skills"]
        )
        if occupation_soc is not None:
            if not (postings["occupation_soc"] == occupation_soc).any():
                raise ValueError(f"no posting has occupation_soc {occupation_soc!r}")
            postings = postings[postings["occupation_soc"] == occupation_soc]
        needs = (
            postings[["posting_id", "required_skills"]]
            .explode("required_skills")
            .rename(columns={"required_skills": "skill_id"})
            .dropna()
            .drop_duplicates()
        )
        # postings asking the same skills score the same: one requirement set each
        keys = needs.sort_values("skill_id").groupby("posting_id")["skill_id"].agg(tuple)
        sets = pd.DataFrame({"req_key": keys, "required": keys.map(len)})
        no_degree = ~postings.set_index("posting_id")["requires_degree"].fillna(False).astype(bool)
        sets["no_degree"] = no_degree.reindex(sets.index)
        sets = sets.groupby(["req_key", "required"], as_index=False).agg(
            no_degree=("no_degree", "max"), postings=("no_degree", "size"),
            postings_no_degree=("no_degree", "sum"),
        )  # fmt: skip
        matchable = int(sets["postings"].sum())
        req_skills = sets.explode("req_key", ignore_index=False).rename(
            columns={"req_key": "skill_id"}
        )
        req_skills["req"] = req_skills.index
        # learners holding the same requested skills score the same: one skill set each
        held = _held(root)
        held = held[held["skill_id"].isin(set(needs["skill_id"]))]
        learner_sets = held.sort_values("skill_id").groupby("learner_id")["skill_id"].agg(tuple)
        distinct = pd.Series(learner_sets.unique())
        set_skills = pd.DataFrame({"set": distinct.index, "skill_id": distinct.to_numpy()}).explode(
            "skill_id"
        )
        pairs = set_skills.merge(req_skills, on="skill_id")
        covered = pairs.groupby(["set", "req"]).agg(
            covered=("skill_id", "size"), required=("required", "first"),
            postings=("postings", "first"), postings_no_degree=("postings_no_degree", "first"),
        )  # fmt: skip
        hits = covered[
            covered["covered"].astype(float) / covered["required"].astype(float)
            >= qualified_share - _SKILL_TOL
        ].reset_index()
        per_set = hits.groupby("set").agg(
            matched=("postings", "sum"), matched_no_degree=("postings_no_degree", "sum")
        )
        flags = pd.DataFrame(
            {
                "learner_id": learner_sets.index,
                "set": pd.Index(distinct).get_indexer(learner_sets.to_numpy()),
            }
        )
        flags = flags.join(per_set, on="set", how="inner")
        learners = read(root, "learners", ["learner_id", by, "highest_education"])
        people = pd.DataFrame(
            {
                "learner_id": learners["learner_id"],
                "group": label(learners[by], "unknown"),
                "has_degree": learners["highest_education"].isin(DEGREE_LEVELS),
            }
        )
        scored = people.merge(flags, on="learner_id", how="left")
        match = scored["matched"].fillna(0).astype("int64")
        no_deg = scored["matched_no_degree"].fillna(0).astype("int64")
        values = {
            "recommended": match,
            "recommended_no_degree": no_deg,
            "recommended_degree_screened": match.where(scored["has_degree"], no_deg),
        }
        table = pd.DataFrame({"group": scored["group"], "n": 1})
        for m, v in values.items():
            table[f"{m}__sum"] = v
            table[f"{m}__squares"] = v * v
            table[f"{m}__some"] = (v > 0).astype("int64")
            table[f"{m}__every"] = (v >= matchable).astype("int64")
        counts = table.groupby("group", as_index=False).sum()
    columns = [c for c in counts.columns if c != "group"]
    total = counts[columns].sum().to_frame().T
    counts = pd.concat([counts, total.assign(group="all")], ignore_index=True)
    # the statistics step (t intervals over learners, suppression, impact ratios) is
    # lerkit's, shared
    frame = _posting_shares(counts, measures, matchable, min_cell, confidence)
    _impact_ratios(frame, measures)
    frame = frame.sort_values(["measure", "group"], ignore_index=True)
    return finish(
        frame,
        analysis="matcher_fairness",
        parameters={"by": by, "qualified_share": qualified_share, "occupation_soc": occupation_soc},
        min_cell=min_cell,
        confidence=confidence,
        groups=["group"],
        hide=["impact_ratio", "difference", "four_fifths_flag"],
    )


# -- 8b, 8c. wage change distribution, occupation transitions (_mobility.py) --------------


def _window_pairs(root: Path, by: str | None) -> tuple[pd.DataFrame, str, str]:
    """One row per learner with outcomes in the first and the last quarter, and those
    two quarters.

    Columns: ``g_0`` (the group label, "all" without ``by``), ``pre_wage``,
    ``post_wage`` (mean positive wage while employed), ``pre_occupation``,
    ``post_occupation`` (occupation of the latest employed quarter).
    """
    outcomes = read(
        root, "outcomes", ["learner_id", "period", "employed", "occupation_soc", "hourly_wage"]
    )
    periods = sorted(outcomes["period"].dropna().astype(str).unique())

    def states(window: list[str]) -> pd.DataFrame:
        rows = outcomes[outcomes["period"].isin(window)]
        working = rows["employed"].fillna(False).astype(bool)
        paid = working & rows["hourly_wage"].notna() & (rows["hourly_wage"] > 0)
        wage = rows["hourly_wage"].where(paid).groupby(rows["learner_id"]).mean()
        latest = (
            rows[working & rows["occupation_soc"].notna()]
            .sort_values("period")
            .groupby("learner_id")["occupation_soc"]
            .last()
        )
        return pd.DataFrame({"wage": wage}).join(latest.rename("occupation"))

    before, after = states([periods[0]]), states([periods[-1]])
    columns = ["learner_id"] if by is None else ["learner_id", by]
    learners = read(root, "learners", columns)
    group = "all" if by is None else label(learners[by])
    labels = pd.DataFrame({"learner_id": learners["learner_id"], "g_0": group})
    pairs = labels.join(before.add_prefix("pre_"), on="learner_id", how="inner").join(
        after.add_prefix("post_"), on="learner_id", how="inner"
    )
    return pairs, periods[0], periods[-1]


def wage_change_distribution(
    root: Path,
    by: str = "pathway",
    width: float = 2.0,
    min_cell: int = MIN_CELL,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Histogram of the wage change, first to last quarter, by group (lerkit's defaults)."""
    from lerkit.analysis._intervals import wilson
    from lerkit.analysis._mobility import _group_cells

    with DATA():
        pairs, _first, _last = _window_pairs(root, by)
        rows = pairs[pairs["pre_wage"].notna() & pairs["post_wage"].notna()]
        change = rows["post_wage"] - rows["pre_wage"]
        low = math.floor(float(change.quantile(0.05)) / width) * width
        high = math.ceil(float(change.quantile(0.95)) / width) * width
        if high <= low:
            high = low + width
        count = math.ceil((high - low) / width - 1e-9)
        top = low + count * width
        inside = np.minimum(np.floor((change - low) / width).astype("int64"), count - 1)
        bins = np.where(change < low, -1, np.where(change >= top, count, inside))
        got = (
            pd.DataFrame({"g_0": rows["g_0"], "bin": bins})
            .groupby(["g_0", "bin"])
            .size()
            .rename("n")
            .reset_index()
        )
        totals = rows.groupby("g_0").size().rename("n").reset_index()
    totals = totals.astype({"n": "int64", "g_0": str})
    got = got.astype({"n": "int64", "bin": "int64", "g_0": str})
    group_flags = _group_cells(totals.sort_values("g_0", ignore_index=True), ["g_0"], min_cell)
    grid = group_flags[["g_0", "n", "suppressed"]].rename(columns={"n": "group_n"})
    grid = grid.merge(pd.DataFrame({"bin": np.arange(-1, count + 1, dtype="int64")}), how="cross")
    grid = grid.merge(got, on=["g_0", "bin"], how="left")
    grid["n"] = grid["n"].fillna(0).astype("int64")
    grid["bin_low"] = np.where(grid["bin"] < 0, -np.inf, low + grid["bin"] * width)
    grid["bin_high"] = np.where(grid["bin"] >= count, np.inf, low + (grid["bin"] + 1) * width)
    grid = grid.sort_values(["g_0", "bin"], ignore_index=True)
    grid = suppress(grid, count="n", min_cell=min_cell, by=["g_0"])
    grid["measure"] = "share_of_group"
    share_low, share_high = wilson(grid["n"], grid["group_n"], confidence)
    grid["estimate"] = grid["n"] / grid["group_n"]
    grid["ci_low"], grid["ci_high"] = share_low, share_high
    grid = grid.rename(columns={"g_0": by})
    return finish(
        grid[[by, "bin", "measure", "estimate", "ci_low", "ci_high", "n", "suppressed",
              "bin_low", "bin_high", "group_n"]],
        analysis="wage_change_distribution",
        parameters={"by": by, "width": float(width), "limits": [low, top]},
        min_cell=min_cell,
        confidence=confidence,
        groups=[by, "bin"],
        hide=["group_n"],
    )  # fmt: skip


def occupation_transitions(
    root: Path, min_cell: int = MIN_CELL, confidence: float = 0.95
) -> pd.DataFrame:
    """Flows from the first-quarter state to the last-quarter state (everyone together)."""
    from lerkit.analysis._mobility import NOT_EMPLOYED, flow_table

    with DATA():
        pairs, _first, _last = _window_pairs(root, None)
        flows = pd.DataFrame(
            {
                "origin": pairs["pre_occupation"].fillna(NOT_EMPLOYED),
                "destination": pairs["post_occupation"].fillna(NOT_EMPLOYED),
                "change": pairs["post_wage"] - pairs["pre_wage"],
                "log_change": np.log(pairs["post_wage"]) - np.log(pairs["pre_wage"]),
            }
        )
        got = (
            flows.groupby(["origin", "destination"])
            .agg(
                n=("change", "size"),
                wage_n=("change", "count"),
                wage_change=("change", "mean"),
                wage_sd=("change", "std"),
                log_change=("log_change", "mean"),
            )
            .reset_index()
        )
        occupations = read(root, "occupations", ["occupation_soc", "title"])
    # the grid, its suppression and the intervals are lerkit's statistics step, shared
    grid = flow_table(got, [], min_cell=min_cell, confidence=confidence)
    titles = dict(
        zip(occupations["occupation_soc"].astype(str), occupations["title"].astype(str),
            strict=True)
    )  # fmt: skip
    titles[NOT_EMPLOYED] = "Not employed"
    grid["origin_title"] = grid["origin"].map(lambda s: titles.get(s, s))
    grid["destination_title"] = grid["destination"].map(lambda s: titles.get(s, s))
    columns = ["origin", "destination", "measure", "estimate", "ci_low", "ci_high", "n",
               "suppressed", "origin_title", "destination_title", "origin_n", "wage_n",
               "wage_change", "wage_change_low", "wage_change_high", "log_change_pct"]  # fmt: skip
    return finish(
        grid[columns],
        analysis="occupation_transitions",
        parameters={"by": None},
        min_cell=min_cell,
        confidence=confidence,
        groups=["origin", "destination"],
        hide=["origin_n", "wage_n", "wage_change", "wage_change_low", "wage_change_high",
              "log_change_pct"],
    )  # fmt: skip
