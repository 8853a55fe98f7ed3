"""The ``lerkit`` command.

``lerkit inspect PATH`` shows what a file or folder of credentials holds;
``lerkit verify PATH...`` verifies credentials (exit 0 all verified, 1 not, 2 usage);
``lerkit issue --demo N --out DIR`` issues signed demo credentials from a did:key;
``lerkit contexts add URL FILE`` / ``lerkit contexts list`` manage the offline contexts;
``lerkit datasets synth --learners N --seed S --out DIR`` generates a synthetic pilot;
``lerkit datasets template DIR`` writes an empty pilot dataset to fill in and
``lerkit datasets check DIR`` validates one (exit 0 no errors, 1 problems, 2 usage);
``lerkit report NAME -p key value`` runs a report notebook into ``reports/``.
Errors lerkit raises on purpose are shown as one red line with exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand

from lerkit.errors import LerkitError

__all__ = ["app", "main"]

ALL_REPORTS = "all"

app = typer.Typer(
    name="lerkit",
    help="Read, inspect and report on Learning and Employment Records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# emoji off: ":key:" inside did:key identifiers would become an emoji
_out = Console(highlight=False, emoji=False)
_err = Console(stderr=True, highlight=False, emoji=False)


def _version() -> str:
    from lerkit.reports._provenance import lerkit_version

    return lerkit_version()


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"lerkit {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the lerkit version and exit.",
            callback=_version_callback,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Read, inspect and report on Learning and Employment Records."""


@contextmanager
def _errors() -> Iterator[None]:
    """Show a LerkitError as one red line and exit with status 2 (no traceback)."""
    try:
        yield
    except LerkitError as err:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from err


def _count_table(title: str, frame: Any, label: str, label_title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label_title)
    table.add_column("Credentials", justify="right")
    for row in frame.itertuples(index=False):
        # Text, not str: data must never be read as rich markup
        table.add_row(Text(str(getattr(row, label))), Text(str(row.credentials)))
    return table


_VERDICT_STYLE = {
    "verified": "green",
    "warning": "yellow",
    "not_verified": "red",
    "indeterminate": "magenta",
}
_FORMATS = ("table", "json", "csv")


def _parse_now(value: str | None) -> Any:
    from datetime import UTC, datetime

    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise typer.BadParameter(
            f"{value!r} is not an ISO 8601 date-time", param_hint="--now"
        ) from err
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shown_path(source: Any) -> str:
    text = str(source)
    try:
        return str(Path(text).relative_to(Path.cwd()))
    except ValueError:
        return text


def _verification_table(frame: Any) -> Table:
    table = Table(title="Verification", title_justify="left")
    table.add_column("Source", overflow="fold", ratio=2)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Why (--format json for every check)", overflow="ellipsis", ratio=3)
    for row in frame.itertuples(index=False):
        first = row.reason if isinstance(row.reason, str) else ""
        table.add_row(
            Text(_shown_path(row.source)),
            Text(str(row.verdict), style=_VERDICT_STYLE.get(str(row.verdict), "")),
            Text(first[:160]),
        )
    return table


