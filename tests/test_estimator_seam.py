"""The estimators' seam: outside ``glassnet/estimators/``, only their public names are used.

Every module of the package outside ``estimators/`` is parsed. It fails on

(a) an import of a private estimators module (``from glassnet.estimators._base import ...``,
    ``import glassnet.estimators._stochastic``, ``from glassnet.estimators import _params``);
(b) a use of a private member the estimator classes define (``estimator._settings``,
    ``getattr(estimator, "_label_binarizer")``): the names of ``def _x`` in their
    classes, ``_x: type`` declared in them, and ``self._x = ...`` assignments, dunders
    aside. A class's use of its own members (``self._x``) is its own business.

A driver of the estimators' fit (``glassnet.distributed.fit``) calls the public steps
``begin_fit``, ``train_fit``, ``finish_fit`` and the names ``glassnet.estimators`` exports.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "glassnet"
ESTIMATORS = PACKAGE / "estimators"
PRIVATE_MODULE_PREFIX = "glassnet.estimators._"
NAME_LOOKUPS = {"getattr", "setattr", "hasattr", "delattr"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_members(sources: list[str]) -> set[str]:
    """The private methods and attributes the classes in ``sources`` define."""
    names: set[str] = set()
    for source in sources:
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        names.add(item.name)
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        names.add(item.target.id)
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                targets = [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if (
                        isinstance(part, ast.Attribute)
                        and isinstance(part.value, ast.Name)
                        and part.value.id == "self"
                    ):
                        names.add(part.attr)
    return {name for name in names if is_private(name)}


def absolute_module(node: ast.ImportFrom, module: str) -> str:
    """The module a ``from ... import`` names, relative imports resolved from ``module``."""
    if not node.level:
        return node.module or ""
    anchor = module.split(".")[: -node.level]
    return ".".join([*anchor, node.module] if node.module else anchor)


def seam_violations(source: str, module: str, members: set[str]) -> list[str]:
    """Every private estimators import and private member use in ``source``, as lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{module}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [
                f"{where} imports {alias.name}"
                for alias in node.names
                if alias.name.startswith(PRIVATE_MODULE_PREFIX)
            ]
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, module)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            private = [name for name in names if name.startswith(PRIVATE_MODULE_PREFIX)]
            found += [f"{where} imports {private[0]}"] if private else []
        elif isinstance(node, ast.Attribute) and node.attr in members:
            receiver = node.value
            if not (isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"}):
                found.append(f"{where} uses the estimators' private member .{node.attr}")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in NAME_LOOKUPS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in members
        ):
            found.append(f"{where} looks up the estimators' private member {node.args[1].value}")
    return sorted(found, key=lambda line: int(line.split(":")[1].split()[0]))


def estimator_members() -> set[str]:
    return private_members(
        [path.read_text(encoding="utf-8") for path in sorted(ESTIMATORS.glob("*.py"))]
    )


def module_name(path: Path) -> str:
    """The dotted path, ``__init__`` kept, so that relative imports resolve from it."""
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def test_the_estimators_define_the_members_the_checker_looks_for():
    members = estimator_members()
    # methods, attributes set on self, and the mixin's declared state: each kind is found
    assert {"_validate_input", "_initialize", "_settings", "_optimizer"} <= members
    assert not any(name.startswith("__") for name in members)


def test_nothing_outside_the_estimators_uses_their_private_names():
    members = estimator_members()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if ESTIMATORS in path.parents:
            continue
        found += seam_violations(path.read_text(encoding="utf-8"), module_name(path), members)
    assert found == []


PLANTED = """
from glassnet.estimators import MLPClassifier
from glassnet.estimators._stochastic import AUTO_BATCH
from ..estimators._base import FLOATS
from glassnet.estimators import _params
import glassnet.estimators._lbfgs


def fit(estimator, X, y):
    settings = estimator._settings
    binarizer = getattr(estimator, "_label_binarizer", None)
    return self_made(estimator).__class__, self._settings
"""


def test_the_checker_reports_planted_uses():
    found = seam_violations(PLANTED, "glassnet.distributed.fitting", estimator_members())
    assert found == [
        "glassnet.distributed.fitting:3 imports glassnet.estimators._stochastic",
        "glassnet.distributed.fitting:4 imports glassnet.estimators._base",
        "glassnet.distributed.fitting:5 imports glassnet.estimators._params",
        "glassnet.distributed.fitting:6 imports glassnet.estimators._lbfgs",
        "glassnet.distributed.fitting:10 uses the estimators' private member ._settings",
        "glassnet.distributed.fitting:11 looks up the estimators' private member _label_binarizer",
    ]
