"""Synchronisation with the aggregator: connect, refresh, record the status and import (services.sync_accounts).

Every database write runs in a worker thread (asyncio.to_thread), never on the event loop: on SQLite a write waits
for the one writer of the moment (a 200,000-entry import, say), and the pages of every tab would wait with it. Each
account's batch is imported in one database transaction. A bank or aggregator error
changes the connection's status and never touches what was already imported.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select

from services import audit, cadence, events, failures, maintenance, outbound, statuses
from services.banking import client_sync_module
from services.banking_models import BankAccount, BankConnection, ProviderUser
from services.clients import visible_client
from services.clock import now
from services.db import session_scope
from services.errors import DomainError, NotFound
from services.imports import ImportResult
from services.permissions import Actor, require
from services.providers import registry
from services.providers.base import Aggregator, ProviderAccount, ProviderError, ProviderItem, RateLimited
from services.sync_accounts import apply_item, attach_accounts, import_account

log = logging.getLogger(__name__)
REFRESH_POLL_SECONDS = 0.5
REFRESH_TIMEOUT_SECONDS = 90
FORCED_WINDOW_DAYS = 730

_running: set[int] = set()
_tasks: set[asyncio.Task] = set()


@dataclass(frozen=True)
class SyncOutcome:
    status: str
    imported: ImportResult
    message: str


def external_user(client_id: int) -> str:
    return f'relais-client-{client_id}'


def _module_for_client(actor: Actor, client_id: int) -> Aggregator:
    with session_scope() as session:
        visible_client(session, actor, client_id)
        enabled, module = client_sync_module(session, client_id)
    if not enabled:
        raise DomainError('Activez d’abord le système de synchronisation de ce dossier.')
    return registry.get(module)


async def ensure_provider_user(module: Aggregator, client_id: int) -> str:
    user = external_user(client_id)
    with session_scope() as session:
        known = session.exec(
            select(ProviderUser).where(ProviderUser.client_id == client_id, ProviderUser.provider == module.key)
        ).first()
    if known is None:
        uuid = await module.ensure_user(user)
        with session_scope() as session:
            session.add(
                ProviderUser(client_id=client_id, provider=module.key, external_user_id=user, provider_user_id=uuid)
            )
    return user


async def start_connection(actor: Actor, client_id: int, *, callback_url: str) -> str:
    """The aggregator's hosted page where the client picks the bank and signs in."""
    require(actor, 'bank.manage')
    module = _module_for_client(actor, client_id)
    with outbound.deadline():
        user = await ensure_provider_user(module, client_id)
        return await module.connect_url(user, email=actor.email, callback_url=callback_url, context=str(client_id))


async def fix_connection_url(actor: Actor, connection_id: int, *, callback_url: str) -> str:
    """The hosted page that fixes a connection (new secret code, strong authentication, pro accounts)."""
    require(actor, 'bank.manage')
    connection = _connection_for(actor, connection_id)
    module = registry.get(connection.provider)
    with outbound.deadline():
        return await module.connect_url(
            external_user(connection.client_id),
            email=actor.email,
            callback_url=callback_url,
            item_id=connection.provider_item_id,
            context=str(connection.client_id),
        )


def _connection_for(actor: Actor, connection_id: int) -> BankConnection:
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        if connection is None or connection.firm_id != actor.firm_id or connection.deleted_at is not None:
            raise NotFound('Connexion bancaire')
        visible_client(session, actor, connection.client_id)
        return connection


async def finish_connection(actor: Actor, client_id: int, *, item_id: str, bank_name: str | None = None) -> int:
    """Back from the hosted pages: record the connection and its accounts (by IBAN), then synchronise."""
    require(actor, 'bank.manage')
    module = _module_for_client(actor, client_id)
    user = external_user(client_id)
    with outbound.deadline():
        item = await module.item(user, item_id)
        accounts = await module.accounts(user, item_id)
        name = bank_name or await _bank_name(module, item.bank_id)
    connection_id = await asyncio.to_thread(register_connection, actor, client_id, module.key, item, accounts, name)
    launch(sync_connection(connection_id, user_present=True, refresh=False))
    return connection_id


