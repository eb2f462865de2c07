"""« Gestion des utilisateurs »: a dirigeant adds a registered person as a user, rights come three ways, strong
authentication confirms, credentials leave by e-mail and SMS, and disabling ends the sessions."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlmodel import select

from services import demo, persons, rights, sessions, staff, totp, user_admin
from services.banking_models import BankAccount
from services.db import session_scope
from services.errors import AuthError, Forbidden, InvalidInput
from services.health_models import OutboxMessage
from services.models import AuditEvent, Client, User
from services.permissions import Actor
from services.rights import Grant
from services.user_models import RegisteredPerson
from tests.actors import sign_in

IBANS = ('FR7630006000011234567890189', 'FR7610278022040002042760330')


def fresh_code(actor: Actor) -> str:
    """The code of the actor's authenticator a step later than any used (as if half a minute went by)."""
    with session_scope() as session:
        session.get(User, actor.user_id).totp_last_step = None
    return totp.code_at(demo.TOTP_SECRET, time.time())


@pytest.fixture
def fictive(demo_data: None) -> int:
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == demo.FICTIVE)).one()
        for iban in IBANS:
            session.add(BankAccount(client_id=client.id, firm_id=client.firm_id, iban=iban, name='Compte courant'))
        return client.id


@pytest.fixture
def dirigeant(fictive: int) -> Actor:
    return sign_in('dirigeant@entreprise-fictive.fr')


def person(client_id: int, last_name: str) -> int:
    with session_scope() as session:
        query = select(RegisteredPerson.id).where(
            RegisteredPerson.client_id == client_id, RegisteredPerson.last_name == last_name
        )
        return session.exec(query).one()


def accounts(actor: Actor, client_id: int) -> list[int]:
    return [r.id for r in user_admin.file_resources(actor, client_id) if r.kind == 'account']


def add_lucie(actor: Actor, client_id: int, profile: str, grants: list[Grant], **changes: str):
    values = {'email': 'lucie.garnier@entreprise-fictive.fr', 'code': fresh_code(actor)} | changes
    return user_admin.add_user(
        actor, client_id=client_id, person_id=person(client_id, 'Garnier'), profile=profile, grants=grants, **values
    )


def test_a_dirigeant_adds_a_registered_person_with_the_comptable_profile(dirigeant: Actor, fictive: int) -> None:
    first, second = accounts(dirigeant, fictive)
    added = add_lucie(dirigeant, fictive, 'comptable', [Grant('account', first, consultation=True)])
    assert (added.profile_label, added.grants) == ('Comptable', [Grant('account', first, True, False, False)])
    with session_scope() as session:
        messages = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-2:]
        user = session.get(User, added.id)
        assert (user.must_change_password, user.birth_date.year, user.phone) == (True, 1985, '0623456789')
        account, other = session.get(BankAccount, first), session.get(BankAccount, second)
        actor = Actor.of(user)
        assert rights.holds(session, actor, 'consultation', account=account)
        assert not rights.holds(session, actor, 'gestion', account=account)
        assert not rights.holds(session, actor, 'consultation', account=other)
    assert [(m.channel, m.recipient) for m in messages] == [
        ('email', 'lucie.garnier@entreprise-fictive.fr'),
        ('sms', '0623456789'),
    ]
    assert 'lucie.garnier@entreprise-fictive.fr' in messages[0].body and 'mot de passe' not in messages[0].subject
    assert 'mot de passe temporaire est' in messages[1].body


def test_a_wrong_strong_authentication_code_adds_nobody(dirigeant: Actor, fictive: int) -> None:
    with pytest.raises(AuthError):
        add_lucie(dirigeant, fictive, 'dirigeant', [], code='000000')
    assert 'Lucie Garnier' not in [u.name for u in user_admin.list_users(dirigeant, fictive)]
    with session_scope() as session:
        last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (last.action, last.detail) == ('strong_auth.failed', 'user.create')


