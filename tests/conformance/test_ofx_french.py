"""OFX as French banks write it: a RIB for the account (no IBAN), French labels in Latin-1 or Windows-1252, amounts
with a comma, a plus sign or spaces, times with a time zone.

Sources: the OFX 1.6 specification (§ 3.2.8.2 dates « [gmt offset:tz name] », § 3.2.9.1 amounts: a leading sign, a
point or a comma as radix, no digit grouping); the French RIB (code banque 5 digits, code guichet 5, numéro de compte
11 characters, clé RIB 2 digits: « Basic Bank Account Number » on fr.wikipedia, and the CFONB's « Recommandations
migration RIB vers IBAN+BIC », 2010); the SGML OFX 1.02 of French banks' downloads (Money / Quicken exports), where
BANKACCTFROM gives BANKID, BRANCHID and ACCTID. Accounts and amounts are made up; the RIB keys are real computations.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.formats import FormatError, parse_file
from services.formats.ofx import parse
from tests.conformance.test_ofx import SGML_HEADER, account, ledger, sgml, transaction, transactions

D = Decimal
BNP = 'FR7630004008230001024567863'  # RIB 30004 00823 00010245678 clé 63


def read(number: str, bank: str = '30004', branch: str = '00823', *items: str):
    (statement,) = parse(sgml(account(number, bank, branch) + transactions(*items) + ledger('100.00')))
    return statement


# --- the account ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    'number',
    ['00010245678', '0001024567863', '30004008230001024567863', '000 1024 5678 63'],
    ids=['account number', 'number and key', 'whole RIB', 'with spaces'],
)
def test_a_french_rib_gives_the_account_its_iban(number):
    statement = read(number)
    assert statement.account.iban == BNP
    assert (statement.account.bank, statement.account.branch, statement.account.number) == ('30004', '00823', number)
    assert not any('RIB' in warning for warning in statement.warnings)


def test_an_account_number_with_letters_gives_its_iban():
    """Crédit Agricole and La Banque Postale numbers may hold letters, which the key computation turns to digits."""
    assert read('0000888899H', '30004', '00823').account.iban == 'FR7830004008230000888899H80'


def test_a_wrong_rib_key_is_a_warning_naming_it_and_gives_no_iban():
    statement = read('0001024567864')
    assert statement.account.iban is None and statement.account.number == '0001024567864'
    assert statement.warnings[0] == (
        'Clé RIB « 64 » du compte 30004 00823 00010245678 (ACCTID) fausse : la clé est 63 ; IBAN non déduit.'
    )
    data = sgml(account('0001024567864', '30004', '00823') + transactions(transaction('-1.00', 'A1')))
    with pytest.raises(FormatError, match='Clé RIB « 64 »'):
        parse_file(data, strict=True)


@pytest.mark.parametrize(
    ('bank', 'branch', 'number'),
    [('160000100', '00', '12300 000012345678'), ('30004', '', '00010245678'), ('30004', '00823', '0001024567')],
    ids=['a Canadian routing number', 'no branch', 'ten characters'],
)
def test_what_is_no_french_rib_gives_no_iban_and_no_warning(bank, branch, number):
    statement = read(number, bank, branch)
    assert statement.account.iban is None and statement.account.number == number
    assert not any('RIB' in warning for warning in statement.warnings)


# --- amounts ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('written', 'amount'),
    [
        ('+1250,00', D('1250.00')),
        ('-12,50', D('-12.50')),
        ('  -12.50  ', D('-12.50')),
        ('-,5', D('-0.5')),
        ('7', D('7')),
    ],
)
def test_amounts_as_the_ofx_norm_writes_them_are_read_without_a_warning(written, amount):
    statement = read('00010245678', '30004', '00823', transaction(written, 'A1'))
    assert statement.entries[0].amount == amount
    assert not any('Montant' in warning for warning in statement.warnings)


@pytest.mark.parametrize(
    ('written', 'amount', 'reason'),
    [
        ('- 12,50', D('-12.50'), 'espace après le signe'),
        ('-1 234,56', D('-1234.56'), 'chiffres groupés'),
        ('1.234,56', D('1234.56'), 'chiffres groupés'),
        ('+ 1,234.56', D('1234.56'), 'espace après le signe, chiffres groupés'),
    ],
)
def test_an_amount_with_grouped_digits_or_a_spaced_sign_is_read_with_a_warning_naming_it(written, amount, reason):
    statement = read('00010245678', '30004', '00823', transaction(written, 'A1'))
    assert statement.entries[0].amount == amount
    assert f'Montant TRNAMT « {written} » ({reason}) lu {amount}.' in (statement.warnings)


def test_a_ledger_balance_with_grouped_digits_is_read_with_a_warning():
    (statement,) = parse(sgml(account('00010245678') + transactions() + ledger('10 000,00')))
    assert statement.closing_balance == D('10000.00')
    assert 'Montant BALAMT « 10 000,00 » (chiffres groupés) lu 10000.00.' in statement.warnings


def test_an_amount_whose_radix_cannot_be_told_is_discarded_with_its_reason():
    statement = read('00010245678', '30004', '00823', transaction('1.234.56', 'A1'))
    assert statement.entries == []
    assert statement.warnings[0].startswith('1 opération écartée, illisible : montant (TRNAMT) illisible « 1.234.56 »')


def test_the_warning_of_an_amount_goes_to_its_own_statement():
    current = account('00010245678') + transactions(transaction('-12.50', 'A1'))
    savings = account('00010245679') + transactions(transaction('1 000,00', 'I1'))
    first, second = parse(sgml(current, savings))
    assert not any('Montant' in warning for warning in first.warnings)
    assert 'Montant TRNAMT « 1 000,00 » (chiffres groupés) lu 1000.00.' in second.warnings


# --- texts and dates --------------------------------------------------------------------------------------------


def test_french_labels_in_latin1_are_read():
    body = account('00010245678') + transactions(transaction('-1.00', 'A1', name='PRLV SEPA ÉLECTRICITÉ DE FRANCE ÀÇÔ'))
    data = f'{SGML_HEADER.replace("1252", "8859-1")}<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STMTRS>{body}</STMTRS>'
    (statement,) = parse((data + '</STMTTRNRS></BANKMSGSRSV1></OFX>').encode('latin-1'))
    assert statement.entries[0].label == 'PRLV SEPA ÉLECTRICITÉ DE FRANCE ÀÇÔ'


def test_french_labels_in_windows_1252_are_read():
    label = 'CB L’ŒUVRE D’ART 12,50 € — CÔTÉ COUR'
    statement = read('00010245678', '30004', '00823', transaction('-12.50', 'A1', name=label))
    assert statement.entries[0].label == label


@pytest.mark.parametrize('posted', ['20240106003000[+1:CET]', '20240106003000.000[+2:CEST]', '20240106[-5:EST]'])
def test_a_posting_time_with_its_time_zone_stays_on_its_day(posted):
    statement = read('00010245678', '30004', '00823', transaction('-1.00', 'A1', posted=posted))
    assert statement.entries[0].booking_date == date(2024, 1, 6)
