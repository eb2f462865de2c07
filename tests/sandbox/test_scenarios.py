"""Each scenario chosen by the identifiant, and the hosted pages that fix an item."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from tests.sandbox.conftest import Api, callback_params


def parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace('Z', '+00:00'))


@pytest.mark.parametrize(
    ('identifiant', 'status', 'info'),
    [
        ('demo', 0, None),
        ('inconnu-42', 0, None),
        ('tos', 429, 'TOS_TO_VALIDATE'),
        ('down.1', 1003, 'BANK_IS_DOWN'),
        ('crash', 1003, 'CNT_CRASH'),
        ('unsupported', 1005, 'PROVIDER_NOT_SUPPORTED'),
        ('unavailable', 1007, 'PROVIDER_UNAVAILABLE'),
        ('renewal', 429, 'PWD_RENEWAL'),
    ],
)
async def test_status_after_connection(api: Api, identifiant: str, status: int, info: str | None) -> None:
    token = await api.user()
    item = await api.item(token, await api.connect(token, identifiant))
    assert (item['status'], item['status_code_info']) == (status, info)
    assert isinstance(item['status_code_description'], str) and item['status_code_description'].endswith('.')
    assert item['account_types'] == 'all'
    accounts = await api.accounts(token, item['id'])
    assert len(accounts) == (2 if status == 0 else 0)  # no account until a first successful synchronisation


async def test_demo_has_a_checking_and_a_savings_account_and_consent_for_180_days(api: Api) -> None:
    token = await api.user()
    item = await api.item(token, await api.connect(token, 'demo'))
    accounts = await api.accounts(token, item['id'])
    assert [(a['name'], a['type']) for a in accounts] == [('Compte courant', 'checking'), ('Livret A', 'savings')]
    assert all(a['data_access'] == 'enabled' and a['pro'] is False for a in accounts)
    consent = parse(item['authentication_expires_at']) - parse(item['last_successful_refresh'])
    assert consent == timedelta(days=180)
    status = (await api.get(f'/v3/aggregation/items/{item["id"]}/refresh-status', token)).json()
    assert status == {
        'status': 'finished',
        'refreshed_at': item['last_successful_refresh'],
        'refreshed_accounts_count': 2,
        'total_accounts_count': 2,
        'mfa': None,
    }


async def test_consent_expiry_turns_the_item_to_1010_until_renewed(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')
    await api.set_clock(advance_days=181)
    token = await api.token()
    assert (await api.item(token, item_id))['status'] == 1010
    session_id = await api.session(token, item_id=item_id)
    page = f'/connect/{session_id}'
    assert 'Authentification forte' in (await api.client.get(page)).text
    assert (await api.client.post(f'{page}/fix', data={'otp': '111111'})).status_code == 400
    params = callback_params(await api.client.post(f'{page}/fix', data={'otp': '123456'}))
    assert params['item_id'] == item_id and params['success'] == 'true'
    item = await api.item(token, item_id)
    assert item['status'] == 0
    assert parse(item['authentication_expires_at']) - parse(await api.set_clock(advance_days=0)) > timedelta(days=179)


async def test_pro_accounts_wait_for_validation_through_the_endpoint(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'pro-sarl')
    item = await api.item(token, item_id)
    assert (item['status'], item['status_code_info']) == (1100, 'PRO_ACCOUNTS_TO_VALIDATE')
    accounts = await api.accounts(token, item_id)
    pro = [account for account in accounts if account['pro']]
    assert len(pro) == 2 and all(account['data_access'] == 'disabled' for account in pro)
    assert 'Compte professionnel' in [account['name'] for account in pro]
    assert await api.transactions(token, account_id=pro[0]['id']) == []
    bad = await api.post(f'/v3/aggregation/items/{item_id}/pro-validation', token, {'account_ids': [1]})
    assert bad.status_code == 400
    ids = [account['id'] for account in pro]
    validated = await api.post(f'/v3/aggregation/items/{item_id}/pro-validation', token, {'account_ids': ids})
    assert validated.status_code == 200
    assert validated.json()['status'] == 0 and validated.json()['id'] == item_id
    assert all(a['data_access'] == 'enabled' for a in await api.accounts(token, item_id))
    assert await api.transactions(token, account_id=pro[0]['id'])


async def test_pro_accounts_validated_on_the_hosted_page(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'pro')
    page = f'/connect/{await api.session(token, item_id=item_id)}'
    shown = await api.client.get(page)
    assert shown.text.count('data-testid="pro-account-') == 2 and 'Valider' in shown.text
    params = callback_params(await api.client.post(f'{page}/fix'))
    assert params['success'] == 'true' and params['item_id'] == item_id
    assert (await api.item(token, item_id))['status'] == 0


async def test_sca_item_needs_strong_authentication_after_its_first_sync(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'sca')
    item = await api.item(token, item_id)
    assert (item['status'], item['status_code_info']) == (1010, 'SCA_REQUIRED')
    assert len(await api.accounts(token, item_id)) == 2  # the first sync brought the data
    await api.refresh(token, item_id)
    assert (await api.item(token, item_id))['status'] == 1010
    page = f'/connect/{await api.session(token, item_id=item_id)}'
    assert 'Code reçu par SMS' in (await api.client.get(page)).text
    callback_params(await api.client.post(f'{page}/fix', data={'otp': '123456'}))
    assert (await api.item(token, item_id))['status'] == 0
    await api.refresh(token, item_id)
    assert (await api.item(token, item_id))['status'] == 0


async def test_pwd_item_fails_on_next_refresh_until_a_new_secret_code(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'pwd')
    assert (await api.item(token, item_id))['status'] == 0
    await api.refresh(token, item_id)
    item = await api.item(token, item_id)
    assert (item['status'], item['status_code_info']) == (402, 'WRONG_PWD')
    refresh_status = (await api.get(f'/v3/aggregation/items/{item_id}/refresh-status', token)).json()
    assert refresh_status['status'] == 'failed'
    page = f'/connect/{await api.session(token, item_id=item_id)}'
    assert 'CODE SECRET' in (await api.client.get(page)).text
    assert (await api.client.post(f'{page}/fix', data={'secret': '12'})).status_code == 400
    params = callback_params(await api.client.post(f'{page}/fix', data={'secret': '98765'}))
    assert params['success'] == 'true'
    assert (await api.item(token, item_id))['status'] == 0
    await api.refresh(token, item_id)
    assert (await api.item(token, item_id))['status'] == 0


async def test_slow_refresh_shows_minus_two_then_minus_three(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'slow')
    assert (await api.item(token, item_id))['status'] == -2
    status = (await api.get(f'/v3/aggregation/items/{item_id}/refresh-status', token)).json()
    assert status['status'] == 'in_progress'
    await asyncio.sleep(0.35)
    assert (await api.item(token, item_id))['status'] == 0
    assert (await api.refresh(token, item_id)).status_code == 202
    assert (await api.item(token, item_id))['status'] == -3
    await asyncio.sleep(0.35)
    assert (await api.item(token, item_id))['status'] == 0


async def test_flaky_items_fail_every_third_call(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'flaky')
    codes = [(await api.get(f'/v3/aggregation/items/{item_id}', token)).status_code for _ in range(6)]
    assert codes == [200, 200, 500, 200, 200, 500]
    failure = await api.get('/v3/aggregation/accounts', token, item_id=item_id)
    assert failure.status_code in (200, 500)
    statuses = [(await api.get('/v3/aggregation/transactions', token)).status_code for _ in range(3)]
    assert statuses.count(500) == 1


async def test_many_has_five_accounts_and_two_years(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'many')
    accounts = await api.accounts(token, item_id)
    assert len(accounts) == 5
    assert {a['type'] for a in accounts} == {'checking', 'savings', 'card', 'loan'}
    loan = next(a for a in accounts if a['type'] == 'loan')
    assert loan['name'] == 'Prêt immobilier' and loan['balance'] < 0
    repayments = await api.transactions(token, account_id=loan['id'])
    assert 20 <= len(repayments) <= 26 and all(t['amount'] > 0 for t in repayments)
    checking = await api.transactions(token, account_id=accounts[0]['id'])
    days = sorted({t['date'] for t in checking})
    assert (parse(days[-1] + 'T00:00:00Z') - parse(days[0] + 'T00:00:00Z')).days >= 720
