"""The sign-in screens and the frame, as a person uses them (NiceGUI user simulation)."""

from nicegui import ui
from nicegui.testing import User

from services import demo

from .conftest import SLOW, sign_in


async def test_staff_sign_in_with_a_code_and_land_on_the_dashboard(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    await user.should_see('Cabinet Démo', retries=SLOW)
    await user.should_see('Se déconnecter', retries=SLOW)


async def test_a_wrong_password_is_told_in_french(user: User) -> None:
    await user.open('/login')
    user.find(kind=ui.input, content='E-mail').type('admin@cabinet-demo.fr')
    user.find(kind=ui.input, content='Mot de passe').type('faux mot de passe')
    user.find(kind=ui.button, content='Se connecter').click()
    await user.should_see('E-mail ou mot de passe incorrect.', retries=SLOW)


async def test_a_wrong_code_is_refused(user: User) -> None:
    await user.open('/login')
    user.find(kind=ui.input, content='E-mail').type('superviseur@cabinet-demo.fr')
    user.find(kind=ui.input, content='Mot de passe').type(demo.PASSWORD)
    user.find(kind=ui.button, content='Se connecter').click()
    await user.should_see("Code d'authentification forte", retries=SLOW)
    user.find(kind=ui.input, content="Code d'authentification forte").type('12345x')
    user.find(kind=ui.button, content='Valider').click()
    await user.should_see('incorrect ou déjà utilisé', retries=SLOW)


async def test_a_page_asks_to_sign_in_first(user: User) -> None:
    await user.open('/dossiers')
    await user.should_see('Se connecter', retries=SLOW)


async def test_a_client_user_lands_on_their_company(user: User) -> None:
    await sign_in(user, 'dirigeant@entreprise-fictive.fr', then='Mon entreprise')
    await user.should_see('EntrepriseFictive SARL', retries=SLOW)
    await user.should_not_see('Dossiers')


async def test_a_collaborateur_has_no_firm_settings_in_the_menu(user: User) -> None:
    await sign_in(user, 'collaborateur@cabinet-demo.fr', then='Bonjour Paul')
    await user.should_see(kind=ui.item_section, content='Dossiers', retries=SLOW)
    await user.should_not_see(kind=ui.item_section, content='Cabinet')


async def test_signing_out_returns_to_the_sign_in_page(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    user.find(kind=ui.button, content='Se déconnecter').click()
    await user.should_see('Vous êtes déconnecté.', retries=SLOW)
    await user.open('/dossiers')
    await user.should_see('Se connecter', retries=SLOW)


async def test_every_response_carries_the_security_headers(user: User) -> None:
    response = await user.http_client.get('/login')
    assert response.headers['x-frame-options'] == 'DENY'
    assert response.headers['content-security-policy'] == "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
    assert response.headers['x-content-type-options'] == 'nosniff'
    assert response.headers['referrer-policy'] == 'strict-origin-when-cross-origin'
    assert 'strict-transport-security' not in response.headers
