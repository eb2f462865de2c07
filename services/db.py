"""Database engine and units of work.

The engine is configured at start-up by ``configure()``; nothing connects at import time.
SQLite gets WAL, a busy timeout and foreign keys on every connection; PostgreSQL is used as is. SQLite has one
writer at a time: a write waits up to BUSY_SECONDS for it (a 200,000-entry import holds it a few seconds) instead of
failing with « database is locked », which is why writes run in worker threads, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / 'migrations'
BUSY_SECONDS = 30

_engine: Engine | None = None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute('PRAGMA journal_mode=WAL')
    cursor.execute(f'PRAGMA busy_timeout={BUSY_SECONDS * 1000}')
    cursor.execute('PRAGMA foreign_keys=ON')
    cursor.execute('PRAGMA synchronous=NORMAL')
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith('sqlite'):
        engine = create_engine(url, connect_args={'check_same_thread': False, 'timeout': BUSY_SECONDS})
        event.listen(engine, 'connect', _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def configure(url: str) -> Engine:
    """Point the services at a database (replacing any previous engine)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = make_engine(url)
    return _engine


def engine() -> Engine:
    if _engine is None:
        raise RuntimeError('services.db.configure() was not called')
    return _engine


def dispose() -> None:
    global _engine
    if _engine is not None:
        _engine.dispose()
        _engine = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit when the block ends normally, roll back otherwise."""
    with Session(engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrate(url: str) -> None:
    """Bring the schema up to the newest revision (called at start-up and by the tests)."""
    config = Config()
    config.set_main_option('script_location', str(MIGRATIONS_DIR))
    config.set_main_option('sqlalchemy.url', url.replace('%', '%%'))
    config.attributes['configure_logger'] = False
    command.upgrade(config, 'head')
