"""« Trésorerie »: a treasury account's balance day by day, the computed balance against the bank's, the holes of the
history, and « Forcer la synchronisation » of a missing range (against the demo aggregator when it needs one)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete
from sqlmodel import col, func, select

from services import banking, demo, sync, sync_manual, treasury
from services.banking_models import BankAccount, BankConnection, Transaction, TreasuryAccount
from services.clock import now
from services.db import session_scope
from services.demo_people import PREPARER_EMAIL
from services.errors import DomainError, NotFound
from services.formatting import money
from services.models import AuditEvent, Client, User
from services.permissions import Actor
from services.providers.bridge import BridgeAggregator
from services.rights import Grant, replace_grants
from services.treasury_gaps import MISMATCH, MISSING_DAYS, STALE_SYNC
from tests.actors import sign_in
from tests.integration.conftest import bridge, receiver, sandbox, settle  # noqa: F401
from tests.integration.hosted import CALLBACK, bank_id, connect_through_pages, unique
from tests.ventilation_world import VentilationWorld, add_statement, build

NOVEMBER_TOTAL = -19_629  # the twelve November entries of the world, in cents
REPORTED = 152_411  # the balance the world's bank reports
AGA = 'AGA COMPTA'  # a file whose sync module is on, so that its connections may be forced
OWN = 7  # « Banque n°7 » of AGA COMPTA: a treasury account of these tests alone
SQLITE_ONLY = pytest.mark.parametrize('database', ['sqlite'], indirect=True)


def nov(day_of_month: int) -> date:
    return date(2026, 11, day_of_month)


def only_view(actor: Actor, world: VentilationWorld) -> treasury.TreasuryView:
    return next(v for v in treasury.treasury_overview(actor, world.client_id) if v.treasury_id == world.treasury_id)


def connect(world: VentilationWorld, *, last_success_days_ago: int) -> int:
    """The world's account as brought by an aggregator connection that last succeeded that many days ago."""
    with session_scope() as session:
        client = session.get(Client, world.client_id)
        connection = BankConnection(
            client_id=client.id,
            firm_id=client.firm_id,
            provider='bridge',
            provider_item_id='4242',
            bank_name='BNP Paribas',
            status='ok',
            last_success_at=now() - timedelta(days=last_success_days_ago),
        )
        session.add(connection)
        session.flush()
        account = session.get(BankAccount, world.account_id)
        account.connection_id, account.provider_account_id = connection.id, '42421'
        account.cursor = '2026-11-20T00:00:00Z'
        session.add(account)
        return connection.id


def test_the_series_adds_up_the_booked_days_of_every_account(admin: Actor) -> None:
    # two accounts on « Banque n°7 » of AGA COMPTA
    first, second = build(AGA, treasury_number=OWN), build(AGA, treasury_number=OWN, account_number=2)
    with session_scope() as session:  # a card payment not booked yet is not in any balance
        session.add(Transaction(account_id=first.account_id, fingerprint='p', date=nov(5), amount_cents=99_999,
                                label='CB EN COURS', pending=True))  # fmt: skip
    view = only_view(admin, first)
    assert [a.account_id for a in view.accounts] == [first.account_id, second.account_id]
    assert view.series[nov(5)] - view.series[nov(4)] == 2 * 180_000
    assert view.series[max(view.series)] == 2 * REPORTED == view.reported_cents
    assert view.series[nov(3)] == 2 * (REPORTED - NOVEMBER_TOTAL - 12_000)  # EDF on the 3rd, the first day
    assert min(view.series) == nov(3) and max(view.series) >= nov(24)
    assert all(a.difference_cents == 0 for a in view.accounts)  # anchored on the bank's balance: nothing to set apart


