"""The mt-940 library's own test suite (wolph/mt940 @ de3b084 : mt940_tests/), read in place, file by file.

Each ``.sta`` has a ``.yml`` twin holding what that library's parser returns (``mt940.parse()``, its 5.0.0 defaults):
Relais must read the same entries (amount, currency, value and entry dates, in order), the same last account and
the same balances, or refuse the file with a French reason where it is not a statement. The three ``.txt`` have no
twin: their reference is the library itself, read the way its own tests read them (ASN Bank with its
``StatementASNB`` tag). Where Relais and the library differ, the statements' balances decide (see README of
../shared/statements). Set RELAIS_MT940_SUITE_DIR to read the suite from elsewhere; absent, every test is skipped.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import mt940
import pytest
import yaml

from services.formats import FormatError
from services.formats.model import Statement
from services.formats.mt940 import parse
from tests.conformance.conftest import CORPUS

D = Decimal
SUITE = Path(os.environ.get('RELAIS_MT940_SUITE_DIR', CORPUS / 'mt940-wolph-suite'))
pytestmark = pytest.mark.skipif(not SUITE.is_dir(), reason=f'suite absente : {SUITE}')

_STATEMENT = ':20:X\n:25:X\n:60F:C000101EUR0,\n'  # frames a lone :61: (its currency from a zero balance)
_ACCOUNT = (':20:X\n', '\n:60F:C000101EUR0,\n:62F:C000101EUR0,\n')  # frames a lone :25:
_BALANCE = ':20:X\n:25:X\n'  # frames a lone balance

# Fragments of the library's unit tests, one or two tags each, not statements: refused, with why, and the frame
# (before, after) that makes a statement of them, to check that their field still reads as the library reads it.
FRAGMENTS = {
    'betterplace/amount_formats.sta': ('ligne 1 : champ :60F: avant le premier :20:', 'six :60F: alone', _BALANCE),
    'betterplace/currency_in_25.sta': ('ligne 1 : champ :25: avant le premier :20:', 'a :25: alone', _ACCOUNT),
    'betterplace/empty_86.sta': ('ligne 1 : champ :86: avant le premier :20:', 'a :86: alone', None),
    'betterplace/empty_entry_date.sta': ('ligne 1 : champ :61: avant le premier :20:', 'a :61: alone', _STATEMENT),
    'betterplace/empty_line.sta': ('ligne 2 : relevé sans compte (:25:)', 'a blank line and a :20:', None),
    'betterplace/missing_crlf_at_end.sta': ('ligne 1 : champ :62F: avant le premier :20:', 'a :62F: alone', _BALANCE),
    'cmxl/account_balance_credit.sta': ('ligne 1 : champ :60F: avant le premier :20:', 'a :60F: alone', _BALANCE),
    'cmxl/account_balance_debit.sta': ('ligne 1 : champ :60F: avant le premier :20:', 'a :60F: alone', _BALANCE),
    'cmxl/account_identification_iban.sta': ('ligne 1 : champ :25: avant le premier :20:', 'a :25: alone', _ACCOUNT),
    'cmxl/account_identification_legacy.sta': ('ligne 1 : champ :25: avant le premier :20:', 'a :25:', _ACCOUNT),
    'cmxl/available_balance.sta': ('ligne 1 : champ :64: avant le premier :20:', 'a :64: alone', None),
    'cmxl/closing_balance.sta': ('ligne 1 : champ :62F: avant le premier :20:', 'a :62F: alone', _BALANCE),
    'cmxl/reference.sta': ('ligne 1 : relevé sans compte (:25:)', 'a :20: alone', None),
    'cmxl/statement_details.sta': ('ligne 1 : champ :61: avant le premier :20:', 'a :61: and its :86:', _STATEMENT),
    'cmxl/statement_line.sta': ('ligne 1 : champ :61: avant le premier :20:', 'a :61: alone', _STATEMENT),
    'cmxl/statement_number.sta': ('ligne 1 : champ :28C: avant le premier :20:', 'a :28C: alone', None),
    'self-provided/account_identification.sta': (
        'ligne 1 : relevé sans devise (ni solde :60F:/:62F: ni :34F:)',
        'two :20: and :25: pairs, no balance, no entry',
        None,
    ),
    'self-provided/empty_non_swift.sta': ('ligne 1 : champ :NS: avant le premier :20:', 'an empty :NS:', None),
    'self-provided/invalid_statement.sta': (
        'ligne 1 : aucun relevé MT940/MT942 (champ :20:) dans ce fichier',
        'the numbers 1 to 10',
        None,
    ),
    'self-provided/sparkassen.sta': ('ligne 1 : champ :61: avant le premier :20:', 'a :61: and its :86:', _STATEMENT),
}
# Read by both, where they differ; each has its own test below.
DIFFERENCES = {
    'betterplace/sepa_mt9401.sta': 'RC (reversal of a credit) is a debit: only then do the statements reconcile',
    'self-provided/raphaelm.sta': 'closing balances without currency: the library reads 0 in currency 105 or 950',
    'betterplace/sepa_snippet_broken.sta': 'a :86: mistyped :25: becomes the library account; Relais keeps the first',
    'self-provided/multiline.sta': 'a :25: of 37 characters: the library keeps 35, Relais all of it, with a warning',
}
READ_ALIKE = [
    'ASNB/mt940.txt',
    'ASNB/mt940_with_spaces_for_entry_date.txt',
    'betterplace/sepa_snippet.sta',
    'betterplace/with_binary_character.sta',
    'citi/mt940.txt',
    'cmxl/mt940.sta',
    'jejik/abnamro.sta',
    'jejik/generic.sta',
    'jejik/ing.sta',
    'jejik/knab.sta',
    'jejik/postfinance.sta',
    'jejik/rabobank-iban.sta',
    'jejik/rabobank.sta',
    'jejik/sns.sta',
    'jejik/triodos.sta',
    'mBank/mt940.sta',
    'mBank/mt942.sta',
    'mBank/with_newline_in_tnr.sta',
    'sberbank/171011_01234945.sta',
    'self-provided/details_60-63.sta',
    'self-provided/february_30.sta',
    'self-provided/gv_codes.sta',
    'self-provided/long_statement_number.sta',
    'self-provided/malformed_details.sta',
    'self-provided/mt942.sta',
    'self-provided/overly_long_details.sta',
    'self-provided/raiffeisen-cmi.sta',
    'self-provided/transaction_details_wrapped.sta',
    'self-provided/whitespace.sta',
    'self-provided/wrapped_timestamp.sta',
]
# Not statement files: the licences, and a .yml whose .sta the upstream suite does not have (it holds MT940 text).
OTHERS = ['LICENSE', 'betterplace/LICENSE', 'cmxl/LICENSE', 'jejik/LICENSE', 'self-provided/transaction_details.yml']
_OPENINGS = ('final_opening_balance', 'intermediate_opening_balance', 'opening_balance')
_CLOSINGS = ('final_closing_balance', 'intermediate_closing_balance', 'closing_balance')


def statement_files() -> set[str]:
    return {p.relative_to(SUITE).as_posix() for p in SUITE.rglob('*') if p.suffix in {'.sta', '.txt'}}


def library_view(name: str) -> mt940.models.Transactions:
    """What the library's suite expects of the file: its .yml, else what the library reads (as its tests do)."""
    twin = (SUITE / name).with_suffix('.yml')
    if twin.is_file():
        return yaml.load(twin.read_text(encoding='utf-8'), Loader=yaml.UnsafeLoader)
    tags = {61: mt940.tags.StatementASNB()} if name.startswith('ASNB/') else None  # test_tags.py::test_asnb_tags
    return mt940.parse((SUITE / name).read_bytes(), tags=tags)


