"""« Ventilation » of AGA COMPTA in a real browser: an entry allocated from the keyboard with the account picker's
server-side search, a split whose lines do not add up, the admin preparing then validating and reopening, the FEC
export read back, and the list on a phone.

The demo gives AGA COMPTA a statements account on « Banque n°1 »: the oldest of three months validated by the rules,
the others pending. No other e2e file uses this ventilation; each test here finds its own entries on screen, so
that they pass in any order."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, expect

from services.formats.fec import FIELDS, parse_amount, read_fec

from .conftest import Authenticator, Server, has_no_horizontal_overflow, sign_in

ADMIN = 'admin@cabinet-demo.fr'
FILE = 'AGA COMPTA'
ROW = re.compile(r'^entry-row-(\d+)$')


@pytest.fixture(scope='module')
def admin_state(browser: Browser, server: Server, authenticator: Authenticator) -> dict:
    """The admin signs in once for the whole file: every sign-in of a user waits for a new 30-second TOTP step."""
    context = browser.new_context(locale='fr-FR', timezone_id='Europe/Paris')
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server, authenticator, ADMIN)
    state = context.storage_state()
    context.close()
    return state


def _signed_in(browser: Browser, state: dict, **device) -> BrowserContext:
    context = browser.new_context(**device, storage_state=state, locale='fr-FR', timezone_id='Europe/Paris')
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def admin(browser: Browser, admin_state: dict) -> Iterator[Page]:
    context = _signed_in(browser, admin_state, viewport={'width': 1440, 'height': 900}, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def admin_phone(browser: Browser, playwright: Playwright, admin_state: dict) -> Iterator[Page]:
    context = _signed_in(browser, admin_state, **playwright.devices['iPhone 13'])
    yield context.new_page()
    context.close()


def aga(server: Server) -> tuple[int, str]:
    """AGA COMPTA's id and SIREN."""
    return server.sql('SELECT id, siren FROM client WHERE legal_name = ?', FILE)[0]


def open_ventilation(page: Page, server: Server) -> None:
    page.goto(f'{server.url}/dossiers/{aga(server)[0]}/ventilation')
    expect(page.get_by_test_id('ventilation-state')).to_contain_text('À ventiler')
    expect(page.locator('[data-testid^="entry-row-"]').first).to_be_visible()


def tab(page: Page, label: str) -> Locator:
    """A button of the state toggle, « À ventiler (n) », « Ventilée (n) » or « Validée (n) »."""
    return page.get_by_test_id('ventilation-state').get_by_role('button', name=re.compile(f'^{label} \\('))


def count(page: Page, label: str) -> int:
    return int(re.search(r'\((\d+)\)', tab(page, label).inner_text()).group(1))


def show(page: Page, label: str) -> None:
    tab(page, label).click()
    expect(tab(page, label)).to_have_attribute('aria-pressed', 'true')


def row_ids(page: Page) -> list[int]:
    rows = page.locator('[data-testid^="entry-row-"]')
    return [int(ROW.match(rows.nth(i).get_attribute('data-testid')).group(1)) for i in range(rows.count())]


def row(page: Page, entry: int) -> Locator:
    return page.get_by_test_id(f'entry-row-{entry}')


def label_of(server: Server, entry: int) -> str:
    return server.sql('SELECT label FROM bank_transaction WHERE id = ?', entry)[0][0]


def state_of(server: Server, entry: int) -> str:
    return server.sql('SELECT ventilation FROM bank_transaction WHERE id = ?', entry)[0][0]


def pick_account(page: Page, index: int, typed: str, choice: str) -> None:
    """Type words of an account into the picker of line ``index`` and pick the server's answer."""
    picker = page.get_by_test_id(f'editor-account-{index}')  # Quasar puts the test id on the select's own input
    picker.click()
    picker.fill(typed)
    page.get_by_role('option', name=choice, exact=True).click()
    expect(picker).to_have_value(choice)


def save(page: Page) -> None:
    page.get_by_test_id('editor-save').click()


def test_an_entry_is_allocated_from_the_keyboard_with_the_account_picker(admin: Page, server: Server) -> None:
    open_ventilation(admin, server)
    second = row_ids(admin)[1]
    allocated = count(admin, 'Ventilée')
    admin.keyboard.press('ArrowDown')
    expect(row(admin, second)).to_have_class(re.compile('bg-blue-50'))
    admin.keyboard.press('Enter')
    editor = admin.get_by_test_id('editor')
    expect(editor).to_be_visible()
    expect(editor.get_by_test_id('editor-entry-label')).to_have_text(label_of(server, second))
    pick_account(admin, 0, 'fournitures adm', '6064 — Fournitures administratives')
    admin.get_by_test_id('editor-vat-0').click()
    admin.get_by_role('option', name='20 %', exact=True).click()
    expect(editor.get_by_test_id('editor-vat-0')).to_contain_text('20 %')
    expect(editor.get_by_test_id('editor-rest')).to_have_text('Reste à ventiler : 0,00 €')
    save(admin)
    expect(editor).to_be_hidden()
    expect(row(admin, second)).to_have_count(0)
    expect(tab(admin, 'Ventilée')).to_have_text(f'Ventilée ({allocated + 1})')
    assert state_of(server, second) == 'allocated'
    lines = server.sql('SELECT account_number, vat_rate_bp FROM allocation_line WHERE transaction_id = ?', second)
    assert lines[0] == ('6064', 2000)


