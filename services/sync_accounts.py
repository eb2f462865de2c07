"""The aggregator's answers kept in Relais: a connection's status, its accounts (known by IBAN, so a reconnection
finds the same account and its history) and each account's transactions, imported in one database transaction."""

from __future__ import annotations

from sqlmodel import Session, select

from services import statuses
from services.banking_models import BankAccount, BankConnection
from services.clock import now
from services.db import session_scope
from services.imports import ImportResult, cents, import_transactions
from services.providers.base import ProviderAccount, ProviderItem


def apply_item(connection: BankConnection, item: ProviderItem) -> None:
    connection.status = statuses.from_provider(item.status_code, item.status_info)
    connection.status_code, connection.status_info = item.status_code, item.status_info
    connection.status_description = (item.description or '')[:300] or None
    connection.consent_expires_at = item.consent_expires_at
    if item.last_success_at is not None:
        connection.last_success_at = item.last_success_at


def account_key(account: ProviderAccount) -> str:
    # Without an IBAN (some loans, cards) the aggregator's id is all we have; such accounts cannot be
    # recognised across a reconnection.
    return account.iban or f'{account.kind[:4].upper()}-{account.item_id}-{account.id}'[:34]


def attach_accounts(session: Session, connection: BankConnection, accounts: list[ProviderAccount]) -> None:
    for provided in accounts:
        key = account_key(provided)
        account = session.exec(
            select(BankAccount).where(BankAccount.client_id == connection.client_id, BankAccount.iban == key)
        ).first()
        if account is not None and account.connection_id is not None and account.connection_id > connection.id:
            continue  # a reconnection (a newer connection) holds this account now: the older one leaves it alone
        if account is None:
            account = BankAccount(
                client_id=connection.client_id,
                firm_id=connection.firm_id,
                iban=key,
                name=provided.name,
                kind=provided.kind,
                currency=provided.currency,
                pro=provided.pro,
            )
        if account.provider_account_id != provided.id:
            account.cursor = None  # a new aggregator account: read its whole history again, deduplicated
        account.connection_id, account.provider_account_id = connection.id, provided.id
        account.name, account.pro = provided.name, provided.pro
        account.balance_cents, account.balance_at = cents(provided.balance), now()
        session.add(account)


def import_account(account_id: int, item_id: str, batch: list, *, move_cursor: bool = True) -> ImportResult:
    with session_scope() as session:
        result = import_transactions(session, account_id, item_id, batch)
        if move_cursor and batch:
            account = session.get(BankAccount, account_id)
            newest = max(t.updated_at for t in batch)
            account.cursor = max(account.cursor or '', newest)
            session.add(account)
        return result
