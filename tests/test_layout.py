"""The shape of the code base, measured from the code: floors, no cycle, no estimator below it.

A module's floor is measured from its imports: 0 when it imports nothing of the
package, else one more than the highest module it imports. CONTRIBUTING.md's
table of floors must say what the code does; when a change moves a module, the
failure prints the table as measured. ruff (run by .ci/run) checks the size of
functions; these tests check what ruff cannot.
"""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sklearn_embed"
FILES = sorted(PACKAGE.rglob("*.py"))


def module_name(path):
    """``_cli._fit`` for sklearn_embed/_cli/_fit.py, ``_cli`` for its ``__init__``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in FILES}


def _resolve(name):
    """The package module a dotted name points into: the longest known prefix."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return "__init__"


@cache
def package_imports(module):
    """The package modules ``module`` imports, in any form, at any depth of its code."""
    path = MODULES[module]
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    if module == "__init__":
        package = []
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
            names = [f"{stem}.{alias.name}" if stem else alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn_embed"):
            stem = node.module.removeprefix("sklearn_embed").lstrip(".")
            names = [f"{stem}.{alias.name}" if stem else alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [
                alias.name.removeprefix("sklearn_embed").lstrip(".")
                for alias in node.names
                if alias.name.split(".")[0] == "sklearn_embed"
            ]
        imported.update(_resolve(name) if name else "__init__" for name in names)
    imported.discard(module)
    return frozenset(imported)


@cache
def measured_floor(module, trail=()):
    assert module not in trail, f"import cycle: {' -> '.join([*trail, module])}"
    below = package_imports(module)
    return 1 + max((measured_floor(m, (*trail, module)) for m in below), default=-1)


def documented_floors():
    """CONTRIBUTING.md's table: ``| floor | `module`, `module` | owns |``."""
    floors = {}
    for line in (ROOT / "CONTRIBUTING.md").read_text().splitlines():
        row = re.match(r"\|\s*(\d+)\s*\|([^|]*)\|", line)
        if row:
            for name in re.findall(r"`([\w.]+)`", row[2]):
                floors[name] = int(row[1])
    return floors


def measured_table():
    by_floor = {}
    for module in MODULES:
        by_floor.setdefault(measured_floor(module), []).append(module)
    return "\n".join(
        f"| {floor} | {', '.join(f'`{m}`' for m in sorted(by_floor[floor]))} | ... |"
        for floor in sorted(by_floor, reverse=True)
    )


def test_imports_have_no_cycles():
    for module in MODULES:
        measured_floor(module)


def test_the_documented_floors_are_the_measured_ones():
    measured = {module: measured_floor(module) for module in MODULES}
    assert documented_floors() == measured, (
        f"CONTRIBUTING.md's table should read:\n{measured_table()}"
    )


def test_the_command_line_and_the_demo_are_the_top_floors():
    """Nothing of the library imports the tools built on it."""
    tools = {"_cli", "_demo", "__main__"} | {m for m in MODULES if m.startswith("_cli.")}
    for module in set(MODULES) - tools - {"__init__"}:
        assert not package_imports(module) & tools, module


# ------------------------------------------------------------------ the estimator's state


def engine():
    """The builders and everything they import: what fit, partial_fit and transform run below the estimator."""
    found, todo = set(), ["_fitting", "_streaming", "_model"]
    while todo:
        module = todo.pop()
        if module not in found:
            found.add(module)
            todo.extend(package_imports(module))
    return sorted(found)


# A fitted encoder given as initial_embeddings is a parameter's value, read
# through its public attributes: the only fitted estimator the engine reads.
PARAMETER_VALUES = {("_table_setup", "_tables_of_encoder")}


@pytest.mark.parametrize("module", engine())
def test_the_engine_never_reads_a_fitted_estimator(module):
    """Builders take frames, arrays and frozen records; fitted state (``x_``) comes back from them."""
    tree = ast.parse(MODULES[module].read_text())
    reads = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if (module, function.name) in PARAMETER_VALUES:
            continue
        reads += [
            f"{function.name}: .{node.attr}"
            for node in ast.walk(function)
            if isinstance(node, ast.Attribute)
            and re.fullmatch(r"[a-z]\w*[a-z0-9]_", node.attr)
            and not (isinstance(node.value, ast.Name) and node.value.id in ("np", "pd"))
        ]
    assert reads == []


OUTSIDE_ESTIMATOR = [
    path
    for path in FILES
    + sorted((ROOT / "examples").glob("*.py"))
    + sorted((ROOT / "benchmarks").glob("*.py"))
    + sorted((ROOT / "tests").glob("*.py"))
    if path.name != "_encoder.py"
]
# A fitted encoder is called enc, encoder, estimator or model wherever it is used.
PRIVATE_READ = re.compile(r"\b(?:enc|encoder|estimator|model(?:\[\d+\])?)\._[a-z]\w*")


@pytest.mark.parametrize("path", OUTSIDE_ESTIMATOR, ids=lambda path: path.name)
def test_no_private_estimator_state_outside_the_estimator(path):
    """Other modules, the tests and the benchmarks read public attributes and the fitted model."""
    assert PRIVATE_READ.findall(path.read_text()) == []
