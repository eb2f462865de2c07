"""Relais's sync services end to end: a client file connects a bank through the hosted pages of the demo
aggregator (a real server), Relais imports it into its database (SQLite and PostgreSQL), and keeps it right
through re-syncs, reconnections, forced windows, days passing, bank failures and removals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from services import banking, sync, sync_manual, webhooks
from services.banking_models import BankAccount, BankConnection, Transaction
from services.clock import aware, now
from services.db import session_scope
from services.imports import cents
from services.permissions import Actor
from services.providers.base import ProviderError
from services.providers.bridge import BridgeAggregator
from tests.integration.conftest import Receiver, SandboxServer, settle
from tests.integration.hosted import CALLBACK, Connected, bank_id, connect_through_pages, unique

SQLITE_ONLY = pytest.mark.parametrize('database', ['sqlite'], indirect=True)


async def hosted_item(admin: Actor, client_id: int, identifiant: str, module: BridgeAggregator) -> Connected:
    url = await sync.start_connection(admin, client_id, callback_url=CALLBACK)
    connected = await connect_through_pages(url, identifiant, await bank_id(module))
    assert connected.context == str(client_id)
    return connected


async def connect(admin: Actor, client_id: int, identifiant: str, module: BridgeAggregator) -> int:
    """The client connects the bank; Relais records it and its first sync ends."""
    connected = await hosted_item(admin, client_id, identifiant, module)
    connection_id = await sync.finish_connection(admin, client_id, item_id=connected.item_id)
    await settle()
    return connection_id


def connection(connection_id: int) -> BankConnection:
    with session_scope() as session:
        return session.get(BankConnection, connection_id)


def accounts_of(connection_id: int) -> list[BankAccount]:
    with session_scope() as session:
        query = select(BankAccount).where(BankAccount.connection_id == connection_id).order_by(BankAccount.id)
        return list(session.exec(query))


def rows(account_ids: list[int]) -> list[Transaction]:
    with session_scope() as session:
        query = select(Transaction).where(col(Transaction.account_id).in_(account_ids)).order_by(Transaction.id)
        return list(session.exec(query))


async def check_matches_aggregator(module: BridgeAggregator, client_id: int, connection_id: int) -> int:
    """Relais holds exactly what a fresh full listing of the aggregator shows, account by account; the row count."""
    user, total = sync.external_user(client_id), 0
    for account in accounts_of(connection_id):
        listed = await module.transactions(user, account.provider_account_id)
        held = rows([account.id])
        assert sorted(r.provider_transaction_id for r in held) == sorted(t.id for t in listed)
        assert sum(r.amount_cents for r in held) == sum(cents(t.amount) for t in listed)
        assert sorted(r.id for r in held if r.pending) == sorted(r.id for r in held if r.booking_date is None)
        total += len(held)
    return total


async def test_the_first_sync_imports_the_history_and_the_balances_in_cents(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    stored = connection(connection_id)
    assert (stored.status, stored.bank_name, stored.last_success_at is not None) == ('ok', 'BNP Paribas', True)
    provided = {a.id: a for a in await bridge.accounts(sync.external_user(fictive), stored.provider_item_id)}
    accounts = accounts_of(connection_id)
    assert [(a.name, a.kind) for a in accounts] == [('Compte courant', 'checking'), ('Livret A', 'savings')]
    for account in accounts:
        assert account.iban == provided[account.provider_account_id].iban
        assert account.balance_cents == cents(provided[account.provider_account_id].balance)
    assert await check_matches_aggregator(bridge, fictive, connection_id) > 40


async def test_syncing_again_adds_no_duplicate(admin: Actor, fictive: int, bridge: BridgeAggregator) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    before = await check_matches_aggregator(bridge, fictive, connection_id)
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert outcome.status == 'ok'
    assert await check_matches_aggregator(bridge, fictive, connection_id) == (
        before + outcome.imported.inserted - outcome.imported.removed
    )


async def test_reconnecting_the_same_bank_lands_on_the_same_accounts_without_duplicates(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    identifiant = unique('demo')
    first = await connect(admin, fictive, identifiant, bridge)
    before = {a.iban: a.id for a in accounts_of(first)}
    count = len(rows(list(before.values())))
    second = await connect(admin, fictive, identifiant, bridge)
    assert second != first
    assert connection(second).provider_item_id != connection(first).provider_item_id
    assert {a.iban: a.id for a in accounts_of(second)} == before
    assert accounts_of(first) == []
    assert await check_matches_aggregator(bridge, fictive, second) == count


@SQLITE_ONLY
async def test_the_old_connection_left_in_place_does_not_take_the_accounts_back(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    identifiant = unique('demo')
    old = await connect(admin, fictive, identifiant, bridge)
    new = await connect(admin, fictive, identifiant, bridge)
    moved = {a.id: a.provider_account_id for a in accounts_of(new)}
    outcome = await sync.sync_connection(old, user_present=True)  # a scheduled round, a webhook, « Synchroniser »
    assert (outcome.status, outcome.imported.inserted, outcome.imported.updated) == ('ok', 0, 0)
    assert accounts_of(old) == []
    assert {a.id: a.provider_account_id for a in accounts_of(new)} == moved
    await check_matches_aggregator(bridge, fictive, new)


async def test_overlapping_forced_windows_add_nothing_twice(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    connected = await hosted_item(admin, fictive, unique('demo'), bridge)
    user = sync.external_user(fictive)
    item = await bridge.item(user, connected.item_id)
    provided = await bridge.accounts(user, connected.item_id)
    connection_id = sync.register_connection(admin, fictive, 'bridge', item, provided, 'BNP Paribas')  # no sync yet
    treasury = banking.add_treasury_account(admin, fictive)
    for account in accounts_of(connection_id):
        banking.link_treasury(admin, account.id, treasury.id)
    today = now().date()
    early = await sync_manual.force_sync(
        admin, fictive, account_id=None, start=today - timedelta(days=60), end=today - timedelta(days=20)
    )
    late = await sync_manual.force_sync(admin, fictive, account_id=None, start=today - timedelta(days=40), end=today)
    again = await sync_manual.force_sync(
        admin, fictive, account_id=None, start=today - timedelta(days=50), end=today - timedelta(days=10)
    )
    listed = [
        t
        for a in provided
        for t in await bridge.transactions(user, a.id, min_date=today - timedelta(days=60), max_date=today)
    ]
    held = rows([a.id for a in accounts_of(connection_id)])
    assert early.inserted > 0 and late.inserted > 0 and again.inserted == 0
    assert early.inserted + late.inserted == len(held) == len(listed)
    assert sorted(r.provider_transaction_id for r in held) == sorted(t.id for t in listed)


async def test_three_days_later_pending_operations_are_booked_and_withdrawn_ones_removed(
    admin: Actor, fictive: int, bridge: BridgeAggregator, sandbox: SandboxServer
) -> None:
    sandbox.advance_to_next(weekday=2, hour=12)  # a Wednesday noon: Tuesday's and the morning's operations pending
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    cursors = {a.id: a.cursor for a in accounts_of(connection_id)}
    pending_before = {r.id for r in rows(list(cursors)) if r.pending}
    assert pending_before
    three_days_later = sandbox.advance_clock(3)
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert outcome.status == 'ok' and outcome.imported.updated >= len(pending_before)
    await check_matches_aggregator(bridge, fictive, connection_id)
    after = {r.id: r for r in rows(list(cursors))}
    assert all(not after[row_id].pending and after[row_id].booking_date for row_id in pending_before)
    assert all(r.date >= three_days_later.date() - timedelta(days=1) for r in after.values() if r.pending)
    user = sync.external_user(fictive)
    for account in accounts_of(connection_id):
        changes = await bridge.transactions(user, account.provider_account_id, since=cursors[account.id])
        withdrawn = {t.id for t in changes if t.deleted}
        assert not withdrawn & {r.provider_transaction_id for r in after.values() if r.account_id == account.id}
        provided = {a.id: a for a in await bridge.accounts(user, connection(connection_id).provider_item_id)}
        assert account.balance_cents == cents(provided[account.provider_account_id].balance)


async def test_a_bank_that_is_down_leaves_the_imported_data_untouched(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    healthy = await connect(admin, fictive, unique('demo'), bridge)
    snapshot = [(r.id, r.provider_transaction_id, r.amount_cents) for r in rows([a.id for a in accounts_of(healthy)])]
    down = await connect(admin, fictive, unique('down'), bridge)
    assert connection(down).status == 'bank_unavailable'
    outcome = await sync.sync_connection(down, user_present=True)
    assert (outcome.status, outcome.imported.inserted) == ('bank_unavailable', 0)
    assert accounts_of(down) == []
    assert connection(healthy).status == 'ok'
    assert [(r.id, r.provider_transaction_id, r.amount_cents) for r in rows([a.id for a in accounts_of(healthy)])] == (
        snapshot
    )


@SQLITE_ONLY
async def test_a_refused_secret_code_keeps_what_was_imported(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    connection_id = await connect(admin, fictive, unique('pwd'), bridge)
    account_ids = [a.id for a in accounts_of(connection_id)]
    snapshot = [(r.id, r.amount_cents) for r in rows(account_ids)]
    assert snapshot
    outcome = await sync.sync_connection(connection_id, user_present=False)
    assert outcome.status == connection(connection_id).status == 'credentials_invalid'
    assert [(r.id, r.amount_cents) for r in rows(account_ids)] == snapshot


async def test_removing_a_connection_keeps_its_accounts_and_history(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    item_id = connection(connection_id).provider_item_id
    accounts = accounts_of(connection_id)
    snapshot = [(r.id, r.amount_cents) for r in rows([a.id for a in accounts])]
    await sync_manual.delete_connection(admin, connection_id)
    assert connection(connection_id).deleted_at is not None
    with session_scope() as session:
        kept = [session.get(BankAccount, a.id) for a in accounts]
    assert [(a.iban, a.connection_id, a.provider_account_id) for a in kept] == [(a.iban, None, None) for a in accounts]
    assert [(r.id, r.amount_cents) for r in rows([a.id for a in accounts])] == snapshot
    with pytest.raises(ProviderError) as gone:
        await bridge.item(sync.external_user(fictive), item_id)
    assert gone.value.status == 404


@SQLITE_ONLY
async def test_a_real_refresh_webhook_is_handled_once_and_a_forged_one_refused(
    admin: Actor, fictive: int, bridge: BridgeAggregator, receiver: Receiver
) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    delivery = receiver.wait_for(connection(connection_id).provider_item_id, 'item.refreshed')
    assert webhooks.handle('bridge', delivery.body, delivery.signature)
    await settle()
    assert not webhooks.handle('bridge', delivery.body, delivery.signature)  # the same delivery again
    with pytest.raises(webhooks.BadSignature):
        webhooks.handle('bridge', delivery.body + b' ', delivery.signature)
    await check_matches_aggregator(bridge, fictive, connection_id)


def started_at(connection_id: int, moment=None):
    """When the connection's last sync started; with ``moment``, pretend it started then."""
    with session_scope() as session:
        stored = session.get(BankConnection, connection_id)
        if moment is not None:
            stored.last_attempt_at = moment
            session.add(stored)
        return stored.last_attempt_at


async def refreshed_webhook(connection_id: int, receiver: Receiver) -> None:
    delivery = receiver.wait_for(connection(connection_id).provider_item_id, 'item.refreshed')
    assert webhooks.handle('bridge', delivery.body, delivery.signature)
    await settle()


@SQLITE_ONLY
async def test_the_webhook_of_a_refresh_relais_just_imported_starts_no_second_sync(
    admin: Actor, fictive: int, bridge: BridgeAggregator, receiver: Receiver
) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    await settle()
    just_now = started_at(connection_id)
    await refreshed_webhook(connection_id, receiver)
    assert started_at(connection_id) == just_now


@SQLITE_ONLY
async def test_the_webhook_of_a_refresh_relais_did_not_read_starts_a_sync(
    admin: Actor, fictive: int, bridge: BridgeAggregator, receiver: Receiver
) -> None:
    connection_id = await connect(admin, fictive, unique('demo'), bridge)
    await settle()
    long_ago = now() - timedelta(minutes=10)
    started_at(connection_id, long_ago)
    await refreshed_webhook(connection_id, receiver)
    assert aware(started_at(connection_id)) > long_ago
