"""docs/security.md names, for each ASVS requirement, the tests that prove it: each named test exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r'`(tests/[\w/]+\.py)::([\w:]+)')


def _defined(path: Path) -> set[str]:
    """``name`` and ``Class::name`` of every test function and class of a test module."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding='utf-8')).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.ClassDef):
            found.add(node.name)
            found |= {
                f'{node.name}::{item.name}'
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            }
    return found


def test_every_test_the_security_table_cites_exists() -> None:
    cited = CITED.findall((ROOT / 'docs' / 'security.md').read_text(encoding='utf-8'))
    assert len(cited) > 100
    missing = [
        f'{path}::{name}' for path, name in cited if not (ROOT / path).is_file() or name not in _defined(ROOT / path)
    ]
    assert missing == []
