"""The firm settings, the append-only audit journal, and demo data that seeds once."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from services import demo, firms
from services.db import session_scope
from services.errors import Forbidden, InvalidInput
from services.models import AuditEvent, Client, Firm, User
from services.permissions import Actor


def test_an_administrateur_renames_the_firm_and_the_journal_says_so(admin: Actor) -> None:
    firms.update_firm(admin, name='Cabinet Démo & Associés', siren='412345670')
    assert firms.firm_name(admin) == 'Cabinet Démo & Associés'
    with session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == 'firm.updated')).one()
    assert (event.actor_email, event.firm_id) == ('admin@cabinet-demo.fr', admin.firm_id)


def test_a_wrong_firm_siren_is_refused(admin: Actor) -> None:
    with pytest.raises(InvalidInput, match='SIREN'):
        firms.update_firm(admin, name='Cabinet Démo', siren='123')


def test_a_collaborateur_cannot_edit_the_firm(collaborator: Actor) -> None:
    with pytest.raises(Forbidden):
        firms.update_firm(collaborator, name='Pirate', siren='412345670')


@pytest.mark.parametrize('statement', ["UPDATE audit_event SET action = 'x'", 'DELETE FROM audit_event'])
def test_the_audit_journal_cannot_be_edited(admin: Actor, statement: str) -> None:
    with pytest.raises(DBAPIError, match='append-only'), session_scope() as session:
        session.exec(text(statement))


def _counts() -> tuple[int, int, int, list[str]]:
    with session_scope() as session:
        hashes = list(session.exec(select(User.password_hash).order_by(User.id)))
        return (
            session.exec(select(func.count()).select_from(Firm)).one(),
            session.exec(select(func.count()).select_from(Client)).one(),
            len(hashes),
            hashes,
        )


def test_seeding_twice_changes_nothing(demo_data: None) -> None:
    before = _counts()
    demo.seed()
    assert _counts() == before
    assert before[:3] == (2, 45, 8)
