"""Report machinery: parameters, slugs, provenance, the index, and real papermill runs."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
from report_helpers import papermill_warnings as collect_papermill_warnings

import lerkit as lk
from lerkit.errors import ParameterError, ReportError
from lerkit.reports import (
    MANIFEST_NAME,
    ParameterSpec,
    ReportResult,
    available_reports,
    find_report,
    read_parameters,
    report_slug,
    run_report,
    validate_parameters,
    write_index,
)
from lerkit.reports._params import minimal_overrides, papermill_view

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SAMPLES = ROOT / "datasets" / "samples"
INVENTORY = "credential-inventory"
INVENTORY_VALID = "valid parameters: source: str = '../datasets/samples'"
CDN_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)


def write_notebook(folder: Path, name: str, parameters: str, *body: str) -> Path:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [new_markdown_cell(f"# {name.title()}")]
    if parameters:
        nb.cells.append(new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    nb.cells += [new_code_cell(source) for source in body]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


DEMO_PARAMETERS = """\
from typing import Optional

top_n = 10  # issuers shown by name
ratio = 0.5
flag = False
names = ["a", "b"]
options = {"k": 1}
label: Optional[str] = None
data_dir = "../data"
"""
DEMO_VALID = (
    "valid parameters: top_n: int = 10, ratio: float = 0.5, flag: bool = False, "
    "names: list = ['a', 'b'], options: dict = {'k': 1}, label: str | None = None, "
    "data_dir: str = '../data'"
)


@pytest.fixture
def demo(tmp_path: Path) -> dict[str, ParameterSpec]:
    (tmp_path / "data").mkdir()
    path = write_notebook(tmp_path / "notebooks", "demo", DEMO_PARAMETERS, "print(top_n)")
    return read_parameters(path)


# -- reading the parameters cell ---------------------------------------------


def test_inventory_declares_only_source() -> None:
    specs = read_parameters(NOTEBOOKS / f"{INVENTORY}.ipynb")
    assert list(specs) == ["source"]
    assert specs["source"].type_name == "str"
    assert specs["source"].default == "../datasets/samples"
    assert specs["source"].is_path


def test_parameter_types_defaults_and_help(demo: dict[str, ParameterSpec]) -> None:
    assert {name: spec.type_name for name, spec in demo.items()} == {
        "top_n": "int",
        "ratio": "float",
        "flag": "bool",
        "names": "list",
        "options": "dict",
        "label": "str",
        "data_dir": "str",
    }
    assert demo["top_n"].help == "issuers shown by name"
    assert demo["label"].optional
    assert not demo["top_n"].optional
    assert demo["data_dir"].is_path
    assert not demo["label"].is_path


def test_non_literal_default_is_rejected(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "bad", "import os\nsource = os.getcwd()")
    with pytest.raises(ReportError, match=r"^bad.ipynb: the parameters cell may hold only"):
        read_parameters(path)
    path = write_notebook(tmp_path, "bad2", "source = str(1)")
    with pytest.raises(ReportError) as caught:
        read_parameters(path)
    assert caught.value.message == (
        "bad2.ipynb: parameter 'source' must default to a literal, not 'str(1)'"
    )


def test_two_parameters_cells_are_rejected(tmp_path: Path) -> None:
    nb = new_notebook()
    nb.cells = [
        new_code_cell("a = 1", metadata={"tags": ["parameters"]}),
        new_code_cell("b = 2", metadata={"tags": ["parameters"]}),
    ]
    nbformat.write(nb, tmp_path / "twice.ipynb")
    with pytest.raises(ReportError, match="more than one cell is tagged 'parameters'"):
        read_parameters(tmp_path / "twice.ipynb")


# -- what papermill reads ------------------------------------------------------

PAPERMILL_CELLS = [
    DEMO_PARAMETERS,
    'a: int = 1  # one\nb: "Optional[str]" = None\nc = [\n    1,  # first\n    2,\n]  # list',
    "label: str | None = None  # papermill cannot match the bar\nk = 1",
    'url = "a=b"  # an equals sign in the value\nk: float = 2.0',
    "x = 1  # default: y = 2\n# just a comment\n\nz: list[str] = []",
    "from typing import Optional\n\nw: Optional[int] = 3  # type: ignore",
]


@pytest.mark.parametrize("source", PAPERMILL_CELLS)
def test_papermill_view_is_what_papermill_reads(
    source: str, caplog: pytest.LogCaptureFixture
) -> None:
    from papermill.translators import PythonTranslator

    with caplog.at_level(logging.WARNING, logger="papermill"):
        expected = PythonTranslator.inspect(new_code_cell(source))
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("papermill")]
    found, logged = papermill_view(source)
    assert found == [(p.name, p.inferred_type_name, p.default, p.help) for p in expected]
    assert logged == warnings


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "k = 1\nlabel: str | None = None  # a label",
            "bad.ipynb: papermill cannot read parameter 'label'; papermill reads one "
            "'name: type = literal  # help' per parameter: annotate optional values as "
            "Optional[str]",
        ),
        (
            "k = 1  # default: k = 2\nm = 3",
            "bad.ipynb: papermill cannot read parameter 'k'; ",
        ),
        ('note = "a=b"', "bad.ipynb: papermill cannot read parameter 'note'; "),
    ],
)
def test_cells_papermill_reads_differently_are_refused(
    tmp_path: Path, source: str, message: str
) -> None:
    path = write_notebook(tmp_path, "bad", source)
    with pytest.raises(ReportError) as caught:
        read_parameters(path)
    assert caught.value.code == "parameter_unreadable"
    assert str(caught.value).startswith(message)


def test_typing_import_must_come_first(tmp_path: Path) -> None:
    # papermill would glue a later import line onto the parameter before it
    path = write_notebook(tmp_path, "late", "k = 1\nfrom typing import Optional")
    with pytest.raises(ReportError, match=r"may hold only assignments, found 'from typing"):
        read_parameters(path)


# -- validation and conversion -----------------------------------------------


def test_unknown_parameter_lists_valid_names(demo: dict[str, ParameterSpec]) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters("demo", demo, {"colour": "red"})
    assert str(caught.value) == f"unknown parameter 'colour' for report 'demo'; {DEMO_VALID}"
    assert caught.value.code == "invalid_parameter"


def test_unknown_parameter_suggests_close_name(demo: dict[str, ParameterSpec]) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters("demo", demo, {"top": "5"})
    assert str(caught.value) == (
        f"unknown parameter 'top' for report 'demo' (did you mean 'top_n'?); {DEMO_VALID}"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("top_n", "ten", "parameter 'top_n' of report 'demo' expects int, got 'ten'"),
        ("top_n", "1.5", "parameter 'top_n' of report 'demo' expects int, got '1.5'"),
        ("top_n", True, "parameter 'top_n' of report 'demo' expects int, got True"),
        ("ratio", "half", "parameter 'ratio' of report 'demo' expects float, got 'half'"),
        ("ratio", "nan", "parameter 'ratio' of report 'demo' expects float, got 'nan'"),
        ("flag", "maybe", "parameter 'flag' of report 'demo' expects bool, got 'maybe'"),
        ("flag", 1, "parameter 'flag' of report 'demo' expects bool, got 1"),
        ("names", '{"a": 1}', "parameter 'names' of report 'demo' expects list, got {'a': 1}"),
        (
            "names",
            "[1,",
            "parameter 'names' of report 'demo' expects list, got '[1,' "
            "(not valid JSON: Expecting value)",
        ),
        ("label", 3, "parameter 'label' of report 'demo' expects str, got 3"),
    ],
)
def test_wrong_type_message(
    demo: dict[str, ParameterSpec], name: str, value: Any, message: str
) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters("demo", demo, {name: value})
    assert str(caught.value) == f"{message}; {DEMO_VALID}"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("top_n", "5", 5),
        ("top_n", " -3 ", -3),
        ("top_n", 7, 7),
        ("ratio", "2", 2.0),
        ("ratio", 1, 1.0),
        ("flag", "yes", True),
        ("flag", "TRUE", True),
        ("flag", "0", False),
        ("flag", "off", False),
        ("names", '["x", "y"]', ["x", "y"]),
        ("names", ("x",), ["x"]),
        ("options", '{"k": 2}', {"k": 2}),
        ("label", "none", None),
        ("label", None, None),
        ("label", "hello", "hello"),
    ],
)
def test_values_are_converted_to_the_declared_type(
    demo: dict[str, ParameterSpec], name: str, value: Any, expected: Any
) -> None:
    converted = validate_parameters("demo", demo, {name: value})[name]
    assert converted == expected
    assert type(converted) is type(expected)


def test_relative_paths_are_resolved_against_cwd(
    demo: dict[str, ParameterSpec], tmp_path: Path
) -> None:
    (tmp_path / "other").mkdir()
    notebooks = tmp_path / "notebooks"
    given = validate_parameters(
        "demo", demo, {"data_dir": "other"}, cwd=tmp_path, notebooks_dir=notebooks
    )
    assert given == {"data_dir": str(tmp_path / "other")}


def test_missing_input_path_is_rejected(demo: dict[str, ParameterSpec], tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as caught:
        validate_parameters(
            "demo",
            demo,
            {"data_dir": "nowhere"},
            cwd=tmp_path,
            notebooks_dir=tmp_path / "notebooks",
        )
    assert str(caught.value) == (
        f"parameter 'data_dir' of report 'demo': no such file or folder: "
        f"{str(tmp_path / 'nowhere')!r}; {DEMO_VALID}"
    )


def test_inline_json_source_is_not_treated_as_a_path(tmp_path: Path) -> None:
    specs = read_parameters(NOTEBOOKS / f"{INVENTORY}.ipynb")
    document = '{"type": ["VerifiableCredential"]}'
    assert validate_parameters(INVENTORY, specs, {"source": document}, cwd=tmp_path) == {
        "source": document
    }


def test_source_naming_the_default_folder_is_the_default_run() -> None:
    specs = read_parameters(NOTEBOOKS / f"{INVENTORY}.ipynb")
    given = validate_parameters(
        INVENTORY, specs, {"source": "datasets/samples"}, cwd=ROOT, notebooks_dir=NOTEBOOKS
    )
    assert given == {"source": str(SAMPLES)}
    assert minimal_overrides(specs, given, NOTEBOOKS) == {}


def test_dataset_name_is_accepted_where_the_help_says_so() -> None:
    specs = read_parameters(NOTEBOOKS / "verification-audit.ipynb")
    assert specs["source"].accepts_dataset
    assert not read_parameters(NOTEBOOKS / f"{INVENTORY}.ipynb")["source"].accepts_dataset
    given = validate_parameters(
        "verification-audit", specs, {"source": "pilot-default"}, cwd=ROOT / "tests"
    )
    # kept as the name: the notebook resolves it as lerkit.datasets.load does
    assert given == {"source": "pilot-default"}
    assert lk.datasets.resolve_dataset("pilot-default").resolve() == (
        ROOT / "datasets" / "pilot-default"
    )


def test_a_folder_wins_over_a_dataset_name(tmp_path: Path) -> None:
    (tmp_path / "pilot-default").mkdir()
    specs = read_parameters(NOTEBOOKS / "verification-audit.ipynb")
    given = validate_parameters(
        "verification-audit", specs, {"source": "pilot-default"}, cwd=tmp_path
    )
    assert given == {"source": str(tmp_path / "pilot-default")}


@pytest.mark.parametrize("value", ["pilot-nowhere", "no/such/folder"])
def test_neither_folder_nor_dataset_lists_what_was_tried(tmp_path: Path, value: str) -> None:
    specs = read_parameters(NOTEBOOKS / "verification-audit.ipynb")
    with pytest.raises(ParameterError) as caught:
        run_report("verification-audit", {"source": value}, output_dir=tmp_path, cwd=tmp_path)
    message = str(caught.value)
    assert caught.value.code == "parameter_not_found"
    assert message.startswith(
        "parameter 'source' of report 'verification-audit': no such file or folder: "
        f"{str(tmp_path / value)!r}, and "
    )
    if "/" in value:
        assert f"{value!r} is not a dataset name" in message
    else:
        assert f"no dataset {value!r}: not a folder, and not a dataset name in " in message
        assert str(ROOT / "datasets") in message
        assert "(available: " in message
        assert "pilot-default" in message
    assert "valid parameters: source: str = " in message
    assert specs["source"].default in message
    assert not any(tmp_path.iterdir())  # refused before a kernel started


# -- slugs ----------------------------------------------------------------------


def test_slug_is_default_without_overrides() -> None:
    assert report_slug({}) == "default"


def test_slug_is_readable_and_deterministic() -> None:
    slug = report_slug({"source": "/data/pilot-2024", "top_n": 5})
    assert slug == report_slug({"top_n": 5, "source": "/data/pilot-2024"})
    digest = hashlib.sha256(b'{"source":"/data/pilot-2024","top_n":5}').hexdigest()[:8]
    assert slug == f"source-pilot-2024-top-n-5-{digest}"


def test_slug_differs_when_values_differ() -> None:
    # same last path component, different folders: the hash keeps them apart
    assert report_slug({"source": "/a/samples"}) != report_slug({"source": "/b/samples"})
    assert report_slug({"source": "/a/samples"}).startswith("source-samples-")


def test_slug_stays_short() -> None:
    slug = report_slug({"source": "x" * 500})
    assert len(slug) <= 40 + 9
    assert re.fullmatch(r"[a-z0-9-]+", slug)


# -- registry ---------------------------------------------------------------------


def test_registry_finds_the_inventory() -> None:
    reports = available_reports()
    assert INVENTORY in reports
    assert reports[INVENTORY].title == "Credential inventory"
    assert reports[INVENTORY].kernel_name == "python3"


def test_registry_skips_private_notebooks(tmp_path: Path) -> None:
    write_notebook(tmp_path, "visible", "")
    write_notebook(tmp_path, "_draft", "")
    assert list(available_reports(tmp_path)) == ["visible"]


def test_unknown_report_lists_available(tmp_path: Path) -> None:
    write_notebook(tmp_path, "alpha", "")
    with pytest.raises(ReportError) as caught:
        find_report("beta", tmp_path)
    assert str(caught.value) == "no report named 'beta'; available reports: alpha"


def test_run_report_checks_parameters_before_starting_a_kernel(tmp_path: Path) -> None:
    with pytest.raises(ParameterError) as caught:
        run_report(INVENTORY, {"sorce": "x"}, output_dir=tmp_path)
    assert str(caught.value) == (
        f"unknown parameter 'sorce' for report '{INVENTORY}' (did you mean 'source'?); "
        f"{INVENTORY_VALID}"
    )
    assert not any(tmp_path.iterdir())


# -- provenance -------------------------------------------------------------------

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_provenance_text(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"{}")
    block = lk.provenance(source=str(path), parameters={"source": str(path), "top_n": 5}, now=NOW)
    short = hashlib.sha256(b"{}").hexdigest()[:16]
    assert str(block).splitlines() == [
        "Provenance",
        f"  Input              {path}",
        f"  Input fingerprint  sha256:{short} (file)",
        f"  Parameters         source={path}, top_n=5",
        f"  lerkit version     {lk.__version__}",
        f"  Python version     {block.python_version}",
        "  Generated (UTC)    2025-03-04T05:06:07Z",
    ]


def test_provenance_shows_privacy_only_when_given(tmp_path: Path) -> None:
    plain = lk.provenance(source={"a": 1}, now=NOW)
    private = lk.provenance(source={"a": 1}, privacy={"min_cell_size": 10, "k": 5}, now=NOW)
    assert "Privacy settings" not in str(plain)
    assert ("Privacy settings", "min_cell_size=10, k=5") in private.rows()
    assert plain.fingerprint_scope == "inline data"


def test_provenance_renders_for_jupyter() -> None:
    block = lk.provenance(source={"a": 1}, parameters={"title": "<b>a|b</b>"}, now=NOW)
    html = block._repr_html_()
    assert html.startswith('<table class="lerkit-provenance"><caption>Provenance</caption>')
    assert "&lt;b&gt;a|b&lt;/b&gt;" in html
    markdown = block._repr_markdown_()
    assert "| Parameters | title=<b>a\\|b</b> |" in markdown.splitlines()
    assert "| Generated (UTC) | 2025-03-04T05:06:07Z |" in markdown.splitlines()


def test_provenance_converts_time_to_utc() -> None:
    local = datetime(2025, 3, 4, 7, 6, 7, tzinfo=timezone(timedelta(hours=2)))
    assert lk.provenance(source={}, now=local).timestamp == "2025-03-04T05:06:07Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        lk.provenance(source={}, now=datetime(2025, 1, 1))


def test_provenance_of_a_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        lk.provenance(source=str(tmp_path / "missing"))


# -- index ------------------------------------------------------------------------


def test_index_links_every_manifest(tmp_path: Path) -> None:
    for name, slug, overrides in [("b-report", "default", {}), ("a-report", "x-1", {"n": 2})]:
        folder = tmp_path / name / slug
        folder.mkdir(parents=True)
        manifest = {
            "name": name,
            "title": name.upper(),
            "html": f"{name}.html",
            "parameters": {"n": 1, **overrides},
            "overrides": overrides,
            "started": "2025-01-01T00:00:00Z",
        }
        (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    (tmp_path / "c-report" / "broken").mkdir(parents=True)
    (tmp_path / "c-report" / "broken" / MANIFEST_NAME).write_text("{not json")
    page = write_index(tmp_path).read_text()
    links = re.findall(r'href="([^"]+)"', page)
    assert links == ["a-report/x-1/a-report.html", "b-report/default/b-report.html"]
    assert "<strong><code>n = 2</code></strong>" in page
    assert "<code>n = 1</code>" in page


# -- real runs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, ReportResult]:
    """The inventory run on the bundled samples, once without and once with code."""
    assert any(SAMPLES.iterdir()), "datasets/samples is empty"
    plain = run_report(INVENTORY, output_dir=tmp_path_factory.mktemp("plain"))
    coded = run_report(
        INVENTORY,
        {"source": str(SAMPLES)},
        output_dir=tmp_path_factory.mktemp("coded"),
        with_code=True,
    )
    return {False: plain, True: coded}


@pytest.mark.notebook
def test_run_writes_notebook_and_html(runs: dict[bool, ReportResult]) -> None:
    result = runs[False]
    assert result.slug == "default"
    assert result.html_path == result.notebook_path.with_suffix(".html")
    assert result.html_path.parent.parts[-2:] == (INVENTORY, "default")
    assert result.parameters == {"source": "../datasets/samples"}
    assert result.started.tzinfo is not None
    assert result.duration > 0
    executed = nbformat.read(result.notebook_path, as_version=4)
    assert all(
        cell.execution_count is not None for cell in executed.cells if cell.cell_type == "code"
    )


@pytest.mark.notebook
def test_absolute_default_source_is_the_default_slug(runs: dict[bool, ReportResult]) -> None:
    assert runs[True].slug == "default"


@pytest.mark.notebook
def test_html_is_self_contained(runs: dict[bool, ReportResult]) -> None:
    from plotly.offline import get_plotlyjs_version

    page = runs[False].html_path.read_text(encoding="utf-8")
    assert not CDN_SCRIPT.search(page)
    assert "cdnjs.cloudflare.com" not in page
    assert f"plotly.js v{get_plotlyjs_version()}" in page
    assert page.count(f"plotly.js v{get_plotlyjs_version()}") == 1
    assert "Plotly.newPlot(" in page
    assert 'id="lerkit-figure-5"' in page


@pytest.mark.notebook
def test_html_hides_code_unless_asked(runs: dict[bool, ReportResult]) -> None:
    plain = runs[False].html_path.read_text(encoding="utf-8")
    coded = runs[True].html_path.read_text(encoding="utf-8")
    for marker in ("hl-ipython3", "jp-InputArea-editor"):
        used = re.compile(rf'class="[^"]*\b{marker}\b')  # an element, not the CSS rule
        assert not used.search(plain)
        assert used.search(coded)
    assert "inventory_summary" not in plain
    assert "inventory_summary" in coded
    assert "Reading a credential is not verifying it" in plain


@pytest.mark.notebook
def test_html_opens_with_provenance(runs: dict[bool, ReportResult]) -> None:
    page = runs[False].html_path.read_text(encoding="utf-8")
    short = lk.fingerprint(SAMPLES)[:16]
    assert '<table class="lerkit-provenance">' in page
    assert f"sha256:{short} (folder)" in page
    assert page.index('lerkit-provenance">') < page.index("lerkit-figure-1")


@pytest.mark.notebook
def test_html_shows_the_key_numbers(runs: dict[bool, ReportResult]) -> None:
    found = lk.read(SAMPLES)
    page = runs[False].html_path.read_text(encoding="utf-8")
    assert f"Credentials read: {len(found.credentials)} (" in page
    assert f"Problems: {len(found.problems)}" in page


@pytest.mark.notebook
def test_index_and_manifest(runs: dict[bool, ReportResult]) -> None:
    result = runs[False]
    root = result.html_path.parents[2]
    page = (root / "index.html").read_text(encoding="utf-8")
    assert f'href="{INVENTORY}/default/{INVENTORY}.html"' in page
    manifest = json.loads((result.html_path.parent / MANIFEST_NAME).read_text())
    assert manifest["parameters"] == {"source": "../datasets/samples"}
    assert manifest["overrides"] == {}
    assert manifest["with_code"] is False


@pytest.mark.notebook
def test_failing_cell_raises_report_error(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "broken", "n = 1", "x = n + 1", "raise ValueError(f'boom {x}')")
    with pytest.raises(ReportError) as caught:
        run_report("broken", {"n": "2"}, output_dir=tmp_path / "out", notebooks_dir=notebooks)
    executed = tmp_path / "out" / "broken" / report_slug({"n": 2}) / "broken.ipynb"
    assert str(caught.value) == (
        "report 'broken' failed in cell [4] (raise ValueError(f'boom {x}')): ValueError: boom 3 "
        f"(executed notebook kept at {str(executed)!r})"
    )
    assert caught.value.code == "report_cell_failed"
    assert executed.exists()


@pytest.fixture
def papermill_warnings() -> Any:
    with collect_papermill_warnings() as messages:
        yield messages


@pytest.mark.notebook
def test_report_dir_is_the_reports_own_folder(tmp_path: Path, papermill_warnings: Any) -> None:
    notebooks = tmp_path / "notebooks"
    write_notebook(
        notebooks,
        "writer",
        "from typing import Optional\n\nlabel: Optional[str] = None\nreport_dir: str = ''",
        "import pathlib\npathlib.Path(report_dir, 'out.txt').write_text(str(label))",
    )
    result = run_report(
        "writer", {"label": "hello"}, output_dir=tmp_path / "out", notebooks_dir=notebooks
    )
    folder = tmp_path / "out" / "writer" / report_slug({"label": "hello"})
    assert result.slug == report_slug({"label": "hello"})  # the folder is not in the slug
    assert (folder / "out.txt").read_text() == "hello"
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["overrides"] == {"label": "hello"}
    assert manifest["parameters"]["report_dir"] == str(folder)
    assert papermill_warnings == []


@pytest.mark.notebook
def test_verification_audit_takes_a_dataset_name(tmp_path: Path, papermill_warnings: Any) -> None:
    result = run_report(
        "verification-audit",
        {"source": "pilot-default", "sample": 12},
        output_dir=tmp_path,
        cwd=tmp_path,
    )
    executed = nbformat.read(result.notebook_path, as_version=4)
    printed = "".join(
        output.get("text", "")
        for cell in executed.cells
        if cell.cell_type == "code" and "file(s) checked" in cell.source
        for output in cell.outputs
    )
    assert printed.startswith("12 file(s) checked\n")
    files = pd.read_parquet(ROOT / "datasets" / "pilot-default" / "credentials.parquet")
    credentials = int(files["file"].notna().sum())
    assert credentials > 12  # a sample of the dataset's files, not of a folder of 12
    page = result.html_path.read_text(encoding="utf-8")
    short = lk.fingerprint(ROOT / "datasets" / "pilot-default")[:16]
    assert f"sha256:{short} (folder)" in page
    assert papermill_warnings == []
