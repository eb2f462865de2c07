"""Steps several end-to-end stories share: the bank screen of a file and a connection through the hosted pages."""

from playwright.sync_api import Page, expect

from .conftest import Server


def open_bank_screen(page: Page, server: Server, legal_name: str) -> None:
    (client_id,) = server.sql('SELECT id FROM client WHERE legal_name = ?', legal_name)[0]
    page.goto(f'{server.url}/dossiers/{client_id}')
    page.get_by_test_id('client-bank-accounts').click()
    expect(page.get_by_test_id('page-title')).to_have_text('Gestion des comptes bancaires')


def activate_sync(page: Page) -> None:
    page.get_by_test_id('sync-enabled').click()
    page.get_by_test_id('sync-save').click()
    expect(page.get_by_text('Synchronisation activée.')).to_be_visible()


def connect(
    page: Page,
    identifiant: str,
    *,
    wrong_code_first: bool = False,
    otp: bool = False,
    status: str = 'Synchronisée',
    settled: str = 'Synchronisation terminée',
) -> None:
    """Add a connection through the demo aggregator's hosted pages (bank: CIC); the list then shows `status`, and
    the progress line `settled` once the first sync is over."""
    page.get_by_test_id('connection-add').click()
    page.get_by_test_id('connection-add-confirm-ok').click()
    page.get_by_test_id('connect-accept-terms').check()
    page.get_by_test_id('connect-accept-transfer').check()
    page.get_by_test_id('connect-next').click()
    expect(page.get_by_test_id('popular-banks-title')).to_have_text('LES PLUS DEMANDÉES')
    page.get_by_role('button', name='CIC', exact=True).first.click()
    page.get_by_test_id('credentials-identifiant').fill(identifiant)
    if wrong_code_first:
        page.get_by_test_id('credentials-secret').fill('0000')
        page.get_by_test_id('credentials-submit').click()
        expect(page.get_by_test_id('connect-error')).to_contain_text('Identifiant ou code secret incorrect.')
    page.get_by_test_id('credentials-secret').fill('1234')
    page.get_by_test_id('credentials-submit').click()
    if otp:
        page.get_by_test_id('otp-input').fill('123456')
        page.get_by_test_id('otp-submit').click()
    expect(page.get_by_test_id('sync-notice')).to_contain_text('La première synchronisation peut sembler longue')
    page.get_by_test_id('sync-finish').click()
    expect(page.get_by_test_id('connections-table')).to_contain_text(status)
    # the first sync runs on after the new row shows: wait for its last word, whose redraw would take the next click
    expect(page.get_by_test_id('sync-progress')).to_contain_text(settled)
