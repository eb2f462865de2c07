"""MT940 fields as the mt-940 library's patterns cut them and mt940_fields builds them: a :61: over several lines,
balances the library misreads, and every refusal in one line of French naming its line.

ING writes its transaction code on the line after the :61: and, since 2019, the original amount on one more (ING
"Harmonised reporting", https://www.ingwb.com/insights/insidebusiness-payments/harmonised-reporting; the layout is
the one of ING's "Mijn ING Zakelijk" MT940 example, gingerpayments/python-libmt94x ming-from-spec.txt).
"""

from __future__ import annotations

import logging
import random
import re
from decimal import Decimal

import pytest

from services.formats import FormatError
from services.formats.mt940 import parse
from tests.conformance.damage import mutate
from tests.conformance.test_mt940 import MT940_FILES, mt940

D = Decimal


ING_THREE_LINE_61 = mt940(
    ':20:P140220000000001',
    ':25:NL69INGB0123456789EUR',
    ':28C:00000',
    ':60F:C140219EUR662,23',
    ':61:1402200220C1,56NTRFEREF//00000000001005',
    '/TRCD/00100/',
    '/OCMT/USD1,70/',
    ':86:/EREF/EV12341REP1231456T1234//REMI/USTD//FACTUUR 2014-17/',
    ':62F:C140220EUR663,79',
    '-',
)


def test_a_61_whose_details_run_over_two_more_lines_is_read_with_them():
    (statement,) = parse(ING_THREE_LINE_61)
    (entry,) = statement.entries
    assert (entry.amount, entry.code, entry.label) == (D('1.56'), 'NTRF', 'FACTUUR 2014-17')
    assert entry.references == {
        'EREF': 'EV12341REP1231456T1234',
        'TRCD': '00100',
        'OCMT': 'USD1,70',
        'bank': '00000000001005',
    }
    assert statement.reconciles


def test_a_61_over_three_lines_is_a_warning_naming_its_line_or_refused_when_strict():
    reason = 'détails du :61: sur plusieurs lignes (SWIFT : une)'
    assert parse(ING_THREE_LINE_61)[0].warnings == [f'ligne 5 : {reason}, lus comme ses détails.']
    with pytest.raises(FormatError) as refused:
        parse(ING_THREE_LINE_61, strict=True)
    assert (refused.value.where, refused.value.reason) == ('ligne 5', reason)


def test_a_bank_reference_on_the_line_after_the_61_is_the_bank_reference():
    data = mt940(
        ':20:R',
        ':25:123',
        ':60F:C240102EUR100,00',
        ':61:2401030103D10,00NTRFNONREF',
        '//B4E07XM00J000023',
        ':62F:C240103EUR90,00',
    )
    (entry,) = parse(data)[0].entries
    assert (entry.references, entry.details) == ({'bank': 'B4E07XM00J000023'}, [])


def test_an_unreadable_field_logs_nothing_of_the_library(caplog):
    data = mt940(':20:R', ':25:123', ':60F:C240102EUR100,00', ':61:2401030103DXX10,00NTRF', ':62F:C240103EUR90,00')
    with caplog.at_level(logging.DEBUG), pytest.raises(FormatError):
        parse(data)
    assert [record.getMessage() for record in caplog.records if record.name.startswith('mt940')] == []


@pytest.mark.parametrize(
    ('lines', 'where', 'reason'),
    [
        ((':61:2401030103D1,,0NTRF',), 'ligne 4', 'champ :61: illisible « 2401030103D1,,0NTRF »'),
        ((':61:2413030103D10,00NTRF',), 'ligne 4', 'champ :61: illisible « 2413030103D10,00NTRF »'),
        ((':61:2401031303D10,00NTRF',), 'ligne 4', 'champ :61: date de comptabilisation impossible « 1303 »'),
        ((':61:2401030103D10,00NTRF', ':62F:C240103EUR'), 'ligne 5', 'champ :62F: illisible « C240103EUR »'),
        ((':62F:X240103EUR90,00',), 'ligne 4', 'champ :62F: illisible « X240103EUR90,00 »'),
    ],
)
def test_a_broken_field_is_refused_in_one_line_of_french_naming_its_line(lines, where, reason):
    with pytest.raises(FormatError) as refused:
        parse(mt940(':20:R', ':25:123', ':60F:C240102EUR100,00', *lines))
    assert (refused.value.where, refused.value.reason) == (where, reason)


def test_a_balance_without_currency_is_read_in_the_statement_currency_with_a_warning():
    data = mt940(':20:R', ':25:123', ':60F:C240102EUR100,00', ':61:2401030103C5,00NTRF', ':62F:C240103105,00')
    (statement,) = parse(data)
    assert (statement.currency, statement.closing_balance, statement.reconciles) == ('EUR', D('105.00'), True)
    assert statement.warnings == ['ligne 5 : solde :62F: sans devise, lu dans la devise du relevé.']


def test_a_balance_amount_over_fifteen_digits_is_read_whole_with_a_warning():
    data = mt940(':20:R', ':25:123', ':60F:C240102EUR00000000000000100,00', ':62F:C240102EUR100,00')
    (statement,) = parse(data)
    assert statement.opening_balance == D('100.00') and statement.reconciles
    assert statement.warnings == ['ligne 3 : montant du solde :60F: de plus de 15 chiffres (SWIFT : 15), lu en entier.']


@pytest.mark.parametrize('name', MT940_FILES)
def test_every_refusal_of_a_damaged_file_is_one_line_naming_its_line(corpus, name):
    data = corpus(f'mt940/{name}')
    rng = random.Random(f'{name} refusals')
    refusals = []
    for attempt in range(200):
        try:
            parse(mutate(data, rng, alphabet=b':\nNS86612025RCDRX{}>/ \r'), strict=attempt % 2 == 1)
        except FormatError as error:
            refusals.append(error)
    assert refusals
    assert [error for error in refusals if not re.fullmatch(r'ligne \d+', error.where or '')] == []
    assert [error.reason for error in refusals if '\n' in error.reason or '\r' in error.reason] == []
