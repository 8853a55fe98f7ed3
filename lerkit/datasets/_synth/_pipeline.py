"""``synthesize``: generate a complete synthetic pilot dataset folder, chunk by chunk."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml
from tqdm.auto import tqdm

from lerkit.datasets._dictionary import default_dictionary
from lerkit.datasets._synth import _readme
from lerkit.datasets._synth._catalogue import Catalogue, build_catalogue
from lerkit.datasets._synth._labour import (
    Postings,
    Tally,
    claim_times,
    make_applications,
    make_events,
    make_outcomes,
    make_postings,
    postings_table,
)
from lerkit.datasets._synth._population import (
    Credentials,
    Learners,
    make_credentials,
    make_learners,
)
from lerkit.datasets._synth._scenario import Scenario, make_scenario
from lerkit.datasets._synth._tables import TableSink
from lerkit.datasets._synth._util import id_key
from lerkit.errors import DatasetError

__all__ = ["DEFAULT_CHUNK_SIZE", "SyntheticPilot", "synthesize"]

#: Learners per chunk. Part of the algorithm: each chunk has its own random stream, so
#: another chunk size gives other (equally distributed) data.
DEFAULT_CHUNK_SIZE = 10_000
_STREAM_CATALOGUE, _STREAM_POSTINGS, _STREAM_CHUNK = 0, 1, 2
_POSTINGS_SLICE = 50_000
_TABLE_ORDER = (
    "learners", "issuers", "credentials", "achievements", "alignments", "skills",
    "ler_events", "employers", "outcomes", "occupations", "postings", "applications",
)  # fmt: skip
_FAULT_DETAIL = {
    "tampered": "achievement name changed after signing: the proof no longer matches",
    "revoked": "revocation bit set in the issuer's status list",
    "suspended": "suspension bit set in the issuer's status list",
}


@dataclass(frozen=True)
class SyntheticPilot:
    """What :func:`synthesize` wrote.

    Attributes
    ----------
    path : Path
        The dataset folder.
    seed, n_learners : int
    counts : Mapping[str, int]
        Rows per table.
    ground_truth : Mapping[str, Any]
        The content of ``ground_truth/effects.json``.
    seconds : float
        Wall time taken (not written into the dataset).
    """

    path: Path
    seed: int
    n_learners: int
    counts: Mapping[str, int]
    ground_truth: Mapping[str, Any]
    seconds: float


def _version() -> str:
    import lerkit

    return str(lerkit.__version__)


def _generator(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _dates(days: np.ndarray) -> list[date]:
    base = date(1970, 1, 1)
    return [base + timedelta(days=int(d)) for d in days]


def _check_arguments(
    n_learners: object, seed: object, out_dir: object, sign_share: object, chunk_size: object
) -> Path:
    if isinstance(n_learners, bool) or not isinstance(n_learners, int) or n_learners < 1:
        raise DatasetError(
            f"n_learners must be a positive integer, got {n_learners!r}", code="invalid_argument"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise DatasetError(
            f"seed must be a non-negative integer, got {seed!r}", code="invalid_argument"
        )
    if isinstance(sign_share, bool) or not (
        isinstance(sign_share, int | float) and 0.0 <= sign_share <= 1.0
    ):
        raise DatasetError(
            f"sign_share must be a number from 0 to 1, got {sign_share!r}",
            code="invalid_argument",
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 100:
        raise DatasetError(
            f"chunk_size must be an integer of at least 100, got {chunk_size!r}",
            code="invalid_argument",
        )
    if not isinstance(out_dir, str | os.PathLike):
        raise DatasetError(f"out_dir must be a path, got {out_dir!r}", code="invalid_argument")
    root = Path(out_dir)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise DatasetError(
            f"{root} exists and is not an empty folder; synthesize writes a new dataset folder",
            code="output_exists",
        )
    return root


def synthesize(
    n_learners: int,
    seed: int,
    out_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    description: str | None = None,
    files: bool = True,
    sign_share: float = 1.0,
    csv: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool = True,
    **scenario: Any,
) -> SyntheticPilot:
    """Generate a complete synthetic LER pilot dataset folder.

    Every table of the data dictionary is written (Parquet, plus CSV exports in
    ``csv/``), with the signed credential files, status lists and issuer DID documents
    (``credentials/``, ``status/``, ``dids/``), ``dataset.yaml``, a ``dictionary.yaml``
    copy, ``ground_truth/`` (the true effects and the planted credential faults) and a
    README listing every calibration figure with its source. Learners are generated in
    chunks of ``chunk_size`` with a progress bar, so memory stays bounded; the same
    arguments give byte-identical files.

    Parameters
    ----------
    n_learners : int
        Learners in the pilot (both arms).
    seed : int
        Seeds everything: catalogue, postings, each chunk's stream
        (``SeedSequence([seed, 2, chunk])``), ids, keys and signatures.
    out_dir : path
        A new (or empty) folder to write.
    name, description : str, optional
        For dataset.yaml (default: ``synthetic-pilot-<n>-seed-<seed>``).
    files : bool
        Write the credential files (default). False writes the tables only: the LER
        arm's ``file``/``sha256`` stay empty (much faster; for tests and benchmarks).
    sign_share : float
        Share of credential files signed; the rest are written unsigned and referenced
        by their SHA-256 (proof ``none``). Faulted credentials are always signed.
    csv : bool
        Also write ``csv/<table>.csv`` exports (default).
    chunk_size : int
        Learners per chunk (part of the algorithm: changing it changes the data, not
        its distribution).
    progress : bool
        Show a tqdm progress bar.
    **scenario
        Scenario parameters, each listed with its default and meaning in the dataset's
        README: true effects (``ler_hire_log_odds=0.6``, ``ler_interview_log_odds=0.4``,
        ``ler_wage_log=0.06``, ``ler_employment_log_odds=0.3``,
        ``degree_screen_nondegree_pass=0.04``, ``pathway_wage_gain``), the population
        (``pathway_mix``, ``ler_share``, the arm-assignment log-odds), the labour market
        (``employers``, ``drop_share``, ``sbh_typology``, ``degree_postings_share_start``,
        check days), credentials (``proof_mix``, ``fault_shares``) and ``as_of``.

    Returns
    -------
    SyntheticPilot

    Raises
    ------
    DatasetError
        ``invalid_argument``, ``output_exists``, ``unknown_parameter``,
        ``invalid_parameter``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     pilot = synthesize(300, 7, pathlib.Path(folder) / "pilot", files=False,
    ...                        progress=False, ler_hire_log_odds=0.8)
    ...     written = sorted(p.name for p in pilot.path.glob("*.yaml"))
    >>> pilot.counts["learners"], written
    (300, ['dataset.yaml', 'dictionary.yaml'])
    >>> pilot.ground_truth["effects"]["ler_hire_log_odds"]["parameter"]
    0.8
    """
    started = time.perf_counter()
    root = _check_arguments(n_learners, seed, out_dir, sign_share, chunk_size)
    plan = make_scenario(**scenario)
    dictionary = default_dictionary()
    root.mkdir(parents=True, exist_ok=True)

    catalogue = build_catalogue(plan, _generator(seed, _STREAM_CATALOGUE))
    postings = make_postings(_generator(seed, _STREAM_POSTINGS), plan, catalogue, n_learners)
    sinks = {t: TableSink(root, dictionary.table(t), csv=csv) for t in _TABLE_ORDER}
    tally = Tally()
    try:
        _write_small_tables(sinks, catalogue, postings)
        writer = None
        if files:
            from lerkit.datasets._credential_files import CredentialFileWriter

            writer = CredentialFileWriter(
                root, catalogue.issuers, seed=seed, sign_share=float(sign_share), as_of=plan.as_of
            )
        faults_path = root / "ground_truth" / "credential_faults.csv"
        faults_path.parent.mkdir(parents=True, exist_ok=True)
        fault_sink = _FaultSink(faults_path)
        keys = {
            name: id_key(seed, n) for n, name in enumerate(("learners", "applications", "events"))
        }
        bar = tqdm(total=n_learners, unit="learner", desc="synthesize", disable=not progress)
        try:
            for number, first in enumerate(range(0, n_learners, chunk_size)):
                count = min(chunk_size, n_learners - first)
                rng = _generator(seed, _STREAM_CHUNK, number)
                _chunk(rng, plan, catalogue, postings, count, first, sinks, writer,
                       fault_sink, tally, keys)  # fmt: skip
                bar.update(count)
        finally:
            bar.close()
        fault_sink.close()
        if writer is not None:
            writer.close()
    finally:
        for sink in sinks.values():
            sink.close()

    counts = {t: sinks[t].rows for t in _TABLE_ORDER}
    truth = _ground_truth(plan, seed, n_learners, catalogue, postings, tally, counts)
    _write_json(root / "ground_truth" / "effects.json", truth)
    _write_employer_truth(root / "ground_truth" / "employers.csv", catalogue, postings)
    label = name or f"synthetic-pilot-{n_learners}-seed-{seed}"
    metadata = {
        "name": label,
        "description": description
        or (
            f"Synthetic LER pilot: {n_learners:,} learners (LER arm and comparison group), "
            "their credentials, hiring funnel and quarterly outcomes. Entirely invented; "
            "calibrated to published figures (see README.md)."
        ),
        "synthetic": True,
        "seed": seed,
        "as_of": plan.as_of,
        "generator": f"lerkit {_version()}",
        "chunk_size": chunk_size,
        "credential_files": bool(files),
        "sign_share": float(sign_share),
        "scenario": plan.to_dict(),
        "counts": counts,
    }
    (root / "dataset.yaml").write_text(
        yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True, width=88), encoding="utf-8"
    )
    source = resources.files("lerkit.datasets").joinpath("dictionary.yaml")
    with resources.as_file(source) as packaged:
        shutil.copyfile(packaged, root / "dictionary.yaml")
    (root / "README.md").write_text(
        _readme.render(label, metadata, truth, catalogue, postings), encoding="utf-8"
    )
    return SyntheticPilot(
        path=root,
        seed=seed,
        n_learners=n_learners,
        counts=MappingProxyType(counts),
        ground_truth=MappingProxyType(truth),
        seconds=time.perf_counter() - started,
    )


def _write_small_tables(
    sinks: Mapping[str, TableSink], catalogue: Catalogue, postings: Postings
) -> None:
    for table, frame in (
        ("issuers", catalogue.issuers),
        ("achievements", catalogue.achievements),
        ("alignments", catalogue.alignments),
        ("skills", catalogue.skills),
        ("employers", catalogue.employers),
        ("occupations", catalogue.occupations),
    ):
        sinks[table].write({c: _column(frame[c]) for c in frame.columns})
    total = len(postings.day)
    for start in range(0, total, _POSTINGS_SLICE):
        sinks["postings"].write(
            postings_table(postings, catalogue, start, min(start + _POSTINGS_SLICE, total))
        )


def _column(series: pd.Series) -> list[Any]:
    values = series.tolist()
    return [None if isinstance(v, float) and np.isnan(v) else v for v in values]


class _FaultSink:
    """ground_truth/credential_faults.csv, appended per chunk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = pa.schema(
            [("credential_id", pa.string()), ("fault", pa.string()), ("detail", pa.string())]
        )
        self.writer = pacsv.CSVWriter(
            str(path), self.schema,
            write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed",
                                             eol="\n"),
        )  # fmt: skip

    def write(self, ids: list[str], faults: list[str], details: list[str]) -> None:
        if ids:
            self.writer.write_table(pa.table([ids, faults, details], schema=self.schema))

    def close(self) -> None:
        self.writer.close()


