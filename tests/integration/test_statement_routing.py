"""Statements reach the firm's production tools: connectors, attachment of IBANs, deliveries, the global file."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from services import connectors, deliveries, statements
from services.db import session_scope
from services.errors import DomainError, Forbidden, InvalidInput, NotFound
from services.formats import parse_file
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import AccountId, Entry, Statement
from services.models import Client
from services.statement_models import BankStatement, Delivery
from tests.actors import sign_in

IBAN = 'FR7630004008230001024567863'


def statement_file(day: int = 20, amount: str = '-12.50', iban: str = IBAN) -> bytes:
    entry = Entry(booking_date=date(2026, 11, day), amount=Decimal(amount), label='CB BOULANGERIE DU PORT')
    return write_cfonb120(
        [
            Statement(
                format='cfonb120',
                account=AccountId(iban=iban),
                currency='EUR',
                opening_balance=Decimal('100.00'),
                opening_date=date(2026, 11, day - 1),
                closing_balance=Decimal('100.00') + Decimal(amount),
                closing_date=date(2026, 11, day),
                entries=[entry],
            )
        ]
    )


@pytest.fixture
def supervisor(demo_data: None):
    return sign_in('superviseur@cabinet-demo.fr')


@pytest.fixture
def client_id(demo_data: None) -> int:
    with session_scope() as session:
        return session.exec(select(Client).where(Client.legal_name == 'EntrepriseFictive SARL')).one().id


@pytest.fixture
def account_id(admin, client_id: int) -> int:
    statements.import_file(admin, client_id=client_id, data=statement_file(day=2), file_name='ancien.txt')
    with session_scope() as session:
        return session.exec(select(BankStatement.account_id)).first()


@pytest.fixture
def production_tool(sandbox) -> str:
    name = f'meg-{uuid.uuid4().hex[:8]}'
    response = httpx.put(f'{sandbox.url}/production/{name}', json={'secret': 'so-bank-demo-secret-123'})
    response.raise_for_status()
    return f'{sandbox.url}/production/{name}'


def received(production_tool: str) -> list[dict]:
    return httpx.get(f'{production_tool}/releves').json()


def meg(supervisor, production_tool: str):
    return connectors.add_connector(
        supervisor, kind='meg', name='So bank', url=f'{production_tool}/releves', secret='so-bank-demo-secret-123'
    )


def delivery_of(statement_day: int) -> Delivery:
    with session_scope() as session:
        return session.exec(
            select(Delivery).join(BankStatement).where(BankStatement.closing_date == date(2026, 11, statement_day))
        ).one()


async def test_a_statement_of_an_iban_with_a_connector_is_delivered_signed_and_acknowledged(
    supervisor, admin, client_id, account_id, production_tool
):
    connectors.attach(admin, account_id, meg(supervisor, production_tool).id)
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    assert await deliveries.deliver_due() == 1
    assert delivery_of(20).status == 'acknowledged'
    (file,) = received(production_tool)
    (back,) = parse_file(file['body'].encode())
    assert (back.iban, back.closing_balance, back.entries[0].label) == (
        IBAN,
        Decimal('87.50'),
        'CB BOULANGERIE DU PORT',
    )


async def test_a_resent_statement_is_not_delivered_twice(supervisor, admin, client_id, account_id, production_tool):
    connectors.attach(admin, account_id, meg(supervisor, production_tool).id)
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    await deliveries.deliver_due()
    deliveries.resend(admin, delivery_of(20).id)
    await deliveries.deliver_due()
    assert len(received(production_tool)) == 1
    assert delivery_of(20).status == 'acknowledged'


async def test_a_tool_that_is_down_gets_the_statement_on_a_later_try(
    sandbox, supervisor, admin, client_id, account_id, production_tool
):
    connectors.attach(admin, account_id, meg(supervisor, production_tool).id)
    name = production_tool.rsplit('/', 1)[1]
    httpx.put(f'{sandbox.url}/production/{name}', json={'secret': 'so-bank-demo-secret-123', 'fail_next': 1})
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    await deliveries.deliver_due()
    failed = delivery_of(20)
    assert (failed.status, failed.attempts) == ('failed', 1) and '503' in failed.last_error
    deliveries.resend(admin, failed.id)
    await deliveries.deliver_due()
    assert delivery_of(20).status == 'acknowledged' and len(received(production_tool)) == 1


async def test_a_wrong_secret_is_a_failure_that_is_not_retried(
    supervisor, admin, client_id, account_id, production_tool
):
    connector = connectors.add_connector(
        supervisor, kind='webhook', url=f'{production_tool}/releves', secret='not-the-secret-x'
    )
    connectors.attach(admin, account_id, connector.id)
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    await deliveries.deliver_due()
    failed = delivery_of(20)
    assert failed.status == 'failed' and '401' in failed.last_error and failed.next_attempt_at.year == 9999


async def test_a_folder_that_cannot_be_written_says_why_in_french(
    supervisor, admin, client_id, account_id, tmp_path: Path
):
    connector = connectors.add_connector(supervisor, kind='quadra', folder=str(tmp_path / 'quadra'))
    connectors.attach(admin, account_id, connector.id)
    (tmp_path / 'quadra').rmdir()
    (tmp_path / 'quadra').write_text('un fichier a pris la place du dossier')
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    await deliveries.deliver_due()
    failed = delivery_of(20)
    assert failed.status == 'failed'
    expected = f'Dépôt impossible dans le dossier {tmp_path}/quadra : un fichier porte déjà le nom du dossier.'
    assert failed.last_error == expected


async def test_a_folder_connector_drops_the_file_and_acknowledges_it_once_taken(
    supervisor, admin, client_id, account_id, tmp_path: Path
):
    connector = connectors.add_connector(supervisor, kind='quadra', folder=str(tmp_path / 'quadra'))
    connectors.attach(admin, account_id, connector.id)
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    await deliveries.deliver_due()
    (dropped,) = (tmp_path / 'quadra').iterdir()
    assert dropped.suffix == '.txt' and parse_file(dropped.read_bytes())[0].iban == IBAN
    assert delivery_of(20).status == 'sent'
    dropped.unlink()  # the production tool took it
    await deliveries.deliver_due()
    assert delivery_of(20).status == 'acknowledged'


def test_a_statement_of_an_iban_without_connector_goes_to_the_global_file(admin, client_id, account_id):
    statements.import_file(admin, client_id=client_id, data=statement_file(day=20), file_name='releve.txt')
    with session_scope() as session:
        routes = session.exec(select(BankStatement.route)).all()
        assert routes == ['global', 'global'] and not session.exec(select(Delivery)).all()


def test_only_a_supervisor_or_an_administrator_adds_a_connector(collaborator, tmp_path: Path):
    with pytest.raises(Forbidden):
        connectors.add_connector(collaborator, kind='folder', folder=str(tmp_path))


def test_a_webhook_connector_needs_an_https_address(supervisor):
    with pytest.raises(InvalidInput, match='HTTPS'):
        connectors.add_connector(supervisor, kind='pennylane', url='http://tool.example.com/releves')


def test_a_collaborator_attaches_an_iban_only_to_a_connector_of_the_firm(
    admin, collaborator, witness_admin, account_id, tmp_path: Path
):
    other_firm = connectors.add_connector(witness_admin, kind='folder', folder=str(tmp_path / 'temoin'))
    with pytest.raises(NotFound):
        connectors.attach(collaborator, account_id, other_firm.id)
    ours = connectors.add_connector(admin, kind='acd', folder=str(tmp_path / 'acd'))
    connectors.attach(collaborator, account_id, ours.id)
    assert [row.ibans for row in connectors.list_connectors(collaborator)] == [1]


def test_a_connector_in_use_cannot_be_removed_and_says_by_which_iban(supervisor, admin, account_id, tmp_path: Path):
    connector = connectors.add_connector(supervisor, kind='sage', folder=str(tmp_path / 'sage'))
    connectors.attach(admin, account_id, connector.id)
    with pytest.raises(DomainError, match=IBAN):
        connectors.remove_connector(supervisor, connector.id)
    connectors.attach(admin, account_id, None)
    connectors.remove_connector(supervisor, connector.id)
    assert connectors.list_connectors(supervisor) == []


def test_a_file_is_imported_whole_or_not_at_all(admin, client_id, account_id):
    mixed = statement_file(day=21) + statement_file(day=21, iban='FR7615589000009876543210088')
    with pytest.raises(DomainError, match='FR7615589000009876543210088'):
        statements.import_file(admin, client_id=client_id, data=mixed, file_name='deux.txt', account_id=account_id)
    with session_scope() as session:
        assert len(session.exec(select(BankStatement)).all()) == 1


def test_importing_the_same_file_again_adds_nothing(admin, client_id, account_id):
    again = statements.import_file(admin, client_id=client_id, data=statement_file(day=2), file_name='ancien.txt')
    assert (again.statements, again.already_known, again.new_transactions) == (0, 1, 0)


def test_a_malformed_file_says_which_line_and_why(admin, client_id):
    broken = statement_file(day=20).replace(b'201126', b'201326', 1)
    with pytest.raises(InvalidInput, match=r'releve\.txt : ligne 2 : date d’opération illisible « 201326 »'):
        statements.import_file(admin, client_id=client_id, data=broken, file_name='releve.txt')
