"""IBAN mandates: the client asks its bank to send the firm the daily statements of one IBAN.

à signer → the client signs on a phone (magic link, certification, a one-time code) → signé → submitted to the bank,
which approves after a while → approuvé (the IBAN becomes active and its statements arrive in the bank inbox), or
refusé; the firm may revoke it (révoqué). Each step is kept in the mandate's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from services import audit, db, outbox
from services.banking_models import BankAccount
from services.clients import visible_client
from services.clock import now
from services.errors import DomainError, InvalidInput, NotFound
from services.health_models import MagicLink
from services.magic_links import LIFETIME, url_for
from services.models import Client
from services.permissions import Actor, require
from services.statement_models import Mandate, MandateEvent
from services.validation import bank_of, iban

STATUS_LABELS = {
    'to_sign': 'À signer',
    'signed': 'Signé',
    'approved': 'Approuvé',
    'refused': 'Refusé',
    'revoked': 'Révoqué',
}
OPEN = ('to_sign', 'signed', 'approved')


@dataclass(frozen=True)
class MandateEventRow:
    status: str
    label: str
    actor: str
    note: str | None
    at: datetime


def record(session: Session, mandate: Mandate, status: str, *, actor: str, note: str | None = None) -> None:
    mandate.status, mandate.updated_at = status, now()
    session.add(MandateEvent(mandate_id=mandate.id, status=status, actor=actor[:120], note=(note or '')[:300] or None))


def current(session: Session, account_id: int) -> Mandate | None:
    return session.execute(
        select(Mandate).where(Mandate.account_id == account_id).order_by(Mandate.id.desc()).limit(1)
    ).scalar_one_or_none()


def _account(session: Session, actor: Actor, account_id: int) -> BankAccount:
    account = session.get(BankAccount, account_id)
    if account is None or account.firm_id != actor.firm_id:
        raise NotFound('IBAN')
    visible_client(session, actor, account.client_id)
    return account


def add_iban(actor: Actor, *, client_id: int, value: str) -> BankAccount:
    """A client IBAN typed by the firm (checked by schwifty), with its mandate to sign."""
    require(actor, 'bank.manage')
    compact, problem = iban(value)
    if problem:
        raise InvalidInput({'iban': problem})
    with db.session_scope() as session:
        client = visible_client(session, actor, client_id)
        account = session.execute(
            select(BankAccount).where(BankAccount.client_id == client.id, BankAccount.iban == compact)
        ).scalar_one_or_none()
        if account is None:
            bank, _bic = bank_of(compact)
            account = BankAccount(client_id=client.id, firm_id=client.firm_id, iban=compact, name=bank or 'Compte')
            session.add(account)
            session.flush()
        _new_mandate(session, actor, account)
        return account


def _new_mandate(session: Session, actor: Actor, account: BankAccount) -> Mandate:
    existing = current(session, account.id)
    if existing is not None and existing.status in OPEN:
        raise DomainError(f'Un mandat est déjà {STATUS_LABELS[existing.status].lower()} pour cet IBAN.')
    mandate = Mandate(account_id=account.id, firm_id=account.firm_id)
    session.add(mandate)
    session.flush()
    record(session, mandate, 'to_sign', actor=actor.display_name, note='Mandat créé par le cabinet')
    audit.record(
        session, 'mandate.create', actor=actor, target_type='mandate', target_id=mandate.id, detail=account.iban
    )
    return mandate


def request_again(actor: Actor, account_id: int) -> None:
    """A new mandate for an IBAN whose last one was refused or revoked."""
    require(actor, 'bank.manage')
    with db.session_scope() as session:
        _new_mandate(session, actor, _account(session, actor, account_id))


def _to_sign(session: Session, actor: Actor, account_id: int) -> tuple[BankAccount, Mandate, Client]:
    account = _account(session, actor, account_id)
    mandate = current(session, account.id)
    if mandate is None or mandate.status != 'to_sign':
        raise DomainError('Aucun mandat n’attend la signature du client pour cet IBAN.')
    return account, mandate, session.get(Client, account.client_id)


def issue_link(actor: Actor, account_id: int) -> str:
    """« Copier le lien »: a new signing link for the client (7 days, once)."""
    require(actor, 'bank.manage')
    with db.session_scope() as session:
        account, mandate, client = _to_sign(session, actor, account_id)
        link = MagicLink(
            firm_id=account.firm_id,
            client_id=client.id,
            mandate_id=mandate.id,
            purpose='mandate',
            created_by=actor.user_id,
            expires_at=now() + LIFETIME,
        )
        session.add(link)
        session.flush()
        audit.record(session, 'mandate.link', actor=actor, target_type='mandate', target_id=mandate.id)
        return url_for(link.id)


def send_link(actor: Actor, account_id: int) -> list[str]:
    """The signing link by e-mail and/or SMS to the file's contact; the recipients."""
    url = issue_link(actor, account_id)
    with db.session_scope() as session:
        account, _mandate, client = _to_sign(session, actor, account_id)
        text = (
            f'Bonjour,\n\nVotre cabinet vous demande de signer le mandat de relevés de l’IBAN {account.iban} '
            f'de {client.legal_name}. Ouvrez ce lien (valable 7 jours, une seule fois) :\n{url}\n\nVotre cabinet'
        )
        sms = f'{client.legal_name} : mandat de relevés à signer pour {account.iban} : {url}'
        recipients = outbox.to_contact(
            session,
            firm_id=actor.firm_id,
            email=client.contact_email,
            phone=client.contact_phone,
            subject='Mandat de relevés à signer',
            text=text,
            sms=sms,
            summary=f'Lien de signature du mandat de l’IBAN {account.iban[:4]}…{account.iban[-4:]}',
        )
        if not recipients:
            raise DomainError('Ce dossier n’a ni e-mail ni téléphone de contact : copiez le lien.')
        return recipients


def revoke(actor: Actor, account_id: int) -> int | None:
    """The firm ends the mandate; the bank is told by ``bank_channel.revoke_at_bank`` (the id it needs, if any)."""
    require(actor, 'bank.manage')
    with db.session_scope() as session:
        account = _account(session, actor, account_id)
        mandate = current(session, account.id)
        if mandate is None or mandate.status not in OPEN:
            raise DomainError('Aucun mandat en cours pour cet IBAN.')
        record(session, mandate, 'revoked', actor=actor.display_name, note='Révoqué par le cabinet')
        audit.record(session, 'mandate.revoke', actor=actor, target_type='mandate', target_id=mandate.id)
        return mandate.id if mandate.bank_reference else None


def history(actor: Actor, account_id: int) -> list[MandateEventRow]:
    require(actor, 'iban.view')
    with db.session_scope() as session:
        account = _account(session, actor, account_id)
        rows = session.execute(
            select(MandateEvent)
            .join(Mandate, Mandate.id == MandateEvent.mandate_id)
            .where(Mandate.account_id == account.id)
            .order_by(MandateEvent.at.desc(), MandateEvent.id.desc())
        ).scalars()
        return [MandateEventRow(e.status, STATUS_LABELS[e.status], e.actor, e.note, e.at) for e in rows]
