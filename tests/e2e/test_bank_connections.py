"""The connect journey through the demo aggregator's hosted pages, a forced window, the changed-password window."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from services.clock import now

from .conftest import Authenticator, Server, sign_in
from .journeys import activate_sync, connect, open_bank_screen


def test_connect_a_bank_after_a_wrong_secret_code(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'superviseur@cabinet-demo.fr')
    open_bank_screen(page, server, 'Boulangerie Dupont')
    activate_sync(page)
    connect(page, 'demo-boulangerie', wrong_code_first=True)
    expect(page.locator('[data-testid^="account-row-"]')).to_have_count(2)
    expect(page.get_by_test_id('sync-progress')).to_contain_text('Synchronisation terminée')
    expect(page).to_have_url(re.compile(r'^[^?]*$'))  # the aggregator's return parameters leave the address bar


def test_connect_a_bank_that_asks_an_sms_code(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    open_bank_screen(page, server, 'Garage des Alpes')
    activate_sync(page)
    connect(page, 'otp-garage', otp=True)
    expect(page.locator('[data-testid^="account-row-"]')).to_have_count(2)


def test_force_the_synchronisation_of_a_window(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'collaborateur@cabinet-demo.fr')
    open_bank_screen(page, server, 'EntrepriseFictive SARL')
    connect(page, 'demo-fictive')
    first_account = page.locator('[data-testid^="account-treasury-"]').first
    first_account.click()
    page.get_by_role('option', name='Banque n°1').click()
    expect(page.get_by_text('Compte de trésorerie rattaché.')).to_be_visible()
    today = now().date()
    page.get_by_test_id('force-start').fill((today - timedelta(days=3)).strftime('%d/%m/%Y'))
    page.get_by_test_id('force-end').fill((today - timedelta(days=10)).strftime('%d/%m/%Y'))
    page.get_by_test_id('force-submit').click()
    expect(page.get_by_test_id('force-error')).to_have_text('La date de fin doit suivre la date de début.')
    page.get_by_test_id('force-start').fill((today - timedelta(days=10)).strftime('%d/%m/%Y'))
    page.get_by_test_id('force-end').fill((today - timedelta(days=3)).strftime('%d/%m/%Y'))
    page.get_by_test_id('force-submit').click()
    expect(page.get_by_text('Synchronisation terminée : 0 opération(s) importée(s)')).to_be_visible()


def test_a_changed_bank_password_is_fixed_through_the_window(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    open_bank_screen(page, server, 'Menuiserie Lefèvre')
    activate_sync(page)
    connect(page, 'pwd-menuiserie')
    page.locator('[data-testid^="connection-refresh-"]').first.click()
    expect(page.get_by_test_id('connections-table')).to_contain_text('Problème de synchronisation')
    expect(page.get_by_test_id('connections-table')).to_contain_text('Identifiants refusés')
    # the table is drawn again once the sync's outcome is told: click the button of the new table
    expect(page.locator('.q-notification').filter(has_text='le code secret a changé')).to_be_visible()
    page.locator('[data-testid^="connection-refresh-"]').first.click()
    expect(page.get_by_text('Mot de passe bancaire modifié')).to_be_visible()
    page.get_by_test_id('connection-fix-ok').click()
    page.get_by_test_id('new-secret-input').fill('5678')
    page.get_by_test_id('new-secret-submit').click()
    expect(page.get_by_test_id('connections-table')).to_contain_text('Synchronisée')
    expect(page.get_by_test_id('connections-table')).not_to_contain_text('Problème de synchronisation')
