"""« Mes comptes » in a real browser: a préparateur manages an account but is never offered to sign its mandate, and
the dirigeant signs it with strong authentication, a wrong code first."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from .conftest import Authenticator, Server, has_no_horizontal_overflow, sign_in
from .test_users import BAD_CODE, FICTIVE, fictive_account, wrong_code

IBAN_TO_SIGN = 'FR7630004008230001024567863'  # the demo mandate waiting for a signature (services.demo_statements)
PREPARER = 'thomas.lefevre@entreprise-fictive.fr'
OWN_IBAN = 'FR7630004008230001024560103'  # added here: the demo mandate stays « À signer » for the other journeys


def new_mandate_to_sign(server: Server) -> int:
    """An IBAN of EntrepriseFictive whose mandate waits for a signature, as the firm would have added it."""
    client, firm = server.sql('SELECT id, firm_id FROM client WHERE legal_name = ?', FICTIVE)[0]
    at = datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S.%f')
    server.sql(
        'INSERT INTO bank_account (client_id, firm_id, iban, name, kind, currency, pro, sync_enabled, created_at) '
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        *(client, firm, OWN_IBAN, 'Compte courant', 'checking', 'EUR', 0, 1, at),
    )
    account = server.sql('SELECT id FROM bank_account WHERE iban = ?', OWN_IBAN)[0][0]
    server.sql(
        'INSERT INTO mandate (account_id, firm_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        *(account, firm, 'to_sign', at, at),
    )
    return account


def test_a_preparer_on_a_phone_manages_the_account_but_cannot_sign_its_mandate(
    phone_page: Page, server: Server, authenticator: Authenticator
) -> None:
    account = fictive_account(server, IBAN_TO_SIGN)
    sign_in(phone_page, server, authenticator, PREPARER)
    phone_page.goto(f'{server.url}/mes-comptes')
    card = phone_page.get_by_test_id(f'my-account-{account}')
    expect(card.get_by_test_id(f'my-account-status-{account}')).to_have_text('À signer')
    expect(card.get_by_test_id(f'my-account-rights-{account}')).to_contain_text('Gestion')
    expect(card.get_by_test_id(f'my-account-rights-{account}')).not_to_contain_text('Validation')
    expect(card.get_by_test_id(f'my-account-upload-{account}')).to_be_visible()
    expect(card.get_by_test_id(f'my-account-sign-{account}')).to_have_count(0)
    assert has_no_horizontal_overflow(phone_page)


def test_the_dirigeant_signs_the_mandate_after_a_wrong_code(
    page: Page, server: Server, authenticator: Authenticator
) -> None:
    fictive_account(server, IBAN_TO_SIGN)  # the demo is seeded
    account = new_mandate_to_sign(server)
    email = 'dirigeant@entreprise-fictive.fr'
    sign_in(page, server, authenticator, email)
    page.get_by_test_id('nav-my-accounts').click()
    page.get_by_test_id(f'my-account-sign-{account}').click()
    expect(page.get_by_test_id('my-certify-continue')).to_be_disabled()
    page.get_by_test_id('my-certify').click()
    page.get_by_test_id('my-certify-continue').click()
    page.get_by_test_id('strong-auth-code').fill(wrong_code())
    page.get_by_test_id('strong-auth-submit').click()
    expect(page.get_by_test_id('strong-auth-error')).to_have_text(BAD_CODE)
    page.get_by_test_id('strong-auth-code').fill(authenticator.code(email))
    page.get_by_test_id('strong-auth-submit').click()
    expect(page.get_by_test_id(f'my-account-status-{account}')).not_to_have_text('À signer')
    expect(page.get_by_test_id(f'my-account-sign-{account}')).to_have_count(0)
    assert server.sql('SELECT status FROM mandate WHERE account_id = ? ORDER BY id DESC', account)[0][0] in {
        'signed',
        'approved',
    }
