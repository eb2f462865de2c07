"""`POST /sandbox/items`: the demo seeding's shortcut past the hosted pages (a sandbox-only departure)."""

from __future__ import annotations

from tests.sandbox.conftest import BNP, HEADERS, Api


async def test_a_demo_item_is_made_and_refreshed_like_one_from_the_hosted_pages(api: Api) -> None:
    token = await api.user('demo-file')
    uuid = await api.client.get('/v3/aggregation/users', headers=HEADERS, params={'external_user_id': 'demo-file'})
    body = {'user_uuid': uuid.json()['resources'][0]['uuid'], 'provider_id': BNP, 'identifiant': 'pro-demo'}
    created = await api.client.post('/sandbox/items', headers=HEADERS, json=body)
    assert created.status_code == 201, created.text
    item = await api.item(token, created.json()['id'])
    assert (item['status'], item['status_code_info']) == (1100, 'PRO_ACCOUNTS_TO_VALIDATE')
    assert len(await api.accounts(token, item['id'])) == 3


async def test_a_demo_item_needs_the_application_credentials_and_a_known_user(api: Api) -> None:
    body = {'user_uuid': 'nobody', 'provider_id': BNP, 'identifiant': 'demo'}
    assert (await api.client.post('/sandbox/items', json=body)).status_code == 401
    unknown = await api.client.post('/sandbox/items', headers=HEADERS, json=body)
    assert unknown.status_code == 404
