"""The package's layers: each package imports only from the packages above it.

    glassnet (errors, validation) > core > training > data > files > runs > viz
    > estimators > bench > cli

``glassnet/__init__.py`` (the public API) and ``__main__.py`` stand outside the
order: they gather names from every layer, and nothing in the package imports them.
Every ``import`` in every module counts, at module level or inside a function
(lazy imports too), so a lazy import cannot hide a dependency that goes up the list.
``core`` imports nothing outside itself but NumPy, ``glassnet.errors``,
``glassnet.validation`` and the standard library.
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "glassnet"
LAYERS = (
    "",
    "core",
    "training",
    "data",
    "files",
    "runs",
    "viz",
    "estimators",
    "distributed",
    "playground",
    "notebook",
    "bench",
    "cli",
)
TOP_LEVEL = {
    "_version",
    "errors",
    "validation",
}  # the modules a layer may import from the top level
FACADE = {"", "__main__"}  # glassnet/__init__.py and __main__.py: the public API, the command
CORE_OUTSIDE = {"numpy"}  # what core may import beyond the standard library


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; relative imports resolved)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import mod`
    return found


def layer_of(module: str, root_name: str) -> str | None:
    """The layer a glassnet module belongs to ('' for the top level), None outside glassnet."""
    parts = module.split(".")
    if parts[0] != root_name:
        return None
    if len(parts) == 1 or parts[1] not in LAYERS:
        return ""
    return parts[1]


def existing(module: str, modules: set[str]) -> str:
    """``module`` itself, or the package it is a name of (``from pkg import name``)."""
    while module not in modules and "." in module:
        module = module.rpartition(".")[0]
    return module


def violations(root: Path) -> list[str]:
    """Every import in the tree under ``root`` that breaks the layering, as readable lines."""
    paths = sorted(root.rglob("*.py"))
    modules = {module_name(path, root) for path in paths}
    found = []
    for path in paths:
        here = module_name(path, root)
        if here.partition(".")[2] in FACADE:
            continue
        own = layer_of(here, root.name) or ""
        for target in sorted(imports_of(path, root)):
            layer = layer_of(target, root.name)
            where = f"{path.relative_to(root.parent)} imports {target}"
            if layer is None:
                top = target.split(".")[0]
                if own == "core" and top not in CORE_OUTSIDE and top not in sys.stdlib_module_names:
                    found.append(f"{where}: core imports only NumPy and the standard library")
                continue
            target = existing(target, modules)
            if target == root.name or target.partition(".")[2] in FACADE:
                found.append(f"{where}: import the module that holds the name, not the package")
            elif layer == "" and own != "" and target.split(".")[-1] not in TOP_LEVEL:
                found.append(
                    f"{where}: below the top level only _version, errors and validation are shared"
                )
            elif LAYERS.index(layer) > LAYERS.index(own):
                found.append(f"{where}: {layer or 'the top level'} is below {own or 'the top'}")
    return found + module_cycles(root, paths, modules)


def module_cycles(root: Path, paths: list[Path], modules: set[str]) -> list[str]:
    """Import cycles between modules (a package's ``__init__`` re-exporting its own aside)."""
    graph = {
        module_name(path, root): {
            existing(target, modules)
            for target in imports_of(path, root)
            if layer_of(target, root.name) is not None
        }
        for path in paths
    }
    packages = {module_name(p, root) for p in paths if p.name == "__init__.py"}
    for package in packages:
        graph[package] = set()  # an __init__ only gathers names: leaving it out hides no cycle
    for module, targets in graph.items():
        targets.discard(module)
        graph[module] = {t for t in targets if t not in packages}
    cycles, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            cycles.append("import cycle: " + " -> ".join(cycle))
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return sorted(set(cycles))


def test_every_import_goes_down_the_layers():
    assert violations(PACKAGE) == []


def test_the_layers_are_the_tree():
    packages = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert packages == set(LAYERS) - {""}


def plant(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "glassnet"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CLEAN = {
    "__init__.py": "from glassnet.core.network import forward\n",
    "errors.py": "",
    "validation.py": "from glassnet.errors import InputError\n",
    "core/__init__.py": "from glassnet.core.network import forward\n",
    "core/network.py": "import math\nimport numpy as np\nfrom glassnet.validation import x\n",
    "training/__init__.py": "",
    "training/loop.py": "from glassnet.core.network import forward\n",
    "viz/__init__.py": "",
    "viz/plots.py": "def draw():\n    import matplotlib.pyplot as plt\n",
}


def test_a_clean_tree_passes(tmp_path):
    assert violations(plant(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("core/network.py", "from glassnet.training.loop import train\n", "training is below core"),
        ("core/network.py", "def f():\n    from glassnet.viz import plots\n", "viz is below core"),
        ("training/loop.py", "import glassnet.viz.plots\n", "viz is below training"),
        ("core/network.py", "import scipy\n", "core imports only NumPy"),
        ("training/loop.py", "from glassnet import forward\n", "not the package"),
        ("training/loop.py", "from .. import viz\n", "not the package"),
        ("core/network.py", "from glassnet.core import loop2\n", "import cycle"),
    ],
)
def test_a_planted_violation_is_found(tmp_path, name, text, message):
    files = {**CLEAN, name: CLEAN.get(name, "") + text}
    if message == "import cycle":
        files["core/loop2.py"] = "from glassnet.core.network import forward\n"
    found = violations(plant(tmp_path, files))
    assert any(message in line for line in found), found
