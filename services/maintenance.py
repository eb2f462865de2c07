"""Planned maintenance of a bank: announced ahead by a banner, syncs skipped (status `maintenance`) while it lasts,
and for « Module indisponible » the bank screens show the notice instead of acting. Syncs resume by themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from services import audit
from services.clock import aware, now
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.health_models import MaintenanceWindow
from services.permissions import Actor, require

KINDS = {'sync': 'Synchronisation indisponible', 'module': 'Module indisponible'}
ANNOUNCE = timedelta(days=7)
LISTED = timedelta(days=365)


def schedule(
    actor: Actor, *, bank_name: str, starts_at: datetime | None, ends_at: datetime | None, kind: str, message: str
) -> MaintenanceWindow:
    require(actor, 'maintenance.manage')
    errors = {}
    if not bank_name.strip():
        errors['bank'] = 'Choisissez la banque.'
    if starts_at is None:
        errors['start'] = 'Indiquez le début.'
    if ends_at is None:
        errors['end'] = 'Indiquez la fin.'
    elif starts_at is not None and ends_at <= starts_at:
        errors['end'] = 'La fin doit suivre le début.'
    elif ends_at <= now():
        errors['end'] = 'La fin est déjà passée.'
    if kind not in KINDS:
        errors['kind'] = 'Choisissez le type de maintenance.'
    if errors:
        raise InvalidInput(errors)
    with session_scope() as session:
        window = MaintenanceWindow(
            firm_id=actor.firm_id,
            bank_name=bank_name.strip(),
            starts_at=starts_at.astimezone(UTC),  # SQLite keeps no offset: every stored time is UTC
            ends_at=ends_at.astimezone(UTC),
            kind=kind,
            message=message.strip()[:500] or KINDS[kind],
            created_by=actor.user_id,
        )
        session.add(window)
        session.flush()
        audit.record(
            session,
            'maintenance.scheduled',
            actor=actor,
            target_type='maintenance',
            target_id=window.id,
            detail=f'{window.bank_name} {starts_at:%Y-%m-%d %H:%M}..{ends_at:%Y-%m-%d %H:%M} {kind}',
        )
        return window


def cancel(actor: Actor, window_id: int) -> None:
    require(actor, 'maintenance.manage')
    with session_scope() as session:
        window = session.get(MaintenanceWindow, window_id)
        if window is None or window.firm_id != actor.firm_id:
            raise NotFound('Maintenance')
        window.ends_at = min(aware(window.ends_at), now())
        session.add(window)
        audit.record(session, 'maintenance.cancelled', actor=actor, target_type='maintenance', target_id=window_id)


def current_and_coming(actor: Actor, *, within: timedelta = ANNOUNCE) -> list[MaintenanceWindow]:
    """The windows of the actor's firm that are on now or start within ``within``: the banner's."""
    moment = now()
    with session_scope() as session:
        return list(
            session.exec(
                select(MaintenanceWindow)
                .where(
                    MaintenanceWindow.firm_id == actor.firm_id,
                    col(MaintenanceWindow.ends_at) > moment,
                    col(MaintenanceWindow.starts_at) <= moment + within,
                )
                .order_by(MaintenanceWindow.starts_at)
            ).all()
        )


def active(session: Session, *, firm_id: int, bank_name: str, kind: str | None = None) -> MaintenanceWindow | None:
    moment = now()
    query = select(MaintenanceWindow).where(
        MaintenanceWindow.firm_id == firm_id,
        MaintenanceWindow.bank_name == bank_name,
        col(MaintenanceWindow.starts_at) <= moment,
        col(MaintenanceWindow.ends_at) > moment,
    )
    if kind is not None:
        query = query.where(MaintenanceWindow.kind == kind)
    return session.exec(query.order_by(col(MaintenanceWindow.ends_at).desc())).first()
