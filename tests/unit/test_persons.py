"""« Personnes enregistrées »: the firm's staff register, fix and remove the persons of a client file; a person who
is already a user keeps their identity and is disabled elsewhere, and nobody outside the firm sees any of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from services import demo, persons
from services.clock import now
from services.db import session_scope
from services.demo_people import FICTIVE_PERSONS
from services.errors import Forbidden, InvalidInput, NotFound
from services.models import AuditEvent, Client
from services.permissions import Actor
from services.persons import PersonInput
from tests.actors import sign_in

THI = PersonInput('Nguyen', 'Thi', date(1990, 2, 1), '06 11 22 33 44', 'thi.nguyen@exemple.fr')


@pytest.fixture
def fictive(demo_data: None) -> int:
    with session_scope() as session:
        return session.exec(select(Client.id).where(Client.legal_name == demo.FICTIVE)).one()


def registered(actor: Actor, client_id: int, last_name: str):
    return next(p for p in persons.list_persons(actor, client_id) if p.last_name == last_name)


def journal(action: str) -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.detail).where(AuditEvent.action == action)))


def refusal(call, *args) -> dict[str, str]:
    with pytest.raises(InvalidInput) as problem:
        call(*args)
    return problem.value.errors


def test_a_collaborator_registers_a_person_who_then_shows_in_the_list(collaborator: Actor, fictive: int) -> None:
    thi = persons.register_person(collaborator, fictive, THI)
    assert (thi.phone, thi.email, thi.user_id) == ('0611223344', 'thi.nguyen@exemple.fr', None)
    assert registered(collaborator, fictive, 'Nguyen').id == thi.id
    assert journal('person.registered') == ['Thi Nguyen']


def test_the_same_person_is_not_registered_twice(collaborator: Actor, fictive: int) -> None:
    persons.register_person(collaborator, fictive, THI)
    again = PersonInput('NGUYEN', 'thi', THI.birth_date, THI.phone)
    assert refusal(persons.register_person, collaborator, fictive, again) == {
        'last_name': 'Cette personne est déjà enregistrée pour ce dossier.'
    }


def test_a_wrong_phone_email_or_birth_date_is_refused_in_french(collaborator: Actor, fictive: int) -> None:
    wrong = PersonInput('Nguyen', 'Thi', now().date() + timedelta(days=1), '06 11', 'thi@')
    assert refusal(persons.register_person, collaborator, fictive, wrong) == {
        'birth_date': 'La date de naissance doit être dans le passé.',
        'phone': "Ce numéro de téléphone n'est pas valide.",
        'email': "Cette adresse e-mail n'est pas valide.",
    }
    ancient = PersonInput('Nguyen', 'Thi', date(1850, 1, 1), '0611223344')
    assert refusal(persons.register_person, collaborator, fictive, ancient) == {
        'birth_date': 'Cette date de naissance n’est pas plausible.'
    }
    assert not [p for p in persons.list_persons(collaborator, fictive) if p.last_name == 'Nguyen']


def test_staff_fix_a_person_then_remove_them(admin: Actor, fictive: int) -> None:
    lucie = registered(admin, fictive, 'Garnier')
    fixed = PersonInput('Garnier-Roy', 'Lucie', lucie.birth_date, '07 01 02 03 04', 'lucie@exemple.fr')
    assert persons.update_person(admin, lucie.id, fixed).phone == '0701020304'
    assert registered(admin, fictive, 'Garnier-Roy').email == 'lucie@exemple.fr'
    persons.remove_person(admin, lucie.id)
    assert 'Garnier-Roy' not in [p.last_name for p in persons.list_persons(admin, fictive)]
    assert (journal('person.updated'), journal('person.removed')) == (['Lucie Garnier-Roy'], ['Lucie Garnier-Roy'])


def test_a_person_already_a_user_keeps_their_identity_and_is_not_removed(admin: Actor, fictive: int) -> None:
    martin = registered(admin, fictive, 'Martin')
    assert martin.user_id is not None
    with pytest.raises(InvalidInput) as problem:
        persons.remove_person(admin, martin.id)
    assert str(problem.value) == persons.ALREADY_USER
    renamed = PersonInput('Martin', 'Jean', martin.birth_date, martin.phone, martin.email or '')
    assert refusal(persons.update_person, admin, martin.id, renamed) == {'first_name': persons.IDENTITY_FROZEN}
    new_phone = PersonInput('Martin', 'Jean-Michel', martin.birth_date, '0699887766', martin.email or '')
    assert persons.update_person(admin, martin.id, new_phone).phone == '0699887766'
    assert registered(admin, fictive, 'Martin').user_id == martin.user_id


def test_another_firm_sees_nothing_and_changes_nothing(admin: Actor, witness_admin: Actor, fictive: int) -> None:
    lucie = registered(admin, fictive, 'Garnier')
    with pytest.raises(NotFound):
        persons.list_persons(witness_admin, fictive)
    with pytest.raises(NotFound):
        persons.register_person(witness_admin, fictive, THI)
    with pytest.raises(NotFound, match='Personne enregistrée introuvable'):
        persons.update_person(witness_admin, lucie.id, THI)
    with pytest.raises(NotFound, match='Personne enregistrée introuvable'):
        persons.remove_person(witness_admin, lucie.id)
    assert registered(admin, fictive, 'Garnier').phone == lucie.phone


def test_a_collaborator_reaches_only_the_files_assigned_to_them(admin: Actor, fictive: int) -> None:
    claire = sign_in('claire.bernard@cabinet-demo.fr')  # not assigned to the fictive company
    lucie = registered(admin, fictive, 'Garnier')
    with pytest.raises(NotFound):
        persons.register_person(claire, fictive, THI)
    with pytest.raises(NotFound):
        persons.remove_person(claire, lucie.id)


def test_a_dirigeant_cannot_register_fix_or_remove(admin: Actor, fictive: int) -> None:
    dirigeant = sign_in('dirigeant@entreprise-fictive.fr')
    lucie = registered(admin, fictive, 'Garnier')
    for call, args in (
        (persons.register_person, (fictive, THI)),
        (persons.update_person, (lucie.id, THI)),
        (persons.remove_person, (lucie.id,)),
    ):
        with pytest.raises(Forbidden):
            call(dirigeant, *args)
    assert len(persons.list_persons(dirigeant, fictive)) == len(FICTIVE_PERSONS)
