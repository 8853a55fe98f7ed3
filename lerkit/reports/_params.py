"""Report parameters: read them from a notebook, check and convert user values.

Papermill only warns about a parameter the notebook does not declare and passes
any value through; lerkit checks names and types *before* a kernel starts, so a
typo costs a clear message instead of a wrong report.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import logging
import math
import os
import re
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lerkit.datasets import resolve_dataset
from lerkit.errors import DatasetError, ParameterError, ReportError
from lerkit.reports._nb import read_notebook

__all__ = [
    "REPORT_DIR",
    "ParameterSpec",
    "describe_parameters",
    "looks_inline",
    "minimal_overrides",
    "papermill_view",
    "read_parameters",
    "validate_parameters",
]

_TYPES: dict[str, type] = {
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "list": list,
    "dict": dict,
}
_UNREADABLE = object()
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_PATH_NAMES = ("source", "path", "dir", "folder", "file")
#: Parameter whose value the runner sets to the report's own output folder when the
#: notebook declares it and the user does not give it (not part of the report's slug).
REPORT_DIR = "report_dir"
# A bare dataset name, as lerkit.datasets.resolve_dataset looks one up.
_DATASET_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
# A compact JWS: three base64url segments. Such a value is a credential, not a path.
_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{8,}$")


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One parameter declared in a notebook's ``parameters`` cell.

    ``type_name`` is ``str``, ``int``, ``float``, ``bool``, ``list``, ``dict`` or
    ``any`` (a ``None`` default without an annotation); ``optional`` is true
    when ``None`` is accepted too.
    """

    name: str
    type_name: str
    default: Any
    optional: bool = False
    help: str = ""

    @property
    def is_path(self) -> bool:
        """Whether a relative value names a file or folder (resolved against the cwd).

        True for ``str`` parameters named like a path (``source``, ``dataset``,
        ``*_path``, ``*_dir``, ``*_folder``, ``*_file``) or whose default starts with
        ``./``, ``../``, ``/`` or ``~``.
        """
        if self.type_name != "str":
            return False
        if self.name in ("source", "dataset") or self.name.endswith(_PATH_NAMES):
            return True
        return isinstance(self.default, str) and self.default.startswith(("./", "../", "/", "~"))

    @property
    def accepts_dataset(self) -> bool:
        """Whether a bare dataset name (``pilot-default``) is a valid value.

        True for ``str`` parameters named ``dataset`` or whose help text (the
        comment in the parameters cell) says they take a ``dataset name``: the
        notebook resolves such a value as :func:`lerkit.datasets.load` does.
        """
        return self.type_name == "str" and (
            self.name == "dataset" or "dataset name" in self.help.lower()
        )

    def describe(self) -> str:
        """``name: type = default`` as listed in error messages.

        >>> ParameterSpec("source", "str", "../datasets/samples").describe()
        "source: str = '../datasets/samples'"
        """
        type_text = f"{self.type_name} | None" if self.optional else self.type_name
        return f"{self.name}: {type_text} = {self.default!r}"


def describe_parameters(specs: Mapping[str, ParameterSpec]) -> str:
    """The valid parameters as one line: ``a: int = 1, b: str = 'x'`` (or ``none``)."""
    if not specs:
        return "none"
    return ", ".join(spec.describe() for spec in specs.values())


