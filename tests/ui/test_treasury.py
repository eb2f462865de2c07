"""« Trésorerie » of a client file: the computed balance against the bank's, the holes of the history, and
« Forcer la synchronisation » offered only where a connection can bring the missing days."""

from __future__ import annotations

from datetime import date, timedelta

from nicegui.testing import User

from services.banking_models import BankAccount, BankConnection
from services.clock import now
from services.db import session_scope
from services.formatting import money
from services.models import Client
from tests.ui.conftest import SLOW, sign_in
from tests.ventilation_world import VentilationWorld, add_statement, build

GARAGE = 'Garage des Alpes'  # a demo file with no bank account of its own: the page shows these tests' alone


def connect(world: VentilationWorld) -> None:
    """The world's account as brought by a bank connection whose last good sync was ten days ago."""
    with session_scope() as session:
        client = session.get(Client, world.client_id)
        connection = BankConnection(
            client_id=client.id,
            firm_id=client.firm_id,
            provider='bridge',
            provider_item_id='4242',
            bank_name='BNP Paribas',
            status='ok',
            last_success_at=now() - timedelta(days=10),
        )
        session.add(connection)
        session.flush()
        account = session.get(BankAccount, world.account_id)
        account.connection_id, account.provider_account_id = connection.id, '42421'
        session.add(account)


async def test_the_page_shows_the_difference_and_the_break_in_the_statements(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    world = build(GARAGE)
    add_statement(world, (date(2026, 10, 31), 100_000), (date(2026, 11, 10), 251_361))
    add_statement(world, (date(2026, 11, 10), 256_361), (date(2026, 11, 30), 85_371))
    await user.open(f'/dossiers/{world.client_id}/tresorerie')
    await user.should_see('Banque n°1', retries=SLOW)
    await user.should_see(money(80_371 - 152_411))  # computed from the first opening, against the bank's balance
    await user.should_see(marker=f'treasury-difference-{world.account_id}')
    await user.should_see('ne correspond pas au solde de clôture du relevé précédent du 10/11/2026')
    await user.should_see(marker='gap-upload-1')  # a statement file is the only way to fill it
    await user.should_not_see(marker='gap-sync-1')


async def test_forcing_the_sync_is_offered_only_for_a_connected_account(user: User) -> None:
    await sign_in(user, 'admin@cabinet-demo.fr', then='Bonjour Anne')
    connected, uploaded = build(GARAGE), build(GARAGE, treasury_number=2, account_number=2)
    connect(connected)
    add_statement(uploaded, (date(2026, 10, 31), 100_000), (date(2026, 11, 6), 259_441))
    add_statement(uploaded, (date(2026, 11, 13), 347_361), (date(2026, 11, 30), 80_371))
    await user.open(f'/dossiers/{connected.client_id}/tresorerie')
    await user.should_see('Dernière synchronisation réussie le', retries=SLOW)
    await user.should_see(marker='gap-sync-1')
    await user.should_see('Aucun relevé du 09/11/2026 au 12/11/2026')
    await user.should_see(marker='gap-upload-2')
    await user.should_not_see(marker='gap-sync-2')


async def test_a_file_of_another_firm_has_no_treasury_page(user: User) -> None:
    await sign_in(user, 'admin@cabinet-temoin.fr', then='Bonjour Marc')
    await user.open(f'/dossiers/{build(GARAGE).client_id}/tresorerie')
    await user.should_see('Dossier introuvable.', retries=SLOW)
