"""Write a synthetic pilot's credential files: signed OB 3.0 and CLR 2.0 credentials,
status lists and DID documents that lerkit's verifier checks offline.

Layout of ``out_dir`` (everything a verifier needs, no private key)::

    credentials/<issuer home>/<uuid>.json     Data Integrity credentials (and unsigned ones)
    credentials/<issuer home>/<uuid>.jwt      Open Badges 3.0 VC-JWTs
    status/<host>/<path>/status/revocation.json   one revocation list per issuer
    status/<host>/<path>/status/suspension.json   one suspension list per issuer
    dids/<host>/.well-known/did.json          DID document of each did:web issuer

``<issuer home>`` is the issuer's web home without ``https://``: ``cc.example.edu`` for
``did:web:cc.example.edu`` (``example.org/issuers/cc`` for ``did:web:example.org:issuers:cc``),
and ``issuers.example.org/<key>`` for a ``did:key`` issuer. Status lists sit where
:class:`lerkit.status.FolderStatusLists` looks for their URL, and DID documents where
:class:`lerkit.dids.DidWebFolder` does, so :func:`verify_options` (``status_lists=out_dir /
"status"``, ``did_web=out_dir / "dids"``) or ``lerkit verify out_dir/credentials
--status-dir out_dir/status --did-web-dir out_dir/dids`` verify everything without a
network.

Decisions
---------
Subject identity
    ``credentialSubject.id`` is the learner's holder DID, a ``did:key`` derived from the
    seed and learner id (:func:`learner_did`: the same in every issuer's credentials, as a
    wallet would present it, and not containing the learner id). ``identifier`` holds the
    e-mail address only as an OB 3.0 salted SHA-256 ``IdentityObject`` (a salt per
    credential), when the learner has one. The learner's name is not in the credential:
    an OB 3.0 ``AchievementSubject`` has no name member, and a verifier matches a holder
    by DID or hashed identifier, not by name.
Unsigned share
    With ``sign_share < 1`` a deterministic share of credentials (chosen by seed and
    credential id) is written **unsigned**: the same document, without a proof, in a
    ``.json`` file (a CLR's nested credentials are unsigned too). The table row gets proof
    ``none`` and the SHA-256 of the file, so the dataset still references every credential
    by its hash and a tampered file can be detected from the table; analyses still find a
    file for every row, and verification reports those rows ``not_verified``
    (``proof_present`` failed). Faulted credentials are always signed, since a fault is
    about what a signature or a status shows.
Status
    Open Badges 3.0 allows one ``credentialStatus`` entry, and a Bitstring Status List has
    one purpose, so every issuer publishes a revocation list and a suspension list.
    A credential points at the suspension list when it is a Certification or License
    (what is suspended in practice) or its fault is ``suspended``, at the revocation list
    otherwise, except that a ``revoked`` fault always points at the revocation list.
    Positions are a keyed pseudo-random permutation of a per-issuer counter (distinct,
    not in issue order). Both lists are valid from ``as_of``.
CLR 2.0
    A ``clr2`` row nests, under ``credentialSubject.verifiableCredential``, one signed
    AchievementCredential per part (dated over the year before the record, in the order
    ``parts`` lists them) and one for the main achievement (dated, and expiring, with the
    record), signed with the record's suite (eddsa-rdfc-2022, or ecdsa-rdfc-2019 for a
    P-256 issuer, inside a VC-JWT record, since CLR 2.0 nests JSON objects);
    ``association`` says the main achievement ``isParentOf`` each part. Only the record
    has a ``credentialStatus``: revoking it revokes the bundle. A tampered CLR has the
    main achievement's name changed in the record's own ``achievement`` list.
did:web
    Each did:web issuer's DID document lists two Multikey keys under
    ``assertionMethod``: ``#key-ed25519`` (eddsa-rdfc-2022, Ed25519Signature2020, EdDSA
    VC-JWTs) and ``#key-p256`` (ecdsa-rdfc-2019). A did:key issuer has one key (its
    kind decides which proofs it can sign).
Dates
    ``validFrom`` (and ``awardedDate``, and the proof's ``created``) is ``issued_on`` at
    00:00:00Z; ``validUntil`` is ``expires_on`` at 00:00:00Z. Verify "as of" ``as_of`` at
    00:00:00Z (:func:`as_of_moment`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pandas as pd

from lerkit.datasets._credfiles_build import (
    achievement_object,
    as_date,
    issuer_profile,
    moment,
    text,
)
from lerkit.datasets._credfiles_keys import (
    derive_bytes,
    did_document,
    did_web_document,
    issuer_key,
    learner_did,
    synthetic_did_key,
)
from lerkit.dids import DidWebFolder, did_web_url
from lerkit.errors import DatasetError
from lerkit.issue import (
    IssuedCredential,
    IssueError,
    IssuerKey,
    KeyType,
    ProofFormat,
    StatusPurpose,
    achievement_credential,
    clr_credential,
    issue_credential,
    status_entry,
    status_list_credential,
    tamper_field,
    tamper_jwt_payload,
)
from lerkit.status import MIN_ENTRIES
from lerkit.verify import VerifyOptions

__all__ = [
    "CREDENTIAL_COLUMNS",
    "FAULTS",
    "CredentialFileWriter",
    "as_of_moment",
    "did_web_document",
    "issuer_key",
    "learner_did",
    "synthetic_did_key",
    "verify_options",
]

#: The credentials-table columns the writer reads (``file`` and ``sha256`` it fills in).
CREDENTIAL_COLUMNS = (
    "credential_id",
    "learner_id",
    "issuer_id",
    "achievement_id",
    "format",
    "proof",
    "issued_on",
    "expires_on",
)
#: The faults a credential can be written with.
FAULTS = ("tampered", "expired", "revoked", "suspended")
_FORMATS = ("ob3", "clr2")
_PROOFS: Mapping[str, KeyType | None] = {
    "eddsa-rdfc-2022": "Ed25519",
    "Ed25519Signature2020": "Ed25519",
    "ecdsa-rdfc-2019": "P-256",
    "jwt": None,  # EdDSA with an Ed25519 key, ES256 with a P-256 one
}
# achievement types whose credentials point at the suspension list
_SUSPENDABLE = frozenset({"Certification", "License"})
_DID_KEY_HOME = "https://issuers.example.org"
_UUID_ID = re.compile(r"urn:uuid:([0-9a-fA-F-]{36})")
_TAMPER_SUFFIX = " with Honors"
# the position permutation: a 4-round Feistel network on 18 bits, cycle-walked to 17
_HALF_BITS = 9
_HALF_MASK = (1 << _HALF_BITS) - 1
_BLOCK = MIN_ENTRIES  # 2**17 positions per block of a list


def as_of_moment(as_of: date) -> datetime:
    """The instant credential files written ``as_of`` a date are verified at (00:00 UTC).

    Examples
    --------
    >>> as_of_moment(date(2025, 6, 30)).isoformat()
    '2025-06-30T00:00:00+00:00'
    """
    return datetime.combine(as_of, time(), tzinfo=UTC)


def verify_options(out_dir: str | os.PathLike[str], as_of: date, **settings: Any) -> VerifyOptions:
    """Verification options that find a written folder's status lists and DID documents.

    Parameters
    ----------
    out_dir : path
        The folder :class:`CredentialFileWriter` wrote.
    as_of : date
        The writer's ``as_of``: dates are checked at 00:00 UTC that day.
    **settings
        Other :class:`lerkit.verify.VerifyOptions` fields (``trust=``, ``schema=``...).

    Examples
    --------
    >>> options = verify_options("pilot", date(2025, 6, 30))
    >>> str(options.status_lists), str(options.did_web), options.now.day
    ('pilot/status', 'pilot/dids', 30)
    """
    root = Path(out_dir)
    return VerifyOptions(
        status_lists=root / "status",
        did_web=root / "dids",
        now=as_of_moment(as_of),
        **settings,
    )


def _permute(value: int, key: bytes) -> int:
    left, right = value >> _HALF_BITS, value & _HALF_MASK
    for round_number in range(4):
        digest = hashlib.blake2b(
            key + bytes((round_number,)) + right.to_bytes(2, "big"), digest_size=2
        ).digest()
        left, right = right, left ^ (int.from_bytes(digest, "big") & _HALF_MASK)
    return (left << _HALF_BITS) | right


def _position(counter: int, key: bytes) -> int:
    """The list position of the ``counter``-th credential: distinct for distinct counters."""
    block, offset = divmod(counter, _BLOCK)
    block_key = key + block.to_bytes(4, "big")
    value = _permute(offset, block_key)
    while value >= _BLOCK:  # cycle-walking keeps a permutation of [0, 2**17)
        value = _permute(value, block_key)
    return block * _BLOCK + value


@dataclass
class _StatusList:
    """What close() needs of one list: how many positions were given, which are set."""

    purpose: StatusPurpose
    url: str
    file: Path
    key: bytes
    given: int = 0
    set_bits: set[int] = field(default_factory=set)

    def allocate(self) -> int:
        index = _position(self.given, self.key)
        self.given += 1
        return index

    @property
    def size(self) -> int:
        return max(MIN_ENTRIES, -(-self.given // _BLOCK) * _BLOCK)


@dataclass
class _Issuer:
    issuer_id: str
    name: str
    profile: dict[str, Any]
    home: str  # https URL: the profile url, and the base of its status list URLs
    keys: dict[KeyType, IssuerKey]
    lists: dict[str, _StatusList]

    @property
    def folder(self) -> str:
        return self.home.removeprefix("https://")

    def key_for(self, proof: str, credential_id: str) -> IssuerKey:
        wanted = _PROOFS[proof]
        if wanted is None:
            found = self.keys.get("Ed25519") or self.keys.get("P-256")
        else:
            found = self.keys.get(wanted)
        if found is None:
            have = ", ".join(self.keys)
            raise DatasetError(
                f"credential {credential_id}: issuer {self.issuer_id} has a {have} key, which "
                f"cannot sign {proof} (Ed25519 signs eddsa-rdfc-2022, Ed25519Signature2020 and "
                "jwt; P-256 signs ecdsa-rdfc-2019 and jwt; did:web issuers have both)",
                code="key_type_mismatch",
            )
        return found


def _home(issuer_id: str, keys: Mapping[KeyType, IssuerKey]) -> str:
    if issuer_id.startswith("did:web:"):
        url = did_web_url(issuer_id)
        return url.removesuffix("/did.json").removesuffix("/.well-known")
    key = next(iter(keys.values()))
    return f"{_DID_KEY_HOME}/{key.public_key_multibase}"


def _status_file(url: str) -> Path:
    """Where FolderStatusLists looks for ``url`` (host folder, path segments, ``.json``)."""
    host_and_path = url.removeprefix("https://")
    return Path(*host_and_path.split("/")).with_suffix(".json")


def _stem(credential_id: str) -> str:
    found = _UUID_ID.fullmatch(credential_id)
    if found is not None:
        return found.group(1).lower()
    return hashlib.sha256(credential_id.encode("utf-8")).hexdigest()[:32]


def _derived_uuid(seed: int, *labels: str) -> str:
    return f"urn:uuid:{uuid.UUID(bytes=derive_bytes(seed, *labels)[:16], version=4)}"


def _frame_error(what: str, missing: Sequence[str]) -> DatasetError:
    return DatasetError(
        f"{what} lacks column(s) {', '.join(repr(m) for m in missing)}", code="missing_column"
    )


def _require_columns(frame: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DatasetError(
            f"{what} must be a pandas DataFrame, not {type(frame).__name__}",
            code="invalid_argument",
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise _frame_error(what, missing)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], frame.to_dict(orient="records"))


def _cell_like(column: pd.Series, value: date) -> Any:
    """``value`` in the representation ``column`` already uses (Timestamp, text or date)."""
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        return pd.Timestamp(value)
    if any(isinstance(v, str) for v in column.dropna().head(1)):
        return value.isoformat()
    return value


class CredentialFileWriter:
    """Writes a synthetic pilot's credential files, chunk by chunk.

    For each credentials row the writer builds an Open Badges 3.0
    ``AchievementCredential`` (format ``ob3``) or a CLR 2.0 ``ClrCredential`` (``clr2``,
    nesting one signed AchievementCredential per part and one for the main achievement),
    signs it with the issuer's seed-derived key in the row's proof format, applies the
    row's fault, and writes it under ``out_dir/credentials``. :meth:`close` writes every
    issuer's revocation and suspension lists (signed, with the faulted entries set) and
    the did:web DID documents. No private key is written: :func:`issuer_key` derives
    them again. See the module documentation for the layout and the choices made.

    Faults
        ``tampered``: signed, then the achievement's name changed (the signature check
        fails: ``not_verified``); ``expired``: signed with ``validUntil`` before
        ``as_of`` (``not_expired`` fails: ``warning``); ``revoked`` / ``suspended``: the
        status bit is set (``status`` fails: ``not_verified``). Every other signed
        credential verifies as of ``as_of``.

    Output is deterministic: the same seed, inputs and chunk order give byte-identical
    files (Ed25519 and RFC 6979 ECDSA signatures; proof ``created`` is ``validFrom``;
    ids, salts and list positions derived from the seed and the inputs; no clock).

    Parameters
    ----------
    out_dir : path
        The dataset folder to write into (created if missing).
    issuers : DataFrame
        The issuers table: ``issuer_id`` (``did:web:<host>`` or a ``did:key`` from
        :func:`synthetic_did_key`), ``name``; ``issuer_type`` and ``region`` when present.
    seed : int
        Derives keys, ids, salts, list positions and the signed share.
    sign_share : float
        Share of credentials signed (0 to 1); the rest are written unsigned with proof
        ``none`` (faulted credentials are always signed).
    as_of : date
        The dataset's reference date: no credential may be issued after it, an expired
        fault's ``validUntil`` is before it, every other ``expires_on`` must be after it.
    keys : Mapping, optional
        ``{issuer_id: IssuerKey}`` to sign with instead of the derived key (then that
        issuer has only that key).

    Raises
    ------
    DatasetError
        ``missing_column``, ``invalid_argument``, ``invalid_issuer_did``,
        ``issuer_key_unknown``, ``duplicate_key``.

    Examples
    --------
    >>> import tempfile
    >>> issuers = pd.DataFrame({"issuer_id": ["did:web:cc.example.edu"],
    ...                         "name": ["Example Community College"]})
    >>> catalogue = pd.DataFrame({"achievement_id": ["https://cc.example.edu/a/weld-1"],
    ...     "name": ["Welding I"], "achievement_type": ["Course"]})
    >>> chunk = pd.DataFrame({"credential_id": ["urn:uuid:00000000-0000-4000-8000-000000000001"],
    ...     "learner_id": ["L1"], "issuer_id": ["did:web:cc.example.edu"],
    ...     "achievement_id": ["https://cc.example.edu/a/weld-1"], "format": ["ob3"],
    ...     "proof": ["eddsa-rdfc-2022"], "issued_on": [date(2025, 1, 10)], "expires_on": [None]})
    >>> with tempfile.TemporaryDirectory() as out:
    ...     with CredentialFileWriter(out, issuers, seed=1, as_of=date(2025, 6, 30)) as writer:
    ...         written = writer.write(chunk, learners=pd.DataFrame({"learner_id": ["L1"]}),
    ...             achievements=catalogue, alignments=pd.DataFrame(), parts={},
    ...             faults=pd.DataFrame(columns=["credential_id", "fault"]))
    ...     import lerkit
    ...     lerkit.verify(Path(out, written.file[0]).read_text(),
    ...                   options=verify_options(out, date(2025, 6, 30))).status
    'verified'
    >>> written.file[0]
    'credentials/cc.example.edu/00000000-0000-4000-8000-000000000001.json'
    """

    def __init__(
        self,
        out_dir: str | os.PathLike[str],
        issuers: pd.DataFrame,
        *,
        seed: int,
        sign_share: float = 1.0,
        as_of: date,
        keys: Mapping[str, IssuerKey] | None = None,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise DatasetError(f"seed must be an int, got {seed!r}", code="invalid_argument")
        if isinstance(sign_share, bool) or not (
            isinstance(sign_share, int | float) and 0.0 <= float(sign_share) <= 1.0
        ):
            raise DatasetError(
                f"sign_share must be a number from 0 to 1, got {sign_share!r}",
                code="invalid_argument",
            )
        if isinstance(as_of, datetime) or not isinstance(as_of, date):
            raise DatasetError(
                f"as_of must be a datetime.date, got {as_of!r}", code="invalid_argument"
            )
        _require_columns(issuers, "the issuers table", ("issuer_id", "name"))
        self.out_dir = Path(out_dir)
        self.seed = seed
        self.sign_share = float(sign_share)
        self.as_of = as_of
        self._explicit = dict(keys or {})
        self._issuers: dict[str, _Issuer] = {}
        for row in _records(issuers):
            built = self._issuer(row)
            if built.issuer_id in self._issuers:
                raise DatasetError(
                    f"issuer {built.issuer_id} appears twice in the issuers table",
                    code="duplicate_key",
                )
            self._issuers[built.issuer_id] = built
        self._folders: set[Path] = set()
        self._closed = False

    # -- setup -------------------------------------------------------------------------

    def _issuer(self, row: Mapping[str, Any]) -> _Issuer:
        issuer_id = text(row.get("issuer_id"))
        name = text(row.get("name"))
        if issuer_id is None or name is None:
            raise DatasetError(
                f"every issuer needs an issuer_id and a name (row {dict(row)!r})",
                code="invalid_argument",
            )
        keys: dict[KeyType, IssuerKey]
        explicit = self._explicit.get(issuer_id)
        if explicit is not None:
            if explicit.did != issuer_id:
                raise DatasetError(
                    f"the key given for {issuer_id} belongs to {explicit.did}",
                    code="issuer_key_unknown",
                )
            keys = {explicit.kind: explicit}
        elif issuer_id.startswith("did:key:"):
            kind: KeyType = "P-256" if issuer_id.startswith("did:key:zDn") else "Ed25519"
            keys = {kind: issuer_key(self.seed, issuer_id, kind, name=name)}
        else:
            keys = {
                "Ed25519": issuer_key(self.seed, issuer_id, "Ed25519"),
                "P-256": issuer_key(self.seed, issuer_id, "P-256"),
            }
        home = _home(issuer_id, keys)
        lists = {}
        for purpose in ("revocation", "suspension"):
            url = f"{home}/status/{purpose}"
            lists[purpose] = _StatusList(
                purpose=purpose,
                url=url,
                file=Path("status") / _status_file(url),
                key=derive_bytes(self.seed, "status positions", issuer_id, purpose),
            )
        return _Issuer(
            issuer_id=issuer_id,
            name=name,
            profile=issuer_profile(issuer_id, name, text(row.get("issuer_type")), home),
            home=home,
            keys=keys,
            lists=lists,
        )

    # -- writing -----------------------------------------------------------------------

    def __enter__(self) -> CredentialFileWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()

    def _signed(self, credential_id: str) -> bool:
        if self.sign_share >= 1.0:
            return True
        draw = int.from_bytes(derive_bytes(self.seed, "signed share", credential_id)[:8], "big")
        return draw < self.sign_share * 2.0**64

    def _write_file(self, relative: str, data: bytes) -> None:
        target = self.out_dir / relative
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            if len(self._folders) < 100_000:
                self._folders.add(target.parent)
        with target.open("wb") as handle:
            handle.write(data)

    def write(
        self,
        credentials_chunk: pd.DataFrame,
        *,
        learners: pd.DataFrame,
        achievements: pd.DataFrame,
        alignments: pd.DataFrame,
        parts: Mapping[str, Sequence[str]],
        faults: pd.DataFrame,
    ) -> pd.DataFrame:
        """Write the files of one chunk of the credentials table.

        Parameters
        ----------
        credentials_chunk : DataFrame
            Rows of the credentials table (:data:`CREDENTIAL_COLUMNS`; ``file`` and
            ``sha256`` may be empty or absent). Chunks are written in the order given.
        learners : DataFrame
            At least the learners the chunk names: ``learner_id``, and ``email`` (hashed
            into the credential when present).
        achievements, alignments : DataFrame
            The catalogue tables (only the rows the chunk needs are read).
        parts : Mapping
            A CLR's main achievement_id -> the course achievement_ids nested in it (a
            CLR whose main achievement has no parts nests the main credential alone).
        faults : DataFrame
            ``credential_id``, ``fault`` (one of :data:`FAULTS`); rows for other chunks
            are ignored.

        Returns
        -------
        DataFrame
            A copy of the chunk with ``file`` (relative to ``out_dir``) and ``sha256`` (of
            the file's bytes) filled in, ``proof`` ``none`` for credentials written
            unsigned, and for an ``expired`` fault whose ``expires_on`` was empty or not
            before ``as_of``, the date written (the day before ``as_of``).

        Raises
        ------
        DatasetError
            ``writer_closed``, ``missing_column``, ``duplicate_key``, ``unknown_reference``
            (an issuer, learner or achievement not in its table), ``invalid_value`` (a
            format, proof or fault not allowed), ``invalid_date`` (issued after ``as_of``,
            expiring before ``as_of`` without an ``expired`` fault, ...),
            ``key_type_mismatch`` (a did:key issuer asked for a proof its key cannot
            sign).
        """
        if self._closed:
            raise DatasetError("the writer is closed", code="writer_closed")
        _require_columns(credentials_chunk, "the credentials chunk", CREDENTIAL_COLUMNS)
        _require_columns(learners, "the learners table", ("learner_id",))
        _require_columns(achievements, "the achievements table", ("achievement_id", "name"))
        _require_columns(faults, "the faults table", ("credential_id", "fault"))
        chunk_ids = [str(v) for v in credentials_chunk["credential_id"]]
        if len(set(chunk_ids)) != len(chunk_ids):
            raise DatasetError(
                "the credentials chunk repeats a credential_id", code="duplicate_key"
            )
        fault_of = self._faults(faults, set(chunk_ids))
        emails = self._emails(learners, credentials_chunk)
        catalogue = _Catalogue(
            {i: v.name for i, v in self._issuers.items()},
            achievements,
            alignments,
            parts,
            credentials_chunk,
        )

        files: list[str] = []
        hashes: list[str] = []
        proofs: list[str] = []
        expiries: list[date | None] = []
        for row in _records(credentials_chunk[list(CREDENTIAL_COLUMNS)]):
            written = self._write_row(
                row, fault_of.get(str(row["credential_id"])), emails, catalogue
            )
            files.append(written.file)
            hashes.append(written.sha256)
            proofs.append(written.proof)
            expiries.append(written.moved_expiry)

        result = credentials_chunk.copy()
        result["file"] = files
        result["sha256"] = hashes
        result["proof"] = proofs
        if any(moved is not None for moved in expiries):
            written_expiry = list(result["expires_on"])
            for position, moved in enumerate(expiries):
                if moved is not None:
                    written_expiry[position] = _cell_like(result["expires_on"], moved)
            result["expires_on"] = pd.Series(
                written_expiry, index=result.index, dtype=result["expires_on"].dtype
            )
        return result

    def _faults(self, faults: pd.DataFrame, chunk_ids: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for credential_id, fault in zip(faults["credential_id"], faults["fault"], strict=True):
            key = str(credential_id)
            if key not in chunk_ids:
                continue
            if fault not in FAULTS:
                raise DatasetError(
                    f"credential {key}: fault {fault!r} is not one of {', '.join(FAULTS)}",
                    code="invalid_value",
                )
            if key in found:
                raise DatasetError(
                    f"credential {key} has more than one fault", code="duplicate_key"
                )
            found[key] = str(fault)
        return found

    @staticmethod
    def _emails(learners: pd.DataFrame, chunk: pd.DataFrame) -> dict[str, str | None]:
        wanted = set(chunk["learner_id"].astype(str))
        rows = learners[learners["learner_id"].astype(str).isin(wanted)]
        column = rows["email"] if "email" in rows.columns else pd.Series([None] * len(rows))
        emails = {
            str(learner): text(email)
            for learner, email in zip(rows["learner_id"], column, strict=True)
        }
        missing = sorted(wanted - emails.keys())
        if missing:
            raise DatasetError(
                f"learner(s) {', '.join(missing[:5])} of the credentials chunk are not in the "
                "learners table",
                code="unknown_reference",
            )
        return emails

    def _check_dates(
        self, credential_id: str, issued: date, expires: date | None, fault: str | None
    ) -> date | None:
        """The validUntil date to write (moved for an expired fault when needed)."""
        if issued > self.as_of:
            raise DatasetError(
                f"credential {credential_id} is issued on {issued}, after as_of {self.as_of}",
                code="invalid_date",
            )
        if expires is not None and expires <= issued:
            raise DatasetError(
                f"credential {credential_id} expires on {expires}, not after it is issued "
                f"({issued})",
                code="invalid_date",
            )
        if fault == "expired":
            if expires is not None and expires < self.as_of:
                return expires
            moved = self.as_of - timedelta(days=1)
            if moved <= issued:
                raise DatasetError(
                    f"credential {credential_id} cannot be expired as of {self.as_of}: it is "
                    f"issued on {issued}, and validUntil must follow validFrom",
                    code="invalid_date",
                )
            return moved
        if expires is not None and expires <= self.as_of:
            raise DatasetError(
                f"credential {credential_id} expires on {expires}, not after as_of "
                f"{self.as_of}, but its fault is not 'expired' (it would not verify)",
                code="invalid_date",
            )
        return expires

    def _write_row(
        self,
        row: Mapping[str, Any],
        fault: str | None,
        emails: Mapping[str, str | None],
        catalogue: _Catalogue,
    ) -> _Written:
        credential_id = text(row["credential_id"])
        if credential_id is None:
            raise DatasetError("a credential has an empty credential_id", code="invalid_value")
        issuer = self._issuers.get(str(row["issuer_id"]))
        if issuer is None:
            raise DatasetError(
                f"credential {credential_id}: issuer {row['issuer_id']!r} is not in the "
                "issuers table",
                code="unknown_reference",
            )
        kind, proof = str(row["format"]), str(row["proof"])
        if kind not in _FORMATS:
            raise DatasetError(
                f"credential {credential_id}: format {kind!r} is not one of {', '.join(_FORMATS)}",
                code="invalid_value",
            )
        if proof not in _PROOFS and proof != "none":
            raise DatasetError(
                f"credential {credential_id}: proof {proof!r} is not one of "
                f"{', '.join(_PROOFS)} or none",
                code="invalid_value",
            )
        if proof == "none" and fault is not None:
            raise DatasetError(
                f"credential {credential_id} has proof 'none' and fault {fault!r}: a fault "
                "needs a signed credential",
                code="invalid_value",
            )
        issued = as_date(row["issued_on"], f"issued_on of {credential_id}")
        if issued is None:
            raise DatasetError(f"credential {credential_id} has no issued_on", code="invalid_date")
        original_expiry = as_date(row["expires_on"], f"expires_on of {credential_id}")
        expires = self._check_dates(credential_id, issued, original_expiry, fault)
        signed = proof != "none" and (fault is not None or self._signed(credential_id))
        key = issuer.key_for(proof, credential_id) if signed else None
        main = catalogue.achievement(str(row["achievement_id"]), credential_id)

        status_list = issuer.lists[
            "revocation"
            if fault == "revoked"
            or (fault != "suspended" and main.get("achievementType") not in _SUSPENDABLE)
            else "suspension"
        ]
        index = status_list.allocate()
        if fault in ("revoked", "suspended"):
            status_list.set_bits.add(index)

        learner_id = str(row["learner_id"])
        common: dict[str, Any] = {
            "issuer": issuer.profile,
            "subject_id": learner_did(self.seed, learner_id),
            "identity_email": emails.get(learner_id),
            "identity_salt": derive_bytes(self.seed, "identity salt", credential_id).hex()[:16],
        }
        if common["identity_email"] is None:
            del common["identity_email"], common["identity_salt"]
        valid_until = moment(expires) if expires is not None else None
        try:
            if kind == "ob3":
                document = achievement_credential(
                    achievement=main,
                    valid_from=moment(issued),
                    valid_until=valid_until,
                    credential_id=credential_id,
                    awarded_date=moment(issued),
                    status=status_entry(status_list.url, index, status_list.purpose),
                    **common,
                )
                pointer = "/credentialSubject/achievement/name"
            else:
                document = self._clr(
                    credential_id, str(row["achievement_id"]), main, issued, valid_until,
                    key, proof, catalogue, common,
                    status_entry(status_list.url, index, status_list.purpose),
                )  # fmt: skip
                listed = document["credentialSubject"]["achievement"]
                position = next(i for i, a in enumerate(listed) if a["id"] == main["id"])
                pointer = f"/credentialSubject/achievement/{position}/name"
            if key is None:
                output = IssuedCredential(document=document, jwt=None, proof_type="none")
            else:
                output = issue_credential(document, key, proof=cast(ProofFormat, proof))
                if fault == "tampered":
                    output = _tampered(output, pointer, str(main["name"]) + _TAMPER_SUFFIX)
        except IssueError as err:
            raise DatasetError(f"credential {credential_id}: {err.message}", code=err.code) from err
        data = output.serialize()
        relative = f"credentials/{issuer.folder}/{_stem(credential_id)}{output.extension}"
        self._write_file(relative, data)
        return _Written(
            file=relative,
            sha256=hashlib.sha256(data).hexdigest(),
            proof=proof if key is not None else "none",
            moved_expiry=expires if expires != original_expiry else None,
        )

    def _clr(
        self,
        credential_id: str,
        main_id: str,
        main: Mapping[str, Any],
        issued: date,
        valid_until: str | None,
        key: IssuerKey | None,
        proof: str,
        catalogue: _Catalogue,
        common: Mapping[str, Any],
        status: Mapping[str, Any],
    ) -> dict[str, Any]:
        part_ids = [p for p in catalogue.parts_of(main_id) if p != main_id]
        # the parts were earned over the year before the record, in the order listed
        count = len(part_ids)
        members: list[tuple[str, Mapping[str, Any], date, str | None]] = [
            (
                part_id,
                catalogue.achievement(part_id, credential_id),
                issued - timedelta(days=round(365 * (count - n) / (count + 1))),
                None,
            )
            for n, part_id in enumerate(part_ids)
        ]
        members.append((main_id, main, issued, valid_until))
        # JWT CLRs nest Data Integrity credentials (CLR 2.0 nests JSON objects)
        nested_proof: ProofFormat | None = None
        if key is not None:
            nested_proof = (
                cast(ProofFormat, proof)
                if proof != "jwt"
                else "eddsa-rdfc-2022"
                if key.kind == "Ed25519"
                else "ecdsa-rdfc-2019"
            )
        nested: list[dict[str, Any]] = []
        for achievement_id, achieved, day, until in members:
            member = achievement_credential(
                achievement=achieved,
                valid_from=moment(day),
                valid_until=until,
                credential_id=_derived_uuid(self.seed, "clr member", credential_id, achievement_id),
                awarded_date=moment(day),
                **common,
            )
            if key is not None and nested_proof is not None:
                signed = issue_credential(member, key, proof=nested_proof)
                assert signed.document is not None
                member = signed.document
            nested.append(member)
        return clr_credential(
            credentials=nested,
            valid_from=moment(issued),
            valid_until=valid_until,
            credential_id=credential_id,
            name=f"Comprehensive Learner Record: {main['name']}",
            description=f"{main['name']} and the {count} course(s) it comprises.",
            associations=[
                {"associationType": "isParentOf", "sourceId": main_id, "targetId": part_id}
                for part_id in part_ids
            ],
            status=status,
            **common,
        )

    # -- closing -----------------------------------------------------------------------

    def close(self) -> None:
        """Write the status lists and DID documents; the writer takes no more chunks.

        Every issuer of the issuers table gets a signed revocation list and a signed
        suspension list (entries of ``revoked`` and ``suspended`` faults set; at least
        131,072 entries), valid from ``as_of``, signed eddsa-rdfc-2022 (ecdsa-rdfc-2019
        for a P-256 did:key issuer); every did:web issuer gets its DID document. Closing
        twice does nothing.
        """
        if self._closed:
            return
        valid_from = moment(self.as_of)
        for issuer in self._issuers.values():
            key = issuer.keys.get("Ed25519") or issuer.keys["P-256"]
            suite: ProofFormat = "eddsa-rdfc-2022" if key.kind == "Ed25519" else "ecdsa-rdfc-2019"
            for status_list in issuer.lists.values():
                signed = status_list_credential(
                    key,
                    url=status_list.url,
                    valid_from=valid_from,
                    purpose=status_list.purpose,
                    size=status_list.size,
                    revoked=sorted(status_list.set_bits),
                    proof=suite,
                )
                self._write_file(status_list.file.as_posix(), signed.serialize())
            if issuer.issuer_id.startswith("did:web:"):
                if issuer.issuer_id in self._explicit:
                    document = did_document(issuer.issuer_id, list(issuer.keys.values()))
                else:
                    document = did_web_document(self.seed, issuer.issuer_id)
                relative = Path("dids") / DidWebFolder(".").relative_path(issuer.issuer_id)
                self._write_file(relative.as_posix(), _json_bytes(document))
        self._closed = True


@dataclass(frozen=True, slots=True)
class _Written:
    file: str
    sha256: str
    proof: str
    moved_expiry: date | None


class _Catalogue:
    """The achievements one chunk needs, built once per chunk."""

    def __init__(
        self,
        issuer_names: Mapping[str, str],
        achievements: pd.DataFrame,
        alignments: pd.DataFrame,
        parts: Mapping[str, Sequence[str]],
        chunk: pd.DataFrame,
    ) -> None:
        self._parts = parts
        mains = set(chunk["achievement_id"].astype(str))
        clr_mains = set(chunk.loc[chunk["format"] == "clr2", "achievement_id"].astype(str))
        needed = set(mains)
        for main_id in clr_mains:
            needed.update(str(p) for p in self.parts_of(main_id))
        rows = achievements[achievements["achievement_id"].astype(str).isin(needed)]
        self._rows: dict[str, dict[str, Any]] = {}
        for row in _records(rows):
            key = str(row["achievement_id"])
            if key in self._rows:
                raise DatasetError(
                    f"achievement {key} appears twice in the achievements table",
                    code="duplicate_key",
                )
            self._rows[key] = row
        self._alignments: dict[str, list[dict[str, Any]]] = {}
        if len(alignments.columns) and "achievement_id" in alignments.columns:
            wanted = alignments[alignments["achievement_id"].astype(str).isin(needed)]
            for row in _records(wanted):
                self._alignments.setdefault(str(row["achievement_id"]), []).append(row)
        self._issuer_names = issuer_names
        self._built: dict[str, dict[str, Any]] = {}

    def parts_of(self, main_id: str) -> list[str]:
        found = self._parts.get(main_id, ())
        if isinstance(found, str):
            raise DatasetError(
                f"parts[{main_id!r}] must be a sequence of achievement ids, not a string",
                code="invalid_argument",
            )
        return [str(p) for p in found]

    def achievement(self, achievement_id: str, credential_id: str) -> dict[str, Any]:
        built = self._built.get(achievement_id)
        if built is not None:
            return built
        row = self._rows.get(achievement_id)
        if row is None:
            raise DatasetError(
                f"credential {credential_id}: achievement {achievement_id} is not in the "
                "achievements table",
                code="unknown_reference",
            )
        creator_id = text(row.get("issuer_id"))
        creator: dict[str, Any] | None = None
        if creator_id is not None:
            creator = {"id": creator_id, "type": ["Profile"]}
            if creator_id in self._issuer_names:
                creator["name"] = self._issuer_names[creator_id]
        built = achievement_object(row, self._alignments.get(achievement_id, []), creator)
        self._built[achievement_id] = built
        return built


def _tampered(issued: IssuedCredential, pointer: str, value: str) -> IssuedCredential:
    """The credential with one value changed after signing, its proof or JWS kept."""
    if issued.jwt is not None:
        token = tamper_jwt_payload(issued.jwt, pointer, value)
        return IssuedCredential(
            document=None, jwt=token, proof_type=issued.proof_type, jwt_form=issued.jwt_form
        )
    assert issued.document is not None
    return IssuedCredential(
        document=tamper_field(issued.document, pointer, value),
        jwt=None,
        proof_type=issued.proof_type,
    )


def _json_bytes(document: Mapping[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
