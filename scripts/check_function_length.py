"""Fail when a function in the given trees is longer than the limit (default 50 lines).

ruff has no rule for a function's length (PLR0915 counts statements, not lines) and
the flake8 plugins that do are unmaintained, so this reads the AST itself: a function's
length is from its ``def`` (decorators excluded) to its last line, docstring included.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path


def long_functions(path: Path, limit: int) -> Iterator[tuple[int, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                yield node.lineno, node.name, length


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--max-lines", type=int, default=50)
    args = parser.parse_args(argv)
    found = 0
    for root in args.paths:
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            for line, name, length in long_functions(path, args.max_lines):
                print(f"{path}:{line}: {name} is {length} lines (limit {args.max_lines})")
                found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
