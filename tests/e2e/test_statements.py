"""IBANs, mandates, connectors and statements: a client signs a mandate on a phone while the firm watches the
statements arrive; a supervisor adds a connector, an IBAN is routed to it and a dropped file reaches the tool."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from services.formats import parse_file
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement

from .conftest import Authenticator, Server, demo_connection, has_no_horizontal_overflow, sign_in

LINK = re.compile(r'https?://\S+/lien/\S+')
IBAN_TO_SIGN = 'FR7630004008230001024567863'  # services.demo_statements


def demo_account(server: Server, iban: str) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = server.sql('SELECT id FROM bank_account WHERE iban = ?', iban)
        if found:
            return found[0][0]
        time.sleep(0.3)
    raise AssertionError(f'the demo IBAN {iban} was not seeded within 60 s:\n{server.log()}')


def test_a_client_signs_the_mandate_on_a_phone_and_the_firm_sees_the_bank_statements_arrive(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    account_id = demo_account(server, IBAN_TO_SIGN)
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.get_by_test_id('nav-ibans').click()
    expect(page.get_by_test_id(f'iban-mandate-{account_id}')).to_have_text('À signer')
    page.get_by_test_id(f'iban-open-{account_id}').click()
    expect(page.get_by_test_id('iban-detail-value')).to_have_text('FR76 3000 4008 2300 0102 4567 863')
    before = server.last_received_id()
    page.get_by_test_id('mandate-send').click()
    expect(page.get_by_text('Lien de signature envoyé à')).to_be_visible()
    link = LINK.search(server.received('email', after=before)).group(0)

    phone_page.goto(link)
    expect(phone_page.get_by_test_id('link-title')).to_have_text('Mandat de relevés bancaires')
    expect(phone_page.get_by_test_id('mandate-iban')).to_have_text('FR76 3000 4008 2300 0102 4567 863')
    phone_page.get_by_test_id('link-name').fill('Jean-Michel Martin')
    phone_page.get_by_test_id('link-certify').click()
    before = server.last_received_id()
    phone_page.get_by_test_id('mandate-send-code').click()
    expect(phone_page.get_by_text('Code envoyé')).to_be_visible()
    code = re.search(r'est (\d{6})', server.received('sms', after=before)).group(1)
    phone_page.get_by_test_id('mandate-code').fill(code)
    phone_page.get_by_test_id('mandate-sign').click()
    expect(phone_page.get_by_test_id('link-done')).to_have_text('Mandat signé.')
    assert has_no_horizontal_overflow(phone_page)

    # no reload: the demo bank approves a second later and pushes its daily files to Relais's inbox
    expect(page.get_by_test_id('mandate-status')).to_have_text('Approuvé', timeout=30_000)
    expect(page.get_by_test_id('iban-detail-active')).to_contain_text('Actif')
    expect(page.get_by_test_id('statements-table').locator('tbody tr')).to_have_count(5, timeout=30_000)
    expect(page.get_by_test_id('mandate-history')).to_contain_text('Jean-Michel Martin (client)')


def statement_of(iban: str) -> bytes:
    day = date.today() - timedelta(days=1)
    entry = Entry(booking_date=day, amount=Decimal('-318.40'), label='PRLV SEPA URSSAF')
    opening = Decimal('1000.00')
    return write_cfonb120(
        [
            Statement(
                'cfonb120',
                AccountId(iban=iban),
                'EUR',
                opening,
                day - timedelta(days=1),
                opening - Decimal('318.40'),
                day,
                [entry],
            )
        ]
    )


def test_a_supervisor_adds_a_webhook_connector_and_a_dropped_statement_reaches_the_tool(
    page: Page, server: Server, authenticator: Authenticator, tmp_path: Path
) -> None:
    receiver = f'{server.url}/sandbox/production/e2e-pennylane'
    httpx.put(receiver, json={'secret': 'e2e-pennylane-signing-secret'}).raise_for_status()
    sign_in(page, server, authenticator, 'superviseur@cabinet-demo.fr')
    page.get_by_test_id('nav-firm').click()
    page.get_by_test_id('connector-add').click()
    page.get_by_test_id('connector-kind-pennylane').click()
    page.get_by_test_id('connector-form-url').fill(f'{receiver}/releves')
    page.get_by_test_id('connector-form-secret').fill('e2e-pennylane-signing-secret')
    page.get_by_test_id('connector-form-submit').click()
    expect(page.get_by_text('Connecteur « Pennylane » ajouté.')).to_be_visible()
    connector_id = server.sql("SELECT id FROM connector WHERE name = 'Pennylane'")[0][0]

    bnp = demo_connection(server, 'BNP Paribas')  # AGA COMPTA's, made just after start-up
    account_id, iban = server.sql('SELECT id, iban FROM bank_account WHERE connection_id = ? ORDER BY id LIMIT 1', bnp)[
        0
    ]
    page.get_by_test_id('nav-ibans').click()
    page.get_by_test_id(f'iban-connector-pick-{account_id}').click()
    page.get_by_test_id(f'iban-connector-pick-{account_id}-option-{connector_id}').click()
    expect(page.get_by_test_id(f'iban-connector-{account_id}')).to_contain_text('Pennylane')

    page.get_by_test_id(f'iban-open-{account_id}').click()
    dropped = tmp_path / 'releve.txt'
    dropped.write_bytes(statement_of(iban))
    page.get_by_test_id('statement-upload').locator('input[type=file]').set_input_files(dropped)
    expect(page.get_by_text('1 relevé(s) importé(s)')).to_be_visible()
    statement_id = server.sql("SELECT max(id) FROM bank_statement WHERE file_name = 'releve.txt'")[0][0]
    expect(page.get_by_test_id(f'delivery-status-{statement_id}')).to_contain_text('Pennylane : Accusé')
    (received,) = httpx.get(f'{receiver}/releves').json()
    (statement,) = parse_file(received['body'].encode())
    assert (statement.iban, statement.entries[0].label) == (iban, 'PRLV SEPA URSSAF')

    page.get_by_test_id(f'delivery-resend-{statement_id}').click()  # a re-send is not a second delivery
    expect(page.get_by_text('Relevé renvoyé au connecteur.')).to_be_visible()
    time.sleep(1)
    assert len(httpx.get(f'{receiver}/releves').json()) == 1


def test_the_global_file_is_downloaded_and_the_iban_list_fits_a_phone(
    page: Page, phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    sign_in(page, server, authenticator, 'admin@cabinet-demo.fr')
    page.get_by_test_id('nav-statements').click()
    expect(page.get_by_test_id('global-total')).not_to_have_text('0 relevé(s)', timeout=30_000)
    with page.expect_download() as download:
        page.get_by_test_id('global-download').click()
    statements = parse_file(Path(download.value.path()).read_bytes())
    assert statements and all(s.reconciles for s in statements)

    sign_in(phone_page, server, authenticator, 'collaborateur@cabinet-demo.fr')
    phone_page.goto(f'{server.url}/ibans')
    expect(phone_page.get_by_test_id('iban-table')).to_be_visible()
    assert has_no_horizontal_overflow(phone_page)
