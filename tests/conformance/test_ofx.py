"""OFX: the public corpus read as its README states, then what our parser adds to ofxparse."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from services.formats import FormatError, parse_file
from services.formats.model import Statement
from services.formats.ofx import DERIVED, parse
from tests.conformance.damage import mutate

D = Decimal
OFX_FILES = [
    'ofxparse_bank_medium.ofx',
    'ofxparse_suncorp.ofx',
    'ofxparse_fail_nice_date_missing.ofx',
    'ofxparse_fail_nice_decimal_error.ofx',
]
SGML_HEADER = 'OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nENCODING:USASCII\nCHARSET:1252\n\n'


def sgml(*statements: str) -> bytes:
    """An OFX 1 file (no closing tags on values) holding the given <STMTRS> bodies."""
    wrapped = ''.join(
        f'<STMTTRNRS><TRNUID>{n}<STMTRS>{body}</STMTRS></STMTTRNRS>\n' for n, body in enumerate(statements)
    )
    return f'{SGML_HEADER}<OFX><BANKMSGSRSV1>\n{wrapped}</BANKMSGSRSV1></OFX>\n'.encode('cp1252')


def account(number: str, bank: str = '30004', branch: str = '00123') -> str:
    return f'<CURDEF>EUR<BANKACCTFROM><BANKID>{bank}<BRANCHID>{branch}<ACCTID>{number}<ACCTTYPE>CHECKING</BANKACCTFROM>'


def transaction(amount: str, fitid: str, name: str = 'CB CARREFOUR', posted: str = '20240105') -> str:
    return f'<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>{posted}<TRNAMT>{amount}<FITID>{fitid}<NAME>{name}</STMTTRN>\n'


def transactions(*items: str) -> str:
    return f'<BANKTRANLIST><DTSTART>20240101<DTEND>20240131\n{"".join(items)}</BANKTRANLIST>'


def ledger(amount: str) -> str:
    return f'<LEDGERBAL><BALAMT>{amount}<DTASOF>20240131</LEDGERBAL>'


# --- the corpus, file by file ------------------------------------------------------------------------------------


def test_bank_medium_sgml_gives_one_canadian_checking_statement(corpus):
    (statement,) = parse(corpus('ofx/ofxparse_bank_medium.ofx'))
    assert statement.format == 'ofx' and statement.currency == 'CAD'
    assert (statement.account.bank, statement.account.branch) == ('160000100', '00')
    assert statement.account.number == '12300 000012345678' and statement.account.iban is None
    assert statement.account.display() == '160000100 00 12300 000012345678'
    assert (statement.closing_balance, statement.closing_date) == (D('382.34'), date(2009, 5, 23))
    assert len(statement.entries) == 3 and statement.total == D('-345.27')


def test_bank_medium_first_transaction_gives_payee_memo_type_and_fitid(corpus):
    first = parse(corpus('ofx/ofxparse_bank_medium.ofx'))[0].entries[0]
    assert (first.label, first.amount, first.code) == ("MCDONALD'S #112", D('-6.60'), 'POS')
    assert first.details == ["POS MERCHANDISE;MCDONALD'S #112"]
    assert (first.reference, first.booking_date) == ('0000123456782009040100001', date(2009, 4, 1))
    assert first.counterparty is None


def test_bank_medium_opening_balance_is_derived_from_the_ledger_balance_and_said_so(corpus):
    (statement,) = parse(corpus('ofx/ofxparse_bank_medium.ofx'))
    assert (statement.opening_balance, statement.opening_date) == (D('727.61'), date(2009, 4, 1))  # 382.34 + 345.27
    assert statement.reconciles
    assert statement.warnings == [DERIVED]


def test_suncorp_ofx2_cdata_payee_and_memo_are_read(corpus):
    (statement,) = parse(corpus('ofx/ofxparse_suncorp.ofx'))
    assert (statement.currency, statement.closing_balance) == ('AUD', D('1234.12'))
    assert statement.account.number == '123456789'
    (entry,) = statement.entries
    assert (entry.label, entry.amount) == ('EFTPOS WDL HANDYWAY ALDI STORE', D('-16.85'))
    assert entry.details == ['EFTPOS WDL HANDYWAY ALDI STORE   GEELONG WEST VICAU']


def test_date_missing_discards_three_transactions_as_one_warning_in_lenient_mode(corpus):
    (statement,) = parse(corpus('ofx/ofxparse_fail_nice_date_missing.ofx'))
    assert statement.entries == [] and statement.currency == 'USD'
    assert statement.warnings == [
        '3 opérations écartées, illisibles : date (DTPOSTED) absente (FITID 184997056) ; '
        'date (DTPOSTED) vide (FITID 2000957249) ; date (DTPOSTED) invalide « 20120231 » (FITID 2000957249). '
        'Le solde initial n’est donc pas calculé.'
    ]
    assert (statement.opening_balance, statement.closing_balance, statement.reconciles) == (None, D('0'), None)


def test_decimal_error_discards_its_one_transaction_quoting_the_amount(corpus):
    (statement,) = parse(corpus('ofx/ofxparse_fail_nice_decimal_error.ofx'))
    assert statement.entries == []
    assert statement.warnings == [
        '1 opération écartée, illisible : montant (TRNAMT) illisible « $120 » (FITID 2000957249). '
        'Le solde initial n’est donc pas calculé.'
    ]


@pytest.mark.parametrize(
    ('name', 'reason'),
    [
        ('ofxparse_fail_nice_date_missing.ofx', 'opération illisible : date (DTPOSTED) absente'),
        ('ofxparse_fail_nice_decimal_error.ofx', 'opération illisible : montant (TRNAMT) illisible « $120 »'),
    ],
)
def test_fail_nice_files_are_refused_in_strict_mode(corpus, name, reason):
    with pytest.raises(FormatError) as refused:
        parse(corpus(f'ofx/{name}'), strict=True)
    assert refused.value.reason == reason


def test_parse_file_sniffs_ofx_and_gives_the_same_statements(corpus):
    data = corpus('ofx/ofxparse_suncorp.ofx')
    assert parse_file(data) == parse(data)


# --- what we add, on small files ------------------------------------------------------------------------------


def test_a_decimal_comma_is_read_as_a_decimal_point():
    (statement,) = parse(sgml(account('00012345678') + transactions(transaction('-12,50', 'A1')) + ledger('1234,56')))
    assert [entry.amount for entry in statement.entries] == [D('-12.50')]
    assert (statement.closing_balance, statement.opening_balance) == (D('1234.56'), D('1247.06'))


def test_a_fitid_with_inner_spaces_is_kept_exactly_as_the_reference():
    (statement,) = parse(sgml(account('00012345678') + transactions(transaction('-1.00', '2024 0105  001'))))
    assert statement.entries[0].reference == '2024 0105  001'


def test_two_accounts_in_one_file_are_two_statements():
    current = account('00012345678') + transactions(transaction('-12.50', 'A1')) + ledger('100.00')
    savings = account('FR76 3000 6000 0112 3456 7890 189') + transactions(transaction('3.21', 'I1')) + ledger('500.00')
    first, second = parse(sgml(current, savings))
    assert (first.account.number, first.account.iban) == ('00012345678', 'FR7630004001230001234567843')  # the RIB's
    assert second.account.number == 'FR76 3000 6000 0112 3456 7890 189'
    assert second.account.iban == 'FR7630006000011234567890189'
    assert first.account.display() == '30004 00123 00012345678'
    assert ([e.reference for e in first.entries], [e.reference for e in second.entries]) == (['A1'], ['I1'])


def test_a_posting_just_after_midnight_in_paris_stays_on_its_day():
    (statement,) = parse(sgml(account('1') + transactions(transaction('-1.00', 'A1', posted='20240106003000[+1:CET]'))))
    assert statement.entries[0].booking_date == date(2024, 1, 6)  # ofxparse alone says 2024-01-05, in UTC


def test_an_ofx2_file_in_utf8_with_accents_is_read():
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<?OFX OFXHEADER="200" VERSION="200"?>\n'
        '<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF>'
        '<BANKACCTFROM><BANKID>1</BANKID><ACCTID>2</ACCTID></BANKACCTFROM><BANKTRANLIST>'
        '<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240105</DTPOSTED><TRNAMT>-1.00</TRNAMT><FITID>a</FITID>'
        '<NAME>Café &amp; thé</NAME></STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>'
    ).encode()
    (statement,) = parse(data)
    assert statement.entries[0].label == 'Café & thé'
    assert (statement.opening_date, statement.closing_date) == (date(2024, 1, 5), date(2024, 1, 5))  # no DTSTART/DTEND


def test_a_euro_sign_in_a_windows_1252_file_is_read():
    (statement,) = parse(sgml(account('1') + transactions(transaction('-2.00', 'A1', name='FRAIS 2 €'))))
    assert statement.entries[0].label == 'FRAIS 2 €'


def test_without_ledger_balance_there_are_no_balances_and_no_derived_warning():
    (statement,) = parse(sgml(account('1') + transactions(transaction('-2.00', 'A1'))))
    assert (statement.opening_balance, statement.closing_balance, statement.reconciles) == (None, None, None)
    assert (statement.opening_date, statement.closing_date) == (date(2024, 1, 1), date(2024, 1, 31))
    assert statement.warnings == []


@pytest.mark.parametrize(
    ('data', 'message'),
    [
        (b'', 'balise <OFX> absente'),
        (b'garbage\x00\xff', 'balise <OFX> absente'),
        (b'<OFX></OFX>', 'aucun compte bancaire'),
        (sgml('<CURDEF>EUR<BANKACCTFROM><BANKID>1</BANKACCTFROM>'), 'compte sans identifiant'),
        (f'{SGML_HEADER}<OFX><SIGNONMSGSRSV1><SONRS><STATUS></SONRS></SIGNONMSGSRSV1></OFX>'.encode(), 'illisible'),
    ],
)
def test_garbage_or_a_file_without_account_is_a_format_error(data, message):
    with pytest.raises(FormatError, match=message):
        parse(data)


# --- mutations: a list of statements or a FormatError, nothing else ------------------------------------------------


@pytest.mark.parametrize('name', OFX_FILES)
def test_mutated_files_give_statements_or_a_format_error(corpus, name):
    data = corpus(f'ofx/{name}')
    rng = random.Random(name)
    read = 0
    for attempt in range(200):
        try:
            statements = parse(mutate(data, rng, alphabet=b'<>/,.-0123456789'), strict=attempt % 2 == 1)
        except FormatError as error:
            assert error.reason
            continue
        assert all(isinstance(statement, Statement) for statement in statements)
        assert all(isinstance(entry.amount, Decimal) for statement in statements for entry in statement.entries)
        read += 1
    assert read  # most mutations land in text and the file still reads
