"""The demo's bank connections: made at the demo aggregator after start-up, synchronised, and made only once."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from services import demo_banks
from services.banking_models import BankAccount, BankConnection, Transaction
from services.db import session_scope
from services.models import Client
from services.providers.bridge import BridgeAggregator

pytestmark = pytest.mark.parametrize('database', ['sqlite'], indirect=True)


def connections() -> dict[tuple[str, str], str]:
    with session_scope() as session:
        rows = session.exec(
            select(Client.legal_name, BankConnection.bank_name, BankConnection.status).join(
                Client, Client.id == BankConnection.client_id
            )
        ).all()
    return {(name, bank): status for name, bank, status in rows}


async def test_the_demo_files_start_with_connections_in_every_state(bridge: BridgeAggregator) -> None:
    assert await demo_banks.seed(wait_seconds=5) == len(demo_banks.DEMO_CONNECTIONS)
    assert connections() == {
        ('AGA COMPTA', 'BNP Paribas'): 'ok',
        ('AGA COMPTA', 'Société Générale'): 'ok',
        ('One Up', 'LCL'): 'ok',
        ('One Up', 'MEG Banque'): 'pro_validation_required',
        ('One Up', "C'moi le chef"): 'sca_required',
    }


async def test_their_history_is_imported_and_their_accounts_linked_to_treasury(bridge: BridgeAggregator) -> None:
    await demo_banks.seed(wait_seconds=5)
    with session_scope() as session:
        transactions = session.exec(select(func.count()).select_from(Transaction)).one()
        unlinked = session.exec(
            select(BankAccount.name).where(
                col(BankAccount.treasury_account_id).is_(None), BankAccount.kind.in_(['checking', 'savings'])
            )
        ).all()
    assert transactions > 500  # 90 days of 2–4 operations a day on each current account
    assert unlinked == []


async def test_seeding_again_makes_nothing(bridge: BridgeAggregator) -> None:
    await demo_banks.seed(wait_seconds=5)
    assert await demo_banks.seed(wait_seconds=5) == 0
    assert len(connections()) == len(demo_banks.DEMO_CONNECTIONS)
