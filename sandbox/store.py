"""Persistent sandbox state in its own SQLite file (stdlib sqlite3, WAL): users, tokens, connect sessions, items,
refresh log, webhook deliveries, statement mandates and the clock offset. Transactions, balances and statement files
are generated, never stored."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sandbox.clock import iso, parse_datetime

FIRST_ITEM_ID = 4_200_000
T = TypeVar('T')

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    uuid TEXT PRIMARY KEY, external_user_id TEXT UNIQUE, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, user_uuid TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, user_uuid TEXT NOT NULL, user_email TEXT, callback_url TEXT, item_id INTEGER,
    provider_id INTEGER, bank_imposed INTEGER NOT NULL DEFAULT 0, context TEXT, step TEXT NOT NULL,
    identifiant TEXT, result_item_id INTEGER, finished INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT, user_uuid TEXT NOT NULL, provider_id INTEGER NOT NULL,
    identifiant TEXT NOT NULL, scenario TEXT NOT NULL, status INTEGER NOT NULL, status_code_info TEXT,
    created_at TEXT NOT NULL, last_try_refresh TEXT, last_successful_refresh TEXT, consent_at TEXT NOT NULL,
    refreshing_until REAL, refresh_ok INTEGER NOT NULL DEFAULT 0, sca_renewed INTEGER NOT NULL DEFAULT 0,
    secret_renewed INTEGER NOT NULL DEFAULT 0, pro_validated INTEGER NOT NULL DEFAULT 0,
    validated_accounts TEXT NOT NULL DEFAULT '[]', api_calls INTEGER NOT NULL DEFAULT 0,
    bank_action_done INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS refresh_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, item_id INTEGER NOT NULL, at TEXT NOT NULL, user_present INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_log_item ON refresh_log (item_id, at);
CREATE TABLE IF NOT EXISTS webhook_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL, event_type TEXT NOT NULL, body TEXT NOT NULL,
    status_code INTEGER, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, created_at TEXT NOT NULL,
    delivered_at TEXT);
CREATE TABLE IF NOT EXISTS mandates (
    id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE, iban TEXT NOT NULL, holder TEXT NOT NULL,
    signer TEXT NOT NULL, inbox_url TEXT NOT NULL, inbox_secret TEXT NOT NULL, status TEXT NOT NULL,
    created_at TEXT NOT NULL, decides_at TEXT NOT NULL, decide_after REAL NOT NULL, decided_at TEXT, reason TEXT,
    first_day TEXT, sent_days TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS received_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, channel TEXT NOT NULL, sender TEXT, recipient TEXT NOT NULL,
    subject TEXT, body TEXT NOT NULL, received_at TEXT NOT NULL);
"""


@dataclass
class User:
    uuid: str
    external_user_id: str | None
    created_at: datetime


@dataclass
class Session:
    id: str
    user_uuid: str
    user_email: str | None
    callback_url: str | None
    item_id: int | None
    provider_id: int | None
    bank_imposed: bool
    context: str | None
    step: str
    identifiant: str | None
    result_item_id: int | None
    finished: bool
    created_at: datetime


@dataclass
class Item:
    id: int
    user_uuid: str
    provider_id: int
    identifiant: str
    scenario: str
    status: int
    status_code_info: str | None
    created_at: datetime
    last_try_refresh: datetime | None
    last_successful_refresh: datetime | None
    consent_at: datetime
    refreshing_until: float | None
    refresh_ok: bool
    sca_renewed: bool
    secret_renewed: bool
    pro_validated: bool
    validated_accounts: list[int] = field(default_factory=list)
    api_calls: int = 0
    bank_action_done: bool = False  # `tos`: the user accepted the new terms on the bank's own website


