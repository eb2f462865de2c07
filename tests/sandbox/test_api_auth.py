"""Application and user authentication, users and tokens, isolation between users."""

from __future__ import annotations

from tests.sandbox.conftest import HEADERS, Api


async def test_users_are_created_once_and_found_by_external_id(api: Api) -> None:
    created = await api.client.post('/v3/aggregation/users', headers=HEADERS, json={'external_user_id': 'c-12'})
    assert created.status_code == 201
    assert created.json()['external_user_id'] == 'c-12'
    again = await api.client.post('/v3/aggregation/users', headers=HEADERS, json={'external_user_id': 'c-12'})
    assert again.status_code == 409
    assert again.json() == {'type': 'conflict', 'message': again.json()['message'], 'documentation_url': None}
    found = await api.client.get('/v3/aggregation/users', headers=HEADERS, params={'external_user_id': 'c-12'})
    assert found.json() == {'resources': [created.json()], 'pagination': {'next_uri': None}}
    token = await api.client.post(
        '/v3/aggregation/authorization/token', headers=HEADERS, json={'external_user_id': 'c-12'}
    )
    assert token.status_code == 200
    assert token.json()['user'] == created.json()
    assert token.json()['expires_at'].endswith('Z')


async def test_wrong_application_credentials_are_refused(api: Api) -> None:
    for headers in (
        {**HEADERS, 'Client-Secret': 'nope'},
        {**HEADERS, 'Client-Id': 'other'},
        {'Bridge-Version': '2025-01-15'},
    ):
        response = await api.client.get('/v3/providers', headers=headers)
        assert response.status_code == 401
        assert response.json()['type'] == 'invalid_client_credentials'
    missing_version = {key: value for key, value in HEADERS.items() if key != 'Bridge-Version'}
    assert (await api.client.get('/v3/providers', headers=missing_version)).status_code == 400


async def test_bearer_is_required_and_expires_after_two_hours(api: Api) -> None:
    token = await api.user()
    assert (await api.client.get('/v3/aggregation/items', headers=HEADERS)).status_code == 401
    assert (await api.get('/v3/aggregation/items', 'not-a-token')).status_code == 401
    assert (await api.get('/v3/aggregation/items', token)).status_code == 200
    await api.set_clock(advance_days=1 / 24 * 2.01)
    expired = await api.get('/v3/aggregation/items', token)
    assert expired.status_code == 401
    assert expired.json()['type'] == 'unauthorized'


async def test_another_users_item_account_and_transactions_are_not_found(api: Api) -> None:
    owner = await api.user('owner')
    intruder = await api.user('intruder')
    item_id = await api.connect(owner)
    account_id = (await api.accounts(owner, item_id))[0]['id']
    for path, params in (
        (f'/v3/aggregation/items/{item_id}', {}),
        (f'/v3/aggregation/items/{item_id}/refresh-status', {}),
        ('/v3/aggregation/accounts', {'item_id': item_id}),
        (f'/v3/aggregation/accounts/{account_id}', {}),
        ('/v3/aggregation/transactions', {'account_id': account_id}),
    ):
        assert (await api.get(path, intruder, **params)).status_code == 404, path
    assert (await api.refresh(intruder, item_id)).status_code == 404
    assert (await api.client.delete(f'/v3/aggregation/items/{item_id}', headers=api.auth(intruder))).status_code == 404
    assert (await api.get('/v3/aggregation/items', intruder)).json()['resources'] == []


async def test_connect_session_validates_its_body(api: Api) -> None:
    token = await api.user()
    bad_callback = await api.post('/v3/aggregation/connect-sessions', token, {'callback_url': 'javascript:alert(1)'})
    assert bad_callback.status_code == 400
    unknown_item = await api.post('/v3/aggregation/connect-sessions', token, {'item_id': 1})
    assert unknown_item.status_code == 404
    created = await api.post('/v3/aggregation/connect-sessions', token, {'user_email': 'a@b.fr'})
    assert created.status_code == 201
    assert created.json()['url'] == f'http://sandbox/connect/{created.json()["id"]}'


async def test_deleted_item_is_gone(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token)
    deleted = await api.client.delete(f'/v3/aggregation/items/{item_id}', headers=api.auth(token))
    assert deleted.status_code == 204
    assert (await api.get(f'/v3/aggregation/items/{item_id}', token)).status_code == 404
    assert (await api.get('/v3/aggregation/accounts', token)).json()['resources'] == []
