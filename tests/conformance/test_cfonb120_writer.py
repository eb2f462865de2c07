"""What Relais writes as CFONB 120, python-cfonb (the reference reader of the tools that import it) reads alike.

python-cfonb merges the statements of one account number into one (first 01, last 07, every movement): the
comparison groups ours the same way. Currencies are those with 2 decimals: python-cfonb misreads a 0-decimal
zone (JPY), which Relais writes as the norm says.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from cfonb import StatementReader
from hypothesis import given, settings
from hypothesis import strategies as st

from services.formats import FormatError
from services.formats.cfonb120 import REFERENCE_QUALIFIERS, iban_of, parse
from services.formats.cfonb120_codes import MEANINGS, interbank_code
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement

odd = st.text(alphabet=st.characters(blacklist_categories=('Cs',)), max_size=40)
odd_with_letters = st.text(alphabet=st.sampled_from('aéÉçÇœŒ€ß’«»-/&%*+:;!?$£¥ \t\n0123456789XYZ'), max_size=40)
texts = odd | odd_with_letters
days = st.dates(min_value=date(1970, 1, 1), max_value=date(2068, 12, 31))
cents = st.one_of(st.integers(-(10**13) + 1, 10**13 - 1), st.integers(-1000, 1000), st.just(0))
amounts = cents.map(lambda value: Decimal(value).scaleb(-2))
CODES = [
    *('B1', '05', '62', 'A3', '91', 'Z9'),  # CFONB, as a CFONB file gives them
    *('PMNT/RCDT/ESCT', 'PMNT/ICDT/ESCT', 'PMNT/RDDT/ESDD', 'PMNT/IDDT/BBDD', 'PMNT/CCRD/POSD', 'PMNT/CCRD/CWDL'),
    *('ACMT/MDOP/CHRG', 'PMNT/RCHQ/CCHQ', 'LDAS/CSLN/PPAY', 'XTND/OTHR/OTHR', 'PMNT', 'CHRG'),  # camt BkTxCd
    *('NTRF', 'NCHK', 'NDDT', 'NMSC', 'FCHG', 'NINT', 'S103', 'NXYZ'),  # MT940 :61: type codes
    *('DEBIT', 'CREDIT', 'CHECK', 'POS', 'ATM', 'FEE', 'XFER', 'DIRECTDEBIT', 'INT', 'OTHER', 'SRVCHG'),  # OFX
    *('é', '', ' ', 'x/y/z/w'),
]
MMO = st.integers(0, 10**14 - 1).map(lambda value: f'USD2{value:014d}' + ' ' * 13)
reference_keys = st.sampled_from(sorted(REFERENCE_QUALIFIERS | {'RCN', 'PURPOSE', 'EndToEndId', 'TxId', 'bank', 'AAA'}))


@st.composite
def entries(draw) -> Entry:
    return Entry(
        booking_date=draw(days),
        amount=draw(amounts),
        label=draw(texts),
        value_date=draw(st.none() | days),
        details=draw(st.lists(texts, max_size=6)),
        reference=draw(st.none() | texts),
        counterparty=draw(st.none() | texts),
        references=draw(st.dictionaries(reference_keys, texts | MMO, max_size=5)),
        code=draw(st.none() | st.sampled_from(CODES)),
    )


accounts = st.lists(
    st.tuples(st.from_regex(r'\A[0-9]{5}\Z'), st.from_regex(r'\A[0-9]{5}\Z'), st.from_regex(r'\A[0-9A-Z]{11}\Z')),
    min_size=1,
    max_size=4,
    unique_by=lambda key: key[2],  # python-cfonb keys its statements by account number alone
)


@st.composite
def files(draw) -> list[Statement]:
    pool = draw(accounts)
    statements = []
    for _ in range(draw(st.integers(1, 6))):
        bank, branch, number = draw(st.sampled_from(pool))
        moves = draw(st.lists(entries(), max_size=8))
        opening = draw(amounts)
        statements.append(
            Statement(
                format='cfonb120',
                account=AccountId(iban_of(bank, branch, number), bank, branch, number),
                currency=draw(st.sampled_from(['EUR', 'EUR', 'USD', 'CHF'])),
                opening_balance=opening,
                opening_date=draw(days),
                closing_balance=opening + sum((e.amount for e in moves), Decimal(0)),
                closing_date=draw(days),
                entries=moves,
            )
        )
    return statements


def by_account(statements: list[Statement]) -> dict[str, list[Statement]]:
    grouped: dict[str, list[Statement]] = {}
    for statement in statements:
        grouped.setdefault(statement.account.number, []).append(statement)
    return grouped


def python_cfonb_texts(row) -> list[str]:
    """The 04 label then each 05 LIB, as python-cfonb keeps them (the first LIB replaces a blank label)."""
    keys = ['label'] + [f'label_{n}' for n in range(1, 100) if f'label_{n}' in row]
    return [row[key] for key in keys if row.get(key)]


def assert_same_movement(row, original: Entry, ours: Entry) -> None:
    assert row.amount == original.amount == ours.amount
    assert row.operation_date == original.booking_date.isoformat()
    assert row.value_date == (original.value_date or original.booking_date).isoformat()
    assert row.operation_code == ours.code == interbank_code(original.code, original.amount)
    assert python_cfonb_texts(row) == [text for text in (ours.label, *ours.details) if text]
    # the other party: the beneficiary (NBE) of a debit, the payer (NPY) of a credit, else whichever is given
    wanted, other = ('creditor_name', 'debtor_name') if original.amount < 0 else ('debtor_name', 'creditor_name')
    assert (row.get(wanted) or row.get(other) or None) == (ours.counterparty or None)
    assert row.get('end2end_identification', '') == ours.references.get('RCN', '')


@settings(max_examples=120, deadline=None)
@given(files())
def test_python_cfonb_reads_what_relais_writes_with_the_same_movements_and_balances(original):
    data = write_cfonb120(original)
    ours = by_account(parse(data))
    theirs = StatementReader().parse(io.StringIO(data.decode('ascii')))
    assert [statement.account_nb for statement in theirs] == list(by_account(original))
    for statement, (number, group) in zip(theirs, by_account(original).items(), strict=True):
        assert statement.header.prev_amount == group[0].opening_balance
        assert statement.header.prev_date == group[0].opening_date.isoformat()
        assert statement.footer.next_amount == group[-1].closing_balance
        assert statement.footer.next_date == group[-1].closing_date.isoformat()
        movements = [entry for s in group for entry in s.entries]
        read = [entry for s in ours[number] for entry in s.entries]
        assert len(statement.lines) == len(movements) == len(read)
        for row, entry, mine in zip(statement.lines, movements, read, strict=True):
            assert_same_movement(row, entry, mine)


def statement(**account) -> Statement:
    entry = Entry(booking_date=date(2026, 11, 20), amount=Decimal('-12.50'), label='CB BOULANGERIE')
    return Statement(
        format='camt.053',
        account=AccountId(**account),
        currency='EUR',
        opening_balance=Decimal('100.00'),
        opening_date=date(2026, 11, 19),
        closing_balance=Decimal('87.50'),
        closing_date=date(2026, 11, 20),
        entries=[entry],
    )


def test_a_non_numeric_bank_code_is_refused_before_anything_is_written():
    good = statement(bank='30004', branch='00823', number='00010245678')
    with pytest.raises(FormatError, match='code banque « 3000A » du compte 3000A 00823 00010245678 : 5 chiffres'):
        write_cfonb120([good, statement(bank='3000A', branch='00823', number='00010245678')])


def test_a_non_numeric_branch_code_is_refused():
    with pytest.raises(FormatError, match=r'code guichet « 0082X » .*: 5 chiffres attendus'):
        write_cfonb120([statement(bank='30004', branch='0082X', number='00010245678')])


@pytest.mark.parametrize('number', ['0001024567', '000102456789', '0001024567-', '0001024567é'])
def test_an_account_number_that_is_not_eleven_letters_or_digits_is_refused(number):
    with pytest.raises(FormatError, match=f'numéro de compte « {number} » : 11 lettres ou chiffres attendus'):
        write_cfonb120([statement(bank='30004', branch='00823', number=number)])


def test_a_french_iban_with_letters_in_its_bank_code_is_refused():
    with pytest.raises(FormatError, match='code banque « 3000X »'):
        write_cfonb120([statement(iban='FR763000X008230001024567863')])


def test_an_unknown_currency_is_refused():
    unknown = statement(bank='30004', branch='00823', number='00010245678')
    unknown.currency = 'EURO'
    with pytest.raises(FormatError, match='devise « EURO » : un code ISO 4217 de 3 lettres attendu'):
        write_cfonb120([unknown])


@pytest.mark.parametrize('day', [date(1969, 12, 31), date(2069, 1, 1)])
def test_a_date_that_two_digit_years_do_not_tell_alike_is_refused(day):
    old = statement(bank='30004', branch='00823', number='00010245678')
    old.entries[0].booking_date = day
    with pytest.raises(FormatError, match='hors des années 1970 à 2068'):
        write_cfonb120([old])


def test_a_movement_without_value_date_is_written_with_its_booking_date():
    (back,) = parse(write_cfonb120([statement(bank='30004', branch='00823', number='00010245678')]))
    assert back.entries[0].value_date == date(2026, 11, 20)


def test_the_amounts_of_a_currency_are_written_with_its_own_decimals():
    yen = statement(bank='30004', branch='00823', number='00010245678')
    yen.currency, yen.opening_balance, yen.closing_balance = 'JPY', Decimal('100'), Decimal('88')
    yen.entries[0].amount = Decimal('-12')
    data = write_cfonb120([yen])
    assert data[16:20] == b'JPY0'
    assert parse(data, strict=True)[0].closing_balance == Decimal('88')


@pytest.mark.parametrize(
    ('code', 'amount', 'expected'),
    [
        (None, '1', '91'),
        ('62', '-1', '62'),
        ('PMNT/RCDT/ESCT', '1', '05'),
        ('PMNT/ICDT/ESCT', '-1', '06'),
        ('PMNT/RDDT/ESDD', '-1', 'B1'),
        ('PMNT/IDDT/ESDD', '1', 'A1'),
        ('ACMT/MDOP/CHRG', '-1', '62'),
        ('PMNT/CCRD/CWDL', '-1', '29'),
        ('NTRF', '1', '05'),
        ('NCHK', '-1', '01'),
        ('NDDT', '-1', 'B1'),
        ('NMSC', '-1', '91'),
        ('S103', '-1', '06'),
        ('DEBIT', '-1', '91'),
        ('CREDIT', '1', '91'),
        ('CHECK', '-1', '01'),
        ('POS', '-1', '28'),
        ('ATM', '-1', '29'),
        ('FEE', '-1', '62'),
        ('XFER', '1', '05'),
        ('DIRECTDEBIT', '-1', 'B1'),
    ],
)
def test_the_interbank_code_says_what_the_other_formats_code_says(code, amount, expected):
    assert interbank_code(code, Decimal(amount)) == expected


@pytest.mark.parametrize('code', [c for c in CODES if len(c) != 2])
@pytest.mark.parametrize('amount', [Decimal(1), Decimal(-1)])
def test_every_derived_interbank_code_is_one_of_the_cfonb_list(code, amount):
    assert interbank_code(code, amount) in MEANINGS