def day(value: date) -> date:
    return date(value.year, value.month, value.day)


def library_entries(expected: mt940.models.Transactions) -> list[tuple]:
    return [
        (
            t.data['amount'].amount,
            t.data['amount'].currency,
            day(t.data['date']),
            day(t.data.get('entry_date') or t.data['date']),
        )
        for t in expected
    ]


def relais_entries(statements: list[Statement]) -> list[tuple]:
    return [(e.amount, s.currency, e.value_date, e.booking_date) for s in statements for e in s.entries]


def library_balances(expected: mt940.models.Transactions, keys: tuple[str, ...]) -> set[tuple[Decimal, date]]:
    balances = [expected.data.get(key) for key in keys]
    return {(balance.amount.amount, day(balance.date)) for balance in balances if balance is not None}


def assert_same_balances(statements: list[Statement], expected: mt940.models.Transactions) -> None:
    """The library keeps the last statement's balance of each kind: each is one of ours, the last one's among them."""
    for keys, ours in (
        (_OPENINGS, [(s.opening_balance, s.opening_date) for s in statements]),
        (_CLOSINGS, [(s.closing_balance, s.closing_date) for s in statements]),
    ):
        theirs = library_balances(expected, keys)
        assert theirs <= set(ours)
        assert (ours[-1] in theirs) if ours[-1][0] is not None else not theirs


def test_the_suite_holds_exactly_the_files_this_test_lists():
    listed = {*FRAGMENTS, *DIFFERENCES, *READ_ALIKE}
    assert statement_files() == listed
    assert len(listed) == 54 and (len(READ_ALIKE), len(FRAGMENTS), len(DIFFERENCES)) == (30, 20, 4)
    twins = {p.relative_to(SUITE).as_posix() for p in SUITE.rglob('*.yml')}
    assert twins - {name.replace('.sta', '.yml') for name in listed} == {'self-provided/transaction_details.yml'}
    assert {p.relative_to(SUITE).as_posix() for p in SUITE.rglob('*') if p.is_file()} == listed | twins | set(OTHERS)
    assert isinstance(library_view('self-provided/transaction_details.sta'), str)  # MT940 text, not expectations