def test_an_e_mail_is_indispensable(dirigeant: Actor, fictive: int) -> None:
    with pytest.raises(InvalidInput, match='Une adresse mail valide est indispensable'):
        add_lucie(dirigeant, fictive, 'dirigeant', [], email='lucie@')


def test_a_preparateur_profile_never_validates(dirigeant: Actor, fictive: int) -> None:
    first, _ = accounts(dirigeant, fictive)
    with pytest.raises(InvalidInput, match='validation'):
        add_lucie(dirigeant, fictive, 'preparateur', [Grant('account', first, True, True, True)])


def test_rights_copied_from_another_user_are_the_same(dirigeant: Actor, fictive: int) -> None:
    first, second = accounts(dirigeant, fictive)
    grants = [Grant('account', first, True, True, False), Grant('account', second, True, False, False)]
    lucie = add_lucie(dirigeant, fictive, 'preparateur', grants)
    profile, copied = user_admin.rights_to_copy(dirigeant, fictive, lucie.id)
    karim = user_admin.add_user(
        dirigeant,
        client_id=fictive,
        person_id=person(fictive, 'Benali'),
        email='karim.benali@entreprise-fictive.fr',
        profile=profile,
        grants=copied,
        code=fresh_code(dirigeant),
    )
    assert (karim.profile, karim.grants) == ('preparateur', grants)


def test_a_dirigeant_sees_nothing_of_another_company(fictive: int) -> None:
    other = sign_in('dirigeant@garage-des-alpes.fr')
    for call in (user_admin.list_users, persons.list_persons, user_admin.file_resources):
        with pytest.raises(Forbidden):
            call(other, fictive)


def test_firm_staff_register_persons_and_only_the_administrator_adds_users(fictive: int, collaborator: Actor) -> None:
    data = persons.PersonInput('Nguyen', 'Thi', date(1990, 2, 1), '06 11 22 33 44', '')
    assert persons.register_person(collaborator, fictive, data).phone.startswith('06')
    with pytest.raises(Forbidden):
        user_admin.add_user(
            collaborator,
            client_id=fictive,
            person_id=person(fictive, 'Nguyen'),
            email='thi@exemple.fr',
            profile='comptable',
            grants=[],
            code='123456',
        )


def test_a_registered_person_needs_a_birth_date_and_a_phone(fictive: int, collaborator: Actor) -> None:
    with pytest.raises(InvalidInput) as problem:
        persons.register_person(collaborator, fictive, persons.PersonInput('Nguyen', 'Thi', None, '', ''))
    assert set(problem.value.errors) == {'birth_date', 'phone'}


def test_disabling_a_user_ends_their_sessions(dirigeant: Actor, fictive: int, admin: Actor) -> None:
    user_admin.set_disabled(admin, client_id=fictive, user_id=dirigeant.user_id, disabled=True)
    assert sessions.resume(dirigeant.session_id, ip=dirigeant.ip) is None


def test_the_firm_keeps_an_active_administrator(admin: Actor) -> None:
    with pytest.raises(Forbidden):
        staff.set_disabled(admin, user_id=admin.user_id, disabled=True)
    second = staff.add_member(
        admin,
        person=persons.PersonInput('Roche', 'Inès', date(1988, 5, 6), '0655443322', 'ines@cab.fr'),
        role='administrateur',
        code=fresh_code(admin),
    )
    staff.set_role(admin, user_id=second.id, role='superviseur', code=fresh_code(admin))
    assert {m.email: m.role for m in staff.list_staff(admin)}['ines@cab.fr'] == 'superviseur'


def test_an_address_already_in_use_is_refused_before_any_code_is_asked(dirigeant: Actor, fictive: int) -> None:
    with pytest.raises(InvalidInput, match='existe déjà'):
        user_admin.check_new_user(
            dirigeant,
            client_id=fictive,
            person_id=person(fictive, 'Garnier'),
            email='admin@cabinet-demo.fr',
            profile='comptable',
            grants=[],
        )
    with session_scope() as session:
        assert not session.exec(select(AuditEvent).where(AuditEvent.action.startswith('strong_auth'))).all()