def test_the_computed_balance_is_set_against_the_balance_the_bank_reports(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    add_statement(world, (date(2026, 10, 31), 100_000), (nov(30), 100_000 + NOVEMBER_TOTAL))
    (row,) = only_view(admin, world).accounts
    assert row.computed_cents == 80_371
    assert (row.reported_cents, row.difference_cents) == (REPORTED, 80_371 - REPORTED)
    assert row.anchor == 'depuis le solde d’ouverture du 31/10/2026'


def test_an_opening_that_does_not_match_the_previous_closing_is_a_gap_over_that_range(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    add_statement(world, (date(2026, 10, 31), 100_000), (nov(10), 251_361))
    add_statement(world, (nov(10), 256_361), (nov(30), 85_371))  # 50 € more than the closing it follows
    (gap,) = only_view(admin, world).gaps
    assert (gap.kind, gap.start, gap.end, gap.iban) == (MISMATCH, nov(10), nov(10), world.iban)
    assert gap.sentence == (
        f'Le solde d’ouverture du relevé du 10/11/2026 ({money(256_361)}) ne correspond pas au solde de clôture du '
        f'relevé précédent du 10/11/2026 ({money(251_361)}) : écart de {money(5_000)}.'
    )


def test_business_days_no_statement_covers_are_a_gap_that_asks_for_the_statement(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    add_statement(world, (date(2026, 10, 31), 100_000), (nov(6), 259_441))  # up to Friday 6
    add_statement(world, (nov(13), 347_361), (nov(30), 100_000 + NOVEMBER_TOTAL))  # from Friday 13: a week lost
    (gap,) = only_view(admin, world).gaps
    assert (gap.kind, gap.start, gap.end) == (MISSING_DAYS, nov(9), nov(12))
    assert gap.sentence == 'Aucun relevé du 09/11/2026 au 12/11/2026 (4 jour(s) ouvré(s) manquant(s)).'
    assert (gap.can_sync, gap.upload_path) == (False, f'/ibans/{world.account_id}')


def test_statements_that_chain_over_a_weekend_leave_no_gap(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    add_statement(world, (date(2026, 10, 31), 100_000), (nov(6), 259_441))  # to Friday
    add_statement(world, (nov(9), 259_441), (nov(16), 222_361))  # from Monday: the weekend is no business day
    add_statement(world, (nov(16), 222_361), (nov(30), 100_000 + NOVEMBER_TOTAL))
    view = only_view(admin, world)
    assert view.gaps == []
    assert view.accounts[0].computed_cents == 100_000 + NOVEMBER_TOTAL


def test_a_client_user_sees_only_the_accounts_they_may_consult(demo_data: None) -> None:
    hidden, shown = build(demo.FICTIVE), build(demo.FICTIVE, account_number=2)
    with session_scope() as session:
        preparer = session.exec(select(User).where(User.email == PREPARER_EMAIL)).one()
        replace_grants(session, user=preparer, grants=[Grant('account', shown.account_id, True, False, False)])
    preparer = sign_in(PREPARER_EMAIL)
    (view,) = treasury.treasury_overview(preparer, hidden.client_id)
    assert [a.iban for a in view.accounts] == [shown.iban]
    assert view.series[nov(5)] - view.series[nov(4)] == 180_000  # the hidden account's money is not in it either
    (whole,) = treasury.treasury_overview(sign_in('dirigeant@entreprise-fictive.fr'), hidden.client_id)
    assert {a.iban for a in whole.accounts} == {hidden.iban, shown.iban}  # the dirigeant sees every one
    with pytest.raises(NotFound):
        treasury.treasury_overview(preparer, build('Garage des Alpes').client_id)


def test_a_client_user_without_consultation_sees_no_treasury_account(demo_data: None) -> None:
    world = build(demo.FICTIVE)
    assert treasury.treasury_overview(sign_in(PREPARER_EMAIL), world.client_id) == []


def test_a_connected_account_silent_for_more_than_three_business_days_may_be_forced(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    connect(world, last_success_days_ago=10)
    (gap,) = only_view(admin, world).gaps
    assert (gap.kind, gap.end, gap.can_sync, gap.upload_path) == (STALE_SYNC, treasury._today(), True, None)
    assert gap.sentence.startswith('Dernière synchronisation réussie le ')


def test_a_connection_synced_yesterday_is_no_gap(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    connect(world, last_success_days_ago=1)
    assert only_view(admin, world).gaps == []


async def test_an_account_without_connection_cannot_be_forced(admin: Actor) -> None:
    world = build(AGA, treasury_number=OWN)
    with pytest.raises(DomainError, match='déposez le relevé manquant'):
        await treasury.force_range(admin, world.account_id, nov(9), nov(12))


async def test_forcing_a_range_moves_the_cursor_back_even_when_the_bank_fails(
    admin: Actor, unreachable_aggregator: None
) -> None:
    world = build(AGA, treasury_number=OWN)
    connect(world, last_success_days_ago=10)
    outcome = await treasury.force_range(admin, world.account_id, nov(9), nov(12))
    assert outcome.status == 'provider_error'
    with session_scope() as session:
        assert session.get(BankAccount, world.account_id).cursor == '2026-11-08T00:00:00Z'  # the next sync reads it
        event = session.exec(select(AuditEvent).where(AuditEvent.action == 'bank.forced_sync')).one()
    assert (event.target_id, event.detail) == (str(world.account_id), f'2026-11-09..2026-11-12 compte={world.iban} '
                                               '(trésorerie)')  # fmt: skip


async def test_forcing_a_missing_range_brings_it_back_from_the_aggregator(
    admin: Actor,
    bridge: BridgeAggregator,  # noqa: F811
) -> None:
    with session_scope() as session:
        client_id = session.exec(select(Client.id).where(Client.legal_name == demo.FICTIVE)).one()
        treasury_id = session.exec(select(TreasuryAccount.id).where(TreasuryAccount.client_id == client_id)).first()
    banking.set_activation(admin, client_id, enabled=True, module='bridge')
    url = await sync.start_connection(admin, client_id, callback_url=CALLBACK)
    connected = await connect_through_pages(url, unique('demo'), await bank_id(bridge))
    connection_id = await sync.finish_connection(admin, client_id, item_id=connected.item_id)
    await settle()
    with session_scope() as session:
        checking = session.exec(
            select(BankAccount).where(BankAccount.connection_id == connection_id, BankAccount.kind == 'checking')
        ).one()
    banking.link_treasury(admin, checking.id, treasury_id)
    today = treasury._today()
    start, end = today - timedelta(days=20), today - timedelta(days=10)
    in_range = (
        col(Transaction.account_id) == checking.id,
        col(Transaction.date).between(start, end),
        col(Transaction.pending).is_(False),
    )

    def held() -> int:
        with session_scope() as session:
            return session.exec(select(func.count()).select_from(Transaction).where(*in_range)).one()

    lost = held()
    with session_scope() as session:  # the history of those days never arrived
        session.execute(delete(Transaction).where(*in_range))
    assert lost > 0
    assert (await sync_manual.refresh_now(admin, connection_id)).status == 'ok'
    assert held() == 0  # a plain sync asks only for what changed since the cursor
    outcome = await treasury.force_range(admin, checking.id, start, end)
    assert outcome.status == 'ok' and outcome.imported.inserted >= lost
    assert held() == lost
