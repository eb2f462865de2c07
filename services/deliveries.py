"""Statements delivered to the firm's connectors: envoyé, accusé or échec, retried with backoff, never twice.

A delivery is claimed for a few minutes before it is sent, so a restart in the middle sends it again (at least
once); the receiver recognises a second sending by its ``Idempotency-Key``, which never changes for one delivery
(a « Renvoyer » too), so nothing is delivered twice. A webhook's 2xx is its acknowledgement (« accusé »). A file
dropped in a folder is « envoyé », and « accusé » once the production tool has taken it from the folder; a second
drop of the same delivery writes the same file name, which the tool sees once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import or_, select
from sqlmodel import col

from services import audit, db, events, outbound
from services.clock import now
from services.errors import NotFound
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import FormatError
from services.permissions import Actor, require
from services.statement_body import load
from services.statement_models import BankStatement, Connector, Delivery

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 8
STATUS_LABELS = {'pending': 'En attente', 'sent': 'Envoyé', 'acknowledged': 'Accusé', 'failed': 'Échec'}
EXTENSIONS = {'cfonb120': ('txt', 'text/plain; charset=us-ascii'), 'camt.053': ('xml', 'application/xml')}


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.retryable = retryable


def signature(secret: str, body: bytes) -> str:
    return 'sha256=' + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def render(statement: BankStatement, connector: Connector) -> bytes:
    model = load(statement.body)
    try:
        if connector.format == 'camt.053':
            from services.formats.camt_writer import write_camt053

            return write_camt053([model], message_id=f'RELAIS-{statement.id}', created_at=now())
        return write_cfonb120([model])
    except FormatError as error:
        raise DeliveryFailed(f'Relevé impossible à écrire en {connector.format} : {error}', retryable=False) from None


def _claim(limit: int) -> list[int]:
    moment = now()
    with db.session_scope() as session:
        due = (
            session.execute(
                select(Delivery)
                .where(
                    col(Delivery.status).in_(('pending', 'failed')),
                    col(Delivery.next_attempt_at) <= moment,
                    or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < moment),
                )
                .order_by(Delivery.next_attempt_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        for delivery in due:
            delivery.claimed_until = moment + CLAIM
        return [delivery.id for delivery in due]


def release_claims() -> int:
    """At start-up of the one process that delivers (the embedded default): what a killed process had claimed is due
    again now; the receiver knows the idempotency key, so nothing arrives twice. How many."""
    with db.session_scope() as session:
        claimed = session.execute(select(Delivery).where(col(Delivery.claimed_until).is_not(None))).scalars().all()
        for delivery in claimed:
            delivery.claimed_until = None
        return len(claimed)


async def _post(connector: Connector, delivery: Delivery, body: bytes, http: httpx.AsyncClient) -> None:
    extension, content_type = EXTENSIONS[connector.format]
    headers = {
        'Content-Type': content_type,
        'Idempotency-Key': delivery.idempotency_key,
        'X-Relais-Signature': signature(connector.secret or '', body),
        'X-Relais-File-Name': f'{delivery.file_name}.{extension}',
    }
    partner = f'Le connecteur « {connector.name} »'
    try:
        response = await http.post(
            connector.url, content=body, headers=headers, timeout=outbound.Budget().httpx_timeout()
        )
    except httpx.HTTPError as error:
        log.info('delivery %s: %s', delivery.id, outbound.technical(error))
        raise DeliveryFailed(outbound.transport_sentence(partner, error)) from None
    if response.status_code >= 300:
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 409, 425, 429)
        what = 'a refusé le relevé' if permanent else 'n’a pas pu recevoir le relevé'
        raise DeliveryFailed(f'{partner} {what} (code {response.status_code}).', retryable=not permanent)


def _drop(connector: Connector, delivery: Delivery, body: bytes) -> None:
    extension, _ = EXTENSIONS[connector.format]
    folder = Path(connector.folder or '')
    target = folder / f'{delivery.file_name}.{extension}'
    partial = folder / f'.{delivery.file_name}.{extension}.part'  # tools watch for the final name only
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(body)
        os.replace(partial, target)
    except OSError as error:
        log.info('delivery %s: %s', delivery.id, outbound.technical(error))
        raise DeliveryFailed(f'Dépôt impossible dans le dossier {folder} : {outbound.file_sentence(error)}.') from None


def _settle(delivery_id: int, *, error: DeliveryFailed | None, transport: str | None = None) -> None:
    with db.session_scope() as session:
        delivery = session.get(Delivery, delivery_id)
        delivery.attempts += 1
        delivery.claimed_until = None
        if error is None:
            delivery.status = 'acknowledged' if transport == 'webhook' else 'sent'
            delivery.sent_at = now()
            delivery.acknowledged_at = delivery.sent_at if transport == 'webhook' else None
            delivery.last_error = None
            return
        delivery.status = 'failed'
        delivery.last_error = str(error)[:300]
        retry = error.retryable and delivery.attempts < MAX_ATTEMPTS
        delay = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), MAX_RETRY)
        delivery.next_attempt_at = (
            now() + delay if retry else datetime.max.replace(tzinfo=delivery.next_attempt_at.tzinfo)
        )


async def _deliver(delivery_id: int, http: httpx.AsyncClient) -> bool:
    with db.session_scope() as session:
        delivery = session.get(Delivery, delivery_id)
        connector = session.get(Connector, delivery.connector_id)
        statement = session.get(BankStatement, delivery.statement_id)
    try:
        if connector.removed_at is not None:
            raise DeliveryFailed('Le connecteur a été supprimé.', retryable=False)
        body = render(statement, connector)
        if connector.transport == 'webhook':
            await _post(connector, delivery, body, http)
        else:
            _drop(connector, delivery, body)
    except DeliveryFailed as error:
        log.warning('delivery %s to connector %s failed: %s', delivery_id, connector.id, error)
        _settle(delivery_id, error=error)
        events.emit(events.IbanChanged(statement.firm_id, statement.client_id, statement.account_id, 'delivery'))
        return False
    _settle(delivery_id, error=None, transport=connector.transport)
    events.emit(events.IbanChanged(statement.firm_id, statement.client_id, statement.account_id, 'delivery'))
    return True


def _acknowledge_taken_files() -> None:
    """A file the production tool took from its folder is acknowledged."""
    with db.session_scope() as session:
        rows = session.execute(
            select(Delivery, Connector)
            .join(Connector, Connector.id == Delivery.connector_id)
            .where(Delivery.status == 'sent', Connector.transport == 'folder')
        ).all()
        for delivery, connector in rows:
            extension, _ = EXTENSIONS[connector.format]
            if not (Path(connector.folder or '') / f'{delivery.file_name}.{extension}').exists():
                delivery.status, delivery.acknowledged_at = 'acknowledged', now()


async def deliver_due(limit: int = 50) -> int:
    """Send what is due (new, or failed and due again); how many were delivered."""
    delivered = 0
    async with httpx.AsyncClient() as http:  # each post has its own budget (services.outbound)
        for delivery_id in _claim(limit):
            delivered += await _deliver(delivery_id, http)
    _acknowledge_taken_files()
    return delivered


def resend(actor: Actor, delivery_id: int) -> None:
    """« Renvoyer »: the same delivery again, under the same idempotency key."""
    require(actor, 'iban.attach')
    with db.session_scope() as session:
        delivery = session.get(Delivery, delivery_id)
        connector = session.get(Connector, delivery.connector_id) if delivery else None
        if delivery is None or connector.firm_id != actor.firm_id:
            raise NotFound('Envoi')
        delivery.status, delivery.next_attempt_at, delivery.last_error = 'pending', now(), None
        delivery.claimed_until = None
        audit.record(session, 'delivery.resend', actor=actor, target_type='delivery', target_id=delivery.id)
