"""« Gestion des comptes bancaires » of a client file: activation, connections, accounts, treasury links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from services import audit, maintenance, statuses
from services.banking_models import BankAccount, BankConnection, TreasuryAccount
from services.clients import visible_client
from services.clock import aware
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.models import Client
from services.permissions import Actor, require
from services.providers import registry


@dataclass(frozen=True)
class ConnectionRow:
    id: int
    number: int
    bank_name: str
    status: str
    status_label: str
    sentence: str
    problem: bool
    consent_expires_at: datetime | None
    last_sync_at: datetime | None = None
    next_sync_at: datetime | None = None
    unavailable: str | None = None  # the notice of a « Module indisponible » maintenance: nothing can be done


@dataclass(frozen=True)
class AccountRow:
    id: int
    number: int
    connection_number: int | None
    name: str
    account_number: str
    iban: str
    status_label: str
    treasury_account_id: int | None
    sync_enabled: bool
    balance_cents: int | None


@dataclass(frozen=True)
class BankOverview:
    client_id: int
    legal_name: str
    sync_enabled: bool
    sync_module: str | None
    modules: dict[str, str]
    connections: list[ConnectionRow]
    accounts: list[AccountRow]
    treasury_accounts: dict[int, str]


def mask_iban(iban: str) -> str:
    return f'{iban[:4]} •••• •••• {iban[-4:]}' if len(iban) > 8 else iban


def mask_account_number(iban: str) -> str:
    number = iban[14:25] if iban.startswith('FR') and len(iban) == 27 else iban[4:]
    return f'•••••••{number[-4:]}'


def _connection_row(number: int, connection: BankConnection, unavailable: str | None) -> ConnectionRow:
    status = statuses.effective(connection.status, connection.consent_expires_at)
    info = statuses.STATUSES[status]
    expires = aware(connection.consent_expires_at)
    return ConnectionRow(
        id=connection.id,
        number=number,
        bank_name=connection.bank_name,
        status=status,
        status_label=statuses.label(status, expires),
        sentence=info.sentence,
        problem=info.problem,
        consent_expires_at=expires,
        last_sync_at=aware(connection.last_success_at),
        next_sync_at=aware(connection.next_sync_at),
        unavailable=unavailable,
    )


def _account_rows(accounts: list[BankAccount], numbers: dict[int, int], labels: dict[int, str]) -> list[AccountRow]:
    return [
        AccountRow(
            id=a.id,
            number=index,
            connection_number=numbers.get(a.connection_id),
            name=a.name,
            account_number=mask_account_number(a.iban),
            iban=mask_iban(a.iban),
            status_label=labels.get(a.connection_id, 'Connexion supprimée'),
            treasury_account_id=a.treasury_account_id,
            sync_enabled=a.sync_enabled,
            balance_cents=a.balance_cents,
        )
        for index, a in enumerate(accounts, start=1)
    ]


def overview(actor: Actor, client_id: int) -> BankOverview:
    require(actor, 'bank.view')
    with session_scope() as session:
        client = visible_client(session, actor, client_id)
        connections = list(
            session.exec(
                select(BankConnection)
                .where(BankConnection.client_id == client_id, col(BankConnection.deleted_at).is_(None))
                .order_by(BankConnection.id)
            )
        )
        # the accounts an aggregator brought; IBANs known only by mandate or file live on the IBAN screens
        synced = select(BankAccount).where(
            BankAccount.client_id == client_id, col(BankAccount.connection_id).is_not(None)
        )
        accounts = list(session.exec(synced.order_by(BankAccount.id)))
        treasury = session.exec(
            select(TreasuryAccount).where(TreasuryAccount.client_id == client_id).order_by(TreasuryAccount.number)
        )
        rows = [_connection_row(number, c, module_notice(session, c)) for number, c in enumerate(connections, start=1)]
        return BankOverview(
            client_id=client.id,
            legal_name=client.legal_name,
            sync_enabled=client.sync_enabled,
            sync_module=client.sync_module,
            modules=registry.modules(),
            connections=rows,
            accounts=_account_rows(accounts, {r.id: r.number for r in rows}, {r.id: r.status_label for r in rows}),
            treasury_accounts={t.id: t.label for t in treasury},
        )


def set_activation(actor: Actor, client_id: int, *, enabled: bool, module: str | None) -> None:
    """One module at a time per file: switching module needs the activation to be off first."""
    require(actor, 'bank.manage')
    if enabled and module not in registry.modules():
        raise InvalidInput({'module': 'Choisissez un module de synchronisation.'})
    with session_scope() as session:
        client = visible_client(session, actor, client_id)
        if enabled and client.sync_enabled and client.sync_module not in (None, module):
            raise InvalidInput({'module': 'Désactivez d’abord la synchronisation en cours avant de changer de module.'})
        client.sync_enabled = enabled
        client.sync_module = module if enabled else client.sync_module
        session.add(client)
        audit.record(
            session,
            'bank.sync_enabled' if enabled else 'bank.sync_disabled',
            actor=actor,
            target_type='client',
            target_id=client_id,
            detail=module,
        )


def add_treasury_account(actor: Actor, client_id: int) -> TreasuryAccount:
    require(actor, 'bank.manage')
    with session_scope() as session:
        visible_client(session, actor, client_id)
        highest = session.exec(select(func.max(TreasuryAccount.number)).where(TreasuryAccount.client_id == client_id))
        number = (highest.one() or 0) + 1
        treasury = TreasuryAccount(client_id=client_id, number=number, label=f'Banque n°{number}')
        session.add(treasury)
        session.flush()
        audit.record(
            session, 'treasury.created', actor=actor, target_type='client', target_id=client_id, detail=treasury.label
        )
        return treasury


def account_for(session: Session, actor: Actor, account_id: int) -> BankAccount:
    account = session.get(BankAccount, account_id)
    if account is None or account.firm_id != actor.firm_id:
        raise NotFound('Compte bancaire')
    visible_client(session, actor, account.client_id)
    return account


def link_treasury(actor: Actor, account_id: int, treasury_account_id: int | None) -> None:
    require(actor, 'bank.manage')
    with session_scope() as session:
        account = account_for(session, actor, account_id)
        if treasury_account_id is not None:
            treasury = session.get(TreasuryAccount, treasury_account_id)
            if treasury is None or treasury.client_id != account.client_id:
                raise NotFound('Compte de trésorerie')
        account.treasury_account_id = treasury_account_id
        session.add(account)
        audit.record(
            session,
            'bank_account.treasury_linked',
            actor=actor,
            target_type='bank_account',
            target_id=account_id,
            detail=str(treasury_account_id),
        )


def set_account_sync(actor: Actor, account_id: int, enabled: bool) -> None:
    require(actor, 'bank.manage')
    with session_scope() as session:
        account = account_for(session, actor, account_id)
        account.sync_enabled = enabled
        session.add(account)
        audit.record(
            session,
            'bank_account.sync_' + ('on' if enabled else 'off'),
            actor=actor,
            target_type='bank_account',
            target_id=account_id,
        )


def module_notice(session: Session, connection: BankConnection) -> str | None:
    window = maintenance.active(session, firm_id=connection.firm_id, bank_name=connection.bank_name, kind='module')
    return window.message if window else None


def client_sync_module(session: Session, client_id: int) -> tuple[bool, str | None]:
    client = session.get(Client, client_id)
    return (bool(client and client.sync_enabled), client.sync_module if client else None)
