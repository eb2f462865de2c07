"""The aggregator's webhooks: signature checked, each delivery handled once, a refresh triggers an import."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from services.banking_models import BankConnection, WebhookEvent
from services.clock import aware, now
from services.db import session_scope
from services.providers import registry
from services.sync import launch, sync_connection

log = logging.getLogger(__name__)
JUST_SYNCED = timedelta(seconds=60)


class BadSignature(Exception):
    pass


def _first_time(digest: str, kind: str, item_id: str | None) -> bool:
    try:
        with session_scope() as session:
            if session.get(WebhookEvent, digest) is not None:
                return False
            session.add(WebhookEvent(id=digest, type=kind, provider_item_id=item_id))
        return True
    except IntegrityError:  # the same delivery arriving twice at once
        return False


def handle(module_key: str, body: bytes, signature: str | None) -> bool:
    """Raise BadSignature for a forged call; True when the event was new and acted upon."""
    module = registry.get(module_key)
    if not module.verify_webhook(body, signature):
        raise BadSignature()
    try:
        payload = json.loads(body)
        kind, content = str(payload['type']), payload.get('content') or {}
    except (ValueError, KeyError, TypeError):
        log.warning('webhook with an unreadable body ignored')
        return False
    item_id = str(content['item_id']) if content.get('item_id') is not None else None
    if not _first_time(hashlib.sha256(body).hexdigest(), kind, item_id):
        return False
    if kind == 'item.refreshed' and item_id:
        with session_scope() as session:
            connection = session.exec(
                select(BankConnection).where(
                    BankConnection.provider == module_key,
                    BankConnection.provider_item_id == item_id,
                    col(BankConnection.deleted_at).is_(None),
                )
            ).first()
        if connection is not None and not _just_synced(connection):
            launch(_quietly(connection.id))
    return True


def _just_synced(connection: BankConnection) -> bool:
    """Relais itself refreshed it a moment ago and read the result: the webhook announces that same refresh. A second
    sync would only redraw the open pages under the user's finger."""
    started = aware(connection.last_attempt_at)
    return started is not None and now() - started < JUST_SYNCED


async def _quietly(connection_id: int) -> None:
    try:
        await sync_connection(connection_id, user_present=False, refresh=False)
    except Exception as error:  # a sync already running for it, or the connection removed meanwhile
        log.info('webhook-triggered sync of %s skipped: %s', connection_id, error)
