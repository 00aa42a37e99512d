"""Every ```python block in README.md and docs/*.md runs, so the docs cannot drift from the code.

Each Markdown file under ``docs/`` (found when the tests are collected, so new pages
are picked up) has its ``python`` blocks run in order in one namespace, in a
temporary working directory. A block is skipped only when the line right before its
opening fence is ``<!-- no-test -->``. Blocks that print numbers assert them.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARKER = "<!-- no-test -->"


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
