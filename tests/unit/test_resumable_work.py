"""What a killed process leaves half-done is taken up again at the next start: syncs, messages, deliveries and
dropped statement files — and nothing is done twice."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import func, select

from services import import_jobs, outbox, sync
from services.banking_models import BankConnection, Transaction
from services.clock import aware, now
from services.db import session_scope
from services.formats.cfonb120 import iban_of
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from services.health_models import OutboxMessage
from services.models import Client
from services.outbox import Channels
from services.permissions import Actor
from services.statement_models import StatementImport

BANK, BRANCH, NUMBER = '30004', '00821', '00012345678'


def a_statement_file(entries: int = 30) -> bytes:
    account = AccountId(iban_of(BANK, BRANCH, NUMBER), BANK, BRANCH, NUMBER)
    moves = [
        Entry(booking_date=date(2026, 11, 2), amount=Decimal(f'-{n}.25'), label=f'CB BOULANGERIE {n}', code='B1')
        for n in range(1, entries + 1)
    ]
    closing = Decimal('1000.00') + sum((e.amount for e in moves), Decimal(0))
    return write_cfonb120(
        [
            Statement(
                'cfonb120', account, 'EUR', Decimal('1000.00'), date(2026, 11, 1), closing, date(2026, 11, 2), moves
            )
        ]
    )


def fictive_client() -> Client:
    with session_scope() as session:
        return session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one()


def transactions() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Transaction)).one()


def test_a_sync_left_half_way_is_due_again_at_the_next_start(admin: Actor) -> None:
    client = fictive_client()
    with session_scope() as session:
        connection = BankConnection(
            client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='1', bank_name='CIC'
        )
        connection.sync_started_at, connection.next_sync_at = now() - timedelta(seconds=30), now() + timedelta(hours=6)
        session.add(connection)
        session.flush()
        connection_id = connection.id
    assert sync.resume_interrupted() == 1
    with session_scope() as session:
        resumed = session.get(BankConnection, connection_id)
        assert resumed.sync_started_at is None and aware(resumed.next_sync_at) <= now()
    assert sync.resume_interrupted() == 0


async def test_a_message_claimed_by_a_killed_process_leaves_at_the_next_start(admin: Actor) -> None:
    with session_scope() as session:
        outbox.enqueue(session, firm_id=admin.firm_id, channel='email', recipient='a@b.fr', subject='S', body='B')
    claimed = outbox._claim(10)  # the killed process had taken it, and never said how it went
    assert len(claimed) == 1 and await outbox.deliver_due() == 0
    assert outbox.release_claims() == 1
    outbox.configure(Channels(smtp_host='127.0.0.1', smtp_port=1, smtp_starttls=False))  # refused: a retry is due
    await outbox.deliver_due()
    with session_scope() as session:
        message = session.exec(select(OutboxMessage)).one()
    assert message.attempts == 1 and message.status == 'pending' and message.claimed_until is None
    assert 'Le serveur d’e-mails est injoignable' in message.last_error
    outbox.configure(Channels())


async def test_a_dropped_file_whose_import_was_cut_short_is_imported_at_the_next_start(
    admin: Actor, tmp_path: Path
) -> None:
    import_jobs.configure(data_dir=tmp_path)
    client = fictive_client()
    with session_scope() as session:  # what submit() wrote before the process was killed in the import
        (tmp_path / 'imports').mkdir()
        (tmp_path / 'imports' / 'cut.bin').write_bytes(a_statement_file())
        session.add(
            StatementImport(firm_id=client.firm_id, client_id=client.id, file_name='releve.txt', stored_as='cut.bin')
        )
    assert import_jobs.resume_pending() == 1
    for task in list(import_jobs._tasks):
        await task
    assert transactions() == 30
    with session_scope() as session:
        job = session.exec(select(StatementImport)).one()
    assert job.status == 'done' and not (tmp_path / 'imports' / 'cut.bin').exists()
    assert import_jobs.resume_pending() == 0


def test_a_file_imported_just_before_the_kill_adds_nothing_when_resumed(admin: Actor, tmp_path: Path) -> None:
    import_jobs.configure(data_dir=tmp_path)
    client = fictive_client()
    data = a_statement_file()
    import_jobs.submit(admin, client_id=client.id, data=data, file_name='releve.txt')
    with session_scope() as session:  # as if the process died after the commit, before the job was marked done
        job = session.exec(select(StatementImport)).one()
        job.status, job.stored_as = 'pending', 'again.bin'
        session.add(job)
    (tmp_path / 'imports' / 'again.bin').write_bytes(data)
    import_jobs._resume_all([job.id])
    assert transactions() == 30
    with session_scope() as session:
        assert session.exec(select(StatementImport)).one().status == 'done'


def test_a_refused_file_is_recorded_with_its_reason_and_not_kept(admin: Actor, tmp_path: Path) -> None:
    import_jobs.configure(data_dir=tmp_path)
    with pytest.raises(Exception, match='n’est pas un relevé bancaire reconnu'):
        import_jobs.submit(admin, client_id=fictive_client().id, data=b'bonjour', file_name='note.txt')
    with session_scope() as session:
        job = session.exec(select(StatementImport)).one()
    assert job.status == 'failed' and 'relevé bancaire reconnu' in job.error
    assert list((tmp_path / 'imports').iterdir()) == []


def test_nobody_may_drop_a_file_into_another_firms_client_file(witness_admin: Actor, tmp_path: Path) -> None:
    import_jobs.configure(data_dir=tmp_path)
    with pytest.raises(Exception, match='introuvable'):
        import_jobs.submit(witness_admin, client_id=fictive_client().id, data=a_statement_file(), file_name='x.txt')
    with session_scope() as session:
        assert session.exec(select(StatementImport)).all() == []
    assert not (tmp_path / 'imports').exists() or list((tmp_path / 'imports').iterdir()) == []