def _chunk(
    rng: np.random.Generator,
    plan: Scenario,
    catalogue: Catalogue,
    postings: Postings,
    count: int,
    first: int,
    sinks: Mapping[str, TableSink],
    writer: Any,
    fault_sink: _FaultSink,
    tally: Tally,
    keys: Mapping[str, np.ndarray],
) -> None:
    learners = make_learners(rng, plan, count, first + 1, keys["learners"])
    credentials = make_credentials(rng, plan, catalogue, learners)
    issued_at, claim_at, first_claim = claim_times(rng, plan, learners, credentials)
    applications = make_applications(
        rng,
        plan,
        catalogue,
        postings,
        learners,
        credentials,
        first_claim,
        tally,
        (int(tally.get("applications")), keys["applications"]),
    )
    events = make_events(
        rng,
        plan,
        catalogue,
        postings,
        learners,
        credentials,
        applications,
        issued_at,
        claim_at,
        (int(tally.get("events")), keys["events"]),
    )
    tally.add("events", events.count)
    outcomes = make_outcomes(rng, plan, catalogue, postings, learners, credentials, tally)

    table = _credential_rows(plan, catalogue, learners, credentials, writer)
    _tally_population(tally, learners, credentials)
    sinks["learners"].write(learners.table())
    sinks["credentials"].write(table)
    sinks["ler_events"].write(events.columns)
    sinks["outcomes"].write(outcomes)
    sinks["applications"].write(applications.table(learners, postings))

    faulted = np.flatnonzero(credentials.fault != "")
    details = []
    for row in faulted:
        fault = str(credentials.fault[row])
        if fault == "expired":
            until = table["expires_on"][row]
            details.append(f"validUntil {until} is before as_of {plan.as_of.isoformat()}")
        else:
            details.append(_FAULT_DETAIL[fault])
    fault_sink.write(
        [credentials.credential_id[r] for r in faulted],
        [str(credentials.fault[r]) for r in faulted],
        details,
    )


