"""Background jobs (APScheduler on the app's event loop), started by app.py only when RELAIS_SCHEDULER=1.

Every minute the connections whose next sync is due (services.cadence) are synchronised, a few at a time; every
30 seconds the outbox and the statements due to connectors are delivered and the signed mandates followed at the
bank; every hour the consent reminders are looked at and the daily statements of synced IBANs produced. Jobs
coalesce, never overlap themselves, and a job that missed its moment by less than its own period still runs.
"""

from __future__ import annotations

import asyncio
import logging

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import col, or_, select

from services import (
    bank_channel,
    cadence,
    daily_statements,
    deliveries,
    failures,
    import_jobs,
    outbox,
    reminders,
    sync,
)
from services.banking_models import BankConnection
from services.clock import now
from services.db import session_scope
from services.errors import DomainError
from services.models import Client

log = logging.getLogger(__name__)
CONCURRENCY = 8
ROUND_SIZE = 200

_scheduler: AsyncIOScheduler | None = None


def due_connections(limit: int = ROUND_SIZE) -> list[int]:
    """The connections to synchronise now, the most overdue first."""
    moment = now()
    never_planned = (
        col(BankConnection.next_sync_at).is_(None)
        & col(BankConnection.status).not_in(cadence.WAITING_FOR_CLIENT)
        & or_(
            col(BankConnection.last_attempt_at).is_(None),
            col(BankConnection.last_attempt_at) < moment - cadence.SYNC_EVERY,
        )
    )
    with session_scope() as session:
        query = (
            select(BankConnection.id)
            .join(Client, Client.id == BankConnection.client_id)
            .where(
                col(Client.sync_enabled).is_(True),
                col(BankConnection.deleted_at).is_(None),
                or_(col(BankConnection.next_sync_at) <= moment, never_planned),
            )
            .order_by(col(BankConnection.next_sync_at).asc().nulls_first(), BankConnection.id)
            .limit(limit)
        )
        return list(session.exec(query))


async def sync_due_connections() -> int:
    """One round: the due connections, at most CONCURRENCY at a time; how many were synchronised."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(connection_id: int) -> bool:
        async with gate:
            try:
                await sync.sync_connection(connection_id, user_present=False)
                return True
            except DomainError:
                return False  # already running (a person asked for it), or removed meanwhile
            except Exception as error:  # one failing connection must not stop the round
                failures.report(error, where=f'synchronisation planifiée de la connexion {connection_id}')
                return False

    return sum(await asyncio.gather(*(one(c) for c in due_connections())))


async def send_reminders() -> None:
    await asyncio.to_thread(reminders.send_due)


async def produce_daily_statements() -> None:
    await asyncio.to_thread(daily_statements.produce)


def _job_failed(event: JobExecutionEvent) -> None:
    """A job's fault gets an error id in the log and the journal; the job runs again at its next period."""
    failures.report(event.exception, where=f'tâche de fond « {event.job_id} »')


def resume_interrupted_work() -> None:
    """What a killed or restarted process left half-done is taken up again at once (this process is the only one
    that runs background work in the embedded default)."""
    resumed = {
        'synchronisations': sync.resume_interrupted(),
        'messages': outbox.release_claims(),
        'envois aux connecteurs': deliveries.release_claims(),
        'imports de relevés': import_jobs.resume_pending(),
    }
    if any(resumed.values()):
        log.warning('resumed after a restart: %s', ', '.join(f'{n} {what}' for what, n in resumed.items() if n))


def start() -> None:
    global _scheduler
    resume_interrupted_work()
    _scheduler = AsyncIOScheduler(timezone='UTC', job_defaults={'coalesce': True, 'max_instances': 1})
    _scheduler.add_job(sync_due_connections, 'interval', seconds=60, id='sync', misfire_grace_time=60)
    _scheduler.add_job(outbox.deliver_due, 'interval', seconds=30, id='outbox', misfire_grace_time=30)
    _scheduler.add_job(deliveries.deliver_due, 'interval', seconds=30, id='deliveries', misfire_grace_time=30)
    _scheduler.add_job(bank_channel.follow_mandates, 'interval', seconds=30, id='mandates', misfire_grace_time=30)
    _scheduler.add_job(send_reminders, 'interval', hours=1, id='reminders', misfire_grace_time=3600)
    _scheduler.add_job(produce_daily_statements, 'interval', hours=1, id='statements', misfire_grace_time=3600)
    _scheduler.add_listener(_job_failed, EVENT_JOB_ERROR)
    _scheduler.start()
    for job in _scheduler.get_jobs():  # a first round at start-up, not one period later
        job.modify(next_run_time=now())


def stop() -> None:
    global _scheduler
    if _scheduler is not None:
        _scheduler.shutdown(wait=False)
        _scheduler = None
