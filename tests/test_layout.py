"""The shape of the code base: floors that import only downwards, and no estimator below it.

CONTRIBUTING.md describes the floors; ruff (run by .ci/run) checks the size of
functions. These tests check what ruff cannot.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = sorted((ROOT / "sklearn_embed").glob("*.py"))

# Each module's floor, from the user down. A module imports only from its own
# floor or below (CONTRIBUTING.md, "Floors").
FLOORS = {
    "__init__": 8,
    "__main__": 8,
    "_cli": 7,
    "_demo": 7,
    "_tables": 7,
    "_encoder": 6,
    "onnx": 7,
    "_onnx_converter": 5,
    "_model_archive": 5,
    "_model_checks": 5,
    "_persistence": 5,
    "_plotting": 5,
    "_spark": 5,
    "_datasets": 5,
    "_fitting": 4,
    "_columns": 3,
    "_target": 3,
    "_table_plan": 3,
    "_prediction": 3,
    "_training": 2,
    "_streaming": 2,
    "_network": 1,
    "_optim": 1,
    "_shrinkage": 1,
    "_statistics": 1,
    "_vocabulary": 1,
    "_similarity": 1,
    "_compat": 0,
    "_exceptions": 0,
    "_version": 0,
}
ENGINE_AND_BUILDERS = [path for path in PACKAGE if FLOORS.get(path.stem, 9) <= FLOORS["_fitting"]]

OUTSIDE_ESTIMATOR = [
    path
    for path in PACKAGE
    + sorted((ROOT / "examples").glob("*.py"))
    + sorted((ROOT / "benchmarks").glob("*.py"))
    if path.name != "_encoder.py"
]
# A fitted encoder is called enc, encoder or model wherever it is used.
PRIVATE_READ = re.compile(r"\b(?:enc|encoder|model(?:\[\d+\])?)\._[a-z]\w*")


def _package_imports(path):
    """The package modules ``path`` imports (``from . import x`` counts as ``__init__``)."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            imported.add(node.module or "__init__")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn_embed"):
            imported.add(node.module.split(".")[1] if "." in node.module else "__init__")
    return imported


def test_every_module_has_a_floor():
    assert sorted(path.stem for path in PACKAGE if path.stem not in FLOORS) == []


@pytest.mark.parametrize("path", PACKAGE, ids=lambda path: path.name)
def test_no_module_imports_one_above_it(path):
    floor = FLOORS[path.stem]
    above = {module: FLOORS[module] for module in _package_imports(path) if FLOORS[module] > floor}
    assert above == {}, f"{path.stem} (floor {floor}) imports from above"


def test_imports_have_no_cycles():
    graph = {path.stem: _package_imports(path) for path in PACKAGE}
    visiting, done = set(), set()

    def visit(module, trail):
        assert module not in visiting, f"import cycle: {' -> '.join(trail + [module])}"
        if module in done:
            return
        visiting.add(module)
        for imported in graph.get(module, ()):
            visit(imported, trail + [module])
        visiting.discard(module)
        done.add(module)

    for module in graph:
        visit(module, [])


# A fitted encoder given as initial_embeddings is a parameter's value, read
# through its public attributes: the only encoder a builder may be handed.
PARAMETER_VALUES = {("_table_plan", "_tables_of_encoder")}


@pytest.mark.parametrize("path", ENGINE_AND_BUILDERS, ids=lambda path: path.name)
def test_below_the_estimator_no_function_takes_the_estimator(path):
    """The engine and the builders take arrays, frames and frozen configs, never the estimator."""
    takers = [
        node.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and {a.arg for a in node.args.args + node.args.kwonlyargs} & {"estimator", "encoder"}
        and (path.stem, node.name) not in PARAMETER_VALUES
    ]
    assert takers == []


# Private reads a module makes until the estimator offers the state publicly.
ALLOWED_PRIVATE_READS = {
    # A continuous target's mean and scale, for the ONNX prediction column in y's units.
    "_onnx_converter.py": ["encoder._target"],
}


@pytest.mark.parametrize("path", OUTSIDE_ESTIMATOR, ids=lambda path: path.name)
def test_no_private_estimator_state_outside_the_estimator(path):
    allowed = ALLOWED_PRIVATE_READS.get(path.name, [])
    assert [read for read in PRIVATE_READ.findall(path.read_text()) if read not in allowed] == []