def _credential_rows(
    plan: Scenario,
    catalogue: Catalogue,
    learners: Learners,
    credentials: Credentials,
    writer: Any,
) -> dict[str, Any]:
    ach = credentials.achievement
    issued = _dates(credentials.issued_day)
    expires: list[date | None] = [
        None if d < 0 else day for d, day in zip(credentials.expires_day,
                                                 _dates(np.maximum(credentials.expires_day, 0)),
                                                 strict=True)
    ]  # fmt: skip
    table: dict[str, Any] = {
        "credential_id": credentials.credential_id,
        "learner_id": np.array(learners.learner_id, dtype=object)[credentials.owner],
        "issuer_id": catalogue.issuer_id[catalogue.ach_issuer[ach]],
        "achievement_id": catalogue.ach_id[ach],
        "format": catalogue.ach_format[ach],
        "proof": credentials.proof.copy(),
        "issued_on": issued,
        "expires_on": expires,
        "file": [None] * credentials.count,
        "sha256": [None] * credentials.count,
    }
    ler_rows = np.flatnonzero(learners.ler[credentials.owner])
    if writer is None or len(ler_rows) == 0:
        return table
    chunk = pd.DataFrame(
        {
            "credential_id": [credentials.credential_id[r] for r in ler_rows],
            "learner_id": table["learner_id"][ler_rows],
            "issuer_id": table["issuer_id"][ler_rows],
            "achievement_id": table["achievement_id"][ler_rows],
            "format": table["format"][ler_rows],
            "proof": table["proof"][ler_rows],
            "issued_on": pd.Series([issued[r] for r in ler_rows], dtype=object),
            "expires_on": pd.Series([expires[r] for r in ler_rows], dtype=object),
        }
    )
    faults = pd.DataFrame(
        {
            "credential_id": [credentials.credential_id[r] for r in ler_rows
                              if credentials.fault[r]],
            "fault": [str(credentials.fault[r]) for r in ler_rows if credentials.fault[r]],
        }
    )  # fmt: skip
    owners = np.unique(credentials.owner[ler_rows])
    people = pd.DataFrame(
        {
            "learner_id": np.array(learners.learner_id, dtype=object)[owners],
            "email": np.array(learners.email, dtype=object)[owners],
        }
    )
    written = writer.write(
        chunk,
        learners=people,
        achievements=catalogue.achievements,
        alignments=catalogue.alignments,
        parts=catalogue.parts,
        faults=faults,
    )
    proof = table["proof"]
    for position, row in enumerate(ler_rows):
        table["file"][row] = written["file"].iloc[position]
        table["sha256"][row] = written["sha256"].iloc[position]
        proof[row] = written["proof"].iloc[position]
        moved = written["expires_on"].iloc[position]
        if moved is not None and not (isinstance(moved, float) and np.isnan(moved)):
            table["expires_on"][row] = moved if isinstance(moved, date) else moved.date()
    return table


