"""« Dossiers » in a real browser: creation with a wrong SIREN first, editing, each role's list, tenancy."""

from playwright.sync_api import Page, expect

from .conftest import Authenticator, Server, has_no_horizontal_overflow, sign_in


def test_create_a_file_after_a_wrong_siren_then_edit_it(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    sign_in(page, server, authenticator, 'superviseur@cabinet-demo.fr')
    page.get_by_test_id('nav-clients').click()
    page.get_by_test_id('client-new').click()
    page.get_by_test_id('client-legal-name').fill('Menuiserie Neuve')
    page.get_by_test_id('client-siren').fill('732 829 321')
    page.get_by_test_id('client-email').fill('contact@menuiserie-neuve.fr')
    page.get_by_test_id('client-submit').click()
    expect(page.get_by_text("Ce SIREN n'est pas valide (clé de contrôle incorrecte).")).to_be_visible()
    page.get_by_test_id('client-siren').fill('732 829 320')
    page.get_by_test_id('client-submit').click()
    expect(page.get_by_text('Dossier « Menuiserie Neuve » créé.')).to_be_visible()
    page.get_by_test_id('clients-search').fill('menuiserie neuve')
    page.get_by_role('cell', name='Menuiserie Neuve').click()
    expect(page.get_by_test_id('page-title')).to_have_text('Menuiserie Neuve')
    page.get_by_test_id('client-phone').fill('01 23 45 67 89')
    page.get_by_test_id('client-submit').click()
    expect(page.get_by_text('Dossier « Menuiserie Neuve » enregistré.')).to_be_visible()
    page.reload()
    expect(page.get_by_test_id('client-phone')).to_have_value('0123456789')


def test_a_collaborateur_sees_only_their_ten_files(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'collaborateur@cabinet-demo.fr')
    page.goto(f'{server.url}/dossiers')
    expect(page.locator('[data-testid^="client-row-"]')).to_have_count(10)
    expect(page.get_by_text('1–10 sur 10')).to_be_visible()
    page.get_by_test_id('clients-search').fill('Vétérinaires')
    expect(page.get_by_text('Aucun résultat')).to_be_visible()


def test_another_firms_file_is_unreachable_by_url(page: Page, server: Server, authenticator: Authenticator) -> None:
    (other_id,) = server.sql("SELECT id FROM client WHERE legal_name = 'Témoin Conseil'")[0]
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.goto(f'{server.url}/dossiers/{other_id}')
    expect(page.get_by_test_id('not-found')).to_have_text('Dossier introuvable.')
    expect(page.get_by_text('Témoin Conseil')).to_have_count(0)


def test_the_list_is_sorted_on_the_server(page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-temoin.fr')
    page.goto(f'{server.url}/dossiers')
    rows = page.locator('[data-testid^="client-row-"]')
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text('Société Témoin Alpha')
    page.get_by_role('columnheader', name='SIREN').click()
    page.get_by_role('columnheader', name='SIREN').click()
    expect(rows.first).to_contain_text('Témoin Services')


def test_dossiers_on_a_phone(phone_page: Page, server: Server, authenticator: Authenticator) -> None:
    sign_in(phone_page, server, authenticator, 'admin@cabinet-demo.fr')
    phone_page.goto(f'{server.url}/dossiers')
    expect(phone_page.locator('[data-testid^="client-row-"]')).to_have_count(25)
    assert has_no_horizontal_overflow(phone_page)
    phone_page.get_by_test_id('client-row-1').click()
    expect(phone_page.get_by_test_id('page-title')).to_have_text('EntrepriseFictive SARL')
    assert has_no_horizontal_overflow(phone_page)
