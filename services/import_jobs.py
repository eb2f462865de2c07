"""Statement files a person drops are kept on disk until their import is committed, so that nothing dropped is lost.

A file is written to ``<data>/imports`` and recorded as pending before the import starts; the import commits whole
or not at all (services.statements); the record is marked done (or failed, with its French reason) afterwards. A
process killed in between leaves the record pending: the next start imports the file again by itself
(``resume_pending``), and since an import is idempotent a file imported just before the kill adds nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from sqlmodel import select

from services import db, failures
from services.clock import now
from services.errors import DomainError
from services.models import Client
from services.permissions import Actor
from services.statement_models import StatementImport
from services.statements import ImportSummary, check_upload, import_file, import_statements, read_file

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # a file that fails this many times at start-up is left for a person
_settings: dict[str, Path] = {}
_tasks: set[asyncio.Task] = set()


def configure(*, data_dir: Path) -> None:
    _settings['folder'] = data_dir / 'imports'


def _folder() -> Path:
    folder = _settings.get('folder') or Path('data') / 'imports'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def submit(
    actor: Actor, *, client_id: int, data: bytes, file_name: str, account_id: int | None = None
) -> ImportSummary:
    """Import a dropped file (the checks of services.statements.import_file), kept on disk until it is committed."""
    check_upload(actor, client_id=client_id, account_id=account_id)
    job_id = _keep(actor, client_id=client_id, account_id=account_id, file_name=file_name, data=data)
    try:
        summary = import_file(actor, client_id=client_id, data=data, file_name=file_name, account_id=account_id)
    except DomainError as refused:
        _finish(job_id, error=str(refused))
        raise
    _finish(job_id)
    return summary


def _keep(actor: Actor, *, client_id: int, account_id: int | None, file_name: str, data: bytes) -> int:
    stored_as = f'{uuid.uuid4().hex}.bin'
    path = _folder() / stored_as
    path.write_bytes(data)
    with db.session_scope() as session:
        job = StatementImport(
            firm_id=session.get(Client, client_id).firm_id,
            client_id=client_id,
            account_id=account_id,
            user_id=actor.user_id,
            file_name=file_name[:255],
            stored_as=stored_as,
        )
        session.add(job)
        session.flush()
        return job.id


def _finish(job_id: int, *, error: str | None = None) -> None:
    with db.session_scope() as session:
        job = session.get(StatementImport, job_id)
        job.status, job.error, job.finished_at = ('failed' if error else 'done'), (error or None), now()
        job.attempts += 1
        stored_as = job.stored_as
        session.add(job)
    (_folder() / stored_as).unlink(missing_ok=True)


def resume_pending() -> int:
    """The files a stopped process had not finished importing, imported again in a worker thread; how many."""
    with db.session_scope() as session:
        pending = session.exec(select(StatementImport.id).where(StatementImport.status == 'pending')).all()
    if pending:
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(_resume_all, list(pending)))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)
    return len(pending)


def _resume_all(job_ids: list[int]) -> None:
    for job_id in job_ids:
        try:
            _resume(job_id)
        except Exception as error:  # one broken file must not keep the others waiting
            failures.report(error, where=f'reprise de l’import de relevé {job_id}')


def _resume(job_id: int) -> None:
    with db.session_scope() as session:
        job = session.get(StatementImport, job_id)
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.error = 'failed', 'Import interrompu plusieurs fois : déposez de nouveau le fichier.'
            session.add(job)
            return
        job.attempts += 1
        session.add(job)
        client_id, account_id, file_name, stored_as = job.client_id, job.account_id, job.file_name, job.stored_as
    path = _folder() / stored_as
    if not path.exists():
        _finish(job_id, error='Le fichier déposé a disparu avant son import : déposez-le de nouveau.')
        return
    try:
        statements = read_file(path.read_bytes(), file_name)
        with db.session_scope() as session:
            summary = import_statements(
                session,
                session.get(Client, client_id),
                statements,
                source='file',
                file_name=file_name,
                account_id=account_id,
            )
    except DomainError as refused:
        _finish(job_id, error=str(refused))
        return
    summary.announce()
    _finish(job_id)
    log.info('import %s of %s resumed: %s', job_id, file_name, summary.sentence())