def _to_db(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return json.dumps(value)
    return value


def _from_row(cls: type, row: sqlite3.Row) -> Any:
    values: dict[str, Any] = {}
    for spec in fields(cls):
        raw = row[spec.name]
        kind = str(spec.type)
        if raw is not None and 'datetime' in kind:
            raw = parse_datetime(raw)
        elif 'bool' in kind:
            raw = bool(raw)
        elif kind.startswith('list'):
            raw = json.loads(raw)
        values[spec.name] = raw
    return cls(**values)


class Store:
    """One connection shared by the app's threads behind a re-entrant lock (`with store.lock:` for atomic work)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / 'sandbox.db'
        self.lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute('PRAGMA journal_mode=WAL')
        self._db.execute('PRAGMA synchronous=NORMAL')
        self._db.executescript(SCHEMA)
        self._add_missing_columns()
        self._db.execute(
            "INSERT INTO sqlite_sequence (name, seq) SELECT 'items', ? WHERE NOT EXISTS "
            "(SELECT 1 FROM sqlite_sequence WHERE name = 'items')",
            (FIRST_ITEM_ID,),
        )

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self.lock:
            return self._db.execute(sql, tuple(_to_db(value) for value in params))

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        with self.lock:
            return self._run(sql, params).fetchone()

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._run(sql, params).fetchall()

    # meta
    def get_meta(self, key: str) -> str | None:
        row = self._one('SELECT value FROM meta WHERE key = ?', (key,))
        return None if row is None else row['value']

    def set_meta(self, key: str, value: str) -> None:
        self._run(
            'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?', (key, value, value)
        )

    # users and tokens
    def create_user(self, external_user_id: str | None, now: datetime) -> User | None:
        user = User(str(uuid.uuid4()), external_user_id, now)
        try:
            self._run(
                'INSERT INTO users (uuid, external_user_id, created_at) VALUES (?, ?, ?)',
                (user.uuid, user.external_user_id, now),
            )
        except sqlite3.IntegrityError:
            return None
        return user

    def get_user(self, *, user_uuid: str | None = None, external_user_id: str | None = None) -> User | None:
        column, value = ('uuid', user_uuid) if user_uuid is not None else ('external_user_id', external_user_id)
        row = self._one(f'SELECT * FROM users WHERE {column} = ?', (value,))
        return None if row is None else _from_row(User, row)

    def list_users(self) -> list[User]:
        return [_from_row(User, row) for row in self._all('SELECT * FROM users ORDER BY created_at, uuid')]

    def delete_user(self, user_uuid: str) -> None:
        with self.lock:
            for table, column in (('items', 'user_uuid'), ('tokens', 'user_uuid'), ('users', 'uuid')):
                self._run(f'DELETE FROM {table} WHERE {column} = ?', (user_uuid,))

    def create_token(self, user_uuid: str, expires_at: datetime) -> str:
        token = secrets.token_urlsafe(32)
        self._run('INSERT INTO tokens (token, user_uuid, expires_at) VALUES (?, ?, ?)', (token, user_uuid, expires_at))
        return token

    def token_user(self, token: str, now: datetime) -> User | None:
        row = self._one('SELECT user_uuid, expires_at FROM tokens WHERE token = ?', (token,))
        if row is None or parse_datetime(row['expires_at']) <= now:
            return None
        return self.get_user(user_uuid=row['user_uuid'])

    # connect sessions
    def create_session(self, session: Session) -> None:
        columns = [spec.name for spec in fields(Session)]
        self._run(
            f'INSERT INTO sessions ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
            tuple(getattr(session, name) for name in columns),
        )

    def get_session(self, session_id: str) -> Session | None:
        row = self._one('SELECT * FROM sessions WHERE id = ?', (session_id,))
        return None if row is None else _from_row(Session, row)

    def update_session(self, session_id: str, **changes: Any) -> None:
        self._update('sessions', Session, 'id', session_id, changes)

    # items
    def create_item(self, **values: Any) -> Item:
        names = list(values)
        with self.lock:
            cursor = self._run(
                f'INSERT INTO items ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                tuple(values[name] for name in names),
            )
            item = self.get_item(int(cursor.lastrowid or 0))
        assert item is not None
        return item

    def _add_missing_columns(self) -> None:
        """A sandbox database made by an older version gains the columns added since (SQLite has no IF NOT EXISTS)."""
        present = {row['name'] for row in self._db.execute('PRAGMA table_info(items)')}
        if 'bank_action_done' not in present:
            self._db.execute('ALTER TABLE items ADD COLUMN bank_action_done INTEGER NOT NULL DEFAULT 0')

    def get_item(self, item_id: int) -> Item | None:
        row = self._one('SELECT * FROM items WHERE id = ?', (item_id,))
        return None if row is None else _from_row(Item, row)

    def list_items(self, user_uuid: str) -> list[Item]:
        rows = self._all('SELECT * FROM items WHERE user_uuid = ? ORDER BY id', (user_uuid,))
        return [_from_row(Item, row) for row in rows]

    def update_item(self, item_id: int, **changes: Any) -> None:
        self._update('items', Item, 'id', item_id, changes)

    def delete_item(self, item_id: int) -> None:
        with self.lock:
            self._run('DELETE FROM items WHERE id = ?', (item_id,))
            self._run('DELETE FROM refresh_log WHERE item_id = ?', (item_id,))

    def bump_calls(self, item_id: int) -> int:
        with self.lock:
            self._run('UPDATE items SET api_calls = api_calls + 1 WHERE id = ?', (item_id,))
            row = self._one('SELECT api_calls FROM items WHERE id = ?', (item_id,))
        return 0 if row is None else int(row['api_calls'])

    def _update(self, table: str, cls: type, key: str, key_value: Any, changes: dict[str, Any]) -> None:
        allowed = {spec.name for spec in fields(cls)} - {key}
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f'unknown columns: {sorted(unknown)}')
        if changes:
            assignments = ', '.join(f'{name} = ?' for name in changes)
            self._run(f'UPDATE {table} SET {assignments} WHERE {key} = ?', (*changes.values(), key_value))

    # refresh log (PSD2 quota of unattended refreshes)
    def log_refresh(self, item_id: int, at: datetime, user_present: bool) -> None:
        self._run('INSERT INTO refresh_log (item_id, at, user_present) VALUES (?, ?, ?)', (item_id, at, user_present))

    def unattended_refreshes(self, item_id: int, since: datetime) -> list[datetime]:
        rows = self._all(
            'SELECT at FROM refresh_log WHERE item_id = ? AND user_present = 0 AND at > ? ORDER BY at', (item_id, since)
        )
        return [parse_datetime(row['at']) for row in rows]

    # webhook deliveries
    def log_webhook(self, url: str, event_type: str, body: str, now: datetime) -> int:
        cursor = self._run(
            'INSERT INTO webhook_log (url, event_type, body, created_at) VALUES (?, ?, ?, ?)',
            (url, event_type, body, now),
        )
        return int(cursor.lastrowid or 0)

    def update_webhook(self, delivery_id: int, **changes: Any) -> None:
        assignments = ', '.join(f'{name} = ?' for name in changes)
        self._run(f'UPDATE webhook_log SET {assignments} WHERE id = ?', (*changes.values(), delivery_id))

    def webhook_log(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._all('SELECT * FROM webhook_log ORDER BY id')]

    # records of tables that a feature module owns (the demo bank's statement mandates)
    def insert_record(self, table: str, record: Any) -> None:
        columns = [spec.name for spec in fields(record)]
        self._run(
            f'INSERT INTO {table} ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})',
            tuple(getattr(record, name) for name in columns),
        )

    def select_records(self, cls: type[T], sql: str, params: tuple[Any, ...] = ()) -> list[T]:
        return [_from_row(cls, row) for row in self._all(sql, params)]

    def update_record(self, table: str, cls: type, key: str, key_value: Any, **changes: Any) -> None:
        self._update(table, cls, key, key_value, changes)