def test_lines_that_do_not_add_up_are_refused_until_the_second_amount_is_right(admin: Page, server: Server) -> None:
    open_ventilation(admin, server)
    entry = row_ids(admin)[0]
    total = abs(server.sql('SELECT amount_cents FROM bank_transaction WHERE id = ?', entry)[0][0])
    assert total > 1100
    row(admin, entry).get_by_text(label_of(server, entry)).click()
    editor = admin.get_by_test_id('editor')
    pick_account(admin, 0, '6064', '6064 — Fournitures administratives')
    admin.get_by_test_id('editor-amount-0').fill('10,00')
    admin.get_by_test_id('editor-add-line').click()
    pick_account(admin, 1, 'services banc', '627 — Services bancaires et assimilés')
    admin.get_by_test_id('editor-amount-1').fill('1,00')
    expect(editor.get_by_test_id('editor-rest')).not_to_have_text('Reste à ventiler : 0,00 €')
    save(admin)
    expect(admin.get_by_text(re.compile(r'Les lignes font 11,00\s€ pour une écriture de'))).to_be_visible()
    expect(editor).to_be_visible()
    assert state_of(server, entry) == 'pending'
    rest = f'{(total - 1000) // 100},{(total - 1000) % 100:02d}'
    admin.get_by_test_id('editor-amount-1').fill(rest)
    expect(editor.get_by_test_id('editor-rest')).to_have_text('Reste à ventiler : 0,00 €')
    save(admin)
    expect(editor).to_be_hidden()
    expect(row(admin, entry)).to_have_count(0)
    assert state_of(server, entry) == 'allocated'
    lines = server.sql('SELECT account_number FROM allocation_line WHERE transaction_id = ? ORDER BY id', entry)
    assert [number for (number,) in lines] == ['6064', '627']


def test_the_admin_prepares_validates_then_reopens_an_entry(admin: Page, server: Server) -> None:
    open_ventilation(admin, server)
    admin.get_by_test_id('ventilation-apply-rules').click()  # the préparateur's part
    expect(admin.get_by_text(re.compile(r'écriture\(s\) ventilée\(s\) par les règles'))).to_be_visible()
    show(admin, 'Ventilée')
    entry = row_ids(admin)[0]
    validated = count(admin, 'Validée')
    admin.get_by_test_id('page-title').click()  # the keys go to the list, not to the toggle just clicked
    admin.keyboard.press('Space')
    expect(admin.get_by_test_id('ventilation-validate')).to_contain_text('Valider la sélection (1)')
    admin.get_by_test_id('ventilation-validate').click()
    expect(row(admin, entry)).to_have_count(0)
    expect(tab(admin, 'Validée')).to_have_text(f'Validée ({validated + 1})')
    assert state_of(server, entry) == 'validated'
    show(admin, 'Validée')
    row(admin, entry).get_by_text(label_of(server, entry)).click()
    editor = admin.get_by_test_id('editor')
    expect(editor.get_by_test_id('editor-reopen')).to_be_visible()
    expect(editor.get_by_test_id('editor-save')).to_have_count(0)
    editor.get_by_test_id('editor-reopen').click()
    expect(editor).to_be_hidden()
    expect(row(admin, entry)).to_have_count(0)
    show(admin, 'Ventilée')
    expect(row(admin, entry)).to_be_visible()
    assert state_of(server, entry) == 'allocated'


def test_the_fec_export_is_named_after_the_siren_and_balanced(admin: Page, server: Server) -> None:
    open_ventilation(admin, server)
    today = date.today()
    closing = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    admin.get_by_test_id('ventilation-export').click()
    admin.get_by_test_id('export-end').fill(closing.strftime('%d/%m/%Y'))
    with admin.expect_download() as download_info:
        admin.get_by_test_id('export-go').click()
    download = download_info.value
    assert download.suggested_filename == f'{aga(server)[1]}FEC{closing:%Y%m%d}.txt'
    records = read_fec(Path(download.path()).read_bytes())
    assert records
    balance: dict[str, int] = defaultdict(int)
    for record in records:
        assert tuple(record) == FIELDS and len(record) == 18
        balance[record['EcritureNum']] += parse_amount(record['Debit']) - parse_amount(record['Credit'])
    assert balance and all(total == 0 for total in balance.values()), balance


def test_on_a_phone_the_list_fits_and_a_tap_on_a_label_opens_the_editor(admin_phone: Page, server: Server) -> None:
    open_ventilation(admin_phone, server)
    assert has_no_horizontal_overflow(admin_phone)
    entry = row_ids(admin_phone)[0]
    row(admin_phone, entry).get_by_text(label_of(server, entry)).tap()
    editor = admin_phone.get_by_test_id('editor')
    expect(editor.get_by_test_id('editor-entry-label')).to_have_text(label_of(server, entry))
    expect(editor.get_by_test_id('editor-save')).to_be_visible()
    assert has_no_horizontal_overflow(admin_phone)
    editor.get_by_test_id('editor-close').click()
    expect(editor).to_be_hidden()
    assert state_of(server, entry) == 'pending'
