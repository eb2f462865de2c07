"""« Gestion des utilisateurs » in a real browser: adding a user of a client file in each of the three ways, with a
wrong strong-authentication code first, a newcomer's first sign-in from the credentials sent by e-mail and SMS, a
disabled user leaving an open page, and one client's dirigeant kept out of another client's file."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import DEMO_FIRM_SIREN, DEMO_SECRET, Authenticator, Server, sign_in, submit_password

FICTIVE = 'EntrepriseFictive SARL'
IBAN_SIGNED = 'FR7610278022040002042760330'  # an IBAN of EntrepriseFictive under mandate (services.demo_statements)
BAD_CODE = "Code d'authentification forte incorrect ou déjà utilisé."
DONE = 'Parfait ! Votre nouvel utilisateur est déjà opérationnel.'
WAYS = {
    'copy': 'Copier les droits à partir d’un autre utilisateur',
    'custom': 'Attribuer des droits personnalisés',
}


@pytest.fixture
def other_page(browser: Browser) -> Iterator[Page]:
    """A second browser, for a second person at the same time."""
    context = browser.new_context(viewport={'width': 1440, 'height': 900}, locale='fr-FR', timezone_id='Europe/Paris')
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def client_id(server: Server, legal_name: str = FICTIVE) -> int:
    return server.sql('SELECT id FROM client WHERE legal_name = ?', legal_name)[0][0]


def ready_user(server: Server, email: str, first_name: str, last_name: str, role: str, *, client: str = '') -> int:
    """A user made by the command line, then given the demo password and authenticator (no first sign-in): each test
    signs in its own actor, so that no test waits for the next 30-second step of another's codes."""
    scope = []
    if client:
        scope = ['--client-siren', server.sql('SELECT siren FROM client WHERE legal_name = ?', client)[0][0]]
    server.relais(
        'create-user',
        *('--email', email, '--first-name', first_name, '--last-name', last_name, '--role', role),
        *('--firm-siren', DEMO_FIRM_SIREN, *scope),
    )
    server.sql(
        'UPDATE "user" SET password_hash = (SELECT password_hash FROM "user" WHERE email = ?), '
        'must_change_password = 0, totp_secret = ?, totp_confirmed = 1 WHERE email = ?',
        'admin@cabinet-demo.fr',
        DEMO_SECRET,
        email,
    )
    return server.sql('SELECT id FROM "user" WHERE email = ?', email)[0][0]


def register_person(server: Server, first_name: str, last_name: str, born: str, phone: str) -> None:
    """A person the firm registered for EntrepriseFictive (no screen registers persons yet)."""
    server.sql(
        'INSERT INTO registered_person (client_id, last_name, first_name, birth_date, phone, created_at) '
        'VALUES (?, ?, ?, ?, ?, ?)',
        client_id(server),
        last_name,
        first_name,
        born,
        phone,
        datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S.%f'),
    )


