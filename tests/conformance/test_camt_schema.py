"""What Relais writes, others read: every camt.053 of ``write_camt053`` validates against ISO 20022's own schema.

The schema is camt.053.001.02.xsd as kept in ../shared/schemas (from genkgo/camt @ c99e4fe3 : assets/, see its
README), read in place; these tests skip when the folder is absent.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from services.formats import FormatError
from services.formats.camt import REFERENCES, parse
from services.formats.camt_values import minor_units
from services.formats.camt_writer import write_camt053
from services.formats.model import AccountId, Entry, Statement
from tests.conformance.test_camt import NOTIFICATION_054, REPORT_052, STATEMENT_053

D = Decimal
SCHEMAS = Path(os.environ.get('RELAIS_SCHEMAS_DIR', Path(__file__).resolve().parents[2].parent / 'shared' / 'schemas'))
CREATED = datetime(2026, 3, 13, 6, 0)
FEE = D('-12.50')


@pytest.fixture(scope='module')
def schema() -> etree.XMLSchema:
    path = SCHEMAS / 'camt.053.001.02.xsd'
    if not path.is_file():
        pytest.skip(f'schémas ISO 20022 absents : {path}')
    return etree.XMLSchema(etree.parse(str(path)))


def assert_valid(schema: etree.XMLSchema, written: bytes) -> None:
    document = etree.fromstring(written)
    assert schema.validate(document), [f'ligne {e.line} : {e.message}' for e in schema.error_log]


# --- what other formats and users give the writer ----------------------------------------------------------------

# any character a label may hold, XML's own and controls included, and the ones that need escaping, often
characters = st.characters(blacklist_categories=('Cs',)) | st.sampled_from('<>&\'"]]>éèàçœ€ \t\n\r\x00\x1f\ufffe')
texts = st.text(characters, max_size=40) | st.text(characters, min_size=130, max_size=700)
words = st.lists(st.text(characters, min_size=1, max_size=12), min_size=1, max_size=80).map(' '.join)
labels = texts | words
# codes from every format: CFONB interbank codes, SWIFT types, OFX TRNTYPE, camt domain codes, and odd ones
codes = st.sampled_from(['05', 'B1', 'NTRF', 'NMSC', 'DEBIT', 'POS', 'PMNT/RCDT/ESCT', 'ABCDE/F/G', ' ', 'A/B']) | texts
reference_keys = st.sampled_from([*REFERENCES.values(), 'RCN', 'RUM', 'CHECKNUM', 'SIC', 'reversal', 'x y', 'é'])
accounts = st.sampled_from(
    [
        AccountId(iban='FR7630004008230001024567863'),
        AccountId(iban='fr76 3000 6000 0112 3456 7890 189'),
        AccountId(iban='DE89370400440532013000'),
        AccountId(bank='30004', branch='00823', number='00010245678'),
        AccountId(number='0001024567863-EUR'),
        AccountId(number='  compte épargne <n° 7> & co  '),
    ]
)
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@st.composite
def amounts(draw, currency: str) -> Decimal:
    units = minor_units(currency)
    return D(draw(st.integers(min_value=-(10**15), max_value=10**15))).scaleb(-units)


@st.composite
def entries(draw, currency: str) -> Entry:
    return Entry(
        booking_date=draw(days),
        amount=draw(amounts(currency) | st.sampled_from([D('0'), D('-0.00'), D('0.00')])),
        label=draw(labels),
        value_date=draw(st.none() | days),
        details=draw(st.lists(labels, max_size=12)),
        reference=draw(st.none() | texts),
        counterparty=draw(st.none() | labels),
        references=draw(st.dictionaries(reference_keys, texts, max_size=8)),
        code=draw(st.none() | codes),
    )


@st.composite
def statements(draw) -> Statement:
    currency = draw(st.sampled_from(['EUR', 'USD', 'CHF', 'JPY', 'TND']))
    opening = draw(st.none() | amounts(currency))
    return Statement(
        format=draw(st.sampled_from(['cfonb120', 'mt940', 'ofx', 'camt.054'])),
        account=draw(accounts),
        currency=currency,
        opening_balance=opening,
        opening_date=draw(days) if opening is not None else None,
        closing_balance=(closing := draw(amounts(currency) if opening is None else st.none() | amounts(currency))),
        closing_date=draw(days) if closing is not None else None,
        entries=draw(st.lists(entries(currency), max_size=15)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(statements(), min_size=1, max_size=4))
def test_every_camt053_the_writer_writes_validates_against_the_iso_schema(schema, written_statements):
    assert_valid(schema, write_camt053(written_statements, message_id='RELAIS-SCHEMA-1', created_at=CREATED))


def test_bank_statements_read_then_written_back_validate(schema):
    statements = parse(STATEMENT_053.encode()) + parse(REPORT_052.encode())
    assert_valid(schema, write_camt053(statements, message_id='RELAIS-20260313', created_at=CREATED))


def test_a_notification_with_its_balances_added_validates(schema):
    (notification,) = parse(NOTIFICATION_054.encode())
    notification.closing_balance, notification.closing_date = D('-1840.00'), date(2026, 3, 13)
    assert_valid(schema, write_camt053([notification], message_id='RELAIS-054', created_at=CREATED))


# --- what the writer refuses rather than write something else ----------------------------------------------------


def one(account: AccountId, amount: Decimal = FEE, currency: str = 'EUR') -> Statement:
    entry = Entry(booking_date=date(2026, 3, 12), amount=amount, label='FRAIS')
    return Statement(
        'ofx', account, currency, D('100.00'), date(2026, 3, 11), D('100.00') + amount, date(2026, 3, 12), [entry]
    )


@pytest.mark.parametrize(
    'iban', ['FR76-3000-4008-2300-0102-4567-863', '3000400823', 'FR7630004008230001024567863XXXXXXXXXXXX']
)
def test_an_iban_the_schema_refuses_is_refused_rather_than_written(iban):
    with pytest.raises(FormatError, match=r'IBAN .* invalide'):
        write_camt053([one(AccountId(iban=iban))], message_id='RELAIS-1', created_at=CREATED)


def test_an_account_number_longer_than_othr_id_is_refused_rather_than_cut():
    number = '30004 00823 00010245678 63 COMPTE COURANT'
    with pytest.raises(FormatError, match='plus de 34 caractères'):
        write_camt053([one(AccountId(number=number))], message_id='RELAIS-1', created_at=CREATED)


def test_zeros_past_the_currency_s_units_are_written_in_them():
    written = write_camt053(
        [one(AccountId(iban='DE89370400440532013000'), D('-12.500'))], message_id='M', created_at=CREATED
    )
    assert b'<Amt Ccy="EUR">12.50</Amt>' in written and b'12.500' not in written
    assert parse(written, strict=True)[0].entries[0].amount == D('-12.50')


def test_an_amount_past_its_currency_s_units_is_refused():
    with pytest.raises(FormatError, match='0 décimales au plus en JPY'):
        write_camt053(
            [one(AccountId(iban='DE89370400440532013000'), D('-12.5'), 'JPY')], message_id='M', created_at=CREATED
        )
