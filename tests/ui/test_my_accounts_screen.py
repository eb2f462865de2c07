"""« Mes comptes »: a client user's accounts show only the actions their rights allow."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing import User
from sqlmodel import select

from services import demo, events, mandates
from services.db import session_scope
from services.demo_people import PREPARER_EMAIL
from services.models import Client
from services.models import User as Person
from services.permissions import Actor
from services.rights import Grant, replace_grants
from tests.ui.conftest import SLOW, code, sign_in

IBAN = 'FR7630004008230001024567863'


def account_to_sign() -> int:
    """An IBAN of the fictive company whose mandate waits for a signature; the demo préparateur manages it."""
    with session_scope() as session:
        admin = Actor.of(session.exec(select(Person).where(Person.email == 'admin@cabinet-demo.fr')).one())
        fictive = session.exec(select(Client).where(Client.legal_name == demo.FICTIVE)).one().id
    account = mandates.add_iban(admin, client_id=fictive, value=IBAN)
    with session_scope() as session:
        preparer = session.exec(select(Person).where(Person.email == PREPARER_EMAIL)).one()
        replace_grants(session, user=preparer, grants=[Grant('account', account.id, True, True, False)])
    return account.id


async def test_a_preparer_manages_the_account_but_is_not_offered_to_sign_its_mandate(user: User) -> None:
    await sign_in(user, PREPARER_EMAIL, then='Mon entreprise')
    account = account_to_sign()
    await user.open('/mes-comptes')
    await user.should_see('FR76 3000 4008 2300 0102 4567 863', retries=SLOW)
    await user.should_see(marker=f'my-account-upload-{account}')
    await user.should_see('À signer')
    await user.should_not_see(marker=f'my-account-sign-{account}')


async def test_the_dirigeant_signs_the_mandate_from_his_accounts(user: User) -> None:
    await sign_in(user, 'dirigeant@entreprise-fictive.fr', then='Mon entreprise')
    account = account_to_sign()
    await user.open('/mes-comptes')
    user.find(marker=f'my-account-sign-{account}').click()
    await user.should_see(marker='my-certify', retries=SLOW)
    user.find(marker='my-certify').click()
    user.find(marker='my-certify-continue').click()
    await user.should_see('Authentification forte', retries=SLOW)
    user.find(kind=ui.input, content="Code d'authentification forte").type(code(steps_ahead=1))
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('Mandat signé : il part à la banque.', retries=SLOW)
    await user.should_see('Signé', retries=SLOW)


async def test_the_dirigeant_of_another_company_has_nothing_here_and_a_guessed_address_sends_him_home(
    user: User,
) -> None:
    await sign_in(user, 'dirigeant@garage-des-alpes.fr', then='Mon entreprise')
    account = account_to_sign()
    await user.open('/mes-comptes')
    await user.should_see(marker='my-accounts-empty', retries=SLOW)
    await user.should_not_see('FR76 3000 4008')
    await user.open(f'/ibans/{account}')
    await user.should_see('Garage des Alpes', retries=SLOW)
    await user.should_not_see('FR76 3000 4008')


async def test_a_forged_event_naming_his_company_shows_him_nothing_of_another(user: User) -> None:
    await sign_in(user, 'dirigeant@garage-des-alpes.fr', then='Mon entreprise')
    account = account_to_sign()
    await user.open('/mes-comptes')
    await user.should_see(marker='my-accounts-empty', retries=SLOW)
    with session_scope() as session:
        garage = session.exec(select(Client).where(Client.legal_name == 'Garage des Alpes')).one()
    events.emit(events.IbanChanged(garage.firm_id, garage.id, account, 'mandate'))  # another company's account
    await asyncio.sleep(0.2)
    await user.should_see(marker='my-accounts-empty', retries=SLOW)
    await user.should_not_see('FR76 3000 4008')


async def test_a_forged_disabling_of_someone_else_leaves_his_page_open(user: User) -> None:
    await sign_in(user, 'dirigeant@garage-des-alpes.fr', then='Mon entreprise')
    await user.open('/mes-comptes')
    with session_scope() as session:
        other = session.exec(select(Person).where(Person.email == 'dirigeant@entreprise-fictive.fr')).one().id
    events.emit(events.UserAccessChanged(other, True))
    await asyncio.sleep(0.2)
    await user.should_see(marker='my-accounts-empty', retries=SLOW)  # still on his page, not sent to sign in
