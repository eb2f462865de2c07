"""Fuzzing of every statement parser and of the ZIP reader, seeded from the public corpus (../shared/statements) and
from files Relais writes itself (camt.053, CFONB 120, MT940).

`FUZZ_EXAMPLES` sets the number of mutated inputs per parser: a few hundred in the suite (CI), 10,000 with
`make fuzz`, which also sets `FUZZ_MAX_SECONDS=1` so that a single input slower than a second fails the run (an input
over the limit is timed twice more and keeps its least time: on a shared VM a pause of the machine once took a 667-byte
ZIP that reads in a millisecond past a second). The slowest input of each parser and the counts are printed at the end
of the session.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

EXAMPLES = int(os.environ.get('FUZZ_EXAMPLES', '300'))
MAX_SECONDS = float(os.environ.get('FUZZ_MAX_SECONDS', '0'))  # 0: measured and printed only


@dataclass
class Tally:
    inputs: int = 0
    read: int = 0
    refused: int = 0
    slowest: float = 0.0
    slowest_input: bytes = b''
    reasons: set[str] = field(default_factory=set)


TALLIES: dict[str, Tally] = defaultdict(Tally)


def judged(name: str, parse: Callable[[bytes], object], data: bytes, refusal: type[Exception]) -> None:
    """Parse ``data``: statements, or the French one-line refusal; anything else (a crash) fails the test."""
    tally = TALLIES[name]
    tally.inputs += 1
    started = time.process_time()  # CPU time: another process on the two cores does not count
    try:
        parse(data)
    except refusal as refused:
        tally.refused += 1
        reason = str(refused)
        assert reason and '\n' not in reason, f'a refusal must be one line: {reason!r}'
        assert 'Traceback' not in reason and 'Error:' not in reason, f'library text in a refusal: {reason!r}'
        tally.reasons.add(reason[:60])
    else:
        tally.read += 1
    finally:
        elapsed = time.process_time() - started
        if elapsed > tally.slowest and tally.inputs > 1:  # not the first: it pays for imports (see below)
            tally.slowest, tally.slowest_input = elapsed, data
    if MAX_SECONDS and tally.inputs > 1:  # the first input of a parser pays for its imports and lazy tables
        if elapsed >= MAX_SECONDS:  # a pause of the machine (a collection, a stolen vCPU) or the input? Time it again
            elapsed = min(elapsed, *(_cpu_seconds(parse, data) for _ in range(2)))
        assert elapsed < MAX_SECONDS, f'{name}: {elapsed:.2f} s for one input of {len(data)} bytes'


def _cpu_seconds(parse: Callable[[bytes], object], data: bytes) -> float:
    started = time.process_time()
    with contextlib.suppress(Exception):  # judged() has already checked what this input gives: only its time is asked
        parse(data)
    return time.process_time() - started


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLIES:
        return
    keep = os.environ.get('FUZZ_SLOWEST_DIR')  # where to leave each parser's slowest input, to look at it
    if keep:
        for name, tally in TALLIES.items():
            (Path(keep) / f'slowest-{name}.bin').write_bytes(tally.slowest_input)
    terminalreporter.section('fuzzing')
    for name, tally in sorted(TALLIES.items()):
        terminalreporter.write_line(
            f'{name:<12} {tally.inputs:>7,} inputs: {tally.read:,} read, {tally.refused:,} refused in French '
            f'({len(tally.reasons)} distinct reasons), 0 crashes; slowest {tally.slowest * 1000:.0f} ms'
        )
