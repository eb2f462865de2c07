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
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

import httpx
from sqlmodel import Session, col, func, select

from services.clock import now
from services.db import session_scope
from services.health_models import OutboxMessage
from services.permissions import Actor, require

log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)


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


def configure(channels: Channels) -> None:
    global _channels
    _channels = channels


def enqueue(
    session: Session, *, firm_id: int | None, channel: str, recipient: str, body: str, subject: str | None = None
) -> OutboxMessage:
    message = OutboxMessage(firm_id=firm_id, channel=channel, recipient=recipient, subject=subject, body=body)
    session.add(message)
    return message


def to_contact(
    session: Session, *, firm_id: int | None, email: str | None, phone: str | None, subject: str, text: str, sms: str
) -> list[str]:
    """The e-mail and/or the SMS to a client file's contact; the recipients (none when the file has neither)."""
    recipients = []
    if email:
        enqueue(session, firm_id=firm_id, channel='email', recipient=email, subject=subject, body=text)
        recipients.append(email)
    if phone:
        enqueue(session, firm_id=firm_id, channel='sms', recipient=phone, body=sms)
        recipients.append(phone)
    return recipients


def _claim(limit: int) -> list[OutboxMessage]:
    moment = now()
    with session_scope() as session:
        due = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == 'pending', col(OutboxMessage.next_attempt_at) <= moment)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for message in due:
            message.next_attempt_at = moment + CLAIM
            session.add(message)
        return list(due)


def _send_email(message: OutboxMessage) -> None:
    email = EmailMessage()
    email['From'], email['To'], email['Subject'] = _channels.smtp_from, message.recipient, message.subject or 'Relais'
    email.set_content(message.body)
    with smtplib.SMTP(_channels.smtp_host, _channels.smtp_port, timeout=15) as smtp:
        if _channels.smtp_starttls:
            smtp.starttls()
        if _channels.smtp_user:
            smtp.login(_channels.smtp_user, _channels.smtp_password or '')
        smtp.send_message(email)


async def _send_sms(message: OutboxMessage, http: httpx.AsyncClient) -> None:
    headers = {'Authorization': f'Bearer {_channels.sms_token}'} if _channels.sms_token else {}
    response = await http.post(_channels.sms_url, json={'to': message.recipient, 'text': message.body}, headers=headers)
    response.raise_for_status()


def _configured(channel: str) -> bool:
    return bool(_channels.smtp_host if channel == 'email' else _channels.sms_url)


def _settle(message_id: int, *, status: str, error: str | None = None) -> None:
    with session_scope() as session:
        message = session.get(OutboxMessage, message_id)
        message.attempts += status != 'kept'
        message.last_error = (error or '')[:300] or None
        if status == 'retry':
            delay = FIRST_RETRY * 2 ** (message.attempts - 1)
            message.status = 'pending' if message.attempts < MAX_ATTEMPTS else 'failed'
            message.next_attempt_at = now() + min(delay, timedelta(hours=1))
        else:
            message.status = status
            message.sent_at = now() if status == 'sent' else None
        session.add(message)


async def deliver_due(limit: int = 50) -> int:
    """Send the messages that are due; how many were sent."""
    sent = 0
    async with httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0)) as http:
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
                log.warning('outbox: message %s not sent: %s', message.id, error)
                _settle(message.id, status='retry', error=f'{type(error).__name__}: {error}')
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
