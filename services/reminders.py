"""Consent reminders: from 14 days before a DSP2 consent ends, the client gets a link to renew it at J-14, J-7
and J-1 (a copy to the file's collaborators), never twice for one milestone of one consent."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services import magic_links, outbox
from services.banking_models import BankConnection
from services.clock import aware, now
from services.db import session_scope
from services.health_models import ConsentReminder
from services.models import Client, ClientAssignment, User
from services.statuses import CONSENT_WARNING

MILESTONES = (14, 7, 1)


def milestone(days_left: int) -> int | None:
    """The milestone a consent with ``days_left`` days has reached (the smallest one at or above it)."""
    reached = [m for m in MILESTONES if days_left <= m]
    return min(reached) if reached and days_left >= 0 else None


def _expiring() -> list[int]:
    moment = now()
    with session_scope() as session:
        return list(
            session.exec(
                select(BankConnection.id)
                .join(Client, Client.id == BankConnection.client_id)
                .where(
                    col(BankConnection.deleted_at).is_(None),
                    col(Client.sync_enabled).is_(True),
                    BankConnection.status == 'ok',
                    col(BankConnection.consent_expires_at) > moment,
                    col(BankConnection.consent_expires_at) <= moment + CONSENT_WARNING,
                )
            ).all()
        )


def _remind(connection_id: int) -> bool:
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        expires = aware(connection.consent_expires_at)
        days = milestone((expires - now()).days)
        if days is None:
            return False
        session.add(ConsentReminder(connection_id=connection.id, consent_expires_at=expires, days=days))
        session.flush()  # the unique constraint says whether this milestone was already sent
        client = session.get(Client, connection.client_id)
        url = magic_links.create(session, connection, created_by=None)
        text = (
            f'Bonjour,\n\nL’accès de Relais à votre banque « {connection.bank_name} » ({client.legal_name}) prend fin '
            f'dans {days} jour(s), le {expires:%d/%m/%Y}. Renouvelez-le en une minute avec ce lien :\n{url}\n\n'
            'Votre cabinet comptable'
        )
        subject = f'Renouvellement DSP2 à prévoir (J-{days}) : {connection.bank_name}'
        copies = session.exec(
            select(User.email)
            .join(ClientAssignment, ClientAssignment.user_id == User.id)
            .where(ClientAssignment.client_id == client.id)
        ).all()
        for recipient in filter(None, [client.contact_email, *copies]):
            outbox.enqueue(
                session,
                firm_id=connection.firm_id,
                channel='email',
                recipient=recipient,
                subject=subject,
                body=text,
                summary=f'Lien de renouvellement DSP2 ({connection.bank_name})',
                confidential=True,
            )
        return True


def send_due() -> int:
    """Send the reminders that are due; how many."""
    sent = 0
    for connection_id in _expiring():
        try:
            sent += _remind(connection_id)
        except IntegrityError:
            continue  # this milestone was sent already
    return sent
