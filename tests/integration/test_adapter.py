"""The Bridge adapter against the demo aggregator over real HTTP: banks, item statuses per scenario, retries,
accounts and paginated transactions."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from stdnum import iban as iban_check

from services import statuses
from services.providers.bridge import BridgeAggregator
from tests.integration.hosted import a_user, new_item, unique

POPULAR = {'Banque Populaire', 'BNP Paribas', "Caisse d'épargne", 'CIC', 'La Banque Postale', 'LCL', 'Société Générale'}


async def test_the_bank_list_offers_every_french_bank_with_the_seven_most_asked_first(
    aggregator: BridgeAggregator,
) -> None:
    banks = await aggregator.banks()
    assert len(banks) >= 320
    assert len({bank.id for bank in banks}) == len(banks)
    assert {bank.name for bank in banks if bank.popular} == POPULAR


@pytest.mark.parametrize(
    ('scenario', 'code', 'info', 'status'),
    [
        ('demo', 0, None, 'ok'),
        ('pro', 1100, 'PRO_ACCOUNTS_TO_VALIDATE', 'pro_validation_required'),
        ('otp', 0, None, 'ok'),
        ('sca', 1010, 'SCA_REQUIRED', 'sca_required'),
        ('tos', 429, 'TOS_TO_VALIDATE', 'bank_action_required'),
        ('down', 1003, 'BANK_IS_DOWN', 'bank_unavailable'),
        ('crash', 1003, 'CNT_CRASH', 'provider_error'),
        ('unsupported', 1005, 'PROVIDER_NOT_SUPPORTED', 'provider_error'),
        ('unavailable', 1007, 'PROVIDER_UNAVAILABLE', 'bank_unavailable'),
        ('renewal', 429, 'PWD_RENEWAL', 'credentials_invalid'),
    ],
)
async def test_each_bank_scenario_reads_as_the_right_relais_status_after_the_first_sync(
    aggregator: BridgeAggregator, scenario: str, code: int, info: str | None, status: str
) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique(scenario))
    assert connected.otp_asked == (scenario == 'otp')
    item = await aggregator.item(user, connected.item_id)
    assert (item.status_code, item.status_info) == (code, info)
    assert statuses.from_provider(item.status_code, item.status_info) == status
    assert item.description


async def test_strong_authentication_is_asked_only_after_the_first_sync_brought_the_data(
    aggregator: BridgeAggregator,
) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('sca'))
    item = await aggregator.item(user, connected.item_id)
    assert statuses.from_provider(item.status_code, item.status_info) == 'sca_required'
    assert item.last_success_at is not None
    assert [a.name for a in await aggregator.accounts(user, connected.item_id)] == ['Compte courant', 'Livret A']


async def test_a_changed_secret_code_shows_at_the_next_refresh(aggregator: BridgeAggregator) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('pwd'))
    first = await aggregator.item(user, connected.item_id)
    assert statuses.from_provider(first.status_code, first.status_info) == 'ok'
    await aggregator.refresh(user, connected.item_id, user_present=False)
    assert await aggregator.refresh_finished(user, connected.item_id)
    after = await aggregator.item(user, connected.item_id)
    assert (after.status_code, after.status_info) == (402, 'WRONG_PWD')
    assert statuses.from_provider(after.status_code, after.status_info) == 'credentials_invalid'


async def test_a_slow_bank_refresh_is_in_progress_then_finished(aggregator: BridgeAggregator) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('slow'))
    assert not await aggregator.refresh_finished(user, connected.item_id)
    during = await aggregator.item(user, connected.item_id)
    assert statuses.from_provider(during.status_code, during.status_info) == 'syncing'
    deadline = time.monotonic() + 15
    while not await aggregator.refresh_finished(user, connected.item_id):
        assert time.monotonic() < deadline, 'the slow refresh never finished'
        await asyncio.sleep(0.25)
    after = await aggregator.item(user, connected.item_id)
    assert statuses.from_provider(after.status_code, after.status_info) == 'ok'


async def test_a_flaky_aggregator_is_retried_until_accounts_and_transactions_come(
    aggregator: BridgeAggregator,
) -> None:
    failures: list[int] = []

    async def count_failures(response: httpx.Response) -> None:
        if response.status_code >= 500:
            failures.append(response.status_code)

    aggregator._http.event_hooks['response'].append(count_failures)
    user = a_user()
    connected = await new_item(aggregator, user, unique('flaky'))
    for _ in range(3):
        accounts = await aggregator.accounts(user, connected.item_id)
        assert [a.name for a in accounts] == ['Compte courant', 'Livret A']
        assert await aggregator.transactions(user, accounts[0].id)
    assert failures, 'the flaky scenario never answered 500: nothing was retried'
    assert set(failures) == {500}


async def test_accounts_carry_valid_french_ibans_of_the_chosen_bank(aggregator: BridgeAggregator) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('demo'))
    accounts = await aggregator.accounts(user, connected.item_id)
    assert [(a.name, a.kind, a.pro) for a in accounts] == [
        ('Compte courant', 'checking', False),
        ('Livret A', 'savings', False),
    ]
    for account in accounts:
        assert account.item_id == connected.item_id
        assert account.iban and iban_check.is_valid(account.iban)
        assert account.iban.startswith('FR') and account.iban[4:9] == '30004'  # BNP Paribas's bank code
        assert isinstance(account.balance, Decimal) and account.currency == 'EUR'


async def test_two_years_of_history_come_through_every_page_with_exact_amounts(aggregator: BridgeAggregator) -> None:
    requests: list[httpx.URL] = []

    async def count_pages(request: httpx.Request) -> None:
        if request.url.path == '/v3/aggregation/transactions':
            requests.append(request.url)

    aggregator._http.event_hooks['request'].append(count_pages)
    user = a_user()
    connected = await new_item(aggregator, user, unique('many'))
    accounts = await aggregator.accounts(user, connected.item_id)
    assert [a.kind for a in accounts] == ['checking', 'checking', 'savings', 'card', 'loan']
    assert [a.iban is None for a in accounts] == [False, False, False, True, False]
    found = await aggregator.transactions(user, accounts[0].id)
    assert len(requests) >= 2 and len(found) > 500  # more than one page of 500
    assert len({t.id for t in found}) == len(found)
    assert all(t.account_id == accounts[0].id and not t.deleted for t in found)
    assert all(isinstance(t.amount, Decimal) and t.amount == t.amount.quantize(Decimal('0.01')) for t in found)
    days = sorted(t.date for t in found)
    assert days[-1] - days[0] >= timedelta(days=700)
    window = await aggregator.transactions(user, accounts[0].id, min_date=days[-1] - timedelta(days=9))
    assert {t.id for t in window} == {t.id for t in found if t.date >= days[-1] - timedelta(days=9)}
