"""Service tests: a fresh database per test, on SQLite and on a throwaway PostgreSQL 15 cluster."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from services import db, demo
from services.permissions import Actor
from services.providers import registry
from services.providers.bridge import BridgeAggregator
from tests import postgres
from tests.actors import sign_in

_counter = itertools.count()


@pytest.fixture(scope='session')
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp('template') / 'template.db'
    db.migrate(f'sqlite:///{path}')
    return path


@pytest.fixture(scope='session')
def postgres_server() -> Iterator[str]:
    if not postgres.available():
        pytest.skip('PostgreSQL 15 server binaries are not on this machine')
    with postgres.cluster() as url:
        db.migrate(url.rsplit('/', 1)[0] + '/template1')  # every database created afterwards starts migrated
        yield url


def _postgres_database(server_url: str) -> str:
    name = f'relais_test_{next(_counter)}'
    admin = create_engine(server_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE {name}'))
    admin.dispose()
    return server_url.rsplit('/', 1)[0] + f'/{name}'


@pytest.fixture(params=['sqlite', 'postgresql'])
def database(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == 'sqlite':
        shutil.copy(sqlite_template, tmp_path / 'relais.db')
        url = f'sqlite:///{tmp_path / "relais.db"}'
    else:
        url = _postgres_database(request.getfixturevalue('postgres_server'))
    db.configure(url)
    yield url
    db.dispose()


@pytest.fixture
def demo_data(database: str) -> None:
    demo.seed()


@pytest.fixture
def admin(demo_data: None) -> Actor:
    return sign_in('admin@cabinet-demo.fr')


@pytest.fixture
def collaborator(demo_data: None) -> Actor:
    return sign_in('collaborateur@cabinet-demo.fr')


@pytest.fixture
def witness_admin(demo_data: None) -> Actor:
    return sign_in('admin@cabinet-temoin.fr')


@pytest.fixture
async def unreachable_aggregator() -> AsyncIterator[None]:
    """Both modules registered, against a port where nothing answers: what reaches the bank fails there, quickly."""
    for key, label in (('bridge', 'Synchronisation avec Bridge'), ('linxo', 'Synchronisation avec Linxo')):
        registry.register(
            BridgeAggregator(
                key=key,
                label=label,
                base_url='http://127.0.0.1:9',
                client_id='x',
                client_secret='x',
                webhook_secret='x',
            )
        )
    yield
    await registry.close()
