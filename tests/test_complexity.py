"""No function of ``glassnet.data`` or ``glassnet.distributed`` is over complexity 15.

Cyclomatic complexity as radon counts it (``radon cc``): one plus each branch, loop,
boolean operator and comprehension's ``for`` and ``if``. A planted function over the
limit proves that the check bites.
"""

from pathlib import Path

import pytest

radon = pytest.importorskip("radon.complexity")

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "glassnet"
CHECKED = ("data", "distributed")
MAX_COMPLEXITY = 15


def too_complex(code: str, where: str) -> list[str]:
    """``where:name (complexity)`` of each function, method or closure over the limit."""
    found = []
    blocks = list(radon.cc_visit(code))
    while blocks:
        block = blocks.pop()
        blocks += getattr(block, "closures", [])
        if block.complexity > MAX_COMPLEXITY and not hasattr(block, "methods"):
            found.append(f"{where}:{block.fullname} ({block.complexity})")
    return found


def test_a_planted_complex_function_is_named():
    branches = "\n".join(f"    if x == {k}:\n        return {k}" for k in range(15))
    assert too_complex(f"def planted(x):\n{branches}\n", "here") == ["here:planted (16)"]
    assert too_complex(f"def fine(x):\n{branches.rsplit('    if', 1)[0]}\n", "here") == []


@pytest.mark.parametrize("package", CHECKED)
def test_no_function_over_the_limit(package):
    modules = sorted((PACKAGE / package).rglob("*.py"))
    assert modules
    found = [
        entry
        for module in modules
        for entry in too_complex(module.read_text(), str(module.relative_to(PACKAGE)))
    ]
    assert not found, f"over complexity {MAX_COMPLEXITY}: {', '.join(sorted(found))}"
