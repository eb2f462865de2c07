"""With RELAIS_SCHEDULER=1 the app runs its background jobs on its own event loop; without it, none."""

import asyncio

import pytest
from nicegui.testing import User

from services import outbox, scheduler
from services.clock import now
from services.db import session_scope
from services.health_models import OutboxMessage

from .conftest import SLOW


@pytest.fixture
def scheduler_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RELAIS_SCHEDULER', '1')


async def test_the_scheduler_runs_the_outbox_on_the_app_loop(scheduler_on: None, user: User) -> None:
    running = scheduler._scheduler
    assert running is not None and running._eventloop is asyncio.get_running_loop()
    jobs = {job.id: job for job in running.get_jobs()}
    assert set(jobs) == {'sync', 'outbox', 'deliveries', 'mandates', 'reminders', 'statements'}
    assert all(job.coalesce and job.max_instances == 1 and job.misfire_grace_time for job in jobs.values())

    with session_scope() as session:
        message = outbox.enqueue(session, firm_id=None, channel='sms', recipient='+33600000000', body='Bonjour')
        session.flush()
        message_id = message.id
    jobs['outbox'].modify(next_run_time=now())
    for _ in range(SLOW):
        with session_scope() as session:
            message = session.get(OutboxMessage, message_id)
        if message.attempts or message.status != 'pending':
            break
        await asyncio.sleep(0.1)
    # the demo's SMS gateway (the sandbox) is not served in this simulation: the job tried, and said why in French
    assert message.attempts == 1 and message.status == 'pending'
    assert message.last_error == 'La passerelle SMS est injoignable pour le moment.'


async def test_without_the_setting_no_job_runs(user: User) -> None:
    assert scheduler._scheduler is None