@app.command()
def verify(
    paths: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            help="Credential files or folders (JSON, JWT, PNG, SVG, .jsonl, .zip).",
            show_default=False,
        ),
    ],
    trust: Annotated[
        Path | None,
        typer.Option(
            "--trust", exists=True, dir_okay=False, help="Trust list of known issuers (JSON/YAML)."
        ),
    ] = None,
    status_dir: Annotated[
        Path | None,
        typer.Option(
            "--status-dir",
            exists=True,
            file_okay=False,
            help="Folder of status list credentials (see lerkit.status.FolderStatusLists).",
        ),
    ] = None,
    did_web_dir: Annotated[
        Path | None,
        typer.Option(
            "--did-web-dir", exists=True, file_okay=False, help="Local copies of did:web documents."
        ),
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Output: table, json or csv.")
    ] = "table",
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: every core).")
    ] = None,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Check dates as of this ISO 8601 moment (default: now)."),
    ] = None,
    trust_fragment_keys: Annotated[
        bool,
        typer.Option(
            "--trust-fragment-keys",
            help="Accept keys written in an HTTPS verification method's fragment (warns).",
        ),
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Count warnings (expired, unknown issuer) as failures.")
    ] = False,
) -> None:
    """Verify credentials: signature, key, dates, status, issuer, schema.

    Exit status 0 when every credential is authentic (verified, or with --strict only
    verified), 1 when any is not or none was found, 2 on usage errors. Nothing is
    fetched from the network.
    """
    from lerkit.verify import VerifyOptions, load_trust_list, verify_many

    if output_format not in _FORMATS:
        raise typer.BadParameter(
            f"{output_format!r} is not one of {', '.join(_FORMATS)}", param_hint="--format"
        )
    moment = _parse_now(now)
    with _errors():
        options = VerifyOptions(
            trust=load_trust_list(trust) if trust else None,
            status_lists=status_dir,
            did_web=did_web_dir,
            now=moment,
            trust_fragment_keys=trust_fragment_keys,
        )
        frame = verify_many(
            [str(path) for path in paths],
            workers=workers,
            options=options,
            progress=None if output_format == "table" else False,
        )
    if output_format == "json":
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
    elif output_format == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
    else:
        _out.print(_verification_table(frame))
        counts = frame["verdict"].value_counts()
        typer.echo(
            f"{len(frame)} credential(s): "
            + ", ".join(f"{n} {str(verdict).replace('_', ' ')}" for verdict, n in counts.items())
        )
    accepted = {"verified"} if strict else {"verified", "warning"}
    if frame.empty:
        typer.secho("no credentials found", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    if not frame["verdict"].isin(accepted).all():
        raise typer.Exit(code=1)


contexts_app = typer.Typer(
    help="The pinned JSON-LD contexts and the local context cache.", no_args_is_help=True
)
app.add_typer(contexts_app, name="contexts")


@contexts_app.command("add")
def contexts_add(
    url: Annotated[str, typer.Argument(help="The context URL credentials name in @context.")],
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A local copy of the context.")
    ],
) -> None:
    """Add a context to the local cache, pinned by its SHA-256 from now on."""
    from lerkit.contexts import default_loader

    with _errors():
        cached = default_loader().add_context(url, file)
    typer.echo(f"added {url}\n  sha256 {cached.sha256}\n  file   {cached.path}")


@contexts_app.command("list")
def contexts_list() -> None:
    """List the contexts lerkit serves offline: pinned ones and the local cache."""
    from lerkit.contexts import PINNED_CONTEXTS, default_loader

    # one plain line per context, so the list can be searched and piped
    for url, pinned in PINNED_CONTEXTS.items():
        typer.echo(f"{url}\t{pinned.origin}\tsha256:{pinned.sha256}")
    for url, cached in default_loader().cached_contexts().items():
        typer.echo(f"{url}\tlocal cache ({cached.path})\tsha256:{cached.sha256}")


