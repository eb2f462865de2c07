"""Sign-in, strong authentication, first sign-in, lockout and sign-out, in a real browser."""

import re

import pyotp
from playwright.sync_api import Page, expect

from .conftest import Authenticator, Server, has_no_horizontal_overflow, sign_in, submit_password


def test_sign_in_with_a_totp_code(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    expect(page.get_by_test_id('page-title')).to_have_text('Tableau de bord')
    expect(page.get_by_test_id('header-firm')).to_have_text('Cabinet Démo')
    (count,) = server.sql(
        "SELECT count(*) FROM client JOIN firm ON firm.id = client.firm_id WHERE firm.name = 'Cabinet Démo'"
    )[0]
    expect(page.get_by_test_id('stat-clients-value')).to_have_text(str(count))


def test_sign_in_on_a_phone(phone_page: Page, server: Server, authenticator: Authenticator) -> None:
    submit_password(phone_page, server, 'superviseur@cabinet-demo.fr')
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_label("Code d'authentification forte").fill(authenticator.code('superviseur@cabinet-demo.fr'))
    phone_page.get_by_test_id('login-code-submit').click()
    expect(phone_page.get_by_test_id('page-title')).to_have_text('Tableau de bord')
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_test_id('nav-toggle').click()
    expect(phone_page.get_by_test_id('nav-clients')).to_be_visible()


def test_a_replayed_code_is_refused(page: Page, server: Server, authenticator: Authenticator) -> None:
    used = sign_in(page, server, authenticator, 'collaborateur@cabinet-demo.fr')
    page.get_by_test_id('logout').click()
    expect(page.get_by_test_id('login-notice')).to_have_text('Vous êtes déconnecté.')
    submit_password(page, server, 'collaborateur@cabinet-demo.fr')
    page.get_by_label("Code d'authentification forte").fill(used)
    page.get_by_test_id('login-code-submit').click()
    expect(page.get_by_test_id('login-error')).to_have_text("Code d'authentification forte incorrect ou déjà utilisé.")


def test_first_sign_in_changes_the_password_and_enrols(page: Page, server: Server) -> None:
    temporary = server.new_collaborator('nina.recrue@cabinet-demo.fr', 'Nina', 'Recrue')
    submit_password(page, server, 'nina.recrue@cabinet-demo.fr', temporary)
    page.get_by_label('Nouveau mot de passe').fill('motdepasse123')
    page.get_by_label('Confirmer le mot de passe').fill('motdepasse123')
    page.get_by_test_id('new-password-submit').click()
    expect(page.get_by_test_id('login-error')).to_contain_text('trop courant')
    page.get_by_label('Nouveau mot de passe').fill('Relais, mon nouveau mot de passe')
    page.get_by_label('Confirmer le mot de passe').fill('Relais, mon nouveau mot de passe')
    page.get_by_test_id('new-password-submit').click()
    expect(page.get_by_test_id('totp-qr')).to_be_visible()
    secret = page.get_by_test_id('totp-secret').inner_text().replace(' ', '')
    page.get_by_label("Code d'authentification forte").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id('totp-enrol-submit').click()
    expect(page.get_by_test_id('page-title')).to_have_text('Tableau de bord')
    expect(page.get_by_test_id('header-user')).to_have_text('Nina Recrue')


def test_five_wrong_passwords_lock_the_account(page: Page, server: Server) -> None:
    temporary = server.new_collaborator('etourdi@cabinet-demo.fr', 'Léon', 'Étourdi')
    for attempt in range(4):
        submit_password(page, server, 'etourdi@cabinet-demo.fr', f'mauvais-{attempt}')
        expect(page.get_by_test_id('login-error')).to_have_text('E-mail ou mot de passe incorrect.')
    submit_password(page, server, 'etourdi@cabinet-demo.fr', 'mauvais-5')
    expect(page.get_by_test_id('login-error')).to_contain_text('Compte verrouillé après 5 tentatives')
    submit_password(page, server, 'etourdi@cabinet-demo.fr', temporary)
    expect(page.get_by_test_id('login-error')).to_have_text(re.compile(r'Réessayez dans 1[45] minutes\.'))


def test_signing_out_closes_the_way_back(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'claire.bernard@cabinet-demo.fr')
    page.get_by_test_id('logout').click()
    expect(page.get_by_test_id('login-notice')).to_have_text('Vous êtes déconnecté.')
    page.goto(f'{server.url}/dossiers')
    expect(page).to_have_url(re.compile(r'/login\?next=/dossiers$'))
    expect(page.get_by_test_id('login-submit')).to_be_visible()
