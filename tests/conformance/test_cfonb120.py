"""CFONB 120: the public corpus read as its sources' own test suites say, and our parser's two modes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.formats import FormatError, parse_file
from services.formats.cfonb120 import parse

D = Decimal


def balances(statement) -> tuple:
    return statement.opening_balance, statement.opening_date, statement.closing_balance, statement.closing_date


def test_pennylane_example_gives_two_statements_keyed_by_bank_branch_and_account(corpus):
    first, second = parse(corpus('cfonb120/pennylane_example.txt'))
    assert (first.account.bank, first.account.branch, first.account.number) == ('15589', '00000', '98765432100')
    assert first.currency == 'EUR'
    assert balances(first) == (D('-190.40'), date(2019, 5, 15), D('-241.21'), date(2019, 5, 16))
    assert [e.amount for e in first.entries] == [D('-32.21'), D('-10.70'), D('-7.90')]
    assert (second.account.bank, second.account.number) == ('18706', '00123456789')
    assert balances(second) == (D('-241.21'), date(2019, 5, 16), D('-163.72'), date(2019, 5, 17))
    assert [e.amount for e in second.entries] == [D('97.49'), D('-12.10'), D('-7.90')]
    assert first.reconciles and second.reconciles and not second.warnings


def test_pennylane_movement_details_follow_their_qualifiers(corpus):
    first, second = parse(corpus('cfonb120/pennylane_example.txt'))
    debit = first.entries[0]
    assert (debit.label, debit.code, debit.booking_date, debit.value_date) == (
        'PRLV SEPA TEST CABINET',
        'B1',
        date(2019, 5, 16),
        date(2019, 5, 16),
    )
    assert debit.details[0] == 'MENSUEAUHTR13133'
    assert debit.references == {'REF': 'REFERENCE', 'RCN': 'OTHER REFERENCE', 'PURPOSE': 'PURPOSE'}
    assert debit.counterparty == 'INTERNET SFR'
    assert 'AAA INTERNETA AAA' in debit.details and "2'C EXAMPLE WITH OTHER COMBINATIONS" in debit.details
    transfer = first.entries[1]
    assert (transfer.label, transfer.reference, transfer.counterparty) == (
        'VIR  SEPA DEMONSTRATION',
        'REFERENCE',
        'ELEC ERDF',
    )
    fee = first.entries[2]
    assert (fee.label, fee.code, fee.booking_date) == ('F COMMISSION D INTERVENTION', '62', date(2019, 5, 15))
    credit = second.entries[0]
    assert credit.details == ['P051928612   22793301700040']
    assert (credit.booking_date, credit.value_date) == (date(2019, 5, 17), date(2019, 5, 15))


def test_an_unreadable_date_is_refused_in_both_modes_naming_the_line(corpus):
    for strict in (True, False):
        with pytest.raises(FormatError, match='ligne 1 : date de l’ancien solde illisible « CART »'):
            parse(corpus('cfonb120/pennylane_invalid_date.txt'), strict=strict)


COMPLEX = [
    (D('16695.65'), D('16672.86'), [D('-22.79')]),
    (D('16672.86'), D('11652.75'), [D('-20.11'), D('-5000.00')]),
    (D('11652.75'), D('11652.75'), []),
    (D('11652.75'), D('11535.00'), [D('-117.75')]),
    (D('11535.00'), D('11535.00'), []),
    (D('11535.00'), D('11484.75'), [D('-50.25')]),
    (D('11484.75'), D('11484.75'), []),
    (D('584353.02'), D('584353.02'), []),
]


def summary(statements) -> list:
    return [(s.opening_balance, s.closing_balance, [e.amount for e in s.entries]) for s in statements]


def test_cic_daily_statements_stay_one_per_day_with_empty_days(corpus):
    statements = parse(corpus('cfonb120/silarhi_complex-test.txt'))
    assert summary(statements) == COMPLEX
    assert all(s.reconciles for s in statements)
    assert [s.account.number for s in statements] == ['00012345603'] + ['00020427603'] * 7
    assert {(s.account.bank, s.account.branch) for s in statements} == {('10278', '02204')}
    assert statements[0].entries[0].details == ['DEDIBOX 3706114']
    assert statements[3].entries[0].value_date == date(2020, 4, 1)
    assert len(statements[5].entries[0].details) == 2


def test_cic_file_reads_the_same_without_line_breaks(corpus):
    raw = corpus('cfonb120/silarhi_complex-test.txt')
    flat = b''.join(line.ljust(120) for line in raw.splitlines() if line.strip())
    assert summary(parse(flat)) == COMPLEX


def test_mixed_line_ends_blank_lines_and_latin1_read_alike(corpus):
    lines = [line for line in corpus('cfonb120/silarhi_complex-test.txt').splitlines() if line.strip()]
    lines[1] = lines[1][:48] + 'PRLV SEPA ÉLECTRICITÉ'.encode('latin-1').ljust(31) + lines[1][79:]
    mixed = b''.join(line + (b'\r\n' if i % 2 else b'\n\n') for i, line in enumerate(lines))
    statements = parse(mixed)
    assert summary(statements) == COMPLEX
    assert statements[0].entries[0].label == 'PRLV SEPA ÉLECTRICITÉ'


def test_blank_entry_numbers_are_refused_in_strict_mode_and_read_otherwise(corpus):
    raw = corpus('cfonb120/silarhi_non-strict-test.txt')
    statements = parse(raw)
    assert summary(statements) == COMPLEX
    assert statements[1].entries[0].reference is None
    assert 'lignes 6 et 7 : numéro d’écriture (positions 82-88) non numérique' in statements[1].warnings
    one_bank = raw.replace(b'0410556', b'0410278').replace(b'0510556', b'0510278')  # its only other departure
    with pytest.raises(FormatError, match='ligne 6 : numéro d’écriture'):
        parse(one_bank, strict=True)


def test_garbage_in_reserved_zones_is_ignored(corpus):
    statements = parse(corpus('cfonb120/silarhi_test-unused-parts.txt'), strict=True)
    assert len(statements) == 8
    assert (statements[0].account.number, statements[0].opening_balance, statements[0].closing_balance) == (
        '00012345601',
        D('18.62'),
        D('18.62'),
    )
    assert [s.account.number for s in statements[1:7]] == ['00012345701'] * 6
    assert all(s.opening_balance == s.closing_balance == 0 for s in statements[1:7])
    assert (statements[7].account.branch, statements[7].account.number, statements[7].closing_balance) == (
        '33600',
        '00012345801',
        D('19875.72'),
    )


def test_blank_currency_and_decimals_are_assumed_and_said(corpus):
    (statement,) = parse(corpus('cfonb120/akretion_bank_statement.cfo'))
    assert statement.account.number == '0000888899H'
    assert (statement.currency, statement.opening_balance, statement.closing_balance) == (
        'EUR',
        D('0.08'),
        D('11871.14'),
    )
    assert len(statement.entries) == 4 and statement.total == D('-2000.00')
    assert statement.reconciles is False
    assert any('devise absente' in w for w in statement.warnings)
    assert any('ne se rapproche pas' in w for w in statement.warnings)
    with pytest.raises(FormatError, match='devise absente'):
        parse(corpus('cfonb120/akretion_bank_statement.cfo'), strict=True)


def test_the_rib_becomes_an_iban_with_its_computed_key(corpus):
    first, _ = parse(corpus('cfonb120/pennylane_example.txt'))
    assert first.iban == 'FR7615589000009876543210088'


def test_a_cfonb240_transfer_file_is_not_taken_for_a_statement(corpus):
    with pytest.raises(FormatError):
        parse_file(corpus('cfonb240/silarhi_cfonb.240-complex-test.txt'))