def _tally_population(tally: Tally, learners: Learners, credentials: Credentials) -> None:
    tally.add("learners", learners.n)
    tally.add("learners_ler", learners.ler.sum())
    tally.add("learners_stars", learners.stars.sum())
    tally.add("learners_ler_stars", (learners.ler & learners.stars).sum())
    tally.add("credentials", credentials.count)
    ler = learners.ler[credentials.owner]
    tally.add("credentials_ler", ler.sum())
    for fault in ("tampered", "expired", "revoked", "suspended"):
        tally.add(f"fault_{fault}", (credentials.fault == fault).sum())


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def _ground_truth(
    plan: Scenario,
    seed: int,
    n_learners: int,
    catalogue: Catalogue,
    postings: Postings,
    tally: Tally,
    counts: Mapping[str, int],
) -> dict[str, Any]:
    ler_credentials = tally.get("credentials_ler")
    fault_counts = {f: int(tally.get(f"fault_{f}")) for f in ("tampered", "expired", "revoked",
                                                              "suspended")}  # fmt: skip
    start_window = postings.day < int(
        (np.datetime64("2023-07-01", "D") - np.datetime64("1970-01-01", "D")).astype(np.int64)
    )
    exclusion = tally.ratio("degree_screen_qualified_stars_out", "degree_screen_qualified_stars")
    return {
        "generator": f"lerkit {_version()}",
        "seed": seed,
        "n_learners": n_learners,
        "parameters": plan.to_dict(),
        "effects": {
            "ler_hire_log_odds": {
                "parameter": plan.ler_hire_log_odds,
                "scale": "log-odds ratio of hired, given interviewed, LER arm vs comparison",
                "adjust_for": "skill match, bachelor's degree, age (2024 - birth_year)",
                "realized_att_probability_given_interview": _rounded(
                    tally.ratio("hire_given_interview_att_sum", "interviewed_ler")
                ),
            },
            "ler_interview_log_odds": {
                "parameter": plan.ler_interview_log_odds,
                "scale": "log-odds ratio of interviewed, given screened in",
                "adjust_for": "skill match, bachelor's degree",
                "realized_att_probability_given_screened_in": _rounded(
                    tally.ratio("interview_att_sum", "screened_ler")
                ),
            },
            "hire_per_application": {
                "scale": "probability that an application ends in a hire (screen x interview "
                "x hire), LER-arm applications",
                "realized_att": _rounded(tally.ratio("hire_att_sum", "applications_ler")),
                "realized_baseline_without_ler": _rounded(
                    tally.ratio("hire_p0_treated_sum", "applications_ler")
                ),
                "n_applications_ler": int(tally.get("applications_ler")),
            },
            "ler_wage_log": {
                "parameter": plan.ler_wage_log,
                "scale": "log hourly wage, quarters after enrolment, LER arm (difference in "
                "differences: 2025 vs 2023, adjusting for pathway and age)",
                "realized_att": _rounded(tally.ratio("log_wage_att_sum", "treated_after_quarters")),
                "realized_att_dollars_per_hour": _rounded(
                    tally.ratio("wage_att_dollars_sum", "treated_after_employed"), 4
                ),
            },
            "ler_employment_log_odds": {
                "parameter": plan.ler_employment_log_odds,
                "scale": "log-odds ratio of employment in a quarter after enrolment",
                "realized_att_probability": _rounded(
                    tally.ratio("employment_att_sum", "treated_after_quarters")
                ),
                "realized_baseline_without_ler": _rounded(
                    tally.ratio("employment_p0_treated_sum", "treated_after_quarters")
                ),
            },
            "degree_screen_exclusion_qualified_stars": {
                "parameter": round(1.0 - plan.degree_screen_nondegree_pass, 6),
                "scale": "probability that a degree screen rejects a qualified STAR (skill "
                f"match >= {plan.qualified_match})",
                "realized": _rounded(exclusion),
                "n_applications": int(tally.get("degree_screen_qualified_stars")),
            },
            "credential_check_days": {
                "ler": {
                    "parameter_mean": plan.ler_check_mean_days,
                    "realized_mean": _rounded(tally.ratio("check_ler_days", "check_ler_n"), 4),
                    "n": int(tally.get("check_ler_n")),
                },
                "manual": {
                    "parameter_mean_before_cap": plan.manual_check_mean_days,
                    "realized_mean": _rounded(
                        tally.ratio("check_manual_days", "check_manual_n"), 4
                    ),
                    "n": int(tally.get("check_manual_n")),
                },
            },
            "pathway_wage_gain": {
                "parameter": dict(plan.pathway_wage_gain),
                "scale": "log-point wage change after enrolment common to both arms",
            },
        },
        "realized": {
            "ler_share": _rounded(tally.ratio("learners_ler", "learners")),
            "stars_share": _rounded(tally.ratio("learners_stars", "learners")),
            "stars_share_ler_arm": _rounded(tally.ratio("learners_ler_stars", "learners_ler")),
            "credentials_ler": int(ler_credentials),
            "fault_counts": fault_counts,
            "fault_shares_of_ler_credentials": {
                f: _rounded(c / ler_credentials if ler_credentials else None)
                for f, c in fault_counts.items()
            },
            "degree_postings_share_2023h1": _rounded(
                float(postings.requires_degree[start_window].mean()) if start_window.any() else None
            ),
            "degree_postings_share_2025": _rounded(
                float(
                    postings.requires_degree[
                        postings.day
                        >= int(
                            (
                                np.datetime64("2025-01-01", "D") - np.datetime64("1970-01-01", "D")
                            ).astype(np.int64)
                        )
                    ].mean()
                )
            ),
            "employer_typology": {
                t: int((postings.employer_type == t).sum())
                for t in ("never", "leader", "in_name_only", "backslider")
            },
            "employment_rate": _rounded(tally.ratio("employed_quarters", "quarters")),
            "hires": int(tally.get("hired")),
        },
        "counts": dict(counts),
        "notes": [
            "parameter: the value the generator used; realized: the same quantity over the "
            "generated population, from the model's probabilities (not the sampled draws) "
            "where it is an average effect on the treated (ATT).",
            "Credential faults (credential_faults.csv) are planted in the LER arm's files; "
            "comparison-arm credentials have no file.",
        ],
    }


def _write_json(path: Path, data: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_employer_truth(path: Path, catalogue: Catalogue, postings: Postings) -> None:
    def day_text(values: np.ndarray) -> list[str | None]:
        return [None if d < 0 else str(np.datetime64(int(d), "D")) for d in values]

    table = pa.table(
        {
            "employer_id": list(catalogue.employer_id),
            "typology": [str(t) for t in postings.employer_type],
            "dropped_degree_on": day_text(postings.drop_day),
            "reinstated_degree_on": day_text(postings.revert_day),
        }
    )
    pacsv.write_csv(
        table, str(path), write_options=pacsv.WriteOptions(quoting_style="needed", eol="\n")
    )
