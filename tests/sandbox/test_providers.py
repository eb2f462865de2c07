"""The bank catalogue and its pagination."""

from __future__ import annotations

from tests.sandbox.conftest import HEADERS, Api

POPULAR = {'Banque Populaire', 'BNP Paribas', "Caisse d'épargne", 'CIC', 'La Banque Postale', 'LCL', 'Société Générale'}


async def all_providers(api: Api, limit: int) -> list[dict]:
    found: list[dict] = []
    response = await api.client.get('/v3/providers', headers=HEADERS, params={'limit': limit})
    while True:
        assert response.status_code == 200, response.text
        found += response.json()['resources']
        next_uri = response.json()['pagination']['next_uri']
        if next_uri is None:
            return found
        assert next_uri.startswith(f'/v3/providers?limit={limit}&after=')
        response = await api.client.get(next_uri, headers=HEADERS)


async def test_catalogue_has_french_banks_and_the_seven_popular_ones(api: Api) -> None:
    providers = await all_providers(api, 500)
    names = [provider['name'] for provider in providers]
    assert len(providers) >= 320
    assert len(set(names)) == len(names)
    assert {provider['name'] for provider in providers if provider['popular']} == POPULAR
    assert {'MEG Banque', "C'moi le chef", 'So bank', 'Boursorama', 'Hello bank!', 'Shine', 'Qonto'} <= set(names)
    assert sum('Crédit Agricole' in name for name in names) >= 30
    assert any(provider['otp'] for provider in providers)
    first = providers[0]
    assert set(first) >= {'id', 'name', 'country_code', 'popular', 'capabilities', 'images', 'groups'}
    assert first['country_code'] == 'FR' and first['capabilities'] == ['aggregation']
    assert first['images'] == {'logo': None} and first['groups'] == []


async def test_pages_of_providers_cover_the_catalogue_once(api: Api) -> None:
    whole = await all_providers(api, 500)
    paged = await all_providers(api, 37)
    assert [provider['id'] for provider in paged] == [provider['id'] for provider in whole]
    one = await api.client.get(f'/v3/providers/{whole[5]["id"]}', headers=HEADERS)
    assert one.json() == whole[5]
    assert (await api.client.get('/v3/providers', headers=HEADERS, params={'limit': 501})).status_code == 400
    assert (await api.client.get('/v3/providers/999999', headers=HEADERS)).status_code == 404
