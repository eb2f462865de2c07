"""« Gestion des comptes bancaires »: one module at a time, treasury accounts, links within the file only."""

import pytest
from sqlmodel import select

from services import banking
from services.banking_models import BankAccount, BankConnection
from services.db import session_scope
from services.errors import InvalidInput, NotFound
from services.models import Client
from services.permissions import Actor


@pytest.fixture(autouse=True)
def modules(unreachable_aggregator: None) -> None:
    """Both synchronisation modules are known (their server is not needed here)."""


def client_id(name: str) -> int:
    with session_scope() as session:
        return session.exec(select(Client.id).where(Client.legal_name == name)).one()


def account_in(name: str) -> int:
    with session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == name)).one()
        connection = BankConnection(
            client_id=client.id, firm_id=client.firm_id, provider='bridge', provider_item_id='1', bank_name='Banque'
        )
        session.add(connection)
        session.flush()
        account = BankAccount(
            client_id=client.id,
            firm_id=client.firm_id,
            connection_id=connection.id,
            iban='FR7630006000011234567890189',
            name='Compte courant',
        )
        session.add(account)
        session.flush()
        return account.id


def test_switching_module_needs_the_activation_off_first(admin: Actor) -> None:
    target = client_id('Garage des Alpes')
    banking.set_activation(admin, target, enabled=True, module='bridge')
    with pytest.raises(InvalidInput, match='Désactivez d’abord'):
        banking.set_activation(admin, target, enabled=True, module='linxo')
    banking.set_activation(admin, target, enabled=False, module='bridge')
    banking.set_activation(admin, target, enabled=True, module='linxo')
    view = banking.overview(admin, target)
    assert (view.sync_enabled, view.sync_module) == (True, 'linxo')


def test_treasury_accounts_are_numbered_per_file(admin: Actor) -> None:
    target = client_id('Garage des Alpes')
    labels = [banking.add_treasury_account(admin, target).label for _ in range(2)]
    assert labels == ['Banque n°1', 'Banque n°2']
    assert banking.add_treasury_account(admin, client_id('EntrepriseFictive SARL')).label == 'Banque n°3'


def test_an_account_links_only_to_a_treasury_account_of_its_file(admin: Actor) -> None:
    account = account_in('Garage des Alpes')
    other = banking.add_treasury_account(admin, client_id('Boulangerie Dupont'))
    with pytest.raises(NotFound):
        banking.link_treasury(admin, account, other.id)
    own = banking.add_treasury_account(admin, client_id('Garage des Alpes'))
    banking.link_treasury(admin, account, own.id)
    (row,) = banking.overview(admin, client_id('Garage des Alpes')).accounts
    assert (row.treasury_account_id, row.iban, row.account_number) == (own.id, 'FR76 •••• •••• 0189', '•••••••8901')


def test_another_firms_account_is_not_found(admin: Actor, witness_admin: Actor) -> None:
    account = account_in('Garage des Alpes')
    with pytest.raises(NotFound):
        banking.set_account_sync(witness_admin, account, False)


def test_a_collaborateur_reaches_only_the_accounts_of_assigned_files(collaborator: Actor) -> None:
    with pytest.raises(NotFound):
        banking.overview(collaborator, client_id('Vétérinaires des Tilleuls'))
    assert banking.overview(collaborator, client_id('EntrepriseFictive SARL')).sync_module == 'bridge'
