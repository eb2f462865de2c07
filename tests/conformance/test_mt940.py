"""MT940 / MT942: the public corpus read as its README states, then what our parser adds to the mt-940 library."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from services.formats import FormatError, parse_file
from services.formats.model import Statement
from services.formats.mt940 import parse
from tests.conformance.damage import mutate

D = Decimal
MT940_FILES = [
    'wolph_jejik_abnamro.sta',
    'wolph_jejik_ing.sta',
    'wolph_jejik_rabobank.sta',
    'wolph_betterplace_sepa_mt9401.sta',
    'wolph_betterplace_sepa_snippet_broken.sta',
    'wolph_cmxl_mt940.sta',
    'wolph_self-provided_february_30.sta',
    'wolph_mBank_mt942.sta',
    'wolph_sberbank_171011_01234945.sta',
    'wolph_ASNB_mt940.txt',
]


def balances(statement: Statement) -> tuple:
    return statement.opening_balance, statement.opening_date, statement.closing_balance, statement.closing_date


def entries_of(statements: list[Statement]) -> list:
    return [entry for statement in statements for entry in statement.entries]


def mt940(*lines: str) -> bytes:
    return ('\n'.join(lines) + '\n').encode()


# --- the corpus, file by file ------------------------------------------------------------------------------------


def test_abnamro_gives_its_two_statements_despite_header_lines_and_a_blank_line(corpus):
    first, second = parse(corpus('mt940/wolph_jejik_abnamro.sta'))
    assert [len(first.entries), len(second.entries)] == [8, 2]
    assert first.account.number == second.account.number == '517852257'
    assert first.currency == second.currency == 'EUR'
    assert balances(first) == (D('3236.28'), date(2011, 5, 22), D('876.84'), date(2011, 5, 23))
    assert (second.opening_balance, second.closing_balance) == (D('2876.84'), D('1849.75'))  # :60M: / :62M:
    assert first.total + second.total == D('-345.93')
    assert first.entries[0].amount == D('-9')  # written '9,'


def test_abnamro_anonymised_statements_do_not_reconcile_and_say_so(corpus):
    statements = parse(corpus('mt940/wolph_jejik_abnamro.sta'))
    assert [statement.reconciles for statement in statements] == [False, False]
    assert all('ne se rapproche pas' in statement.warnings[-1] for statement in statements)


def test_ing_reads_seven_entries_and_keeps_the_closing_summary_out_of_the_last_one(corpus):
    (statement,) = parse(corpus('mt940/wolph_jejik_ing.sta'))
    assert statement.account.number == '0001234567'
    assert (statement.currency, statement.opening_balance, statement.closing_balance) == ('EUR', D('0.00'), D('3.47'))
    assert len(statement.entries) == 7 and statement.total == D('-45.59')
    last = statement.entries[-1]
    assert last.label == '0111111111 Hr S Marechal'
    assert last.details == ['ROSMALEN Hr S Marechal ROSMALEN', 'Betaling transactiedatum: 22-07-2010']  # no D000004C…
    assert statement.reconciles is False


def test_rabobank_gives_four_statements_of_which_two_reconcile(corpus):
    statements = parse(corpus('mt940/wolph_jejik_rabobank.sta'))
    assert [len(statement.entries) for statement in statements] == [1, 0, 2, 2]
    assert sum(statement.total for statement in statements) == D('-1589.09')
    assert [statement.reconciles for statement in statements] == [False, True, False, True]
    last = statements[-1]
    assert last.account.number == '1526.89.184EUR'
    assert (last.opening_balance, last.closing_balance) == (D('4196.12'), D('4101.82'))


def test_rabobank_consecutive_86_tags_make_one_label_and_its_details(corpus):
    entry = parse(corpus('mt940/wolph_jejik_rabobank.sta'))[0].entries[0]
    assert (entry.amount, entry.reference, entry.code) == (D('-1213.28'), '0121470966', 'N044')
    assert entry.label == 'Terugboeking'
    assert entry.details == ['W.P. Jansen', 'NIET AKKOORD MET AFSCHRIJVING', 'KOSTEN KINDEROPVANG JUNI', '20095731']


BETTERPLACE_COUNTS = [7, 2, 5, 3, 5, 1, 4, 4, 8, 3, 6, 6, 6, 3, 1, 5, 5, 2, 1, 3, 4, 7, 3, 1, 1, 1]


def test_betterplace_gives_twenty_six_statements_that_all_reconcile(corpus):
    statements = parse(corpus('mt940/wolph_betterplace_sepa_mt9401.sta'))
    assert [len(statement.entries) for statement in statements] == BETTERPLACE_COUNTS
    assert len(entries_of(statements)) == 97
    assert all(statement.reconciles for statement in statements)
    assert {statement.currency for statement in statements} == {'EUR'}
    assert all(s.account.number.startswith('50880050/0194') and s.account.number.endswith('888') for s in statements)
    assert statements[0].opening_balance == D('-1234718.36')  # a D balance is negative


def test_betterplace_reversals_of_credit_are_debits_so_the_sum_differs_from_the_library_default(corpus):
    statements = parse(corpus('mt940/wolph_betterplace_sepa_mt9401.sta'))
    reversals = [entry for entry in entries_of(statements) if entry.code == 'NRTI']
    assert [entry.amount for entry in reversals] == [D('-204.88'), D('-204.88')]
    # the library's 5.0.0 default counts both RC as credits: -9268316.38, 2 x 409.76 away, and 2 statements off
    assert sum(statement.total for statement in statements) == D('-9269135.90')


def test_betterplace_structured_86_gives_label_counterparty_and_references(corpus):
    entry = parse(corpus('mt940/wolph_betterplace_sepa_mt9401.sta'))[1].entries[0]
    assert entry.amount == D('15000.05')
    assert entry.label.startswith('TO 13 TFNr 20004 Eingangskanal Mint')  # SVWZ+, its ?22/?23 cut mid-word
    assert entry.counterparty == 'Richter Renate 70 Zeichen Beginn Fuellzeichen xxxxxxxx'  # ?32 + ?33
    assert entry.references == {
        'gvc': '166',
        'prima_nota': '0399',
        'counterparty_bank': 'PBNKDEFF100',
        'counterparty_account': 'DE42100100100043921105',
        'EREF': 'EndToEndIdTFNR2000400001',
        'bank': '0724710290621954',
    }
    assert entry.details[0] == 'GUTSCHRIFT' and entry.code == 'NTRF'


def test_broken_snippet_keeps_the_first_account_and_flags_the_second_25_in_lenient_mode(corpus):
    (statement,) = parse(corpus('mt940/wolph_betterplace_sepa_snippet_broken.sta'))
    assert statement.account.number == '50880050/0194787400888'
    assert [entry.amount for entry in statement.entries] == [D('50990.05')]
    assert statement.warnings[0].startswith('ligne 6 : second champ :25: dans le même relevé (un :86: mal saisi ?)')
    assert statement.entries[0].counterparty == 'KARL KAUFMANN'  # the mistyped :86: is still read as one


def test_broken_snippet_is_refused_in_strict_mode_naming_the_line(corpus):
    with pytest.raises(FormatError) as refused:
        parse(corpus('mt940/wolph_betterplace_sepa_snippet_broken.sta'), strict=True)
    assert refused.value.where == 'ligne 6'
    assert refused.value.reason == 'second champ :25: dans le même relevé (un :86: mal saisi ?)'


def test_cmxl_mixed_currencies_are_three_statements_each_in_its_own_currency(corpus):
    statements = parse(corpus('mt940/wolph_cmxl_mt940.sta'))
    summary = [(s.currency, s.opening_balance, s.closing_balance, len(s.entries)) for s in statements]
    assert summary == [
        ('DEM', D('84349.74'), D('84437.04'), 11),
        ('EUR', D('2187.95'), D('4387.95'), 2),
        ('PLN', D('40000.00'), D('50040.00'), 3),
    ]
    assert all(statement.reconciles for statement in statements)
    assert sum(statement.total for statement in statements) == D('12327.30')  # the library's merged, meaningless sum


def test_february_30_becomes_the_29th_as_the_library_does_and_says_so(corpus):
    (statement,) = parse(corpus('mt940/wolph_self-provided_february_30.sta'))
    assert balances(statement) == (D('1200.00'), date(2016, 2, 29), D('1194.00'), date(2016, 3, 1))
    (entry,) = statement.entries
    assert (entry.amount, entry.value_date, entry.booking_date) == (D('-6.00'), date(2016, 2, 29), date(2016, 3, 1))
    assert statement.reconciles
    assert statement.warnings == ['ligne 6 : date du 30/02/2016 inexistante, lue comme le 29/02/2016.']


def test_mbank_mt942_is_an_interim_report_without_balances(corpus):
    (statement,) = parse(corpus('mt940/wolph_mBank_mt942.sta'))
    assert statement.format == 'mt942' and statement.currency == 'PLN'
    assert statement.account.iban == statement.account.number == 'PL29114010810000267002001002'
    assert [entry.amount for entry in statement.entries] == [D('0.01')] * 3
    assert statement.total == D('0.03')  # what its :90C: announces, so no warning
    assert (statement.opening_balance, statement.closing_balance, statement.reconciles) == (None, None, None)
    assert not statement.warnings


def test_sberbank_utf8_crlf_statement_in_forint_reconciles(corpus):
    (statement,) = parse(corpus('mt940/wolph_sberbank_171011_01234945.sta'))
    assert (statement.account.number, statement.currency) == ('1966315302010001', 'HUF')
    assert balances(statement) == (D('627311.30'), date(2017, 10, 11), D('617874.30'), date(2017, 10, 11))
    assert len(statement.entries) == 3 and statement.total == D('-9437.00')
    assert statement.reconciles


def test_asnb_reads_although_its_customer_references_exceed_sixteen_characters(corpus):
    statements = parse(corpus('mt940/wolph_ASNB_mt940.txt'))
    assert len(statements) == 31 and all(statement.reconciles for statement in statements)
    assert len(entries_of(statements)) == 8
    assert sum(1 for statement in statements if not statement.entries) == 26  # balance-only days
    last = statements[-1]
    assert balances(last) == (D('404.81'), date(2020, 1, 31), D('501.23'), date(2020, 1, 31))
    assert last.account.number == 'NL81ASNB9999999999'
    assert last.account.iban is None  # the anonymised IBAN fails its checksum


def test_asnb_first_entries_keep_reference_code_and_extra_details(corpus):
    first, second = entries_of(parse(corpus('mt940/wolph_ASNB_mt940.txt')))[:2]
    assert (first.amount, first.code, first.reference) == (D('-65.00'), 'NOVB', 'NL47INGB9999999999')
    assert first.details[0] == 'hr gjlm paulissen'
    assert first.label == 'NL47INGB9999999999 hr gjlm paulissen'
    assert second.amount == D('1000.00')


def test_parse_file_sniffs_mt940_and_gives_the_same_statements(corpus):
    data = corpus('mt940/wolph_cmxl_mt940.sta')
    assert parse_file(data) == parse(data)


# --- what we add, on small files ------------------------------------------------------------------------------


WRAPPED_28C = mt940(
    ':20:RELEVE',
    ':25:FR7630006000011234567890189',
    ':28C:00012/',
    '001',
    ':60F:C240102EUR100,00',
    ':61:2401030103D10,00NTRFNONREF',
    ':86:LOYER JANVIER',
    ':62F:C240103EUR90,00',
    '-',
)


def test_a_28c_wrapped_on_two_lines_is_joined_again():
    (statement,) = parse(WRAPPED_28C, strict=True)
    assert [(entry.amount, entry.label) for entry in statement.entries] == [(D('-10.00'), 'LOYER JANVIER')]
    assert statement.reconciles and not statement.warnings


def test_an_account_that_is_an_iban_is_normalised_and_kept_as_written():
    (statement,) = parse(WRAPPED_28C)
    assert statement.account.iban == statement.account.number == 'FR7630006000011234567890189'


def test_a_61_without_type_code_stays_its_own_entry():
    data = mt940(
        ':20:R',
        ':25:123',
        ':60F:C240102EUR100,00',
        ':61:2401030103D10,00',
        ':61:2401030103D5,00',
        ':62F:C240103EUR85,00',
    )
    (statement,) = parse(data)
    assert [(entry.amount, entry.code) for entry in statement.entries] == [(D('-10.00'), None), (D('-5.00'), None)]
    assert statement.reconciles


def test_mt942_totals_that_disagree_with_the_entries_give_a_warning():
    data = mt940(
        ':20:R',
        ':25:123',
        ':28C:1/1',
        ':34F:EUR0,',
        ':13D:2401031200+0100',
        ':61:2401030103C1,00NTRFNONREF',
        ':90D:0EUR0,00',
        ':90C:2EUR3,00',
    )
    (statement,) = parse(data)
    assert statement.format == 'mt942'
    assert statement.warnings == ['Total annoncé par :90C: (2 pour 3.00) ≠ opérations lues (1 pour 1.00).']


def test_a_balance_dated_30_february_is_read_as_the_29th_like_an_entry():
    (statement,) = parse(mt940(':20:R', ':25:123', ':60F:C240230EUR1,00', ':62F:C240301EUR1,00'))
    assert (statement.opening_date, statement.closing_date) == (date(2024, 2, 29), date(2024, 3, 1))


def test_a_statement_without_closing_balance_is_a_warning_or_refused_when_strict():
    data = mt940(':20:R', ':25:123', ':60F:C240102EUR100,00', ':61:2401030103D10,00NTRF')
    assert parse(data)[0].warnings == ['ligne 1 : relevé sans solde final (:62F:).']
    with pytest.raises(FormatError, match='ligne 1 : relevé sans solde final'):
        parse(data, strict=True)


def test_an_unreadable_61_is_refused_naming_its_line():
    data = mt940(':20:R', ':25:123', ':60F:C240102EUR100,00', ':61:2401030103DXX10,00NTRF', ':62F:C240103EUR90,00')
    with pytest.raises(FormatError) as refused:
        parse(data)
    assert (refused.value.where, refused.value.reason) == ('ligne 4', 'champ :61: illisible « 2401030103DXX10,00NTRF »')


def test_a_field_before_the_first_20_is_refused():
    with pytest.raises(FormatError, match='ligne 1 : champ :25: avant le premier :20:'):
        parse(mt940(':25:123', ':20:R', ':60F:C240102EUR1,00', ':62F:C240102EUR1,00'))


@pytest.mark.parametrize(
    ('data', 'message'),
    [
        (b'', 'ligne 1 : fichier vide'),
        (b'\x01\r\n  \r\n', 'ligne 1 : fichier vide'),
        (b'Bonjour,\nvoici le relev\xe9.\n', 'ligne 1 : aucun relevé MT940/MT942'),
        (bytes(range(256)), 'ligne 1 : aucun relevé MT940/MT942'),
    ],
)
def test_garbage_is_a_format_error(data, message):
    with pytest.raises(FormatError, match=message):
        parse(data)


# --- mutations: a list of statements or a FormatError, nothing else ------------------------------------------------


@pytest.mark.parametrize('name', MT940_FILES)
def test_mutated_files_give_statements_or_a_format_error(corpus, name):
    data = corpus(f'mt940/{name}')
    rng = random.Random(name)
    read = 0
    for attempt in range(200):
        try:
            statements = parse(mutate(data, rng, alphabet=b':\n-/?,CD0123456789'), strict=attempt % 2 == 1)
        except FormatError as error:
            assert error.reason
            continue
        assert all(isinstance(statement, Statement) for statement in statements)
        assert all(isinstance(entry.amount, Decimal) for entry in entries_of(statements))
        read += 1
    assert read  # most mutations land in free text and the file still reads
