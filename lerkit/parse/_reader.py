"""Turn any source (file, folder, JSONL, zip, JWS, dict) into credentials.

Every input ends up either as records or as a :class:`~lerkit.model.Problem`;
the batch API never raises for bad input and never drops anything silently.
"""

from __future__ import annotations

import codecs
import io
import json
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lerkit import _baking, _jws
from lerkit._gc import gc_paused
from lerkit.errors import ParseError
from lerkit.model import Credential, Envelope, Problem, ProofInfo, SourceLocation
from lerkit.parse._documents import Sink, read_document
from lerkit.parse._fields import describe
from lerkit.parse._limits import DEFAULT_LIMITS, ReadLimits

__all__ = ["SKIPPED_NAMES", "SKIPPED_SUFFIXES", "iter_source", "read_into"]

#: file kinds that sit beside credentials in dataset folders and are not read as
#: credentials; they are listed in ``CredentialSet.skipped`` rather than dropped.
SKIPPED_SUFFIXES = frozenset(
    {".md", ".txt", ".csv", ".parquet", ".yaml", ".yml", ".py", ".ipynb", ".html", ".pem", ".toml"}
)
#: licence and notice files that sit beside credentials in downloaded bundles
SKIPPED_NAMES = frozenset({"license", "licence", "copying", "notice", "authors"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SVG_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]", re.S
)
_URL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True, slots=True)
class Item:
    """One unit of input: raw bytes, a decoded JSON value, or a problem."""

    location: SourceLocation
    data: bytes | None = None
    value: Any = None
    has_value: bool = False


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether a decoded JSON value nests deeper than ``limit`` (iterative walk)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


# "unrolled loop" form: one C-level scan per string rather than one step per character
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_EMPTY_PAIR = re.compile(rb"\{\}|\[\]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]")


def _text_depth_exceeds(text: bytes, limit: int) -> bool:
    """Whether JSON text nests deeper than ``limit``, decided before decoding it.

    Strings are cut out, everything but brackets dropped, and innermost pairs
    removed one level per pass, all with C-speed regex/translate calls: far
    cheaper than walking the decoded tree in Python, which the reader would
    otherwise do for every credential.
    """
    if text.count(b"{") + text.count(b"[") <= limit:
        return False
    brackets = _JSON_STRING.sub(b"", text).translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        brackets, removed = _EMPTY_PAIR.subn(b"", brackets)
        if not brackets or not removed:
            return False
    return bool(brackets)


def _load_json(
    text: str | bytes, location: SourceLocation, limits: ReadLimits, sink: Sink
) -> tuple[bool, Any]:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if _text_depth_exceeds(raw, limits.max_depth):
        sink.problem(
            location, "too_deeply_nested", f"JSON nests deeper than {limits.max_depth} levels"
        )
        return False, None
    try:
        value = json.loads(text)
    except RecursionError:
        sink.problem(
            location, "too_deeply_nested", f"JSON nests deeper than {limits.max_depth} levels"
        )
        return False, None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        if isinstance(err, json.JSONDecodeError) and location.line is not None:
            # one JSONL line: the file line is in the location already
            message = f"invalid JSON: {err.msg} (column {err.colno})"
        elif isinstance(err, json.JSONDecodeError):
            message = f"invalid JSON: {err.msg} (line {err.lineno}, column {err.colno})"
        else:
            message = f"not UTF-8 text: {err.reason} at byte {err.start}"
        sink.problem(location, "invalid_json", message)
        return False, None
    return True, value


# -- sources ----------------------------------------------------------------------


def _iter_file(path: Path, shown: str, limits: ReadLimits, sink: Sink) -> Iterator[Item]:
    try:
        size = path.stat().st_size
    except OSError as err:
        sink.problem(SourceLocation(shown), "unreadable_file", f"cannot read file: {err.strerror}")
        return
    location = SourceLocation(shown)
    suffix = path.suffix.lower()
    if suffix == ".zip":
        yield from _iter_zip(path, shown, limits, sink)
        return
    if size > limits.max_file_bytes and suffix != ".jsonl":
        sink.problem(
            location,
            "file_too_large",
            f"file is {size:,} bytes, over the {limits.max_file_bytes:,}-byte limit",
        )
        return
    if suffix == ".jsonl":
        with path.open("rb") as handle:
            yield from _iter_lines(handle, shown, None, limits, sink)
        return
    try:
        data = path.read_bytes()
    except OSError as err:
        sink.problem(location, "unreadable_file", f"cannot read file: {err.strerror}")
        return
    yield Item(location, data=data)


