"""« Santé des connexions » and the client's phone flows: one browser acts, another one sees it live."""

import re

from playwright.sync_api import Page, expect

from .conftest import Authenticator, Server, demo_connection, has_no_horizontal_overflow, sign_in
from .journeys import activate_sync, connect, open_bank_screen

LINK = re.compile(r'https?://\S+/lien/\S+')


def open_health(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.get_by_test_id('nav-health').click()
    expect(page.get_by_test_id('page-title')).to_have_text('Santé des connexions')


def send_link(page: Page, server: Server, connection_id: int) -> str:
    """Click « Envoyer le lien au client » and read the link in the e-mail the client received."""
    before = server.last_received_id()
    page.get_by_test_id(f'health-send-{connection_id}').click()
    expect(page.get_by_text('Lien envoyé à')).to_be_visible()
    return LINK.search(server.received('email', after=before)).group(0)


def test_a_client_validates_professional_accounts_on_a_phone_and_the_firm_sees_it_live(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    connection_id = demo_connection(server, 'MEG Banque')
    open_health(page, server, authenticator)
    status = page.get_by_test_id(f'health-status-{connection_id}')
    expect(status).to_contain_text('Problème de synchronisation')
    expect(status).to_contain_text('Veuillez valider votre/vos compte(s) professionnel(s) en cliquant sur ce lien.')
    link = send_link(page, server, connection_id)

    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Validation de compte professionnel')
    expect(phone_page.get_by_test_id('link-legal-name')).to_have_value('One Up')
    phone_page.get_by_test_id('link-name').fill('Jean Dupont')
    phone_page.get_by_test_id('link-validate').click()
    expect(phone_page.get_by_test_id('link-error')).to_contain_text('Cochez la case')
    phone_page.get_by_test_id('link-certify').click()
    phone_page.get_by_test_id('link-validate').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('Tous vos comptes ont bien été validés.')
    assert has_no_horizontal_overflow(phone_page)

    expect(status).to_contain_text('Synchronisée')  # no reload: pushed by the services
    expect(status).not_to_contain_text('Problème de synchronisation')
    phone_page.get_by_test_id('link-back').click()
    expect(phone_page.get_by_test_id('link-thanks')).to_be_visible()


def test_a_client_renews_the_dsp2_consent_through_the_aggregator_and_the_link_is_spent(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    connection_id = demo_connection(server, "C'moi le chef")
    open_health(page, server, authenticator)
    status = page.get_by_test_id(f'health-status-{connection_id}')
    expect(status).to_contain_text('Renouvellement DSP2 requis')
    link = send_link(page, server, connection_id)

    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Renouvellement de l’accès à votre banque')
    phone_page.get_by_test_id('link-continue').click()
    phone_page.get_by_test_id('otp-input').fill('123456')
    phone_page.get_by_test_id('otp-submit').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('C’est fait : la synchronisation a repris.')
    expect(status).to_contain_text('Synchronisée')

    phone_page.goto(link)  # a link is used once: the client may ask the firm for a new one
    expect(phone_page.get_by_test_id('link-error')).to_have_text('Ce lien a déjà été utilisé.')
    phone_page.get_by_test_id('link-renew').click()
    expect(phone_page.get_by_text('Votre cabinet est prévenu')).to_be_visible()
    assert server.sql("SELECT count(*) FROM outbox_message WHERE subject LIKE '%demande un nouveau lien%'")[0][0] == 1


def new_connection(page: Page, server: Server, legal_name: str, identifiant: str, **expected: str) -> int:
    """The firm connects the file's bank with the client's identifiant; the new connection's id."""
    open_bank_screen(page, server, legal_name)
    activate_sync(page)
    connect(page, identifiant, **expected)
    (connection_id,) = server.sql(
        'SELECT bank_connection.id FROM bank_connection JOIN client ON client.id = bank_connection.client_id '
        'WHERE client.legal_name = ? AND bank_connection.deleted_at IS NULL',
        legal_name,
    )[0]
    return connection_id


def test_a_client_gives_the_new_bank_password_from_a_phone(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    connection_id = new_connection(page, server, 'Fleuriste Les Pivoines', 'pwd-pivoines')
    page.get_by_test_id(f'connection-refresh-{connection_id}').click()  # the bank now refuses the secret code
    expect(page.get_by_test_id('connections-table')).to_contain_text('Identifiants refusés')
    page.get_by_test_id('nav-health').click()
    status = page.get_by_test_id(f'health-status-{connection_id}')
    expect(status).to_contain_text('le code secret a changé ou a été refusé')
    link = send_link(page, server, connection_id)

    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Mot de passe bancaire modifié')
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_test_id('link-continue').click()
    phone_page.get_by_test_id('new-secret-input').fill('2468')
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_test_id('new-secret-submit').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('C’est fait : la synchronisation a repris.')
    assert has_no_horizontal_overflow(phone_page)
    expect(status).to_contain_text('Synchronisée')


def test_a_client_does_what_the_bank_website_asks_then_says_so_from_a_phone(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    connection_id = new_connection(
        page,
        server,
        'Chocolaterie Masson',
        'tos-masson',
        status='Problème de synchronisation',
        settled='une action est requise sur le site de la banque',
    )
    page.get_by_test_id('nav-health').click()
    status = page.get_by_test_id(f'health-status-{connection_id}')
    expect(status).to_contain_text('une action est requise sur le site de la banque')
    link = send_link(page, server, connection_id)

    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Action requise sur le site de votre banque')
    expect(phone_page.get_by_test_id('link-retry')).to_have_text('J’ai fait le nécessaire')
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_test_id('link-retry').click()  # too early: the bank still asks
    expect(phone_page.get_by_test_id('link-error')).to_contain_text('Votre banque demande toujours une action')

    (item_id,) = server.sql('SELECT provider_item_id FROM bank_connection WHERE id = ?', connection_id)[0]
    phone_page.goto(f'{server.url}/sandbox/banque/{item_id}')  # the bank's own website
    phone_page.get_by_test_id('bank-site-identifiant').fill('tos-masson')
    phone_page.get_by_test_id('bank-site-secret').fill('1234')
    phone_page.get_by_test_id('bank-site-accept').check()
    phone_page.get_by_test_id('bank-site-submit').click()
    expect(phone_page.get_by_test_id('bank-site-done')).to_be_visible()
    assert has_no_horizontal_overflow(phone_page)

    phone_page.goto(link)
    phone_page.get_by_test_id('link-retry').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('Merci : la synchronisation a repris.')
    expect(status).to_contain_text('Synchronisée')


def test_the_health_screen_fits_a_phone(phone_page: Page, server: Server, authenticator: Authenticator) -> None:
    demo_connection(server, 'LCL')
    sign_in(phone_page, server, authenticator, 'collaborateur@cabinet-demo.fr')
    phone_page.goto(f'{server.url}/sante')
    expect(phone_page.locator('[data-testid^="health-row-"]').first).to_be_visible()
    assert has_no_horizontal_overflow(phone_page)
