"""« Mes comptes »: what a client user sees and does on their company's accounts, right by right.

Consultation lists the account, its latest transactions and statements; gestion uploads statement files, renews
the bank consent and asks the bank for a sync; validation signs the account's mandate and validates professional
accounts, each confirmed by the user's strong authentication. Every call goes through services.access, whatever the
screen shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select

from services import access, audit, client_fixes, events, iban_detail, import_jobs, mandates, statuses, sync_manual
from services.banking_models import BankConnection, Transaction
from services.db import session_scope
from services.errors import DomainError, InvalidInput
from services.ibans import StatementRow
from services.permissions import Actor
from services.providers import registry
from services.rights import GESTION, VALIDATION
from services.sessions import strong_auth
from services.statements import ImportSummary
from services.sync import SyncOutcome, external_user, sync_connection
from services.validation import bank_of


@dataclass(frozen=True)
class MyAccount:
    account_id: int
    iban: str
    bank_name: str
    balance_cents: int | None
    mandate: str | None  # the current mandate's status code
    connection_id: int | None  # live aggregator connection
    connection_status: str | None
    rights: frozenset[str]

    @property
    def may_manage(self) -> bool:
        return GESTION in self.rights

    @property
    def may_validate(self) -> bool:
        return VALIDATION in self.rights

    @property
    def mandate_to_sign(self) -> bool:
        return self.mandate == 'to_sign'

    @property
    def to_renew(self) -> bool:
        return self.connection_status in client_fixes.HOSTED_FIXES

    @property
    def pro_to_validate(self) -> bool:
        return self.connection_status == 'pro_validation_required'

    @property
    def status_label(self) -> str:
        if self.connection_status:
            return statuses.label(self.connection_status)
        return mandates.STATUS_LABELS[self.mandate] if self.mandate else 'Relevés déposés'


@dataclass(frozen=True)
class TransactionRow:
    id: int
    date: date
    label: str
    amount_cents: int
    currency: str


def list_accounts(actor: Actor) -> list[MyAccount]:
    """The accounts the user may consult, with what they may do on each."""
    with session_scope() as session:
        rows = []
        for account in access.reachable_accounts(session, actor):
            connection = session.get(BankConnection, account.connection_id) if account.connection_id else None
            live = connection if connection is not None and connection.deleted_at is None else None
            mandate = mandates.current(session, account.id)
            bank, _ = bank_of(account.iban)
            rows.append(
                MyAccount(
                    account.id,
                    account.iban,
                    bank or (live.bank_name if live else account.name),
                    account.balance_cents,
                    mandate.status if mandate else None,
                    live.id if live else None,
                    statuses.effective(live.status, live.consent_expires_at) if live else None,
                    access.held_rights(session, actor, account),
                )
            )
        return rows


def transactions(actor: Actor, account_id: int, *, limit: int = 50) -> list[TransactionRow]:
    with session_scope() as session:
        access.account(session, actor, account_id, 'account.view')
        found = session.exec(
            select(Transaction)
            .where(Transaction.account_id == account_id)
            .order_by(col(Transaction.date).desc(), col(Transaction.id).desc())
            .limit(limit)
        ).all()
        return [TransactionRow(t.id, t.date, t.label, t.amount_cents, t.currency) for t in found]


def statements_of(actor: Actor, account_id: int) -> list[StatementRow]:
    return iban_detail.statements_of(actor, account_id, limit=24)


def upload(actor: Actor, account_id: int, *, data: bytes, file_name: str) -> ImportSummary:
    """A statement file of this account, from a user who holds gestion on it."""
    return import_jobs.submit(
        actor, client_id=actor.client_id or 0, data=data, file_name=file_name, account_id=account_id
    )


async def refresh(actor: Actor, connection_id: int) -> SyncOutcome:
    return await sync_manual.refresh_now(actor, connection_id)


async def renewal_url(actor: Actor, connection_id: int, *, callback_url: str) -> str:
    """The aggregator's page where a user who holds gestion renews the DSP2 consent or gives the new secret code."""
    with session_scope() as session:
        connection = access.connection(session, actor, connection_id, 'connection.renew')
        if statuses.effective(connection.status, connection.consent_expires_at) not in client_fixes.HOSTED_FIXES:
            raise DomainError('Cette connexion n’a rien à renouveler.')
    usable = client_fixes.usable_connection(connection_id)
    return await registry.get(usable.provider).connect_url(
        external_user(usable.client_id),
        email=actor.email,
        callback_url=callback_url,
        item_id=usable.provider_item_id,
        context=str(usable.client_id),
    )


def sign_mandate(actor: Actor, account_id: int, *, certified: bool, code: str) -> int:
    """Signs the account's mandate in the name of the company, confirmed by the user's TOTP code."""
    if not certified:
        raise InvalidInput({'certified': 'Cochez la case pour certifier que vous pouvez signer pour l’entreprise.'})
    with session_scope() as session:
        account = access.account(session, actor, account_id, 'mandate.sign')
        mandate = mandates.current(session, account.id)
        if mandate is None or mandate.status != 'to_sign':
            raise DomainError('Ce mandat n’attend plus de signature.')
        strong_auth(session, actor, code, 'mandate.sign')
        mandate.signer_name = actor.display_name[:120]
        mandates.record(
            session,
            mandate,
            'signed',
            actor=f'{actor.display_name} (client)',
            note='Signé avec l’authentification forte',
        )
        audit.record(
            session, 'mandate.sign', actor=actor, target_type='mandate', target_id=mandate.id, detail=account.iban
        )
        firm_id, client_id, mandate_id = account.firm_id, account.client_id, mandate.id
    events.emit(events.IbanChanged(firm_id, client_id, account_id, 'mandate'))
    return mandate_id


async def validate_pro(actor: Actor, connection_id: int, *, certified: bool, code: str) -> SyncOutcome:
    """« Validation des comptes professionnels » by a user who holds validation on the connection."""
    if not certified:
        raise InvalidInput({'certified': 'Cochez la case pour certifier être habilité.'})
    with session_scope() as session:
        connection = access.connection(session, actor, connection_id, 'connection.validate_pro')
        if statuses.effective(connection.status, connection.consent_expires_at) != 'pro_validation_required':
            raise DomainError('Les comptes de cette connexion n’attendent plus de validation.')
    usable = client_fixes.usable_connection(connection_id)  # before the code is spent: a maintenance refuses first
    with session_scope() as session:
        strong_auth(session, actor, code, 'connection.validate_pro')
        audit.record(session, 'connection.validate_pro', actor=actor, target_type='connection', target_id=connection_id)
    await client_fixes.open_pro_accounts(usable)
    return await sync_connection(connection_id, user_present=True)
