"""Background jobs (APScheduler), started by app.py only when RELAIS_SCHEDULER=1.

Unattended syncs are spaced so that a connection stays within the PSD2 quota of four a day, and
skip connections that wait for the client (their next sync needs the client first).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import col, or_, select

from services.banking_models import BankConnection
from services.clock import now
from services.db import session_scope
from services.models import Client
from services.sync import sync_connection

log = logging.getLogger(__name__)
SYNC_EVERY = timedelta(hours=6)
WAITING_FOR_CLIENT = ('credentials_invalid', 'sca_required', 'bank_action_required', 'pro_validation_required')

_scheduler: AsyncIOScheduler | None = None


def due_connections(limit: int = 200) -> list[int]:
    with session_scope() as session:
        query = (
            select(BankConnection.id)
            .join(Client, Client.id == BankConnection.client_id)
            .where(
                col(Client.sync_enabled).is_(True),
                col(BankConnection.deleted_at).is_(None),
                col(BankConnection.status).not_in(WAITING_FOR_CLIENT),
                or_(
                    col(BankConnection.last_attempt_at).is_(None),
                    col(BankConnection.last_attempt_at) < now() - SYNC_EVERY,
                ),
            )
            .order_by(BankConnection.last_attempt_at)
            .limit(limit)
        )
        return list(session.exec(query))


async def sync_due_connections() -> None:
    for connection_id in due_connections():
        try:
            await sync_connection(connection_id, user_present=False)
        except Exception:  # one failing connection must not stop the round
            log.exception('scheduled sync of connection %s failed', connection_id)


def start() -> None:
    global _scheduler
    _scheduler = AsyncIOScheduler(timezone='UTC')
    _scheduler.add_job(
        sync_due_connections, 'interval', minutes=15, id='sync_due_connections', max_instances=1, coalesce=True
    )
    _scheduler.start()


def stop() -> None:
    global _scheduler
    if _scheduler is not None:
        _scheduler.shutdown(wait=False)
        _scheduler = None
