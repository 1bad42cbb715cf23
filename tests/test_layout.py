"""The shape of the code base: limits the maintainers agreed on, checked on every run."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = sorted((ROOT / "sklearn_embed").glob("*.py"))
OUTSIDE_ESTIMATOR = [
    path
    for path in PACKAGE + sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
    if path.name != "_encoder.py"
]
# A fitted encoder is called enc, encoder or model wherever it is used.
PRIVATE_READ = re.compile(r"\b(?:enc|encoder|model(?:\[\d+\])?)\._[a-z]\w*")


# Private reads a module makes until the estimator offers the state publicly.
ALLOWED_PRIVATE_READS = {
    # A continuous target's mean and scale, for the ONNX prediction column in y's units.
    "_onnx_converter.py": ["encoder._target"],
}


@pytest.mark.parametrize("path", OUTSIDE_ESTIMATOR, ids=lambda path: path.name)
def test_no_private_estimator_state_outside_the_estimator(path):
    allowed = ALLOWED_PRIVATE_READS.get(path.name, [])
    assert [read for read in PRIVATE_READ.findall(path.read_text()) if read not in allowed] == []


def _n_parameters(function):
    names = [a.arg for a in function.args.posonlyargs + function.args.args + function.args.kwonlyargs]
    return len([name for name in names if name not in ("self", "cls")])


@pytest.mark.parametrize("path", PACKAGE + sorted((ROOT / "benchmarks").glob("*.py")), ids=lambda p: p.name)
def test_no_function_takes_more_than_ten_parameters(path):
    functions = [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        # An estimator's __init__ lists its parameters, as scikit-learn's do.
        and node.name != "__init__"
    ]
    assert [f.name for f in functions if _n_parameters(f) > 10] == []


def _code_lines(path):
    """Lines that are not blank, not comments, and not inside a docstring."""
    source = path.read_text()
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.strip().startswith("#") and number not in docstrings
    )


@pytest.mark.parametrize("path", PACKAGE, ids=lambda path: path.name)
def test_modules_stay_small(path):
    limit = 320 if path.name == "_encoder.py" else 400
    assert _code_lines(path) <= limit