def register_connection(
    actor: Actor, client_id: int, module_key: str, item: ProviderItem, accounts: list[ProviderAccount], bank_name: str
) -> int:
    """Record the aggregator item as a connection of the client file (once) and attach its accounts, without syncing."""
    with session_scope() as session:
        connection = session.exec(
            select(BankConnection).where(
                BankConnection.client_id == client_id,
                BankConnection.provider == module_key,
                BankConnection.provider_item_id == item.id,
                col(BankConnection.deleted_at).is_(None),
            )
        ).first()
        if connection is None:
            connection = BankConnection(
                client_id=client_id,
                firm_id=actor.firm_id,
                provider=module_key,
                provider_item_id=item.id,
                bank_id=item.bank_id,
                bank_name=bank_name,
            )
            audit.record(
                session,
                'bank.connection_added',
                actor=actor,
                target_type='client',
                target_id=client_id,
                detail=f'{bank_name} (item {item.id})',
            )
        apply_item(connection, item)
        session.add(connection)
        session.flush()
        attach_accounts(session, connection, accounts)
        return connection.id


_bank_names: dict[str, str] = {}


async def _bank_name(module: Aggregator, bank_id: str | None) -> str:
    if bank_id and bank_id not in _bank_names:
        _bank_names.update({bank.id: bank.name for bank in await module.banks()})
    return _bank_names.get(bank_id or '', 'Banque')


def launch(coroutine) -> asyncio.Task:
    """Run in the background, keeping a reference so the task is not collected mid-way; the deadline of the click
    that started it does not follow it."""
    task = asyncio.get_running_loop().create_task(coroutine, context=outbound.unbounded_context())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return task


def _emit(connection: BankConnection, status: str, message: str, new_transactions: int = 0) -> None:
    events.emit(
        events.ConnectionChanged(
            firm_id=connection.firm_id,
            client_id=connection.client_id,
            connection_id=connection.id,
            status=status,
            message=message,
            new_transactions=new_transactions,
        )
    )


async def sync_connection(connection_id: int, *, user_present: bool, refresh: bool = True) -> SyncOutcome:
    """Refresh the connection at the aggregator (unless it just was), then import every synchronised account."""
    if connection_id in _running:
        raise DomainError('Une synchronisation de cette connexion est déjà en cours.')
    _running.add(connection_id)
    try:
        return await _sync(connection_id, user_present=user_present, refresh=refresh)
    finally:
        _running.discard(connection_id)


def _start(connection_id: int) -> tuple[BankConnection, bool, str | None]:
    """The connection, whether its file syncs, and the notice of a maintenance that skips this sync."""
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        if connection is None or connection.deleted_at is not None:
            raise NotFound('Connexion bancaire')
        enabled, _module = client_sync_module(session, connection.client_id)
        window = maintenance.active(session, firm_id=connection.firm_id, bank_name=connection.bank_name)
        if window is not None:
            connection.status, connection.status_description = 'maintenance', window.message
            connection.next_sync_at = window.ends_at  # resumes by itself once the window is over
        elif enabled:
            connection.last_attempt_at = connection.sync_started_at = now()
        session.add(connection)
        return connection, enabled, window.message if window else None


def _record(connection_id: int, item: ProviderItem | None, *, error: str | None = None) -> str:
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        if item is not None:
            apply_item(connection, item)
        else:  # the sync ends here; otherwise it ends once its accounts are imported (_count_new)
            connection.status, connection.status_description = 'provider_error', error
            connection.sync_started_at = None
        connection.failures = connection.failures + 1 if connection.status in cadence.RETRYABLE else 0
        connection.next_sync_at = cadence.next_sync(connection.status, failures=connection.failures, at=now())
        session.add(connection)
        return connection.status


def _postpone(connection_id: int, seconds: float) -> None:
    """The aggregator's quota is spent: the next unattended sync waits until it frees a slot."""
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        connection.next_sync_at = now() + timedelta(seconds=seconds)
        connection.sync_started_at = None
        session.add(connection)


async def _refreshed_item(
    module: Aggregator, user: str, item_id: str, *, refresh: bool, user_present: bool
) -> ProviderItem:
    if refresh:
        await module.refresh(user, item_id, user_present=user_present)
    for _ in range(int(REFRESH_TIMEOUT_SECONDS / REFRESH_POLL_SECONDS)):
        if await module.refresh_finished(user, item_id):
            break
        await asyncio.sleep(REFRESH_POLL_SECONDS)
    return await module.item(user, item_id)


