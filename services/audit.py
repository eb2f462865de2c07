"""The append-only audit journal."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from services.models import AuditEvent
from services.permissions import Actor


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    actor_email: str | None = None,
    actor_user_id: int | None = None,
    firm_id: int | None = None,
    target_type: str | None = None,
    target_id: object = None,
    ip: str | None = None,
    detail: str | None = None,
) -> None:
    """Add an event to the caller's unit of work, so it commits (or not) with what it describes."""
    session.add(
        AuditEvent(
            action=action,
            actor_user_id=actor.user_id if actor else actor_user_id,
            actor_email=actor.email if actor else actor_email,
            firm_id=firm_id if firm_id is not None else (actor.firm_id if actor else None),
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            ip=ip if ip is not None else (actor.ip if actor else None),
            detail=detail,
        )
    )


def count_since(session: Session, *, action: str, ip: str, since: datetime) -> int:
    query = select(func.count()).where(AuditEvent.action == action, AuditEvent.ip == ip, col(AuditEvent.at) >= since)
    return session.exec(query).one()


def events_for_firm(session: Session, *, firm_id: int, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.firm_id == firm_id).order_by(col(AuditEvent.id).desc()).limit(limit)
    return list(session.exec(query))
