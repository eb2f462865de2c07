"""The sandbox clock: real UTC time shifted by a persisted offset, moved by the test-only clock endpoints."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class MetaStore(Protocol):
    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a `Z`, to the second (the API's datetime format)."""
    return None if moment is None else moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 datetime (`Z`, offset or naive = UTC); raise ValueError when it is not one."""
    cleaned = text.strip()
    if ' ' in cleaned and 'T' in cleaned:  # a `+` that was not URL-encoded arrives as a space
        cleaned = cleaned.replace(' ', '+')
    moment = datetime.fromisoformat(cleaned.replace('z', 'Z'))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_date(text: str) -> date:
    return date.fromisoformat(text.strip())


def start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Clock:
    """Sandbox time = real time + offset; the offset lives in the store so that it survives a restart."""

    def __init__(self, store: MetaStore) -> None:
        self._store = store
        self._offset = float(store.get_meta('clock_offset') or 0)

    @staticmethod
    def real_now() -> datetime:
        return datetime.now(UTC)

    def now(self) -> datetime:
        return (self.real_now() + timedelta(seconds=self._offset)).replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()

    def set(self, moment: datetime) -> datetime:
        self._offset = (moment.astimezone(UTC) - self.real_now()).total_seconds()
        self._store.set_meta('clock_offset', repr(self._offset))
        return self.now()

    def advance(self, days: float) -> datetime:
        self._offset += days * 86400
        self._store.set_meta('clock_offset', repr(self._offset))
        return self.now()