@app.command()
def inspect(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            help="A credential file, a folder (read recursively), a .jsonl or a .zip.",
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
    ] = False,
) -> None:
    """Count the credentials in PATH by format and issuer, and list the problems.

    Nothing is verified: this shows what the credentials claim. The exit status
    is 0 even when some inputs could not be read; they are listed as problems.
    """
    import lerkit
    from lerkit._inventory import inventory_summary

    with _errors():
        found = lerkit.read(path)
        summary = inventory_summary(found, root=path if path.is_dir() else path.parent)
    if as_json:
        payload = {
            "source": str(path),
            "credentials": summary.n_credentials,
            "top_level": summary.n_top_level,
            "problems": summary.n_problems,
            "by_format": summary.by_format[["format", "credentials"]].to_dict(orient="records"),
            "by_issuer": summary.by_issuer.to_dict(orient="records"),
            "problem_list": summary.problems.to_dict(orient="records"),
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
        return
    typer.echo(summary.summary)
    typer.echo("Read, not verified: nothing here says a credential is genuine.")
    _out.print(_count_table("By format", summary.by_format, "format", "Format"))
    _out.print(_count_table("By issuer", summary.by_issuer, "issuer", "Issuer"))
    if summary.n_problems:
        problems = Table(title=f"Problems ({summary.n_problems})", title_justify="left")
        problems.add_column("Where", overflow="fold")
        problems.add_column("Code", style="yellow")
        problems.add_column("Message")
        for row in summary.problems.itertuples(index=False):
            problems.add_row(Text(str(row.location)), Text(str(row.code)), Text(str(row.message)))
        _out.print(problems)


def _raw_pairs(ctx: Any, value: Any) -> Any:
    """The (key, value) pairs as parsed, without Typer's per-item coercion to str."""
    return [(str(key), str(item)) for key, item in value or ()]


class _KeyValueCommand(TyperCommand):
    """Give ``-p/--param`` two values per use (``-p key value``): reports and synth.

    Typer cannot declare a repeatable two-value option (``list[tuple[str, str]]``),
    so the ``list[str]`` option it builds is switched to two values per use and
    its coercion (which would turn each pair into one string) is bypassed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.name == "param":
                param.nargs = 2
                param.metavar = "KEY VALUE"
                param.process_value = _raw_pairs  # type: ignore[method-assign]


def _list_reports(notebooks_dir: Path | None) -> None:
    from lerkit.reports import available_reports, describe_parameters

    table = Table(title="Reports", title_justify="left")
    table.add_column("Name")
    table.add_column("Title")
    table.add_column("Parameters")
    for name, notebook in available_reports(notebooks_dir).items():
        table.add_row(
            Text(name), Text(notebook.title), Text(describe_parameters(notebook.parameters))
        )
    _out.print(table)


def _run_all(output_dir: Path | None, with_code: bool, notebooks_dir: Path | None) -> None:
    from lerkit.reports import available_reports, default_reports_dir, run_report

    notebooks = available_reports(notebooks_dir)
    failures: list[str] = []
    results = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
    ) as progress:
        task = progress.add_task("reports", total=len(notebooks))
        for name in notebooks:
            progress.update(task, description=f"running {name}")
            try:
                results.append(
                    run_report(
                        name,
                        {},
                        output_dir=output_dir,
                        with_code=with_code,
                        notebooks_dir=notebooks_dir,
                    )
                )
            except LerkitError as err:
                failures.append(f"{name}: {err}")
            progress.advance(task)
        progress.update(task, description="reports")
    # plain echo: rich would wrap long paths
    for result in results:
        typer.echo(f"{result.name}: {result.html_path}")
    root = output_dir if output_dir is not None else default_reports_dir(notebooks_dir)
    typer.echo(f"index: {Path(root).resolve() / 'index.html'}")
    if failures:
        for failure in failures:
            typer.secho(f"error: {failure}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)


@app.command(cls=_KeyValueCommand)
def report(
    name: Annotated[
        str | None,
        typer.Argument(
            help=f"Report (notebook) name, or '{ALL_REPORTS}' to run every report on "
            "its defaults. Omit it to list the reports and their parameters.",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "-p",
            "--param",
            help="Set a notebook parameter: -p KEY VALUE; repeat for more. Values are "
            "converted to the parameter's type (lists and dicts as JSON).",
            show_default=False,
        ),
    ] = None,
    with_code: Annotated[
        bool, typer.Option("--with-code", help="Show the code cells in the HTML.")
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir",
            file_okay=False,
            help="Reports folder (default: reports/ in the lerkit checkout).",
        ),
    ] = None,
    notebooks_dir: Annotated[
        Path | None,
        typer.Option(
            "--notebooks-dir",
            exists=True,
            file_okay=False,
            help="Folder of report notebooks (default: notebooks/ in the lerkit checkout).",
        ),
    ] = None,
) -> None:
    """Run a report notebook into reports/NAME/<slug>/ as HTML and .ipynb.

    Parameters are checked before the notebook starts; relative paths are taken
    relative to the current folder. reports/index.html lists every run.
    """
    from lerkit.reports import run_report

    # click hands over (key, value) pairs: see _KeyValueCommand
    pairs: list[tuple[str, str]] = list(param or [])  # type: ignore[arg-type]  # see _KeyValueCommand
    with _errors():
        if name is None:
            _list_reports(notebooks_dir)
            return
        if name == ALL_REPORTS:
            if pairs:
                raise typer.BadParameter(
                    f"'report {ALL_REPORTS}' runs every report on its defaults", param_hint="-p"
                )
            _run_all(output_dir, with_code, notebooks_dir)
            return
        parameters: dict[str, Any] = {}
        for key, value in pairs:
            parameters[key] = value
        with _err.status(f"running {name}"):
            result = run_report(
                name,
                parameters,
                output_dir=output_dir,
                with_code=with_code,
                notebooks_dir=notebooks_dir,
            )
        typer.echo(f"{result.name}: {result.html_path}")
        typer.echo(f"index: {result.html_path.parents[2] / 'index.html'}")


# -- explain -----------------------------------------------------------------------------


@app.command("explain")
def explain_command(
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to serve on (127.0.0.1 only).")
    ] = 8866,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Do not open a web browser.")
    ] = False,
    notebooks_dir: Annotated[
        Path | None,
        typer.Option(
            "--notebooks-dir",
            exists=True,
            file_okay=False,
            help="Folder holding how-lers-work.ipynb (default: notebooks/ in the lerkit checkout).",
        ),
    ] = None,
) -> None:
    """Serve the how-lers-work workshop explainer as an app (Voila), offline.

    Issue a credential from a form, see its canonical form, hash and signature, change a
    field or revoke it and watch verification fail. Stop it with Ctrl-C.
    """
    from lerkit.workshop import serve

    with _errors():
        code = serve(port=port, open_browser=not no_browser, notebooks_dir=notebooks_dir)
    if code:
        raise typer.Exit(code=code)


# -- issue -------------------------------------------------------------------------------

_ISSUE_PROOFS = ("eddsa-rdfc-2022", "Ed25519Signature2020", "ecdsa-rdfc-2019", "jwt")
_KEY_FILE_NAME = "issuer-key.json"


@app.command("issue")
def issue_command(
    demo: Annotated[
        int | None,
        typer.Option(
            "--demo",
            metavar="N",
            help="Issue N synthetic Open Badges 3.0 credentials (the only mode for now).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            file_okay=False,
            help="Folder to write into (created if missing).",
            show_default=False,
        ),
    ] = None,
    proof: Annotated[
        str,
        typer.Option(
            "--proof",
            help="eddsa-rdfc-2022, Ed25519Signature2020, ecdsa-rdfc-2019 or jwt (Open Badges "
            "3.0 VC-JWTs).",
        ),
    ] = "eddsa-rdfc-2022",
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key",
            metavar="FILE",
            dir_okay=False,
            help=f"Issuer key file to sign with. Default: make a new key, saved as DIR/{_KEY_FILE_NAME}.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Chooses the synthetic learners, achievements and dates.")
    ] = 0,
) -> None:
    """Issue signed demo credentials from a did:key issuer, for workshops and test data.

    Writes N credentials into DIR/credentials/ (.json, or .jwt with --proof jwt: Open
    Badges 3.0 VC-JWTs, the credential's members beside the claims iss, sub, nbf, jti and
    exp), the issuer's DID document (did.json) and a signed revocation list (under
    DIR/training.example.org/, where --status-dir DIR finds it; a VC-JOSE-COSE token with
    --proof jwt). The same key and seed give the same files. The secret key is written
    only to the key file, readable by its owner alone.
    """
    from typing import cast

    from lerkit.issue import (
        DEMO_STATUS_LIST_URL,
        DEMO_VALID_FROM,
        IssueError,
        ProofFormat,
        demo_credentials,
        generate_key,
        load_key,
        status_list_credential,
    )
    from lerkit.issue._credentials import check_key_for_proof

    with _errors():
        if demo is None:
            raise IssueError(
                "lerkit issue only makes demo credentials for now: pass --demo N --out DIR",
                code="invalid_argument",
            )
        if demo < 1:
            raise IssueError(f"--demo N must be at least 1, got {demo}", code="invalid_argument")
        if out is None:
            raise IssueError(
                "--out DIR is required: the folder to write into", code="invalid_argument"
            )
        if proof not in _ISSUE_PROOFS:
            raise IssueError(
                f"--proof {proof!r} is not one of {', '.join(_ISSUE_PROOFS)}",
                code="unsupported_proof",
            )
        chosen = cast("ProofFormat", proof)
        if key_file is not None:
            key = load_key(key_file)
            check_key_for_proof(key, proof)
            key_path, new_key = key_file, False
        else:
            key_path, new_key = out / _KEY_FILE_NAME, True
            if key_path.exists():
                raise IssueError(
                    f"{key_path} already exists; pass --key {key_path} to sign with it again, "
                    "or choose another --out",
                    code="key_file_exists",
                )
            key = generate_key("P-256" if proof == "ecdsa-rdfc-2019" else "Ed25519")
        issued = demo_credentials(
            demo, key, proof=chosen, seed=seed, status_list_url=DEMO_STATUS_LIST_URL
        )
        status_list = status_list_credential(
            key, url=DEMO_STATUS_LIST_URL, valid_from=DEMO_VALID_FROM, proof=chosen
        )
        # where FolderStatusLists looks for the list's URL, so --status-dir DIR finds it
        host_and_path = DEMO_STATUS_LIST_URL.removeprefix("https://").split("/")
        list_path = out.joinpath(*host_and_path).with_suffix(status_list.extension)
        try:
            list_path.parent.mkdir(parents=True, exist_ok=True)
            if new_key:
                key.save(key_path)
            # credentials in a folder of their own, so `lerkit verify DIR/credentials`
            # does not meet the DID document and the key file
            (out / "credentials").mkdir(exist_ok=True)
            for credential in issued:
                target = out / "credentials" / credential.suggested_filename
                target.write_bytes(credential.serialize())
            (out / "did.json").write_text(
                json.dumps(key.did_document(), indent=2) + "\n", encoding="utf-8"
            )
            list_path.write_bytes(status_list.serialize())
        except OSError as err:
            raise IssueError(
                f"cannot write into {str(out)!r}: {err.strerror or err} ({err.filename})",
                code="invalid_argument",
            ) from err
    typer.echo(f"issued {demo} credential(s) into {out / 'credentials'}")
    typer.echo(f"issuer: {key.did}")
    typer.echo(f"key: {key_path}" + (" (new; keep it private)" if new_key else ""))
    typer.echo(f"DID document: {out / 'did.json'}")
    typer.echo(f"status list: {list_path} (published as {DEMO_STATUS_LIST_URL})")


# -- anonymize ---------------------------------------------------------------------------


@app.command("anonymize")
def anonymize_command(
    dataset: Annotated[
        str,
        typer.Argument(
            metavar="DATASET",
            help="A dataset folder, or the name of a bundled dataset (e.g. pilot-default).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            file_okay=False,
            help="The anonymized dataset folder to create (must not exist or be empty).",
            show_default=False,
        ),
    ],
    k: Annotated[int, typer.Option("--k", min=1, help="k-anonymity: smallest class.")] = 10,
    l: Annotated[  # noqa: E741  # the standard name
        int, typer.Option("--l", min=1, help="Distinct l-diversity of the sensitive columns.")
    ] = 2,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", dir_okay=False, help="File holding the pseudonymization key."),
    ] = None,
    key_env: Annotated[
        str | None,
        typer.Option("--key-env", help="Environment variable holding the pseudonymization key."),
    ] = None,
    quasi: Annotated[
        list[str] | None,
        typer.Option(
            "--quasi",
            help="A quasi-identifier of the learners table (repeat; default: the "
            "dictionary's quasi_identifier columns).",
        ),
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option(
            "--sensitive",
            help="A sensitive column for l-diversity (repeat; default: the dictionary's).",
        ),
    ] = None,
    max_suppression: Annotated[
        float,
        typer.Option("--max-suppression", help="Largest share of learners suppressed."),
    ] = 0.05,
    t: Annotated[
        float | None,
        typer.Option("--t", help="Also t-closeness of the sensitive columns (0 to 1)."),
    ] = None,
    risk_threshold: Annotated[
        float,
        typer.Option("--risk-threshold", help="Prosecutor risk above which a record is at risk."),
    ] = 0.1,
    datasets_dir: Annotated[
        Path | None,
        typer.Option("--datasets-dir", file_okay=False, help="Where dataset names are looked up."),
    ] = None,
    algorithm: Annotated[
        str,
        typer.Option(
            "--algorithm",
            help="k-anonymization of the learners: lattice (full-domain lattice search, "
            "one level per column) or mondrian (multidimensional partitioning, no "
            "suppression).",
        ),
    ] = "lattice",
    dates: Annotated[
        str,
        typer.Option(
            "--dates",
            help="Finest resolution of every released date, in every table and credential "
            "file: month, quarter or year.",
        ),
    ] = "month",
    generalize: Annotated[
        list[str] | None,
        typer.Option(
            "--generalize",
            help="TABLE.COLUMN=STEP for a quasi-identifier of another table (repeat; "
            "default: its last declared step, e.g. outcomes.occupation_soc=SOC major group).",
        ),
    ] = None,
    min_cell: Annotated[
        int,
        typer.Option("--min-cell", min=1, help="Smallest count shown in published tables."),
    ] = 10,
    internal: Annotated[
        Path | None,
        typer.Option(
            "--internal",
            file_okay=False,
            help="A folder outside DIR for utility.csv: estimates before and after by "
            "group, for the team only (it is computed from the original data).",
        ),
    ] = None,
) -> None:
    """Write an anonymized copy of a dataset: pseudonyms, redacted credentials, k-anonymity.

    Direct identifiers are pseudonymized with a keyed HMAC (the key, from --key-file or
    --key-env, is never written) or dropped; credential files lose their holder's
    identifiers and their proofs, and their dates go to the start of their --dates
    period; the learners table is generalized along the dictionary's hierarchies
    (--algorithm lattice or mondrian) until it is k-anonymous and l-diverse with at most
    --max-suppression of learners suppressed; the other tables' dates go to --dates and
    their quasi-identifiers (occupations, employers) along their hierarchies. The
    folder's dictionary.yaml describes each generalized column, so `lerkit datasets
    check DIR` passes. Risk before/after, information loss, provenance and the
    published population tables (counts by each quasi-identifier, small cells hidden
    with complementary suppression, flagged in `suppressed`) go to DIR/anonymization/.
    The utility table (estimates before and after, for the team only) goes to
    --internal when given. Exit status 2 on a privacy error (nothing is written).
    """
    from typing import cast, get_args

    from lerkit.anonymize import anonymize_dataset, load_key
    from lerkit.anonymize._dataset import Algorithm
    from lerkit.anonymize._pseudonymize import DATE_LEVELS
    from lerkit.datasets import load

    if algorithm not in get_args(Algorithm):
        raise typer.BadParameter(
            f"{algorithm!r} is not one of {', '.join(get_args(Algorithm))}",
            param_hint="--algorithm",
        )
    if dates not in DATE_LEVELS:
        raise typer.BadParameter(
            f"{dates!r} is not one of {', '.join(DATE_LEVELS)}", param_hint="--dates"
        )
    steps: dict[str, str] = {}
    for item in generalize or []:
        column, sep, step = item.partition("=")
        if not sep or not column.strip() or not step.strip():
            raise typer.BadParameter(
                f"{item!r} is not TABLE.COLUMN=STEP", param_hint="--generalize"
            )
        steps[column.strip()] = step.strip()
    with _errors():
        secret = load_key(key_file=key_file, key_env=key_env)
        source = load(dataset, datasets_dir=datasets_dir, check_files="none")
        result = anonymize_dataset(
            source,
            out,
            key=secret,
            k=k,
            l=l,
            quasi=quasi or None,
            sensitive=sensitive or None,
            max_suppression=max_suppression,
            risk_threshold=risk_threshold,
            t=t,
            algorithm=cast("Algorithm", algorithm),
            dates=dates,
            generalize=steps,
            min_cell=min_cell,
            internal_dir=internal,
        )
    before, after = result.risk_before, result.risk_after
    loss = result.anonymization.info_loss
    table = Table(title="Re-identification risk", title_justify="left")
    table.add_column("Measure")
    table.add_column("Before", justify="right")
    table.add_column("After", justify="right")
    for label, b, a in (
        ("records", before.n, after.n),
        ("equivalence classes", before.classes, after.classes),
        ("sample uniques", before.sample_uniques, after.sample_uniques),
        ("prosecutor risk, highest", f"{before.prosecutor_max:.3f}", f"{after.prosecutor_max:.3f}"),
        (
            "prosecutor risk, average",
            f"{before.prosecutor_mean:.4f}",
            f"{after.prosecutor_mean:.4f}",
        ),
        (
            f"records at risk (> {before.threshold:g})",
            before.records_at_risk,
            after.records_at_risk,
        ),
    ):
        table.add_row(Text(label), Text(str(b)), Text(str(a)))
    _out.print(table)
    levels = ", ".join(f"{c}: {step}" for c, step in result.generalized.items())
    typer.echo(f"algorithm: {algorithm}; generalized: {levels or 'nothing'}")
    typer.echo(
        f"k = {result.anonymization.achieved_k} (asked {k}), l = {result.anonymization.achieved_l} "
        f"(asked {l}); suppressed {loss.suppressed} of {loss.n}; information loss: NCP "
        f"{loss.ncp:.3f}, discernibility {loss.discernibility:.0f}"
    )
    hidden = sum(int(t["suppressed"].sum()) for t in result.published.values())
    typer.echo(
        f"published tables: {', '.join(result.published)} in anonymization/ ({hidden} cells hidden)"
    )
    typer.echo(f"written to {result.path}")


# -- datasets ----------------------------------------------------------------------------

datasets_app = typer.Typer(
    help="Pilot dataset folders: empty templates to fill in, and validation.",
    no_args_is_help=True,
)
app.add_typer(datasets_app, name="datasets")

_CHECK_FORMATS = ("table", "json")
_FILE_CHECKS = ("exists", "sha256", "none")
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}
# a dataset whose own dictionary.yaml is broken or loosens the rules has a problem (exit 1)
_DATASET_DICTIONARY_CODES = ("invalid_dictionary", "incompatible_dictionary")


def _scenario_value(text: str) -> Any:
    """A scenario value from the command line: JSON when it reads as JSON, else text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


@datasets_app.command("synth", cls=_KeyValueCommand)
def datasets_synth(
    learners: Annotated[
        int, typer.Option("--learners", min=1, help="Learners in the pilot (both arms).")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Seeds everything: same seed, same bytes.")],
    out: Annotated[
        Path,
        typer.Option("--out", file_okay=False, help="A new (or empty) folder to write."),
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "-p",
            "--param",
            help="Set a scenario parameter: -p KEY VALUE (JSON values, e.g. -p "
            "ler_hire_log_odds 0.8); repeat for more.",
            show_default=False,
        ),
    ] = None,
    sign_share: Annotated[
        float,
        typer.Option(
            "--sign-share",
            min=0.0,
            max=1.0,
            help="Share of credential files signed; the rest are written unsigned and "
            "referenced by SHA-256 (for very large runs).",
        ),
    ] = 1.0,
    files: Annotated[
        bool, typer.Option("--files/--no-files", help="Write the credential files.")
    ] = True,
    csv: Annotated[bool, typer.Option("--csv/--no-csv", help="Also write CSV exports.")] = True,
    name: Annotated[
        str | None, typer.Option("--name", help="Dataset name for dataset.yaml.")
    ] = None,
) -> None:
    """Generate a calibrated synthetic pilot: every table, signed credentials, ground truth.

    The same --learners, --seed and parameters give byte-identical files. See the
    README.md written into the folder for every calibration figure and its source.
    """
    from lerkit.datasets import synthesize

    # click hands over (key, value) pairs: see _KeyValueCommand
    pairs: list[tuple[str, str]] = list(param or [])  # type: ignore[arg-type]
    scenario = {key: _scenario_value(value) for key, value in pairs}
    with _errors():
        pilot = synthesize(
            learners,
            seed,
            out,
            name=name,
            files=files,
            sign_share=sign_share,
            csv=csv,
            progress=True,
            **scenario,
        )
    rows = ", ".join(f"{table} {count:,}" for table, count in pilot.counts.items())
    typer.echo(f"wrote {pilot.path} in {pilot.seconds:.1f} s: {rows}")
    typer.echo(f"check it with: lerkit datasets check {pilot.path}")


@datasets_app.command("template")
def datasets_template(
    folder: Annotated[
        Path,
        typer.Argument(
            file_okay=False, help="Folder to create (or an empty one).", show_default=False
        ),
    ],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a non-empty folder, replacing the template's files."
        ),
    ] = False,
) -> None:
    """Write an empty pilot dataset to fill in: one CSV per table, the dictionary, a README.

    Each CSV has the header row only; README.md explains every column (type, allowed
    values, privacy role). Check the filled-in folder with `lerkit datasets check DIR`.
    """
    from lerkit.datasets import write_template

    with _errors():
        written = write_template(folder, force=force)
    typer.echo(f"wrote an empty dataset template into {folder} ({len(written)} files)")
    typer.echo(f"fill in the CSV files (see {folder / 'README.md'}), then run:")
    typer.echo(f"  lerkit datasets check {folder}")


def _table_status(dataset: Any, table: str) -> tuple[str, str, str, str]:
    """(file, rows, columns, status) for the tables overview."""
    source = dataset.sources.get(table)
    if source is not None:
        try:
            shown = source.path.relative_to(dataset.path).as_posix()
        except ValueError:
            shown = str(source.path)
        return shown, str(source.n_rows), str(len(source.columns)), "read"
    codes = {code for _s, t, _c, code, _n in dataset.validation.group_counts if t == table}
    if "unreadable_file" in codes:
        return "", "", "", "unreadable"
    if "missing_table" in codes:
        return "", "", "", "missing"
    return "", "", "", "absent (optional)"


def _example_text(problem: Any) -> str:
    if problem.row is None:
        return str(problem.message)
    value = "" if problem.value is None else f": {problem.value[:40]!r}"
    return f"row {problem.row}{value}"


def _check_payload(dataset: Any, ok: bool) -> dict[str, Any]:
    report = dataset.validation
    groups = []
    for severity, table, column, code, n in report.group_counts:
        groups.append(
            {
                "severity": severity,
                "table": table,
                "column": column,
                "code": code,
                "count": n,
                "examples": [
                    {"row": p.row, "message": p.message, "value": p.value}
                    for p in report.examples(table, column, code)
                ],
            }
        )
    return {
        "dataset": dataset.name,
        "path": str(dataset.path),
        "ok": ok,
        "synthetic": dataset.metadata.synthetic,
        "dictionary_version": dataset.dictionary.version,
        "fingerprint": dataset.fingerprint,
        "tables": [
            dict(
                zip(
                    ("table", "file", "rows", "columns", "status"),
                    (table, *_table_status(dataset, table)),
                    strict=True,
                )
            )
            for table in dataset.dictionary.table_names
        ],
        "counts": {
            "error": report.n_errors,
            "warning": report.n_warnings,
            "info": report.n_info,
        },
        "omitted": report.omitted,
        "problem_groups": groups,
        "analyses": {
            "supported": [a.name for a in dataset.supported_analyses()],
            "unsupported": [
                {"name": a.name, "missing": list(a.missing)} for a in dataset.unsupported_analyses()
            ],
        },
    }


def _print_check(dataset: Any) -> None:
    kind = {True: "synthetic", False: "real pilot", None: "provenance not stated"}
    typer.echo(
        f"Dataset {dataset.name!r} at {dataset.path} ({kind[dataset.metadata.synthetic]}, "
        f"dictionary version {dataset.dictionary.version})"
    )
    typer.echo(f"fingerprint sha256:{dataset.fingerprint}")
    tables = Table(title="Tables", title_justify="left")
    for title in ("Table", "File", "Rows", "Columns", "Status"):
        tables.add_column(title, justify="right" if title in ("Rows", "Columns") else "left")
    for table in dataset.dictionary.table_names:
        file, rows, columns, status = _table_status(dataset, table)
        style = "" if status == "read" else ("red" if status != "absent (optional)" else "dim")
        tables.add_row(
            Text(table), Text(file), Text(rows), Text(columns), Text(status, style=style)
        )
    _out.print(tables)
    report = dataset.validation
    if report.group_counts:
        problems = Table(title="Problems by table and rule", title_justify="left")
        problems.add_column("Where", overflow="fold")
        problems.add_column("Rule", no_wrap=True)
        problems.add_column("Severity", no_wrap=True)
        problems.add_column("Count", justify="right", no_wrap=True)
        problems.add_column("First examples", ratio=1, overflow="fold")
        for severity, table, column, code, n in report.group_counts:
            examples = report.examples(table, column, code)
            shown = "; ".join(_example_text(p) for p in examples)
            if n > len(examples):
                shown += f" (and {n - len(examples)} more)"
            where = (table or "(dataset)") + (f".{column}" if column else "")
            problems.add_row(
                Text(where),
                Text(code),
                Text(severity, style=_SEVERITY_STYLE[severity]),
                Text(str(n)),
                Text(shown),
            )
        _out.print(problems)
    analyses = Table(title="Analyses", title_justify="left")
    analyses.add_column("Analysis")
    analyses.add_column("Supported")
    analyses.add_column("Missing")
    for support in dataset.analyses:
        analyses.add_row(
            Text(support.name),
            Text("yes", style="green") if support.supported else Text("no", style="red"),
            Text(support.reason),
        )
    _out.print(analyses)
    supported = [a.name for a in dataset.supported_analyses()]
    typer.echo(f"{report.n_errors} error(s), {report.n_warnings} warning(s), {report.n_info} info")
    typer.echo(
        f"{len(supported)} of {len(dataset.analyses)} analyses supported"
        + (f": {', '.join(supported)}" if supported else "")
    )


@datasets_app.command("check")
def datasets_check(
    dataset_dir: Annotated[
        str,
        typer.Argument(
            metavar="DIR",
            help="A dataset folder, or the name of a bundled dataset (e.g. pilot-default).",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="Output: table or json.")
    ] = "table",
    files: Annotated[
        str,
        typer.Option(
            "--files",
            help="Credential files named by the tables: sha256 (exist and match their "
            "recorded SHA-256), exists, or none.",
        ),
    ] = "sha256",
    examples: Annotated[
        int, typer.Option("--examples", min=0, help="Problems shown per table and rule.")
    ] = 3,
    partial: Annotated[
        bool | None,
        typer.Option(
            "--partial/--complete",
            help="Whether missing required tables are warnings (a partial pilot) or errors. "
            "Default: errors only for a dataset.yaml saying synthetic: true.",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Count warnings as failures too.")
    ] = False,
    problems_out: Annotated[
        Path | None,
        typer.Option(
            "--problems-out",
            dir_okay=False,
            help="Also write every problem (none capped) to this .parquet or .csv file.",
        ),
    ] = None,
    datasets_dir: Annotated[
        Path | None,
        typer.Option(
            "--datasets-dir",
            file_okay=False,
            help="Where dataset names are looked up (default: $LERKIT_DATASETS, then the "
            "checkout's datasets/).",
        ),
    ] = None,
) -> None:
    """Validate a dataset folder against the data dictionary and say what it supports.

    Lists every problem by table and rule (count and first examples), then the analyses
    the data supports and what the others miss. Exit status 0 when there is no error
    (with --strict: no warning either), 1 when there are problems, 2 on usage errors
    (e.g. no such folder).
    """
    from typing import cast

    from lerkit.datasets import CheckFiles, load
    from lerkit.errors import DatasetError

    if output_format not in _CHECK_FORMATS:
        raise typer.BadParameter(
            f"{output_format!r} is not one of {', '.join(_CHECK_FORMATS)}", param_hint="--format"
        )
    if files not in _FILE_CHECKS:
        raise typer.BadParameter(
            f"{files!r} is not one of {', '.join(_FILE_CHECKS)}", param_hint="--files"
        )
    with _errors():
        try:
            dataset = load(
                dataset_dir,
                datasets_dir=datasets_dir,
                partial=partial,
                check_files=cast("CheckFiles", files),
                max_examples=examples,
            )
        except DatasetError as err:
            if err.code not in _DATASET_DICTIONARY_CODES:
                raise
            typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
            raise typer.Exit(code=1) from err
        with dataset:
            report = dataset.validation
            ok = report.ok and not (strict and report.n_warnings)
            if output_format == "json":
                payload = _check_payload(dataset, ok)
                typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
            else:
                _print_check(dataset)
            if problems_out is not None:
                written = dataset.write_problems(problems_out)
                typer.echo(f"every problem ({report.total}) written to {written}", err=True)
    if not ok:
        raise typer.Exit(code=1)


def main() -> None:
    """Entry point of the ``lerkit`` console script."""
    app()
