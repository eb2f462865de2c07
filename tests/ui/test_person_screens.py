"""« Personnes enregistrées » on a client file's page: a collaborator registers a person from the dialog."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from services import demo
from services.db import session_scope
from services.models import Client
from services.user_models import RegisteredPerson

from .conftest import SLOW, sign_in


async def open_fictive_file(user: User) -> None:
    await sign_in(user, 'collaborateur@cabinet-demo.fr', then='Bonjour Paul')
    with session_scope() as session:
        client_id = session.exec(select(Client.id).where(Client.legal_name == demo.FICTIVE)).one()
    await user.open(f'/dossiers/{client_id}')
    await user.should_see('Personnes enregistrées', retries=SLOW)
    await user.should_see('Garnier', retries=SLOW)
    user.find(marker='person-add').click()
    await user.should_see(marker='person-form-save', retries=SLOW)


def form_field(user: User, name: str) -> ui.input:
    return user.find(marker=f'person-form-{name}').elements.pop()


def fill_thi(user: User, phone: str) -> None:
    for name, value in (
        ('last-name', 'Nguyen'),
        ('first-name', 'Thi'),
        ('birth-date', '01/02/1990'),
        ('phone', phone),
        ('email', 'thi.nguyen@exemple.fr'),
    ):
        user.find(marker=f'person-form-{name}').type(value)


async def test_a_collaborator_registers_a_person_and_sees_them_in_the_list(user: User) -> None:
    await open_fictive_file(user)
    fill_thi(user, '06 11 22 33 44')
    user.find(marker='person-form-save').click()
    await user.should_see('Personne enregistrée.', retries=SLOW)
    await user.should_see('Nguyen', retries=SLOW)
    await user.should_see('06 11 22 33 44', retries=SLOW)
    await user.should_see('01/02/1990', retries=SLOW)


async def test_a_wrong_phone_is_said_under_the_field_and_what_was_typed_stays(user: User) -> None:
    await open_fictive_file(user)
    fill_thi(user, '06 11')
    user.find(marker='person-form-save').click()
    await user.should_see('Vérifiez les champs signalés.', retries=SLOW)
    assert form_field(user, 'phone').error == "Ce numéro de téléphone n'est pas valide."
    assert form_field(user, 'birth-date').error is None
    typed = {name: form_field(user, name).value for name in ('last-name', 'first-name', 'birth-date', 'phone')}
    assert typed == {'last-name': 'Nguyen', 'first-name': 'Thi', 'birth-date': '01/02/1990', 'phone': '06 11'}


async def test_a_double_click_on_save_registers_the_person_once(user: User) -> None:
    await open_fictive_file(user)
    fill_thi(user, '06 11 22 33 44')
    save = user.find(marker='person-form-save')
    save.click()
    save.click()
    await user.should_see('Personne enregistrée.', retries=SLOW)
    await user.should_not_see('Vérifiez les champs signalés.')
    with session_scope() as session:
        query = select(RegisteredPerson).where(RegisteredPerson.last_name == 'Nguyen')
        assert len(session.exec(query).all()) == 1
