"""The public statement corpus lives beside the project (../shared/statements); these tests skip without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(
    os.environ.get('RELAIS_STATEMENTS_DIR', Path(__file__).resolve().parents[2].parent / 'shared' / 'statements')
)


@pytest.fixture
def corpus():
    """corpus('cfonb120/pennylane_example.txt') -> the file's bytes (the test skips when the corpus is absent)."""

    def read(name: str) -> bytes:
        path = CORPUS / name
        if not path.is_file():
            pytest.skip(f'corpus absent: {path}')
        return path.read_bytes()

    return read
