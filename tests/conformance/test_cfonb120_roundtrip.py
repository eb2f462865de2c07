"""CFONB 120 amounts, writer round trips, structural faults, and random damage that never crashes the parser."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.formats import FormatError, parse_file
from services.formats.cfonb120 import decode_amount, encode_amount, parse
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from tests.conformance.damage import mutate

amounts = st.integers(min_value=-(10**13) + 1, max_value=10**13 - 1).map(lambda cents: Decimal(cents).scaleb(-2))


@given(amounts)
def test_every_amount_survives_the_sign_letter_codec(amount):
    zone = encode_amount(amount, 2)
    assert len(zone) == 14 and zone[:13].isdigit()
    assert decode_amount(zone, 2) == amount


@given(st.integers(min_value=0, max_value=10**14 - 1), st.sampled_from('{}ABCDEFGHIJKLMNOPQR'), st.integers(0, 5))
def test_every_zone_decodes_to_what_it_says(digits, letter, decimals):
    zone = f'{digits:014d}'[1:] + letter
    value = decode_amount(zone, decimals)
    last = '{ABCDEFGHI'.find(letter) if letter in '{ABCDEFGHI' else '}JKLMNOPQR'.find(letter)
    sign = -1 if letter in '}JKLMNOPQR' else 1
    assert value == sign * Decimal(int(zone[:13]) * 10 + last).scaleb(-decimals)


text = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=31)
free = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=70).map(str.strip)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2068, 12, 31))  # the writer's two-digit years
NARROW = ('RCN', 'PURPOSE', 'RUM')  # 35-character zones (python-cfonb reads a RUM on 35 + 4)
references = st.dictionaries(
    st.sampled_from(['REF', 'RUM', 'ICS', 'IPY', 'IBE', 'LCC', 'RCN', 'PURPOSE']), free.filter(bool), max_size=4
).map(lambda refs: {k: v[:35].strip() if k in NARROW else v for k, v in refs.items() if v[:35].strip()})


@st.composite
def entries(draw) -> Entry:
    amount = draw(amounts.filter(lambda a: a != 0))
    return Entry(
        booking_date=draw(days),
        amount=amount,
        label=draw(text),
        value_date=draw(days),  # a movement without one is written with its booking date (test_cfonb120_writer)
        details=draw(st.lists(free.filter(bool), max_size=3)),
        reference=draw(st.none() | text.map(lambda t: t[:16])),
        counterparty=draw(st.none() | free.filter(bool)),
        references=draw(references),
        code=draw(st.sampled_from(['B1', '62', 'A3', '05', '18'])),
    )


@st.composite
def statements(draw) -> Statement:
    bank, branch = draw(st.from_regex(r'\A[0-9]{5}\Z')), draw(st.from_regex(r'\A[0-9]{5}\Z'))
    number = draw(st.from_regex(r'\A[0-9A-Z]{11}\Z'))
    from services.formats.cfonb120 import iban_of

    moves = draw(st.lists(entries(), max_size=8))
    opening = draw(amounts.filter(lambda a: abs(a) < 10**9))
    statement = Statement(
        format='cfonb120',
        account=AccountId(iban=iban_of(bank, branch, number), bank=bank, branch=branch, number=number),
        currency='EUR',
        opening_balance=opening,
        opening_date=draw(days),
        closing_balance=opening + sum((e.amount for e in moves), Decimal(0)),
        closing_date=draw(days),
        entries=moves,
    )
    return statement


@settings(max_examples=150, deadline=None)
@given(st.lists(statements(), min_size=1, max_size=3))
def test_what_the_writer_writes_reads_back_identically(original):
    assert parse(write_cfonb120(original), strict=True) == original


def test_a_movement_outside_any_statement_is_refused_in_both_modes():
    line = '0415589916200000EUR2 98765432100B1160519  160519PRLV SEPA TEST CABINET           0000000000000000000322J'
    for strict in (True, False):
        with pytest.raises(FormatError, match='ligne 1 : opération \\(04\\) hors de tout relevé'):
            parse(line.encode(), strict=strict)


def sample() -> list[Statement]:
    entry = Entry(booking_date=date(2026, 11, 20), amount=Decimal('-12.50'), label='CB BOULANGERIE')
    return [
        Statement(
            format='cfonb120',
            account=AccountId(None, '30004', '00823', '00010245678'),
            currency='EUR',
            opening_balance=Decimal('100.00'),
            opening_date=date(2026, 11, 19),
            closing_balance=Decimal('87.50'),
            closing_date=date(2026, 11, 20),
            entries=[entry],
        )
    ]


def test_a_statement_left_open_is_kept_with_a_warning_or_refused_in_strict_mode():
    lines = write_cfonb120(sample()).decode().splitlines()[:-1]
    raw = '\n'.join(lines).encode()
    (statement,) = parse(raw)
    assert statement.closing_balance is None and statement.reconciles is None
    assert any('sans solde final' in w for w in statement.warnings)
    with pytest.raises(FormatError, match='sans solde final'):
        parse(raw, strict=True)


def test_a_truncated_record_names_its_line():
    lines = write_cfonb120(sample()).decode().splitlines()
    lines[1] = lines[1][:95]
    with pytest.raises(FormatError, match='ligne 2 : enregistrement tronqué'):
        parse('\n'.join(lines).encode())


def test_an_unknown_record_is_skipped_with_a_warning_and_refused_in_strict_mode():
    lines = write_cfonb120(sample()).decode().splitlines()
    lines.insert(1, '03' + lines[1][2:])
    raw = '\n'.join(lines).encode()
    assert any('« 03 » inconnu' in w for w in parse(raw)[0].warnings)
    with pytest.raises(FormatError, match='ligne 2'):
        parse(raw, strict=True)


def test_a_camt_statement_can_be_written_as_cfonb_from_its_french_iban():
    statement = sample()[0]
    statement.account = AccountId(iban='FR7630004008230001024567863')
    statement.entries[0].references = {'EndToEndId': 'E2E-1', 'TxId': 'T-9'}
    (back,) = parse(write_cfonb120([statement]))
    assert back.account.iban == 'FR7630004008230001024567863'
    assert back.entries[0].references == {'RCN': 'E2E-1'} and back.entries[0].details == ['TxId T-9']


CORPUS_FILES = [
    'pennylane_example.txt',
    'silarhi_complex-test.txt',
    'silarhi_test-unused-parts.txt',
    'akretion_bank_statement.cfo',
]


@pytest.mark.parametrize('name', CORPUS_FILES)
def test_random_damage_never_crashes_the_parser(corpus, name):
    original = corpus(f'cfonb120/{name}')
    rng = random.Random(name)
    for _ in range(300):
        damaged = mutate(original, rng, alphabet=b'0145 {}ABJR')
        for strict in (False, True):
            try:
                result = parse_file(damaged, strict=strict)
            except FormatError:
                continue
            assert isinstance(result, list)
