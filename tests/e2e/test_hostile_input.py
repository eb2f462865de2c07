"""Hostile input in a real browser: a client name, a connector name and bank labels carrying HTML and JavaScript are
shown as text on every screen that shows them and run nothing; a file over 50 MB is refused with the limit named."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import Page, expect
from stdnum import luhn

from services.formats.cfonb120 import iban_of
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement

from .conftest import Authenticator, Server, sign_in

NAME = '<img src=x onerror="window.__xss=1">Menuiserie'
CONNECTOR = '<img src=x onerror=window.__xss=4>Quadra'
LABEL = '<svg onload=window.__xss=2>'  # 27 characters: it fits the 31 of a CFONB label
BANK, BRANCH, NUMBER = '30004', '01234', '00099887766'


def a_siren() -> str:
    body = '73282933'
    return body + luhn.calc_check_digit(body)


def hostile_statement() -> bytes:
    day = date(2026, 11, 16)
    account = AccountId(iban_of(BANK, BRANCH, NUMBER), BANK, BRANCH, NUMBER)
    entries = [
        Entry(booking_date=day, amount=Decimal('-12.00'), label=LABEL, code='B1'),
        Entry(booking_date=day, amount=Decimal('30.00'), label='=HYPERLINK("http://x")', code='B1'),
    ]
    statement = Statement(
        'cfonb120', account, 'EUR', Decimal('100.00'), day - timedelta(days=1), Decimal('118.00'), day, entries
    )
    return write_cfonb120([statement])


def untouched(page: Page) -> bool:
    return page.evaluate('window.__xss === undefined')


def test_html_in_a_name_a_label_and_a_file_name_is_shown_as_text_and_runs_nothing(
    page: Page, server: Server, authenticator: Authenticator, tmp_path: Path
) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.get_by_test_id('nav-clients').click()
    page.get_by_test_id('client-new').click()
    page.get_by_test_id('client-legal-name').fill(NAME)
    siren = a_siren()
    page.get_by_test_id('client-siren').fill(siren)
    page.get_by_test_id('client-submit').click()
    expect(page.get_by_text(f'Dossier « {NAME} » créé.')).to_be_visible()
    dropped = tmp_path / '<img src=x onerror=window.__xss=3>.txt'
    dropped.write_bytes(hostile_statement())
    server.relais('import', str(dropped), '--client', siren)
    (client_id,) = server.sql('SELECT id FROM client WHERE siren = ?', siren)[0]
    (account_id,) = server.sql('SELECT id FROM bank_account WHERE iban = ?', iban_of(BANK, BRANCH, NUMBER))[0]
    server.sql(  # its entries wait for ventilation once the account has its « compte de trésorerie »
        "INSERT INTO treasury_account (client_id, number, label, created_at) VALUES (?, 1, 'Banque n°1', ?)",
        client_id,
        '2026-12-01 00:00:00.000000',
    )
    server.sql(
        'UPDATE bank_account SET treasury_account_id = (SELECT id FROM treasury_account WHERE client_id = ?) '
        'WHERE id = ?',
        client_id,
        account_id,
    )

    page.goto(f'{server.url}/cabinet')
    page.get_by_test_id('connector-add').click()
    page.get_by_test_id('connector-kind-folder').click()
    page.get_by_test_id('connector-form-name').fill(CONNECTOR)
    page.get_by_test_id('connector-form-folder').fill(str(tmp_path / 'depot'))
    page.get_by_test_id('connector-form-submit').click()
    expect(page.get_by_text(f'Connecteur « {CONNECTOR} » ajouté.')).to_be_visible()
    assert untouched(page)
    screens = {
        '/cabinet': CONNECTOR,
        '/dossiers': NAME,
        f'/dossiers/{client_id}': NAME,
        '/ibans': NAME,
        f'/ibans/{account_id}': 'Relevés',  # its statements list (the file's name is not one of its columns)
        '/journal': NAME,
    }
    for path, text in screens.items():
        page.goto(f'{server.url}{path}')
        expect(page.get_by_text(text, exact=False).first).to_be_visible()
        assert untouched(page), path
    page.goto(f'{server.url}/dossiers/{client_id}/ventilation')
    expect(page.get_by_text(LABEL).first).to_be_visible()
    expect(page.get_by_text('=HYPERLINK("http://x")').first).to_be_visible()
    assert untouched(page)


def test_a_statement_file_over_50_mb_is_refused_with_the_limit_named(
    page: Page, server: Server, authenticator: Authenticator, tmp_path: Path
) -> None:
    (account_id,) = server.sql('SELECT id FROM bank_account ORDER BY id LIMIT 1')[0]
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.goto(f'{server.url}/ibans/{account_id}')
    big = tmp_path / 'releve-enorme.txt'
    with big.open('wb') as out:
        out.truncate(51 * 1024 * 1024)
    page.get_by_test_id('statement-upload').locator('input[type=file]').set_input_files(big)
    expect(page.get_by_text('Fichier trop volumineux : 50 Mo au plus.')).to_be_visible()
