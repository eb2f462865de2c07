"""Mutated statement files, by hypothesis: every parser gives statements or refuses in one line of French; never an
exception of its own or of a library, whatever the bytes. Seeds: the public corpus and files Relais writes."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.formats import FormatError, parse_file
from services.formats.cfonb120 import iban_of
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from tests.conformance.conftest import CORPUS
from tests.fuzz.conftest import EXAMPLES, judged

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the time of one input is measured by the tally, not by hypothesis
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
# bytes that mean something to one format or another: record types, tags, separators, signs, XML
TOKENS = [
    b'\r\n',
    b'\n',
    b'01',
    b'04',
    b'05',
    b'07',
    b':20:',
    b':25:',
    b':60F:',
    b':61:',
    b':86:',
    b':62F:',
    b'-}',
    b'<',
    b'>',
    b'</',
    b'<Ntry>',
    b'<Amt Ccy="EUR">',
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b'&a;',
    b'<![CDATA[',
    b'<STMTTRN>',
    b'<TRNAMT>',
    b'OFXHEADER:100',
    b'{',
    b'}',
    b'J',
    b'R',
    b'9' * 20,
    b',',
    b'.',
    b' ' * 40,
    b'\x00',
    b'\xff\xfe',
    b'\xef\xbb\xbf',
    'é'.encode(),
    'é'.encode('latin-1'),
]


def relais_statements() -> list[Statement]:
    bank, branch, number = '30004', '00821', '00012345678'
    account = AccountId(iban_of(bank, branch, number), bank, branch, number)
    day, opening, result = date(2026, 11, 2), Decimal('1500.00'), []
    for _ in range(3):
        entries = [
            Entry(
                day,
                Decimal(f'-{n}7.35'),
                f'PRLV SEPA EDF {n}',
                value_date=day,
                details=[f'REF {n}'],
                code='B1',
                counterparty='EDF',
                references={'RUM': f'RUM{n}'},
            )
            for n in range(1, 4)
        ]
        closing = opening + sum((e.amount for e in entries), Decimal(0))
        result.append(Statement('cfonb120', account, 'EUR', opening, day - timedelta(days=1), closing, day, entries))
        opening, day = closing, day + timedelta(days=1)
    return result


@cache
def seeds(kind: str) -> tuple[bytes, ...]:
    folders = {'cfonb120': ['cfonb120'], 'mt940': ['mt940', 'mt940-wolph-suite'], 'ofx': ['ofx'], 'camt': []}
    found = (
        [
            p.read_bytes()
            for f in folders[kind]
            for p in sorted((CORPUS / f).rglob('*'))
            if p.is_file() and p.suffix.lower() in {'.txt', '.cfo', '.sta', '.ofx'}
        ]
        if CORPUS.is_dir()
        else []
    )
    statements = relais_statements()
    if kind == 'cfonb120':
        found.append(write_cfonb120(statements))
    if kind == 'camt':
        from services.formats.camt_writer import write_camt053

        found.append(write_camt053(statements, message_id='FUZZ-1', created_at=datetime(2026, 11, 23, 6, 0)))
    if kind == 'mt940':
        found.append(mt940_of(statements))
    return tuple(found)


def mt940_of(statements: list[Statement]) -> bytes:
    lines = [':20:FUZZ', f':25:{statements[0].iban}', ':28C:1/1', ':60F:C261101EUR1500,00']
    for entry in statements[0].entries:
        lines += [f':61:2611020211D{abs(entry.amount):f}NTRFNONREF//B1'.replace('.', ','), f':86:{entry.label}']
    lines += [f':62F:C261102EUR{statements[0].closing_balance:f}'.replace('.', ','), '-']
    return '\r\n'.join(lines).encode()


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> bytes:
    """A seed of ``kind`` with 1 to 8 changes: flipped, inserted, deleted, duplicated, cut, or a meaningful token."""
    pool = seeds(kind)
    data = bytearray(draw(st.sampled_from(pool)) if pool else b'')
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        operation = draw(st.sampled_from(['flip', 'insert', 'delete', 'token', 'duplicate', 'cut', 'splice']))
        if operation == 'flip' and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif operation == 'insert':
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif operation == 'delete':
            del data[at : at + draw(st.integers(1, 64))]
        elif operation == 'token':
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == 'duplicate':
            data[at:at] = data[at : at + draw(st.integers(1, 400))]
        elif operation == 'cut':
            del data[at:]
        elif pool:
            other = draw(st.sampled_from(pool))
            data[at:] = other[draw(st.integers(0, len(other))) :]
    return bytes(data)


def refuse_or_read(data: bytes, strict: bool) -> None:
    statements = parse_file(data, strict=strict)
    for statement in statements:  # what was read is well formed: exact amounts, real dates
        assert all(isinstance(entry.amount, Decimal) and entry.amount.is_finite() for entry in statement.entries)
        assert all(isinstance(entry.booking_date, date) for entry in statement.entries)


@pytest.mark.parametrize('kind', ['cfonb120', 'mt940', 'camt', 'ofx'])
def test_a_mutated_file_is_read_or_refused_in_french(kind: str) -> None:
    if not seeds(kind):
        pytest.skip(f'no seed for {kind}')

    @FUZZ
    @given(data=mutated(kind), strict=st.booleans())
    def run(data: bytes, strict: bool) -> None:
        judged(kind, lambda raw: refuse_or_read(raw, strict), data, FormatError)

    run()


def zipped(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(data=st.data())
def test_a_mutated_zip_of_statement_files_is_read_or_refused_in_french(data: st.DataObject) -> None:
    members = [(f'releve-{n}.txt', data.draw(st.sampled_from(seeds('cfonb120') or (b'',)))) for n in range(2)]
    archive = bytearray(zipped(members))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(archive) - 1))
        archive[at] = data.draw(st.integers(0, 255))
    judged('zip', lambda raw: refuse_or_read(raw, False), bytes(archive), FormatError)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused_in_french(data: bytes) -> None:
    judged('garbage', lambda raw: refuse_or_read(raw, False), data, FormatError)


def test_the_seeds_are_there_for_every_format() -> None:
    assert all(seeds(kind) for kind in ('cfonb120', 'mt940', 'camt'))
    assert Path(CORPUS).is_dir() or pytest.skip('corpus absent')
