"""The outbox of e-mails and SMS.

A message is written in the same unit of work as what causes it, then delivered by a scheduler job: e-mails by
SMTP (smtplib, in a worker thread), SMS through an HTTP gateway (httpx). A channel that is not configured keeps
its messages (status ``kept``) for the administrators' « Messages envoyés ». A message is claimed for a few minutes
before it is sent and marked ``sent`` only once the channel accepted it: a restart mid-send sends it again after
the claim runs out (at least once, never lost). Failures are retried with a growing delay, then ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import event as sa_event
from sqlmodel import Session, col, func, or_, select

from services import events, outbound
from services.clock import aware, now
from services.db import session_scope
from services.health_models import OutboxMessage
from services.permissions import Actor, require

log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
UNWRITABLE = 'Destinataire ou objet illisible (retour à la ligne) : message non envoyé, corrigez la fiche concernée.'


@dataclass(frozen=True)
class Channels:
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = 'Relais <relais@localhost>'
    smtp_starttls: bool = True
    sms_url: str | None = None
    sms_token: str | None = None


@dataclass(frozen=True)
class MessagePage:
    rows: list[OutboxMessage]
    total: int


_channels = Channels()
_background: set[asyncio.Task] = set()


def configure(channels: Channels) -> None:
    global _channels
    _channels = channels


def enqueue(
    session: Session,
    *,
    firm_id: int | None,
    channel: str,
    recipient: str,
    body: str,
    subject: str | None = None,
    summary: str | None = None,
    confidential: bool = False,
) -> OutboxMessage:
    """A message to send once ``session`` commits. A ``confidential`` body (a password, a code, a link that opens
    something) is never shown and is erased once the message has left; ``summary`` says what it is about."""
    if confidential and not summary:
        raise ValueError('a confidential message needs a summary to show instead of its body')
    message = OutboxMessage(
        firm_id=firm_id,
        channel=channel,
        recipient=recipient,
        subject=' '.join(subject.split()) if subject else subject,  # one line: a name in it may hold a line break
        body=body,
        summary=summary,
        confidential=confidential,
    )
    session.add(message)
    sa_event.listen(session, 'after_commit', lambda _session: deliver_soon(), once=True)
    return message


def to_contact(
    session: Session,
    *,
    firm_id: int | None,
    email: str | None,
    phone: str | None,
    subject: str,
    text: str,
    sms: str,
    summary: str,
) -> list[str]:
    """The e-mail and/or the SMS to a client file's contact, holding a link (confidential); the recipients."""
    recipients = []
    if email:
        enqueue(
            session,
            firm_id=firm_id,
            channel='email',
            recipient=email,
            subject=subject,
            body=text,
            summary=summary,
            confidential=True,
        )
        recipients.append(email)
    if phone:
        enqueue(session, firm_id=firm_id, channel='sms', recipient=phone, body=sms, summary=summary, confidential=True)
        recipients.append(phone)
    return recipients


def queued_since(
    session: Session, *, firm_id: int, recipient: str, summary: str, since: datetime
) -> tuple[int, datetime | None]:
    """(how many, the oldest time) of the messages about ``summary`` queued for ``recipient`` since ``since``."""
    return session.exec(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.firm_id == firm_id,
            OutboxMessage.recipient == recipient,
            OutboxMessage.summary == summary,
            OutboxMessage.created_at > since,
        )
    ).one()


def deliver_soon() -> None:
    """Send now what was just written, when the application runs (its loop is bound); the scheduler's round
    remains the safety net for what fails or what a command line wrote."""
    loop = events.bound_loop()
    if loop is not None and not loop.is_closed():
        loop.call_soon_threadsafe(_start_delivery, loop)


def _start_delivery(loop: asyncio.AbstractEventLoop) -> None:
    task = loop.create_task(deliver_due())
    _background.add(task)  # a reference, so the task is not collected mid-way
    task.add_done_callback(_background.discard)


def shown_text(message: OutboxMessage) -> str:
    """What « Messages envoyés » may show of a message: never a confidential body."""
    if message.confidential:
        return f'{message.summary or message.subject or "Message"} (contenu confidentiel, visible du seul destinataire)'
    return message.subject or message.summary or message.body[:80]


def _claim(limit: int) -> list[OutboxMessage]:
    moment = now()
    with session_scope() as session:
        due = session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.status == 'pending',
                col(OutboxMessage.next_attempt_at) <= moment,
                or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < moment),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for message in due:
            message.claimed_until = moment + CLAIM
            session.add(message)
        return list(due)