@pytest.mark.parametrize('name', READ_ALIKE)
def test_relais_reads_the_same_entries_account_and_balances_as_the_library(name):
    expected = library_view(name)
    statements = parse((SUITE / name).read_bytes())
    assert relais_entries(statements) == library_entries(expected)
    assert statements[-1].account.number == expected.data['account_identification'].strip()
    assert_same_balances(statements, expected)


@pytest.mark.parametrize('name', sorted(FRAGMENTS))
def test_a_fragment_of_the_library_unit_tests_is_refused_with_a_french_reason(name):
    reason, _why, _frame = FRAGMENTS[name]
    with pytest.raises(FormatError) as refused:
        parse((SUITE / name).read_bytes())
    assert str(refused.value) == reason


@pytest.mark.parametrize('name', sorted(name for name, (_, _, frame) in FRAGMENTS.items() if frame))
def test_a_refused_fragment_framed_as_a_statement_reads_its_field_as_the_library(name):
    _reason, _why, frame = FRAGMENTS[name]
    before, after = frame if isinstance(frame, tuple) else (frame, '')
    expected = library_view(name)
    statements = parse(before.encode() + (SUITE / name).read_bytes() + after.encode())
    without_currency = [(amount, *dates) for amount, _, *dates in library_entries(expected)]  # no balance, none
    assert [(amount, *dates) for amount, _, *dates in relais_entries(statements)] == without_currency
    if frame is _ACCOUNT:
        assert statements[0].account.number == expected.data['account_identification']
    if frame is _BALANCE:
        assert_same_balances(statements, expected)


def test_reversals_of_credit_are_debits_and_only_then_do_their_statements_reconcile():
    expected = library_view('betterplace/sepa_mt9401.sta')
    statements = parse((SUITE / 'betterplace/sepa_mt9401.sta').read_bytes())
    reversed_ = [t.data['status'] == 'RC' for t in expected]
    theirs = [((-a if rc else a), *rest) for rc, (a, *rest) in zip(reversed_, library_entries(expected), strict=True)]
    assert relais_entries(statements) == theirs
    assert sum(reversed_) == 2 and all(statement.reconciles for statement in statements)
    entries = [(statement, entry) for statement in statements for entry in statement.entries]
    for (statement, entry), rc in zip(entries, reversed_, strict=True):
        if rc:  # with the library's +204,88 the statement is off by twice the amount
            assert statement.opening_balance + statement.total - 2 * entry.amount != statement.closing_balance
    assert statements[-1].account.number == expected.data['account_identification']
    assert_same_balances(statements, expected)


def test_balances_without_currency_are_read_in_the_statement_currency_and_then_reconcile():
    expected = library_view('self-provided/raphaelm.sta')
    statements = parse((SUITE / 'self-provided/raphaelm.sta').read_bytes())
    assert relais_entries(statements) == library_entries(expected)
    closings = [expected.data[key] for key in ('intermediate_closing_balance', 'final_closing_balance')]
    assert [(c.amount.amount, c.amount.currency) for c in closings] == [(D('0.00'), '105'), (D('0.00'), '950')]
    assert [(s.opening_balance, s.closing_balance) for s in statements] == [
        (D('0.00'), D('105000.00')),
        (D('105000.00'), D('145000.00')),
        (D('145000.00'), D('95000.00')),
    ]
    assert all(statement.reconciles and statement.currency == 'DEM' for statement in statements)
    assert library_balances(expected, _OPENINGS) <= {(s.opening_balance, s.opening_date) for s in statements}


def test_a_mistyped_second_25_is_flagged_and_the_first_account_kept_where_the_library_takes_it_for_the_account():
    expected = library_view('betterplace/sepa_snippet_broken.sta')
    (statement,) = parse((SUITE / 'betterplace/sepa_snippet_broken.sta').read_bytes())
    assert relais_entries([statement]) == library_entries(expected)
    assert expected.data['account_identification'].startswith('166?00GUTSCHRIFT')
    assert statement.account.number == '50880050/0194787400888'
    assert statement.warnings[0].startswith('ligne 6 : second champ :25: dans le même relevé')
    assert_same_balances([statement], expected)


def test_an_account_over_35_characters_is_kept_whole_with_a_warning_where_the_library_cuts_it():
    expected = library_view('self-provided/multiline.sta')
    (statement,) = parse((SUITE / 'self-provided/multiline.sta').read_bytes())
    assert relais_entries([statement]) == library_entries(expected)
    assert statement.account.number[:35] == expected.data['account_identification']
    assert statement.account.number == 'BILLLULLXXX/"NUMERO DE COMPTE IBAN 2"'
    assert statement.warnings[0] == 'ligne 2 : compte :25: de plus de 35 caractères (SWIFT : 35), gardé en entier.'
    assert_same_balances([statement], expected)
