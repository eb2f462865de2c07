"""« Journal d'audit »: the firm's Administrateur reads the firm's journal, filtered and paged, and exports it as CSV.

Only the actor's own firm is ever read. Days are Europe/Paris days (those on screen), turned into UTC bounds
because the journal stores UTC.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, false, func, not_, or_
from sqlmodel import col, select

from services import audit, db
from services.audit_labels import (
    FAMILIES,
    FAMILY_LABELS,
    OTHERS,
    action_label,
    actions_matching,
    detail_label,
    target_label,
)
from services.clock import aware
from services.errors import Forbidden, InvalidInput
from services.formatting import PARIS
from services.models import AuditEvent
from services.permissions import Actor, require

MAX_PER_PAGE = 200
MAX_EXPORT_ROWS = 100_000
CSV_HEADER = ('Date', 'Heure', 'Utilisateur', 'Action', 'Cible', 'Adresse IP', 'Détail')
# A cell starting with one of these is a formula for Excel: the e-mail or name a client typed must stay text.
_FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # aware, UTC
    user: str
    action: str
    action_label: str
    target: str
    ip: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    total: int


def families() -> dict[str, str]:
    """Family code → French label, in the order the filter lists them."""
    return dict(FAMILY_LABELS)


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=PARIS).astimezone(UTC)


def _contains(column: object, text: str) -> ColumnElement[bool]:
    # lower() on both sides: SQLite's LIKE and PostgreSQL's differ on case, lower() + LIKE is the same on both.
    return func.lower(column).contains(text.lower(), autoescape=True)


def _family_condition(code: str) -> ColumnElement[bool]:
    def matches(patterns: tuple[str, ...]) -> ColumnElement[bool]:
        return or_(
            false(),
            *(
                col(AuditEvent.action).startswith(p, autoescape=True) if p.endswith('.') else AuditEvent.action == p
                for p in patterns
            ),
        )

    if code == OTHERS:
        return not_(matches(tuple(p for family in FAMILIES for p in family.patterns)))
    family = next((f for f in FAMILIES if f.code == code), None)
    if family is None:
        raise InvalidInput({'action_family': 'Famille d’actions inconnue.'})
    return matches(family.patterns)


def _text_condition(text: str) -> ColumnElement[bool]:
    columns = (AuditEvent.action, AuditEvent.detail, AuditEvent.target_id, AuditEvent.ip, AuditEvent.actor_email)
    labelled = actions_matching(text)  # the French words on screen find their actions too
    return or_(
        *(_contains(column, text) for column in columns),
        col(AuditEvent.action).in_(labelled) if labelled else false(),
    )


def _conditions(
    actor: Actor, *, actor_text: str, action_family: str | None, start: date | None, end: date | None, text: str
) -> list[ColumnElement[bool]]:
    require(actor, 'audit.view')
    if actor.firm_id is None:
        raise Forbidden()
    if start is not None and end is not None and start > end:
        raise InvalidInput({'end': 'La date « au » doit être postérieure ou égale à la date « du ».'})
    conditions = [AuditEvent.firm_id == actor.firm_id]
    if actor_text.strip():
        conditions.append(_contains(AuditEvent.actor_email, actor_text.strip()))
    if action_family:
        conditions.append(_family_condition(action_family))
    if start is not None:
        conditions.append(col(AuditEvent.at) >= _paris_midnight(start))
    if end is not None:
        conditions.append(col(AuditEvent.at) < _paris_midnight(end + timedelta(days=1)))
    if text.strip():
        conditions.append(_text_condition(text.strip()))
    return conditions


def _row(event: AuditEvent) -> AuditRow:
    return AuditRow(
        id=event.id,
        at=aware(event.at),
        user=event.actor_email or '',
        action=event.action,
        action_label=action_label(event.action),
        target=target_label(event.target_type, event.target_id),
        ip=event.ip or '',
        detail=detail_label(event.action, event.detail),
    )


def search(
    actor: Actor,
    *,
    actor_text: str = '',
    action_family: str | None = None,
    start: date | None = None,
    end: date | None = None,
    text: str = '',
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """One page of the firm's journal, newest first."""
    conditions = _conditions(actor, actor_text=actor_text, action_family=action_family, start=start, end=end, text=text)
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    with db.session_scope() as session:
        total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
        events = session.exec(
            select(AuditEvent)
            .where(*conditions)
            .order_by(col(AuditEvent.id).desc())
            .offset((max(page, 1) - 1) * per_page)
            .limit(per_page)
        ).all()
        return AuditPage([_row(event) for event in events], total)


def spreadsheet_text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_line(row: AuditRow) -> list[str]:
    local = row.at.astimezone(PARIS)
    cells = [row.user, row.action_label, row.target, row.ip, row.detail]
    return [local.strftime('%d/%m/%Y'), local.strftime('%H:%M:%S'), *(spreadsheet_text(c) for c in cells)]


def export_csv(
    actor: Actor,
    *,
    actor_text: str = '',
    action_family: str | None = None,
    start: date | None = None,
    end: date | None = None,
    text: str = '',
) -> bytes:
    """The filtered journal as French Excel opens it: UTF-8 with BOM, ';' between cells, newest first.

    The export is itself journaled: reading the journal out of Relais is worth knowing about.
    """
    conditions = _conditions(actor, actor_text=actor_text, action_family=action_family, start=start, end=end, text=text)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=';')
    writer.writerow(CSV_HEADER)
    with db.session_scope() as session:
        total = session.exec(select(func.count()).select_from(AuditEvent).where(*conditions)).one()
        if total > MAX_EXPORT_ROWS:
            raise InvalidInput({'export': f'{total} événements : resserrez les dates (100 000 au plus par export).'})
        query = select(AuditEvent).where(*conditions).order_by(col(AuditEvent.id).desc())
        for event in session.exec(query.execution_options(yield_per=1000)):
            writer.writerow(_csv_line(_row(event)))
        audit.record(session, 'audit.exported', actor=actor, detail=f'{total} événement(s)')
    return buffer.getvalue().encode('utf-8-sig')
