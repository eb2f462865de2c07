"""« Journal d'audit »: the firm's Administrateur reads, filters and exports the firm's journal, and only it."""

from __future__ import annotations

import ast
import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from services import audit_journal, auth, firms
from services.audit_labels import ACTION_LABELS, family_of
from services.db import session_scope
from services.errors import AuthError, Forbidden, InvalidInput
from services.formatting import PARIS
from services.models import AuditEvent, Client, Firm, User
from services.permissions import Actor
from tests.actors import sign_in

CLIENT_USER = 'dirigeant@entreprise-fictive.fr'
SERVICES = Path(__file__).resolve().parents[2] / 'services'


def _add_event(action: str, *, firm_id: int | None, at: datetime | None = None, email: str | None = None) -> int:
    # Inserting is what the journal allows; tests use it to place events on chosen days.
    with session_scope() as session:
        event = AuditEvent(action=action, firm_id=firm_id, actor_email=email, **({'at': at} if at else {}))
        session.add(event)
        session.flush()
        return event.id


def _today() -> date:
    return datetime.now(PARIS).date()


def test_the_administrator_narrows_the_journal_by_family_user_and_days(admin: Actor) -> None:
    sign_in('collaborateur@cabinet-demo.fr')
    firms.update_firm(admin, name='Cabinet Démo & Associés', siren='412345670')

    everything = audit_journal.search(admin)
    assert everything.total >= 3 and everything.rows[0].action == 'firm.updated'  # newest first

    sign_ins = audit_journal.search(admin, action_family='connexions')
    assert {row.action_label for row in sign_ins.rows} == {'Connexion'}
    assert {row.user for row in sign_ins.rows} == {'admin@cabinet-demo.fr', 'collaborateur@cabinet-demo.fr'}

    paul = audit_journal.search(admin, actor_text='COLLABORATEUR@')
    assert [row.user for row in paul.rows] == ['collaborateur@cabinet-demo.fr']

    assert audit_journal.search(admin, start=_today(), end=_today()).total == everything.total
    assert audit_journal.search(admin, end=date(2020, 1, 1)).total == 0
    assert audit_journal.search(admin, text='associés').rows[0].action == 'firm.updated'
    assert audit_journal.search(admin, text='connexion', action_family='connexions').total == 2  # French words


def test_days_are_paris_days(admin: Actor) -> None:
    # 23:30 UTC on 15 January is already 00:30 on the 16th in Paris.
    late = _add_event('firm.updated', firm_id=admin.firm_id, at=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    on_the_16th = audit_journal.search(admin, start=date(2026, 1, 16), end=date(2026, 1, 16))
    assert [row.id for row in on_the_16th.rows] == [late]
    assert audit_journal.search(admin, start=date(2026, 1, 15), end=date(2026, 1, 15)).total == 0


def test_the_journal_pages_through_its_events(admin: Actor) -> None:
    ids = [_add_event('client.updated', firm_id=admin.firm_id) for _ in range(5)]
    first = audit_journal.search(admin, action_family='dossiers', per_page=2)
    second = audit_journal.search(admin, action_family='dossiers', per_page=2, page=2)
    assert first.total == 5
    assert [row.id for row in first.rows + second.rows] == sorted(ids, reverse=True)[:4]


def test_a_day_range_backwards_is_refused_in_french(admin: Actor) -> None:
    with pytest.raises(InvalidInput, match='date « au »'):
        audit_journal.search(admin, start=date(2026, 3, 2), end=date(2026, 3, 1))
    with pytest.raises(InvalidInput, match='date « au »'):
        audit_journal.export_csv(admin, start=date(2026, 3, 2), end=date(2026, 3, 1))


def test_a_collaborator_may_not_read_the_journal(collaborator: Actor) -> None:
    with pytest.raises(Forbidden):
        audit_journal.search(collaborator)
    with pytest.raises(Forbidden):
        audit_journal.export_csv(collaborator)


def test_another_firm_events_never_show(admin: Actor, witness_admin: Actor) -> None:
    with session_scope() as session:
        their_siren = session.get(Firm, witness_admin.firm_id).siren
    firms.update_firm(witness_admin, name='Cabinet Témoin bis', siren=their_siren)
    ours = audit_journal.search(admin, per_page=200).rows
    theirs = audit_journal.search(witness_admin, per_page=200).rows
    assert not {row.id for row in ours} & {row.id for row in theirs}
    assert 'admin@cabinet-temoin.fr' not in {row.user for row in ours}
    assert audit_journal.search(admin, text='Témoin').total == 0
    csv_text = audit_journal.export_csv(admin).decode('utf-8-sig')
    assert 'cabinet-temoin' not in csv_text


def test_the_csv_opens_in_french_excel(admin: Actor) -> None:
    _add_event('mystery.thing', firm_id=admin.firm_id, email='=HYPERLINK("http://x")')
    data = audit_journal.export_csv(admin)
    assert data.startswith(b'\xef\xbb\xbf')
    lines = list(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))
    assert lines[0] == ['Date', 'Heure', 'Utilisateur', 'Action', 'Cible', 'Adresse IP', 'Détail']
    assert lines[1][3:4] == ['mystery.thing'] and lines[1][2].startswith("'=")  # unknown code as is; no formula
    sign_in_line = next(line for line in lines if line[3] == 'Connexion')
    assert re.fullmatch(r'\d\d/\d\d/\d{4}', sign_in_line[0]) and re.fullmatch(r'\d\d:\d\d:\d\d', sign_in_line[1])
    assert sign_in_line[2] == 'admin@cabinet-demo.fr' and sign_in_line[5] == '203.0.113.7'
    exports = audit_journal.search(admin, action_family='cabinet').rows
    assert exports[0].action_label == 'Journal d’audit exporté'  # reading the journal out is journaled


