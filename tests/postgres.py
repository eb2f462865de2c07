"""A throwaway PostgreSQL 15 cluster for the tests, started as the `postgres` system user when we are root."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get('RELAIS_PG_BIN', '/usr/lib/postgresql/15/bin'))


def available() -> bool:
    return (PG_BIN / 'initdb').exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> None:
    prefix = ['runuser', '-u', 'postgres', '--'] if os.geteuid() == 0 else []
    subprocess.run(prefix + args, check=True, capture_output=True, text=True)


@contextmanager
def cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL to the `postgres` database of a new cluster; remove it afterwards."""
    base = Path(tempfile.mkdtemp(prefix='relais-pg-'))
    if os.geteuid() == 0:
        shutil.chown(base, 'postgres', 'postgres')
    data, port = base / 'data', _free_port()
    _as_postgres(
        [str(PG_BIN / 'initdb'), '-D', str(data), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale']
    )
    options = (
        f'-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off '
        '-c synchronous_commit=off -c full_page_writes=off'
    )
    _as_postgres([str(PG_BIN / 'pg_ctl'), '-D', str(data), '-o', options, '-l', str(base / 'log'), '-w', 'start'])
    try:
        yield f'postgresql+psycopg://postgres@127.0.0.1:{port}/postgres'
    finally:
        _as_postgres([str(PG_BIN / 'pg_ctl'), '-D', str(data), '-m', 'immediate', 'stop'])
        shutil.rmtree(base, ignore_errors=True)
