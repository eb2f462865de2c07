"""What a person asks by hand: a forced window, a refresh with the user present, removing a connection."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from sqlmodel import col, select

from services import access, audit
from services.banking import account_for
from services.banking_models import BankAccount, BankConnection
from services.clients import visible_client
from services.clock import now
from services.db import session_scope
from services.errors import DomainError, InvalidInput
from services.imports import ImportResult
from services.permissions import Actor, require
from services.providers import registry
from services.providers.base import ProviderError
from services.sync import (
    FORCED_WINDOW_DAYS,
    SyncOutcome,
    _connection_for,
    _module_for_client,
    external_user,
    sync_connection,
)
from services.sync_accounts import import_account

log = logging.getLogger(__name__)


def _check_window(start: date | None, end: date | None) -> tuple[date, date]:
    today = now().date()
    errors: dict[str, str] = {}
    if start is None:
        errors['start'] = 'Indiquez la date de début.'
    if end is None:
        errors['end'] = 'Indiquez la date de fin.'
    if not errors and start > end:
        errors['end'] = 'La date de fin doit suivre la date de début.'
    if not errors and end > today:
        errors['end'] = 'La date de fin ne peut pas être dans le futur.'
    if not errors and start < today - timedelta(days=FORCED_WINDOW_DAYS):
        errors['start'] = 'La banque ne fournit pas plus de deux ans d’historique.'
    if errors:
        raise InvalidInput(errors)
    return start, end


def _window_accounts(actor: Actor, client_id: int, account_id: int | None) -> list[BankAccount]:
    with session_scope() as session:
        visible_client(session, actor, client_id)
        if account_id is not None:
            account = account_for(session, actor, account_id)
            accounts = [account] if account.client_id == client_id else []
        else:
            # « Tous » means every account linked to a treasury account
            accounts = list(
                session.exec(
                    select(BankAccount).where(
                        BankAccount.client_id == client_id,
                        col(BankAccount.treasury_account_id).is_not(None),
                        col(BankAccount.sync_enabled).is_(True),
                    )
                )
            )
        live = {c.id for c in session.exec(select(BankConnection).where(col(BankConnection.deleted_at).is_(None)))}
    accounts = [a for a in accounts if a.provider_account_id and a.connection_id in live]
    if not accounts:
        raise DomainError('Aucun compte synchronisable : rattachez un compte à un compte de trésorerie.')
    return accounts


async def force_sync(
    actor: Actor, client_id: int, *, account_id: int | None, start: date | None, end: date | None
) -> ImportResult:
    """Import the window now; overlapping windows add nothing twice."""
    require(actor, 'bank.manage')
    start, end = _check_window(start, end)
    module = _module_for_client(actor, client_id)
    user, total = external_user(client_id), ImportResult()
    for account in _window_accounts(actor, client_id, account_id):
        with session_scope() as session:
            item_id = session.get(BankConnection, account.connection_id).provider_item_id
        batch = await module.transactions(user, account.provider_account_id, min_date=start, max_date=end)
        total.add(await asyncio.to_thread(import_account, account.id, item_id, batch, move_cursor=False))
    with session_scope() as session:
        audit.record(
            session,
            'bank.forced_sync',
            actor=actor,
            target_type='client',
            target_id=client_id,
            detail=f'{start}..{end} compte={account_id or "tous"} +{total.inserted}',
        )
    return total


async def refresh_now(actor: Actor, connection_id: int) -> SyncOutcome:
    """« Synchronisation avec la banque »: with the user present, so the PSD2 daily quota does not apply."""
    with session_scope() as session:
        access.connection(session, actor, connection_id, 'connection.sync')
    return await sync_connection(connection_id, user_present=True)


async def delete_connection(actor: Actor, connection_id: int) -> None:
    """Remove the connection; the accounts and their imported history stay."""
    require(actor, 'bank.manage')
    connection = _connection_for(actor, connection_id)
    try:
        await registry.get(connection.provider).delete_item(
            external_user(connection.client_id), connection.provider_item_id
        )
    except ProviderError as error:  # already gone at the aggregator, or unreachable: ours goes anyway
        log.warning('aggregator did not delete item %s: %s', connection.provider_item_id, error)
    with session_scope() as session:
        stored = session.get(BankConnection, connection_id)
        stored.deleted_at = now()
        session.add(stored)
        for account in session.exec(select(BankAccount).where(BankAccount.connection_id == connection_id)):
            account.connection_id = account.provider_account_id = account.cursor = None
            session.add(account)
        audit.record(
            session,
            'bank.connection_deleted',
            actor=actor,
            target_type='client',
            target_id=connection.client_id,
            detail=f'{connection.bank_name} (item {connection.provider_item_id})',
        )