async def _sync(connection_id: int, *, user_present: bool, refresh: bool) -> SyncOutcome:
    connection, enabled, notice = await asyncio.to_thread(_start, connection_id)
    client_id, item_id = connection.client_id, connection.provider_item_id
    if not enabled:
        return SyncOutcome('disabled', ImportResult(), 'La synchronisation est désactivée pour ce dossier.')
    if notice is not None:
        _emit(connection, 'maintenance', notice)
        return SyncOutcome('maintenance', ImportResult(), f'Maintenance planifiée : {notice}')
    module, user = registry.get(connection.provider), external_user(client_id)
    _emit(connection, 'syncing', 'Synchronisation en cours…')
    try:
        item = await _refreshed_item(module, user, item_id, refresh=refresh, user_present=user_present)
        status = await asyncio.to_thread(_record, connection_id, item)
        # The aggregator keeps what its last successful refresh brought (the non-professional accounts of a 1100,
        # the data of the sync just before a 1010): import it whatever the status says now.
        has_data = item.last_success_at is not None
        imported = await _import_connection(module, user, connection, status) if has_data else ImportResult()
    except RateLimited as limited:
        await asyncio.to_thread(_postpone, connection_id, limited.retry_after)
        message = (
            f'Limite de synchronisations DSP2 atteinte : réessayez dans {max(1, int(limited.retry_after // 60))} min.'
        )
        _emit(connection, connection.status, message)
        return SyncOutcome(connection.status, ImportResult(), message)
    except ProviderError as error:
        log.warning('sync of connection %s: %s (%s)', connection_id, error, error.detail)
        status = await asyncio.to_thread(_record, connection_id, None, error=str(error))
        _emit(connection, status, str(error))
        return SyncOutcome(status, ImportResult(), str(error))
    except Exception as error:  # a fault of ours: the connection says so, the support gets an id, nothing half-done
        error_id = failures.report(
            error, where=f'synchronisation de la connexion {connection_id}', firm_id=connection.firm_id
        )
        message = f'Erreur technique pendant la synchronisation (code {error_id}) : réessayez dans quelques minutes.'
        status = await asyncio.to_thread(_record, connection_id, None, error=message)
        _emit(connection, status, message)
        return SyncOutcome(status, ImportResult(), message)
    message = (
        statuses.STATUSES[status].sentence
        if status != 'ok'
        else (f'Synchronisation terminée : {imported.inserted} nouvelle(s) opération(s).')
    )
    await asyncio.to_thread(_count_new, connection_id, imported.inserted)
    _emit(connection, status, message, imported.inserted)
    return SyncOutcome(status, imported, message)


def resume_interrupted() -> int:
    """At start-up: the syncs a stopped process left half-way are due now (what they imported is kept, and the import
    is idempotent, so the next sync adds only what is missing). How many."""
    with session_scope() as session:
        stopped = session.exec(select(BankConnection).where(col(BankConnection.sync_started_at).is_not(None))).all()
        for connection in stopped:
            connection.sync_started_at, connection.next_sync_at = None, now()
            session.add(connection)
        return len(stopped)


def _count_new(connection_id: int, inserted: int) -> None:
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        connection.new_transactions, connection.sync_started_at = inserted, None
        session.add(connection)


async def _import_connection(module: Aggregator, user: str, connection: BankConnection, status: str) -> ImportResult:
    provided = await module.accounts(user, connection.provider_item_id)
    accounts = await asyncio.to_thread(_attached, connection.id, provided)
    total = ImportResult()
    for index, account in enumerate(accounts, start=1):
        batch = await module.transactions(user, account.provider_account_id, since=account.cursor)
        total.add(await asyncio.to_thread(import_account, account.id, connection.provider_item_id, batch))
        _emit(
            connection,
            'syncing',
            f'Synchronisation en cours : compte {index}/{len(accounts)}…',
        )
    if status == 'ok':
        await asyncio.to_thread(_succeeded, connection.id)
    return total


def _attached(connection_id: int, provided: list[ProviderAccount]) -> list[BankAccount]:
    """The connection's accounts once the aggregator's list is attached (by IBAN): those that sync."""
    with session_scope() as session:
        attach_accounts(session, session.get(BankConnection, connection_id), provided)
        query = select(BankAccount).where(
            BankAccount.connection_id == connection_id, col(BankAccount.sync_enabled).is_(True)
        )
        return list(session.exec(query))


def _succeeded(connection_id: int) -> None:
    with session_scope() as session:
        stored = session.get(BankConnection, connection_id)
        stored.last_success_at = now()
        session.add(stored)