def _parameters_cell(nb: Any, path: Path) -> str | None:
    sources = [
        str(cell.source)
        for cell in nb.cells
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    if len(sources) > 1:
        raise ReportError(f"{path.name}: more than one cell is tagged 'parameters'")
    return sources[0] if sources else None


def _comments(source: str) -> dict[int, str]:
    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse failed first
        return found
    return found


def _annotation(node: ast.expr, path: Path, name: str) -> tuple[str, bool]:
    """``int``, ``int | None``, ``Optional[int]``, ``list[str]`` -> (type name, optional)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        sides = [node.left, node.right]
        nones = [s for s in sides if isinstance(s, ast.Constant) and s.value is None]
        others = [s for s in sides if s not in nones]
        if len(nones) == 1 and len(others) == 1:
            return _annotation(others[0], path, name)[0], True
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        if node.value.id == "Optional":
            return _annotation(node.slice, path, name)[0], True
        if node.value.id == "Union" and isinstance(node.slice, ast.Tuple):
            parts = node.slice.elts
            nones = [p for p in parts if isinstance(p, ast.Constant) and p.value is None]
            if len(parts) == 2 and len(nones) == 1:
                other = next(p for p in parts if p not in nones)
                return _annotation(other, path, name)[0], True
        if node.value.id in ("list", "dict"):
            return node.value.id, False
    if isinstance(node, ast.Name) and node.id in _TYPES:
        return node.id, False
    raise ReportError(
        f"{path.name}: parameter {name!r} has an unsupported annotation "
        f"{ast.unparse(node)!r}; use str, int, float, bool, list or dict, optionally '| None'"
    )


def _type_of_default(value: Any) -> str:
    if value is None:
        return "any"
    for name, kind in _TYPES.items():
        if type(value) is kind:
            return name
    if isinstance(value, tuple):
        return "list"
    return "any"


def papermill_view(source: str) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """What papermill's own parameter inspection reads from a parameters cell.

    Each parameter as ``(name, inferred type, default text, help)`` (``"None"`` as the
    type of an unannotated one), and the warnings papermill logs while reading it.

    Examples
    --------
    >>> found, warnings = papermill_view("k: int = 10  # class size\\nx = 1  # a = b")
    >>> found
    [('k', 'int', '10', 'class size')]
    >>> warnings
    ["Unable to parse line 2 'x = 1  # a = b'."]
    """
    # imported here: papermill takes a second to import, and only reading a notebook's
    # parameters needs it
    from nbformat.v4 import new_code_cell
    from papermill.translators import PythonTranslator

    logged: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                logged.append(record.getMessage())

    handler = _Collect()
    logger = logging.getLogger("papermill")
    logger.addHandler(handler)
    try:
        parameters = PythonTranslator.inspect(new_code_cell(source))  # type: ignore[no-untyped-call]
    finally:
        logger.removeHandler(handler)
    found = [(p.name, p.inferred_type_name, p.default, p.help) for p in parameters]
    return found, logged


def _check_papermill_agrees(source: str, specs: Mapping[str, ParameterSpec], path: Path) -> None:
    """Refuse a parameters cell papermill reads differently from lerkit.

    Papermill drops what its pattern cannot match (``str | None`` annotations, an
    ``=`` inside a comment or a value) and then only *warns* that a parameter
    passed to it is unknown, so the notebook would run on its default.
    """
    found, warnings = papermill_view(source)
    seen = {name: default for name, _, default, _ in found}
    fix = (
        "papermill reads one 'name: type = literal  # help' per parameter: annotate "
        "optional values as Optional[str] (from typing import Optional, first in the "
        "cell), and keep '=' out of values' comments"
    )
    for name, spec in specs.items():
        if name not in seen:
            raise ReportError(
                f"{path.name}: papermill cannot read parameter {name!r}; {fix}"
                + (f" ({'; '.join(warnings)})" if warnings else ""),
                code="parameter_unreadable",
            )
        try:
            default = ast.literal_eval(seen[name])
        except (ValueError, SyntaxError):
            default = _UNREADABLE
        if isinstance(default, tuple):
            default = list(default)
        if default != spec.default:
            raise ReportError(
                f"{path.name}: papermill reads the default of parameter {name!r} as "
                f"{seen[name]!r}, not {spec.default!r}; {fix}",
                code="parameter_unreadable",
            )
    if warnings:
        raise ReportError(f"{path.name}: {'; '.join(warnings)}; {fix}", code="parameter_unreadable")
    extra = [name for name in seen if name not in specs]
    if extra:  # pragma: no cover - every papermill match is an assignment ast sees too
        raise ReportError(
            f"{path.name}: papermill reads parameters lerkit does not: {', '.join(extra)}",
            code="parameter_unreadable",
        )


def read_parameters(notebook: str | os.PathLike[str]) -> dict[str, ParameterSpec]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    The cell may hold only assignments of literals (``x = 1`` or ``x: int = 1``),
    after ``from typing import ...`` lines; a trailing comment becomes the
    parameter's help text. It must read the same to papermill (see
    :func:`papermill_view`): an optional value is annotated ``Optional[str]``,
    not ``str | None``, which papermill's parameter pattern cannot match.

    Parameters
    ----------
    notebook : str or os.PathLike
        Path of an ``.ipynb`` file.

    Returns
    -------
    dict of str to ParameterSpec
        In declaration order; empty when the notebook has no parameters cell.

    Raises
    ------
    ReportError
        If the notebook cannot be read, has two parameters cells, or the cell is
        not a list of literal assignments.
    """
    path = Path(notebook)
    try:
        nb = read_notebook(path)
    except (OSError, ValueError) as err:
        raise ReportError(f"cannot read notebook {str(path)!r}: {err}") from err
    source = _parameters_cell(nb, path)
    if source is None:
        return {}
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ReportError(f"{path.name}: the parameters cell is not valid Python: {err}") from err
    comments = _comments(source)
    specs: dict[str, ParameterSpec] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "typing" and not specs:
            continue
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value_node, annotation = node.targets[0], node.value, None
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value_node, annotation = node.target, node.value, node.annotation
        else:
            raise ReportError(
                f"{path.name}: the parameters cell may hold only assignments, "
                f"found {ast.unparse(node)!r}"
            )
        if not isinstance(target, ast.Name):
            raise ReportError(f"{path.name}: cannot assign a parameter to {ast.unparse(target)!r}")
        name = target.id
        try:
            default = ast.literal_eval(value_node)
        except ValueError as err:
            raise ReportError(
                f"{path.name}: parameter {name!r} must default to a literal, "
                f"not {ast.unparse(value_node)!r}"
            ) from err
        if annotation is not None:
            type_name, optional = _annotation(annotation, path, name)
        else:
            type_name, optional = _type_of_default(default), False
        if isinstance(default, tuple):
            default = list(default)
        specs[name] = ParameterSpec(
            name=name,
            type_name=type_name,
            default=default,
            optional=optional or default is None,
            help=comments.get(node.end_lineno or node.lineno, ""),
        )
    _check_papermill_agrees(source, specs, path)
    return specs


def _wrong_type(report: str, spec: ParameterSpec, value: Any) -> str:
    return f"parameter {spec.name!r} of report {report!r} expects {spec.type_name}, got {value!r}"


def _convert(report: str, spec: ParameterSpec, value: Any) -> Any:
    """One value converted to the declared type; strings (as from a shell) are parsed."""
    if value is None and spec.optional:
        return None
    if isinstance(value, str) and spec.optional and value.strip().lower() in ("none", "null"):
        return None
    kind = spec.type_name
    if kind == "any":
        return value
    if kind == "str":
        if isinstance(value, str):
            return value
        if isinstance(value, os.PathLike):
            return os.fspath(value)
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
    elif kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
    elif kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                pass
            else:
                if math.isfinite(number):
                    return number
    elif kind in ("list", "dict"):
        wanted: type = list if kind == "list" else dict
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as err:
                raise ParameterError(
                    _wrong_type(report, spec, value) + f" (not valid JSON: {err.msg})"
                ) from err
        if kind == "list" and isinstance(value, tuple):
            value = list(value)
        if isinstance(value, wanted):
            return value
    raise ParameterError(_wrong_type(report, spec, value))


def looks_inline(value: str) -> bool:
    """A value that is data rather than a path: JSON, a URL or a compact JWS."""
    text = value.strip()
    return text.startswith(("{", "[")) or "://" in text or bool(_COMPACT_JWS.match(text))


def _resolve_path(
    report: str, spec: ParameterSpec, value: str, cwd: Path, notebooks_dir: Path
) -> str:
    candidate = Path(value).expanduser()
    if not candidate.is_absolute():
        if not (cwd / candidate).exists() and looks_inline(value):
            return value
        candidate = cwd / candidate
    resolved = candidate.resolve()
    if resolved.exists():
        return str(resolved)
    tried = f"no such file or folder: {str(resolved)!r}"
    if spec.accepts_dataset:
        if _DATASET_NAME.fullmatch(value):
            found = _dataset_folder(value)
            if isinstance(found, Path):
                # the name, not its folder: the notebook resolves it the same way
                # (lerkit.datasets.load), and the report's slug stays readable
                return value
            tried += f", and {found}"
        else:
            tried += f", and {value!r} is not a dataset name (letters, digits, '.', '_', '-')"
    default_is_input = (
        isinstance(spec.default, str)
        and bool(spec.default)
        and (notebooks_dir / Path(spec.default).expanduser()).exists()
    )
    if default_is_input or spec.accepts_dataset:
        raise ParameterError(
            f"parameter {spec.name!r} of report {report!r}: {tried}", code="parameter_not_found"
        )
    return str(resolved)


def _dataset_folder(name: str) -> Path | str:
    """The folder a dataset name resolves to, or why it does not (the message)."""
    try:
        return resolve_dataset(name)
    except DatasetError as err:
        return err.message


def validate_parameters(
    report: str,
    specs: Mapping[str, ParameterSpec],
    values: Mapping[str, Any],
    *,
    cwd: str | os.PathLike[str] | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Check parameter names and types, and convert values to the declared types.

    Strings (as given on a command line) are converted to the type of the
    declared default: ``int``, ``float``, ``bool`` (true/false, yes/no, on/off,
    1/0), ``list`` and ``dict`` (as JSON). Relative values of path-like ``str``
    parameters (see :attr:`ParameterSpec.is_path`) are resolved against ``cwd``,
    because the notebook itself runs inside the notebooks folder.

    Parameters
    ----------
    report : str
        Report name, for messages.
    specs : mapping of str to ParameterSpec
        What the notebook declares (from :func:`read_parameters`).
    values : mapping of str to object
        What the user gave.
    cwd : path, optional
        Folder relative paths are relative to; the process's cwd by default.
    notebooks_dir : path, optional
        Folder the notebook runs in; an input path parameter whose default exists
        there must exist when overridden.

    Returns
    -------
    dict of str to object
        The converted values, in the order given.

    Raises
    ------
    ParameterError
        If a name is unknown or a value has the wrong type; the message lists
        every valid parameter with its type and default.

    Examples
    --------
    >>> specs = {"top_n": ParameterSpec("top_n", "int", 10)}
    >>> validate_parameters("demo", specs, {"top_n": "5"})
    {'top_n': 5}
    """
    base = Path(cwd) if cwd is not None else Path.cwd()
    run_dir = Path(notebooks_dir) if notebooks_dir is not None else base
    valid = describe_parameters(specs)
    converted: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            close = difflib.get_close_matches(name, list(specs), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParameterError(
                f"unknown parameter {name!r} for report {report!r}{hint}; valid parameters: {valid}"
            )
        try:
            result = _convert(report, spec, value)
            if spec.is_path and isinstance(result, str) and result:
                result = _resolve_path(report, spec, result, base, run_dir)
        except ParameterError as err:
            raise ParameterError(
                f"{err.message}; valid parameters: {valid}", code=err.code
            ) from err
        converted[name] = result
    return converted


def _same_path(value: Any, default: Any, notebooks_dir: Path) -> bool:
    if not (isinstance(value, str) and isinstance(default, str)):
        return False
    try:
        left = (notebooks_dir / Path(value).expanduser()).resolve()
        right = (notebooks_dir / Path(default).expanduser()).resolve()
    except OSError:  # pragma: no cover - unresolvable path
        return False
    return left == right


def minimal_overrides(
    specs: Mapping[str, ParameterSpec],
    values: Mapping[str, Any],
    notebooks_dir: str | os.PathLike[str],
) -> dict[str, Any]:
    """The validated values that differ from the defaults, sorted by name.

    A path-like value naming the same file as the default counts as the default,
    so ``-p source datasets/samples`` from the project folder is the default run.
    """
    run_dir = Path(notebooks_dir)
    overrides: dict[str, Any] = {}
    for name in sorted(values):
        value, spec = values[name], specs[name]
        if value == spec.default and type(value) is type(spec.default):
            continue
        if spec.is_path and _same_path(value, spec.default, run_dir):
            continue
        overrides[name] = value
    return overrides