def _iter_lines(
    handle: io.BufferedIOBase, shown: str, member: str | None, limits: ReadLimits, sink: Sink
) -> Iterator[Item]:
    """JSONL lines, each read with a bounded ``readline`` so one huge line
    cannot exhaust memory; an input with no non-blank line is a problem."""
    cap = limits.max_file_bytes
    number = 0
    found = False
    while True:
        line = handle.readline(cap + 1)
        if not line:
            break
        number += 1
        location = SourceLocation(shown, member=member, line=number)
        if len(line) > cap and not line.endswith(b"\n"):
            size = len(line)
            while line and not line.endswith(b"\n"):  # skip the rest of the line
                line = handle.readline(1024 * 1024)
                size += len(line)
            sink.problem(
                location,
                "line_too_large",
                f"line is {size:,} bytes, over the {cap:,}-byte limit",
            )
            found = True
            continue
        if not line.strip():
            continue
        found = True
        yield Item(location, data=line.rstrip(b"\r\n"))
    if not found:
        sink.problem(SourceLocation(shown, member=member), "empty", "JSON Lines input has no lines")


def _iter_zip(path: Path, shown: str, limits: ReadLimits, sink: Sink) -> Iterator[Item]:
    location = SourceLocation(shown)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        sink.problem(location, "invalid_zip", f"not a readable zip archive: {err}")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not members:
            sink.problem(location, "empty", "zip archive has no files")
            return
        if len(members) > limits.max_zip_members:
            sink.problem(
                location,
                "zip_too_large",
                f"zip has {len(members):,} members, over the limit of {limits.max_zip_members:,}",
            )
            return
        declared = sum(info.file_size for info in members)
        if declared > limits.max_zip_bytes:
            sink.problem(
                location,
                "zip_too_large",
                f"zip members would expand to {declared:,} bytes, over the {limits.max_zip_bytes:,}-byte limit",
            )
            return
        expanded = 0
        for info in sorted(members, key=lambda m: m.filename):
            where = SourceLocation(shown, member=info.filename)
            name = info.filename.rsplit("/", 1)[-1]
            suffix = os.path.splitext(name)[1].lower()
            if name.startswith(".") or suffix in SKIPPED_SUFFIXES:
                sink.skipped.append(str(where))
                continue
            if suffix == ".zip":
                sink.problem(
                    where,
                    "nested_archive",
                    "zip archives inside zip archives are not read; extract it first",
                )
                continue
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_zip_ratio and info.file_size > 1024 * 1024:
                sink.problem(
                    where,
                    "zip_too_large",
                    f"member expands {ratio:,.0f}-fold ({info.file_size:,} bytes), over the ratio limit of "
                    f"{limits.max_zip_ratio:,.0f}: possible zip bomb",
                )
                continue
            cap = limits.max_file_bytes if suffix != ".jsonl" else limits.max_zip_bytes
            if info.file_size > cap:
                sink.problem(
                    where,
                    "file_too_large",
                    f"member is {info.file_size:,} bytes, over the {cap:,}-byte limit",
                )
                continue
            try:
                with archive.open(info) as handle:
                    # zipfile stops at the declared size and checks the CRC, so a
                    # header that lies about the size fails here as invalid_zip.
                    data = handle.read(info.file_size + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                RuntimeError,
                NotImplementedError,
                EOFError,
                ValueError,
                zlib.error,
                lzma.LZMAError,
            ) as err:
                sink.problem(where, "invalid_zip", f"cannot read member: {err}")
                continue
            expanded += len(data)
            if expanded > limits.max_zip_bytes:
                sink.problem(
                    where,
                    "zip_too_large",
                    f"zip expanded past the {limits.max_zip_bytes:,}-byte limit; later members not read",
                )
                return
            if suffix == ".jsonl":
                yield from _iter_lines(io.BytesIO(data), shown, info.filename, limits, sink)
            else:
                yield Item(where, data=data)