def release_claims() -> int:
    """At start-up of the one process that sends (the embedded default): what a killed process had claimed is due
    again now, not when its claim runs out. How many."""
    with session_scope() as session:
        claimed = session.exec(select(OutboxMessage).where(col(OutboxMessage.claimed_until).is_not(None))).all()
        for message in claimed:
            message.claimed_until = None
            session.add(message)
        return len(claimed)


def _send_email(message: OutboxMessage) -> None:
    email = EmailMessage()
    email['From'], email['To'], email['Subject'] = _channels.smtp_from, message.recipient, message.subject or 'Relais'
    email.set_content(message.body)
    with smtplib.SMTP(_channels.smtp_host, _channels.smtp_port, timeout=outbound.timeout()) as smtp:
        if _channels.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())  # the server's certificate and name are checked
        if _channels.smtp_user:
            smtp.login(_channels.smtp_user, _channels.smtp_password or '')
        smtp.send_message(email)


async def _send_sms(message: OutboxMessage, http: httpx.AsyncClient) -> None:
    headers = {'Authorization': f'Bearer {_channels.sms_token}'} if _channels.sms_token else {}
    # a gateway that knows the key sends a message resent after a restart once only (at least once, else)
    headers['Idempotency-Key'] = f'relais-sms-{message.id}-{int(aware(message.created_at).timestamp() * 1000)}'
    body = {'to': message.recipient, 'text': message.body}
    response = await http.post(_channels.sms_url, json=body, headers=headers, timeout=outbound.Budget().httpx_timeout())
    response.raise_for_status()


def failure_sentence(channel: str, error: BaseException) -> str:
    """Why a message did not leave, for « Messages envoyés » (the library's words stay in the log)."""
    if channel == 'email':
        if isinstance(error, ssl.SSLError):
            return 'Le certificat du serveur d’e-mails n’a pas pu être vérifié : message non envoyé.'
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return 'Le serveur d’e-mails a refusé l’identification de Relais.'
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            return 'Le serveur d’e-mails a refusé l’adresse du destinataire.'
        if isinstance(error, smtplib.SMTPException):
            return 'Le serveur d’e-mails a refusé le message.'
        return outbound.transport_sentence('Le serveur d’e-mails', error)
    if isinstance(error, httpx.HTTPStatusError):
        return f'La passerelle SMS a refusé le message (code {error.response.status_code}).'
    return outbound.transport_sentence('La passerelle SMS', error)


def _configured(channel: str) -> bool:
    return bool(_channels.smtp_host if channel == 'email' else _channels.sms_url)


def _settle(message_id: int, *, status: str, error: str | None = None) -> None:
    with session_scope() as session:
        message = session.get(OutboxMessage, message_id)
        message.attempts += status != 'kept'
        message.claimed_until = None
        message.last_error = (error or '')[:300] or None
        if status == 'retry':
            delay = FIRST_RETRY * 2 ** (message.attempts - 1)
            message.status = 'pending' if message.attempts < MAX_ATTEMPTS else 'failed'
            message.next_attempt_at = now() + min(delay, timedelta(hours=1))
        else:
            message.status = status
            message.sent_at = now() if status == 'sent' else None
        if message.confidential and message.status in ('sent', 'kept', 'failed'):
            message.body = ''  # gone from the database once it has left (or can never leave)
        session.add(message)


async def deliver_due(limit: int = 50) -> int:
    """Send the messages that are due; how many were sent."""
    sent = 0
    async with httpx.AsyncClient() as http:  # each send has its own budget (services.outbound)
        for message in _claim(limit):
            if not _configured(message.channel):
                _settle(message.id, status='kept')
                continue
            try:
                if message.channel == 'email':
                    await asyncio.to_thread(_send_email, message)
                else:
                    await _send_sms(message, http)
            except (OSError, smtplib.SMTPException, httpx.HTTPError) as error:
                log.warning('outbox: message %s not sent: %s', message.id, outbound.technical(error))
                _settle(message.id, status='retry', error=failure_sentence(message.channel, error))
                continue
            except ValueError as error:  # a header the e-mail library refuses (a line break): no retry can fix it
                log.warning('outbox: message %s cannot be written: %s', message.id, error)
                _settle(message.id, status='failed', error=UNWRITABLE)
                continue
            _settle(message.id, status='sent')
            sent += 1
    return sent


def list_messages(actor: Actor, *, page: int = 1, per_page: int = 25) -> MessagePage:
    """« Messages envoyés » of the actor's firm, newest first."""
    require(actor, 'outbox.view')
    query = select(OutboxMessage).where(OutboxMessage.firm_id == actor.firm_id)
    with session_scope() as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(
            query.order_by(col(OutboxMessage.id).desc()).offset((max(1, page) - 1) * per_page).limit(per_page)
        ).all()
        return MessagePage(rows=list(rows), total=total)
