"""Every ```python block in README.md and docs/*.md runs, so the docs cannot drift from the code.

Each Markdown file under ``docs/`` (found when the tests are collected, so new pages
are picked up) has its ``python`` blocks run in order in one namespace, in a
temporary working directory. A block is skipped only when the line right before its
opening fence is ``<!-- no-test -->``. Blocks that print numbers assert them.

A block that imports glassnet's top level (``import glassnet``, ``import glassnet as
gn``, ``from glassnet import ...``) looks like the start of a reader's session, so it
must also run alone, pasted into a fresh namespace: every name it uses is its own. A
block that continues an earlier one uses the names that one imported, and does not.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARKER = "<!-- no-test -->"
SESSION_START = re.compile(r"^(import glassnet\b|from glassnet import )", re.M)


@dataclass(frozen=True)
class Block:
    """A fenced python block: its source and the line of its opening fence (1-based)."""

    source: str
    line: int


def python_blocks(markdown: str) -> list[Block]:
    """The ```python blocks of ``markdown`` in order, leaving out those marked no-test."""
    blocks = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```python":
            i += 1
            continue
        start = i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        skipped = start > 0 and lines[start - 1].strip() == SKIP_MARKER
        if not skipped:
            blocks.append(Block("\n".join(body) + "\n", start + 1))
        i += 1
    return blocks


def doc_pages() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


@pytest.mark.parametrize("page", doc_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_page_runs(page, tmp_path, monkeypatch):
    blocks = python_blocks(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no python blocks")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace = {"__name__": f"docs.{page.stem}"}
    for block in blocks:
        code = compile(block.source, f"{page}:{block.line}", "exec")
        exec(code, namespace)


def self_contained_blocks() -> list[tuple[Path, Block]]:
    """Every block that imports glassnet's top level, with its page."""
    return [
        (page, block)
        for page in doc_pages()
        for block in python_blocks(page.read_text(encoding="utf-8"))
        if SESSION_START.search(block.source)
    ]


@pytest.mark.parametrize(
    ("page", "block"),
    self_contained_blocks(),
    ids=lambda value: str(value.relative_to(ROOT)) if isinstance(value, Path) else value.line,
)
def test_a_block_that_starts_a_session_runs_alone(page, block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    code = compile(block.source, f"{page}:{block.line}", "exec")
    exec(code, {"__name__": f"docs.{page.stem}.alone"})  # a fresh namespace: nothing before it


def test_the_blocks_that_start_a_session_are_found():
    found = {(page.name, block.source.splitlines()[0]) for page, block in self_contained_blocks()}
    assert ("model-files.md", "import numpy as np") in found  # the pipeline block, fixed
    assert ("tutorials.md", "from sklearn.datasets import make_moons") in found
    continuing = "from glassnet.viz.explain import explain\n\nuntrained = gn.Network"
    assert not SESSION_START.search(continuing)  # a later block uses the first one's gn


def test_our_pages_are_found_and_have_blocks():
    names = {page.name for page in doc_pages()}
    assert {"math.md", "chain-rule.md", "tutorials.md"} <= names
    for name in ("math.md", "chain-rule.md", "tutorials.md"):
        assert python_blocks((DOCS / name).read_text(encoding="utf-8")), name


def test_blocks_are_extracted_in_order_and_no_test_skips_one():
    markdown = "\n".join(
        [
            "text",
            "```python",
            "a = 1",
            "```",
            "<!-- no-test -->",
            "```python",
            "raise SystemExit",
            "```",
            "```bash",
            "echo no",
            "```",
            "",
            "```python",
            "b = a + 1",
            "",
            "c = b",
            "```",
        ]
    )
    blocks = python_blocks(markdown)
    assert [block.source for block in blocks] == ["a = 1\n", "b = a + 1\n\nc = b\n"]
    assert [block.line for block in blocks] == [2, 13]
    namespace: dict = {}
    for block in blocks:
        exec(block.source, namespace)
    assert namespace["c"] == 2