def _iter_folder(root: Path, limits: ReadLimits, sink: Sink) -> Iterator[Item]:
    paths = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    for path in paths:
        relative = path.relative_to(root)
        shown = str(path)
        if (
            any(part.startswith(".") for part in relative.parts)
            or path.suffix.lower() in SKIPPED_SUFFIXES
            or path.stem.lower() in SKIPPED_NAMES
        ):
            sink.skipped.append(shown)
            continue
        if path.is_dir():  # a symbolic link to a folder: not followed, to avoid loops
            sink.problem(
                SourceLocation(shown),
                "symlink_not_followed",
                "symbolic link to a folder; read the folder itself to include it",
            )
            continue
        yield from _iter_file(path, shown, limits, sink)


def iter_source(source: Any, limits: ReadLimits, sink: Sink) -> Iterator[Item]:
    """Yield the items of a source; unreadable parts become problems in ``sink``."""
    if isinstance(source, Mapping):
        yield Item(SourceLocation("<memory>"), value=source, has_value=True)
        return
    if isinstance(source, bytes):
        yield Item(SourceLocation("<memory>"), data=source)
        return
    if isinstance(source, str):
        text = source.strip()
        if not text:
            # Path("") is the current folder: never read it by accident.
            sink.problem(SourceLocation("<memory>"), "empty", "input is an empty string")
            return
        if text.startswith(("{", "[")) or _jws.looks_like_compact_jws(text):
            yield Item(SourceLocation("<memory>"), data=text.encode("utf-8"))
            return
        if "\n" in text or len(text) > 4096:
            sink.problem(
                SourceLocation("<memory>"),
                "unknown_format",
                "text is not JSON, a compact JWS or a file path",
            )
            return
        source = Path(text)
    if isinstance(source, os.PathLike):
        path = Path(source)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as err:  # e.g. a name too long for the file system
            sink.problem(
                SourceLocation(str(path)[:200]),
                "unreadable_file",
                f"cannot read path: {err.strerror}",
            )
            return
        if is_dir:
            yield from _iter_folder(path, limits, sink)
        elif exists:
            yield from _iter_file(path, str(path), limits, sink)
        else:
            sink.problem(SourceLocation(str(path)), "not_found", "no such file or folder")
        return
    if isinstance(source, Iterable):
        for index, item in enumerate(source):
            for inner in iter_source(item, limits, sink):
                location = inner.location
                if location.path == "<memory>":
                    location = SourceLocation(
                        f"<memory>[{index}]", location.member, location.line, location.pointer
                    )
                yield Item(location, inner.data, inner.value, inner.has_value)
        return
    sink.problem(
        SourceLocation("<memory>"), "unknown_format", f"cannot read a {type(source).__name__}"
    )


# -- envelopes ----------------------------------------------------------------------