def fictive_account(server: Server, iban: str = IBAN_SIGNED) -> int:
    """The id of one of EntrepriseFictive's accounts, once the app seeded it (just after start-up)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = server.sql('SELECT id FROM bank_account WHERE iban = ? AND client_id = ?', iban, client_id(server))
        if found:
            return found[0][0]
        time.sleep(0.3)
    raise AssertionError(f'the demo account {iban} was not made within 60 s:\n{server.log()}')


def wrong_code(secret: str = DEMO_SECRET) -> str:
    """Six digits that are none of the codes the server would accept around now."""
    step = int(time.time() // 30)
    accepted = {pyotp.TOTP(secret).at(s * 30) for s in range(step - 1, step + 3)}
    return next(code for code in ('000000', '111111', '222222') if code not in accepted)


def open_file_users(page: Page, server: Server) -> None:
    page.goto(f'{server.url}/utilisateurs?dossier={client_id(server)}')
    expect(page.get_by_test_id('page-title')).to_have_text('Gestion des utilisateurs')
    expect(page.get_by_test_id('user-add')).to_be_visible()


def pick_person(page: Page, name: str, email: str | None = None) -> None:
    """« Ajouter un utilisateur », first step: the registered person, their identity checked, their e-mail."""
    page.get_by_test_id('user-add').click()
    page.get_by_test_id('person-select').click()
    page.get_by_role('option', name=name, exact=True).click()
    expect(page.get_by_test_id('person-date')).to_be_visible()
    page.get_by_test_id('person-checked').click()
    if email is not None:
        page.get_by_test_id('person-email').fill(email)
    page.get_by_test_id('wizard-next-person').click()
    expect(page.get_by_test_id('rights-way')).to_be_visible()


def choose_profile(page: Page, profile: str, label: str) -> None:
    page.get_by_test_id(f'profile-{profile}').click()
    expect(page.get_by_test_id('profile-chosen')).to_have_text(label)
    page.get_by_test_id('wizard-next-rights').click()
    expect(page.get_by_test_id('check-profile')).to_have_text(label)


def confirm(page: Page, authenticator: Authenticator, email: str, *, wrong_first: bool = False) -> None:
    """« Confirmer », then the strong-authentication code (a wrong one first: refused, the dialog stays)."""
    page.get_by_test_id('wizard-confirm').click()
    if wrong_first:
        page.get_by_test_id('strong-auth-code').fill(wrong_code())
        page.get_by_test_id('strong-auth-submit').click()
        expect(page.get_by_test_id('strong-auth-error')).to_have_text(BAD_CODE)
        expect(page.get_by_test_id('strong-auth-code')).to_be_visible()
        expect(page.get_by_test_id('strong-auth-code')).to_have_value('')
        expect(page.get_by_test_id('user-added')).to_have_text('')
    page.get_by_test_id('strong-auth-code').fill(authenticator.code(email))
    page.get_by_test_id('strong-auth-submit').click()
    expect(page.get_by_test_id('user-added')).to_have_text(DONE)
    expect(page.get_by_test_id('strong-auth-code')).to_have_count(0)


def listed(page: Page, name: str, profile: str) -> None:
    """The wizard closed, the file's list shows the new user with their profile."""
    page.get_by_test_id('wizard-close').click()
    row = page.get_by_test_id('file-users').locator('[data-testid^="user-row-"]').filter(has_text=name)
    expect(row).to_contain_text(profile)


def user_of(server: Server, email: str) -> tuple:
    return server.sql('SELECT id, role, must_change_password, disabled FROM "user" WHERE email = ?', email)[0]


