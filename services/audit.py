"""The append-only audit journal."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from services.models import AuditEvent, Client, User
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
            firm_id=firm_id if firm_id is not None else _firm_of(session, actor, actor_user_id),
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            ip=ip if ip is not None else (actor.ip if actor else None),
            detail=detail,
        )
    )


def _firm_of(session: Session, actor: Actor | None, user_id: int | None) -> int | None:
    """The firm whose journal holds the event: a client user has no firm of their own, so their sign-ins and
    actions go to the journal of the firm that keeps their client file."""
    if actor is not None:
        firm_id, client_id = actor.firm_id, actor.client_id
    else:
        user = session.get(User, user_id) if user_id is not None else None
        if user is None:
            return None
        firm_id, client_id = user.firm_id, user.client_id
    if firm_id is not None or client_id is None:
        return firm_id
    client = session.get(Client, client_id)
    return client.firm_id if client else None


def count_since(session: Session, *, action: str, ip: str, since: datetime) -> int:
    query = select(func.count()).where(AuditEvent.action == action, AuditEvent.ip == ip, col(AuditEvent.at) >= since)
    return session.exec(query).one()


def recorded_since(
    session: Session, *, action: str, firm_id: int, target_type: str, target_id: object, since: datetime
) -> bool:
    """Whether ``action`` was journaled for this target of the firm since ``since`` (a request already heard)."""
    query = select(AuditEvent.id).where(
        AuditEvent.action == action,
        AuditEvent.firm_id == firm_id,
        AuditEvent.target_type == target_type,
        AuditEvent.target_id == str(target_id),
        col(AuditEvent.at) > since,
    )
    return session.exec(query.limit(1)).first() is not None


def events_for_firm(session: Session, *, firm_id: int, limit: int = 100) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.firm_id == firm_id).order_by(col(AuditEvent.id).desc()).limit(limit)
    return list(session.exec(query))