def test_unknown_actions_show_their_code_under_others(admin: Actor) -> None:
    event_id = _add_event('mystery.thing', firm_id=admin.firm_id)
    found = audit_journal.search(admin, action_family='autres')
    assert [(row.id, row.action_label) for row in found.rows] == [(event_id, 'mystery.thing')]
    with pytest.raises(InvalidInput):
        audit_journal.search(admin, action_family='nope')


def test_a_client_user_sign_in_lands_in_the_firm_journal(admin: Actor, witness_admin: Actor) -> None:
    with pytest.raises(AuthError):
        auth.check_password(CLIENT_USER, 'wrong password', ip='198.51.100.4')
    sign_in(CLIENT_USER)
    with session_scope() as session:
        client_id = session.exec(select(User.client_id).where(User.email == CLIENT_USER)).one()
        assert session.get(Client, client_id).firm_id == admin.firm_id
    seen = audit_journal.search(admin, actor_text=CLIENT_USER, action_family='connexions').rows
    assert [row.action_label for row in seen] == ['Connexion', 'Échec de connexion']
    assert seen[1].detail == 'mot de passe incorrect'
    assert audit_journal.search(witness_admin, actor_text=CLIENT_USER).total == 0


@pytest.mark.parametrize('statement', ['UPDATE audit_event SET detail = :x WHERE id = :id', 'DELETE FROM audit_event'])
def test_nobody_can_change_or_erase_the_journal(admin: Actor, statement: str) -> None:
    event_id = audit_journal.search(admin).rows[0].id
    with pytest.raises(DBAPIError, match='append-only'), session_scope() as session:
        session.exec(text(statement), params={'x': 'forged', 'id': event_id})
    assert audit_journal.search(admin).rows[0].id == event_id


def _recorded_actions() -> set[str]:
    """Every constant action passed to audit.record in services/, including both sides of a conditional."""
    found = set()
    for path in SERVICES.rglob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Call) and getattr(node.func, 'attr', None) == 'record' and len(node.args) > 1:
                if getattr(node.func.value, 'id', None) != 'audit':
                    continue
                arg = node.args[1]
                branches = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                found |= {b.value for b in branches if isinstance(b, ast.Constant)}
    return found


def test_every_recorded_action_has_a_french_label_and_a_family() -> None:
    actions = _recorded_actions()
    assert {'login.success', 'user.created', 'mandate.sign'} <= actions
    assert actions - ACTION_LABELS.keys() == set()
    assert {action for action in ACTION_LABELS if family_of(action) == 'autres'} == set()
