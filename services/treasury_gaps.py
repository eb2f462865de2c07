"""Where an account's history has holes: statements whose balances do not chain, business days no statement covers,
and a connection that has not brought anything for too long. Pure functions over plain rows (services.treasury reads
them), so the rules are easy to read and to test.

A statement's opening balance is the balance at the end of its ``opening_date`` (CFONB « date de l'ancien solde »,
and the daily statements of services.daily_statements); its period covers ``opening_date``..``closing_date``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta

from services.formatting import day, money

STALE_AFTER_BUSINESS_DAYS = 3
MISMATCH, MISSING_DAYS, STALE_SYNC = 'balance_mismatch', 'missing_days', 'stale_sync'


@dataclass(frozen=True)
class Period:
    """What the gap rules read of a statement."""

    opening_cents: int | None
    opening_date: date | None
    closing_cents: int | None
    closing_date: date | None


@dataclass(frozen=True)
class Gap:
    account_id: int
    iban: str
    start: date
    end: date
    kind: str  # MISMATCH, MISSING_DAYS or STALE_SYNC
    sentence: str
    can_sync: bool = False  # the account has a live connection and the actor may force its sync
    upload_path: str | None = None  # where to upload the missing statement when it cannot be synced


def is_business_day(value: date) -> bool:
    return value.weekday() < 5


def business_days(start: date, end: date) -> int:
    """Mon–Fri days in start..end, both included (0 when end < start)."""
    if end < start:
        return 0
    weeks, extra = divmod((end - start).days + 1, 7)
    count = weeks * 5
    for offset in range(extra):
        count += is_business_day(start + timedelta(days=weeks * 7 + offset))
    return count


def _business_bounds(start: date, end: date) -> tuple[date, date] | None:
    """The first and last business days of start..end, if it has any."""
    while start <= end and not is_business_day(start):
        start += timedelta(days=1)
    while end >= start and not is_business_day(end):
        end -= timedelta(days=1)
    return (start, end) if start <= end else None


def uncovered(periods: list[Period]) -> list[tuple[date, date]]:
    """Runs of business days between the first and the last statement that no statement period covers."""
    spans = sorted((p.opening_date or p.closing_date, p.closing_date) for p in periods if p.closing_date is not None)
    holes: list[tuple[date, date]] = []
    reach: date | None = None
    for first, last in spans:
        if reach is not None and first > reach + timedelta(days=1):
            bounds = _business_bounds(reach + timedelta(days=1), first - timedelta(days=1))
            if bounds:
                holes.append(bounds)
        reach = last if reach is None else max(reach, last)
    return holes


def breaks(periods: list[Period]) -> list[tuple[Period, Period]]:
    """(previous, statement) pairs where the opening balance is not the closing balance of the latest statement that
    closed on or before its opening date (several closing that day, from several sources: any one matching will do)."""
    closed = sorted(
        (p for p in periods if p.closing_date is not None and p.closing_cents is not None),
        key=lambda p: p.closing_date,
    )
    dates = [p.closing_date for p in closed]
    found = []
    for current in periods:
        if current.opening_cents is None or current.opening_date is None:
            continue
        index = bisect_right(dates, current.opening_date)
        if index == 0:
            continue  # the first statement: nothing before it to chain with
        same_day = closed[bisect_left(dates, dates[index - 1]) : index]
        previous = [p for p in same_day if p is not current]
        if previous and all(p.closing_cents != current.opening_cents for p in previous):
            found.append((previous[0], current))
    return found


def statement_gaps(account_id: int, iban: str, periods: list[Period]) -> list[Gap]:
    """Missing days, then the balance breaks that no missing days explain (a missing statement breaks the chain of
    balances too: one gap says it)."""
    gaps = []
    for start, end in uncovered(periods):
        count = business_days(start, end)
        sentence = f'Aucun relevé du {day(start)} au {day(end)} ({count} jour(s) ouvré(s) manquant(s)).'
        gaps.append(Gap(account_id, iban, start, end, MISSING_DAYS, sentence))
    holes = list(gaps)
    for previous, current in breaks(periods):
        start, end = previous.closing_date, current.opening_date
        if any(start <= hole.start and hole.end <= end for hole in holes):
            continue
        if any((g.start, g.end, g.kind) == (start, end, MISMATCH) for g in gaps):
            continue  # the same break seen from two sources' statements
        sentence = (
            f'Le solde d’ouverture du relevé du {day(current.opening_date)} ({money(current.opening_cents)}) ne '
            f'correspond pas au solde de clôture du relevé précédent du {day(previous.closing_date)} '
            f'({money(previous.closing_cents)}) : écart de {money(current.opening_cents - previous.closing_cents)}.'
        )
        gaps.append(Gap(account_id, iban, start, end, MISMATCH, sentence))
    return sorted(gaps, key=lambda g: (g.start, g.end))


def stale_gap(account_id: int, iban: str, last_success: date | None, since: date, today: date) -> Gap | None:
    """A connected account whose last successful sync (else the connection's creation) is more than 3 business
    days ago: its days since then may be missing."""
    reference = last_success or since
    count = business_days(reference + timedelta(days=1), today)
    if count <= STALE_AFTER_BUSINESS_DAYS:
        return None
    sentence = (
        f'Dernière synchronisation réussie le {day(reference)} : {count} jours ouvrés sans nouvelles opérations.'
        if last_success
        else f'Aucune synchronisation réussie depuis l’ajout de la connexion le {day(reference)} '
        f'({count} jours ouvrés).'
    )
    return Gap(account_id, iban, reference, today, STALE_SYNC, sentence)