def test_the_administrator_adds_a_user_by_profile(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    open_file_users(page, server)
    page.get_by_test_id('user-add').click()
    page.get_by_test_id('person-select').click()
    page.get_by_role('option', name='Lucie Garnier', exact=True).click()
    expect(page.get_by_test_id('person-date')).to_have_text('Date de naissance : 03/09/1985')
    expect(page.get_by_text('Téléphone : 0623456789')).to_be_visible()
    page.get_by_test_id('wizard-next-person').click()  # identity not ticked as checked: refused
    expect(page.get_by_text('Vérifiez le nom, le prénom, la date de naissance et le téléphone.')).to_be_visible()
    page.get_by_test_id('person-checked').click()
    page.get_by_test_id('person-email').fill('lucie.garnier@entreprise-fictive.fr')
    page.get_by_test_id('wizard-next-person').click()
    choose_profile(page, 'preparateur', 'Profil préparateur')
    expect(page.get_by_test_id('check-person')).to_have_text('Lucie Garnier — lucie.garnier@entreprise-fictive.fr')
    confirm(page, authenticator, 'admin@cabinet-demo.fr', wrong_first=True)
    listed(page, 'Lucie Garnier', 'Préparateur')
    _, role, must_change, _ = user_of(server, 'lucie.garnier@entreprise-fictive.fr')
    assert (role, must_change) == ('preparateur', 1)


def test_the_administrator_adds_a_user_by_copying_rights(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    ready_user(server, 'admin.copie@cabinet-demo.fr', 'Agathe', 'Copie', 'administrateur')
    sign_in(page, server, authenticator, 'admin.copie@cabinet-demo.fr')
    open_file_users(page, server)
    pick_person(page, 'Karim Benali')  # his e-mail is registered: the field comes filled in
    page.get_by_test_id('rights-way').get_by_text(WAYS['copy']).click()
    page.get_by_test_id('copy-from').click()
    page.get_by_role('option', name='Jean-Michel Martin', exact=True).click()
    expect(page.get_by_text('Droits à copier (Profil dirigeant) :')).to_be_visible()
    page.get_by_test_id('wizard-next-rights').click()  # the copied rights not ticked as checked: refused
    expect(page.get_by_text('Vérifiez les droits à copier.')).to_be_visible()
    page.get_by_test_id('copy-checked').click()
    page.get_by_test_id('wizard-next-rights').click()
    expect(page.get_by_test_id('check-person')).to_have_text('Karim Benali — karim.benali@entreprise-fictive.fr')
    expect(page.get_by_test_id('check-profile')).to_have_text('Profil dirigeant')
    confirm(page, authenticator, 'admin.copie@cabinet-demo.fr', wrong_first=True)
    listed(page, 'Karim Benali', 'Dirigeant')
    assert user_of(server, 'karim.benali@entreprise-fictive.fr')[1] == 'dirigeant'


def test_the_administrator_adds_a_user_with_custom_rights(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    account = fictive_account(server)
    ready_user(server, 'admin.droits@cabinet-demo.fr', 'Bruno', 'Droits', 'administrateur')
    sign_in(page, server, authenticator, 'admin.droits@cabinet-demo.fr')
    open_file_users(page, server)
    pick_person(page, 'Élodie Rousseau', 'elodie.rousseau@entreprise-fictive.fr')
    page.get_by_test_id('rights-way').get_by_text(WAYS['custom']).click()
    page.get_by_test_id('wizard-next-rights').click()  # nothing ticked: refused
    expect(page.get_by_text('Choisissez les droits à attribuer.')).to_be_visible()
    page.get_by_test_id(f'right-account-{account}-consultation').click()
    page.get_by_test_id(f'right-account-{account}-gestion').click()
    page.get_by_test_id('wizard-next-rights').click()
    expect(page.get_by_test_id('check-profile')).to_have_text('Profil préparateur')
    confirm(page, authenticator, 'admin.droits@cabinet-demo.fr', wrong_first=True)
    listed(page, 'Élodie Rousseau', 'Préparateur')
    user_id = user_of(server, 'elodie.rousseau@entreprise-fictive.fr')[0]
    rights = server.sql(
        'SELECT account_id, connection_id, consultation, gestion, validation FROM user_right WHERE user_id = ?', user_id
    )
    assert rights == [(account, None, 1, 1, 0)]


def test_the_dirigeant_adds_a_user_to_their_company(page: Page, server: Server, authenticator: Authenticator) -> None:
    register_person(server, 'Hugo', 'Dubreuil', '1990-02-14', '0611223344')
    sign_in(page, server, authenticator, 'dirigeant@entreprise-fictive.fr')
    page.get_by_test_id('nav-users').click()
    expect(page.get_by_test_id('page-title')).to_have_text('Gestion des utilisateurs')
    expect(page.get_by_test_id('staff-add')).to_have_count(0)  # the firm's team is not theirs
    expect(page.get_by_test_id('file-users')).to_contain_text('Jean-Michel Martin')
    pick_person(page, 'Hugo Dubreuil', 'hugo.dubreuil@entreprise-fictive.fr')
    choose_profile(page, 'comptable', 'Profil comptable')
    confirm(page, authenticator, 'dirigeant@entreprise-fictive.fr')
    listed(page, 'Hugo Dubreuil', 'Comptable')
    (client,) = server.sql('SELECT client_id FROM "user" WHERE email = ?', 'hugo.dubreuil@entreprise-fictive.fr')[0]
    assert client == client_id(server)


def test_a_new_user_signs_in_with_the_credentials_sent_to_them(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    email, phone = 'ines.lefort@entreprise-fictive.fr', '0655443322'
    register_person(server, 'Inès', 'Lefort', '1993-11-05', phone)
    ready_user(server, 'admin.accueil@cabinet-demo.fr', 'Chloé', 'Accueil', 'administrateur')
    sign_in(page, server, authenticator, 'admin.accueil@cabinet-demo.fr')
    open_file_users(page, server)
    pick_person(page, 'Inès Lefort', email)
    choose_profile(page, 'comptable', 'Profil comptable')
    confirm(page, authenticator, 'admin.accueil@cabinet-demo.fr')
    page.get_by_test_id('wizard-close').click()
    page.get_by_test_id('logout').click()
    expect(page.get_by_test_id('login-notice')).to_have_text('Vous êtes déconnecté.')

    mail, sms = server.received('email', to=email), server.received('sms', to=phone)
    kept = "SELECT count(*) FROM outbox_message WHERE body LIKE '%temporaire est%'"
    for _ in range(50):  # erased once the gateway has said it took the message
        if server.sql(kept) == [(0,)]:
            break
        time.sleep(0.1)
    assert server.sql(kept) == [(0,)], 'Relais still keeps the temporary password'
    temporary = re.search(r'mot de passe temporaire est (\S+) ', sms).group(1)
    assert f'Votre identifiant : {email}' in mail
    assert temporary not in mail and email not in sms  # one intercepted message is not enough to sign in
    submit_password(page, server, email, temporary)
    page.get_by_label('Nouveau mot de passe').fill('Relais, le mot de passe d’Inès')
    page.get_by_label('Confirmer le mot de passe').fill('Relais, le mot de passe d’Inès')
    page.get_by_test_id('new-password-submit').click()
    expect(page.get_by_test_id('totp-qr')).to_be_visible()
    secret = page.get_by_test_id('totp-secret').inner_text().replace(' ', '')
    page.get_by_label("Code d'authentification forte").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id('totp-enrol-submit').click()
    expect(page).to_have_url(re.compile(r'/mon-entreprise$'))
    expect(page.get_by_test_id('company-name')).to_have_text(FICTIVE)
    expect(page.get_by_test_id('header-user')).to_have_text('Inès Lefort')
    assert user_of(server, email)[2] == 0


def test_a_disabled_user_leaves_their_open_page(
    page: Page, other_page: Page, server: Server, authenticator: Authenticator
) -> None:
    user_id = ready_user(server, 'theo.sortant@entreprise-fictive.fr', 'Théo', 'Sortant', 'comptable', client=FICTIVE)
    ready_user(server, 'admin.depart@cabinet-demo.fr', 'Denis', 'Départ', 'administrateur')
    sign_in(other_page, server, authenticator, 'theo.sortant@entreprise-fictive.fr')
    expect(other_page).to_have_url(re.compile(r'/mon-entreprise$'))
    sign_in(page, server, authenticator, 'admin.depart@cabinet-demo.fr')
    open_file_users(page, server)
    page.get_by_test_id(f'user-toggle-{user_id}').click()
    expect(page.get_by_text('Théo Sortant sera déconnecté(e) tout de suite.')).to_be_visible()
    page.get_by_test_id('user-toggle-confirm-ok').click()
    expect(page.get_by_test_id(f'user-disabled-{user_id}')).to_have_text('Désactivé')
    expect(other_page).to_have_url(re.compile(r'/login'), timeout=10_000)
    submit_password(other_page, server, 'theo.sortant@entreprise-fictive.fr')
    expect(other_page.get_by_test_id('login-error')).to_have_text('Ce compte est désactivé. Contactez votre cabinet.')


def test_a_dirigeant_sees_nothing_of_another_company(page: Page, server: Server, authenticator: Authenticator) -> None:
    fictive, account = client_id(server), fictive_account(server)
    sign_in(page, server, authenticator, 'dirigeant@garage-des-alpes.fr')
    for path in (f'/utilisateurs?dossier={fictive}', f'/dossiers/{fictive}', f'/ibans/{account}'):
        page.goto(f'{server.url}{path}')
        if path.startswith('/utilisateurs'):  # their own company's users, whatever the address asks
            expect(page.get_by_test_id('file-users')).to_contain_text('Luc Fabre')
        else:  # a firm's screen: back to their own company
            expect(page).to_have_url(re.compile(r'/mon-entreprise$'))
            expect(page.get_by_test_id('company-name')).to_have_text('Garage des Alpes')
        content = page.content()
        for secret in ('EntrepriseFictive', 'Jean-Michel Martin', 'Lucie Garnier', IBAN_SIGNED):
            assert secret not in content, f'{path} shows {secret}'