def _decode_jws(
    token: str, location: SourceLocation, sink: Sink, parent: str | None, depth: int
) -> str | None:
    """Read a compact JWS credential: VC-JWT (1.1 ``vc`` claim), VC-JOSE-COSE or OB 2.0."""
    limits = sink.limits
    try:
        decoded = _jws.split_compact(token)
    except ParseError as err:
        sink.problem(location, err.code, err.message)
        return None
    payload = decoded.payload_json
    if not isinstance(payload, dict):
        sink.problem(location, "not_a_credential", "JWS payload is not a JSON object")
        return None
    if _depth_exceeds(payload, limits.max_depth):
        sink.problem(
            location, "too_deeply_nested", f"JSON nests deeper than {limits.max_depth} levels"
        )
        return None
    header = decoded.header
    if isinstance(payload.get("vc"), dict):
        document = _vc_from_jwt_claims(payload)
        envelope = Envelope.VC_JWT
    elif "@context" in payload and "credentialSubject" in payload:
        document = payload
        envelope = Envelope.VC_JOSE
    elif "recipient" in payload and "badge" in payload:
        document = payload
        envelope = Envelope.OB2_JWS
    else:
        sink.problem(
            location,
            "not_a_credential",
            "JWS payload has no 'vc' claim and is not itself a credential",
        )
        return None
    start = len(sink.credentials)
    outer_raw, sink.raw = sink.raw, None  # the payload is not part of any JSON text
    try:
        record_id = read_document(
            document,
            location,
            sink,
            envelope=envelope,
            parent_record_id=parent,
            jws=token,
            depth=depth,
            max_nesting=limits.max_nesting,
        )
    finally:
        sink.raw = outer_raw
    if record_id is not None:
        # Record the JOSE signature as the proof the envelope carries.
        kid = header.get("kid")
        proof = ProofInfo(
            type="JWS",
            cryptosuite=str(header.get("alg")),
            verification_method=kid if isinstance(kid, str) else None,
        )
        _update_record(
            sink, start, record_id, lambda credential: {"proofs": (*credential.proofs, proof)}
        )
    return record_id


def _update_record(
    sink: Sink, start: int, record_id: str, changes: Callable[[Credential], dict[str, Any]]
) -> None:
    """Replace the record ``record_id`` (added at or after ``start``) with a changed copy.

    Records are frozen; the envelope reader learns some facts (the JOSE proof,
    the image it came in) only after the document reader built the record.
    """
    for position in range(start, len(sink.credentials)):
        credential = sink.credentials[position]
        if credential.record_id == record_id:
            sink.credentials[position] = replace(credential, **changes(credential))
            return


