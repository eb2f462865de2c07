"""Importing transactions never duplicates: re-syncs, reconnections, overlapping windows, pending → booked."""

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import func, select

from services.banking_models import BankAccount, Transaction
from services.db import session_scope
from services.imports import FileTransaction, ImportResult, cents, import_transactions
from services.models import Client
from services.providers.base import ProviderTransaction


@pytest.fixture
def account_id(demo_data: None) -> int:
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()
        account = BankAccount(
            client_id=client.id, firm_id=client.firm_id, iban='FR7630006000011234567890189', name='Compte courant'
        )
        session.add(account)
        session.flush()
        return account.id


def tx(
    tid: str,
    day: int,
    amount: str,
    label: str,
    *,
    pending: bool = False,
    deleted: bool = False,
    updated: str = '2026-11-20T06:00:00Z',
) -> ProviderTransaction:
    return ProviderTransaction(
        id=tid,
        account_id='acc',
        label=label,
        raw_label=label,
        amount=Decimal(amount),
        currency='EUR',
        date=date(2026, 11, day),
        booking_date=None if pending else date(2026, 11, day),
        value_date=date(2026, 11, day),
        operation_type='card',
        deleted=deleted,
        pending=pending,
        updated_at=updated,
    )


def run(account_id: int, item: str, batch: list[ProviderTransaction]) -> ImportResult:
    with session_scope() as session:
        return import_transactions(session, account_id, item, batch)


def rows(account_id: int) -> list[Transaction]:
    with session_scope() as session:
        query = select(Transaction).where(Transaction.account_id == account_id).order_by(Transaction.id)
        return list(session.exec(query))


BATCH = [
    tx('1', 3, '-42.50', 'PRLV SEPA EDF'),
    tx('2', 3, '-3.50', 'CB CAFE 03/11'),
    tx('3', 3, '-3.50', 'CB CAFE 03/11'),
    tx('4', 4, '1200.00', 'VIR SEPA RECU /DE ACME'),
]


def test_a_first_import_keeps_every_transaction_even_identical_ones(account_id: int) -> None:
    assert run(account_id, 'item-1', BATCH).inserted == 4
    assert [r.amount_cents for r in rows(account_id)] == [-4250, -350, -350, 120000]


def test_importing_the_same_batch_again_adds_nothing(account_id: int) -> None:
    run(account_id, 'item-1', BATCH)
    assert run(account_id, 'item-1', BATCH) == ImportResult(inserted=0, updated=4, removed=0)
    assert len(rows(account_id)) == 4


def test_a_reconnection_with_new_ids_attaches_them_to_the_same_rows(account_id: int) -> None:
    run(account_id, 'item-1', BATCH)
    before = [r.id for r in rows(account_id)]
    renumbered = [tx(f'9{t.id}', t.date.day, str(t.amount), t.label) for t in BATCH]
    assert run(account_id, 'item-2', renumbered).inserted == 0
    after = rows(account_id)
    assert [r.id for r in after] == before
    assert {r.provider_transaction_id for r in after} == {'91', '92', '93', '94'}


def test_a_new_identical_looking_transaction_of_the_same_connection_is_kept(account_id: int) -> None:
    run(account_id, 'item-1', BATCH)
    assert run(account_id, 'item-1', [tx('5', 3, '-3.50', 'CB CAFE 03/11')]).inserted == 1
    assert len(rows(account_id)) == 5


def test_a_pending_transaction_booked_under_another_id_keeps_its_row(account_id: int) -> None:
    run(account_id, 'item-1', [tx('p1', 20, '-19.99', 'CB AMAZON EU', pending=True)])
    (pending,) = rows(account_id)
    booked = [
        tx('p1', 20, '-19.99', 'CB AMAZON EU', pending=True, deleted=True),
        tx('b1', 21, '-19.99', 'CB AMAZON EU 20/11'),
    ]
    assert run(account_id, 'item-1', booked) == ImportResult(inserted=0, updated=1, removed=0)
    (row,) = rows(account_id)
    assert (row.id, row.pending, row.provider_transaction_id, row.date) == (pending.id, False, 'b1', date(2026, 11, 21))


def test_a_deleted_transaction_is_removed(account_id: int) -> None:
    run(account_id, 'item-1', BATCH)
    assert run(account_id, 'item-1', [tx('4', 4, '1200.00', 'VIR SEPA RECU /DE ACME', deleted=True)]).removed == 1
    assert len(rows(account_id)) == 3


def test_overlapping_windows_add_nothing_twice(account_id: int) -> None:
    run(account_id, 'item-1', BATCH[:3])
    run(account_id, 'item-1', BATCH[1:])
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Transaction)).one() == 4


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=4))
def test_an_amount_becomes_cents_rounded_half_to_even_whatever_its_decimals(amount: Decimal) -> None:
    assert cents(amount) == int((amount * 100).to_integral_value(rounding=ROUND_HALF_EVEN))


def test_a_statement_file_batch_stores_its_days_and_labels_as_before(account_id: int) -> None:
    batch = [
        FileTransaction(
            label='CB CAFE',
            raw_label=None,
            amount=Decimal('-3.50'),
            currency='EUR',
            booked=date(2026, 11, 3),
            valued=None,
            code='11',
        ),
        FileTransaction(
            label='VIR RECU',
            raw_label='VIR RECU ' + 'X' * 400,
            amount=Decimal('10.005'),
            currency='EUR',
            booked=date(2026, 11, 4),
            valued=date(2026, 11, 2),
            code=None,
        ),
    ]
    with session_scope() as session:
        assert import_transactions(session, account_id, None, batch).inserted == 2
    first, second = rows(account_id)
    assert (first.date, first.booking_date) == (date(2026, 11, 3), date(2026, 11, 3))
    assert first.value_date is None and first.raw_label is None
    assert first.fingerprint == '2026-11-03|-350|cb cafe|b|0'
    assert (second.value_date, second.amount_cents, len(second.raw_label)) == (date(2026, 11, 2), 1000, 300)