def _vc_from_jwt_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """Rebuild the VC 1.1 credential a ``vc``-claim JWT stands for.

    VC Data Model 1.1 §6.3.1: ``iss`` is the issuer, ``nbf`` the issuance date,
    ``exp`` the expiration date, ``jti`` the id and ``sub`` the subject's id; the
    registered claims win over copies inside ``vc``.
    """
    document = dict(claims["vc"])

    def stamp(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return datetime.fromtimestamp(value, tz=UTC).isoformat().replace("+00:00", "Z")
            except (OverflowError, ValueError, OSError):
                return value  # left as is: reading the date reports it as a problem
        return value

    if "iss" in claims:
        issuer = document.get("issuer")
        if isinstance(issuer, dict):
            document["issuer"] = {**issuer, "id": claims["iss"]}
        else:
            document["issuer"] = claims["iss"]
    if "nbf" in claims:
        key = (
            "validFrom"
            if "validFrom" in document and "issuanceDate" not in document
            else "issuanceDate"
        )
        document[key] = stamp(claims["nbf"])
    if "exp" in claims:
        key = "validUntil" if "validUntil" in document else "expirationDate"
        document[key] = stamp(claims["exp"])
    if "jti" in claims:
        document["id"] = claims["jti"]
    if "sub" in claims and isinstance(document.get("credentialSubject"), dict):
        document["credentialSubject"] = {**document["credentialSubject"], "id": claims["sub"]}
    return document


def _read_text(text: str, location: SourceLocation, sink: Sink, envelope: Envelope) -> None:
    """Badge text from an image or file: JSON, a compact JWS, or a URL."""
    stripped = text.strip()
    if _jws.looks_like_compact_jws(stripped):
        start = len(sink.credentials)
        record_id = _decode_jws(stripped, location, sink, None, 0)
        if record_id is not None and envelope in (Envelope.PNG, Envelope.SVG):
            _update_record(sink, start, record_id, lambda _: {"envelope": envelope})
        return
    if _URL.match(stripped):
        sink.problem(
            location,
            "remote_reference",
            f"badge refers to {stripped} instead of embedding it; lerkit does not fetch URLs while reading",
        )
        return
    ok, value = _load_json(stripped, location, sink.limits, sink)
    if ok:
        _read_json_text(value, stripped.encode("utf-8"), location, sink, envelope)


def _read_json_text(
    value: Any, raw: bytes, location: SourceLocation, sink: Sink, envelope: Envelope
) -> None:
    """Read decoded JSON whose records will keep ``raw`` rather than ``value``."""
    sink.raw = raw
    try:
        _read_value(value, location, sink, envelope)
    finally:
        sink.raw = None


def _read_value(value: Any, location: SourceLocation, sink: Sink, envelope: Envelope) -> None:
    if isinstance(value, list):
        # A JSON array of credentials: each element is its own input.
        if not value:
            sink.problem(location, "empty", "JSON array holds no credentials")
        for index, element in enumerate(value):
            _read_value(element, location.at(f"/{index}"), sink, envelope)
        return
    read_document(value, location, sink, envelope=envelope, max_nesting=sink.limits.max_nesting)


_BAKED = {
    Envelope.PNG: (
        _baking.extract_png,
        "PNG image has no 'openbadges' iTXt chunk: it is not a baked badge",
    ),
    Envelope.SVG: (
        _baking.extract_svg,
        "SVG image has no openbadges:credential or openbadges:assertion element: it is not a baked badge",
    ),
}


def _read_image(data: bytes, location: SourceLocation, sink: Sink, envelope: Envelope) -> None:
    """A baked badge: the credential text inside a PNG or SVG image."""
    extract, missing = _BAKED[envelope]
    try:
        text = extract(data)
    except ParseError as err:
        sink.problem(location, err.code, err.message)
        return
    if text is None:
        sink.problem(location, "no_badge_in_image", missing)
        return
    _read_text(text, location, sink, envelope)


def _read_bytes(data: bytes, location: SourceLocation, sink: Sink) -> None:
    limits = sink.limits
    if len(data) > limits.max_file_bytes:
        sink.problem(
            location,
            "file_too_large",
            f"input is {len(data):,} bytes, over the {limits.max_file_bytes:,}-byte limit",
        )
        return
    if not data.strip():
        sink.problem(location, "empty", "input is empty")
        return
    if data.startswith(PNG_SIGNATURE):
        _read_image(data, location, sink, Envelope.PNG)
        return
    if _SVG_START.match(data[:4096]):
        _read_image(data, location, sink, Envelope.SVG)
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        sink.problem(
            location,
            "unknown_format",
            "binary data that is not a PNG or SVG badge, JSON or a compact JWS",
        )
        return
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        # decode the text as it is, so error line numbers match the file
        ok, value = _load_json(text, location, limits, sink)
        if ok:
            raw = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
            _read_json_text(value, raw, location, sink, Envelope.JSON)
        return
    if _jws.looks_like_compact_jws(stripped):
        _decode_jws(stripped, location, sink, None, 0)
        return
    if "\x00" in text or sum(ch.isprintable() or ch.isspace() for ch in text[:512]) < 0.9 * min(
        len(text), 512
    ):
        sink.problem(
            location,
            "unknown_format",
            "binary data that is not a PNG or SVG badge, JSON or a compact JWS",
        )
        return
    if len(stripped) < 4096:
        try:
            scalar = json.loads(stripped)
        except ValueError:
            pass
        else:
            sink.problem(
                location,
                "not_a_credential",
                f"JSON value is {describe(scalar)}, not a credential object",
            )
            return
    preview = stripped[:40].replace("\n", " ")
    sink.problem(
        location, "unknown_format", f"text is not JSON or a compact JWS (starts with {preview!r})"
    )


def read_into(
    source: Any, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[list[Credential], list[Problem], list[str]]:
    """Read ``source`` fully; return ``(credentials, problems, skipped paths)``."""
    sink = Sink(decode_jws=_decode_jws, limits=limits)
    with gc_paused():
        for item in iter_source(source, limits, sink):
            if item.has_value:
                if _depth_exceeds(item.value, limits.max_depth):
                    sink.problem(
                        item.location,
                        "too_deeply_nested",
                        f"JSON nests deeper than {limits.max_depth} levels",
                    )
                    continue
                _read_value(item.value, item.location, sink, Envelope.JSON)
            elif item.data is not None:
                _read_bytes(item.data, item.location, sink)
    return sink.credentials, sink.problems, sink.skipped
