"""The hosted connect pages, driven by their forms."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI

from tests.sandbox.conftest import BNP, CALLBACK, HEADERS, START, Api, AppFactory, callback_params

BOURSORAMA_NAME = 'Boursorama'


async def test_new_connection_flow_with_a_wrong_secret_code_first(api: Api) -> None:
    token = await api.user()
    session_id = await api.session(token, context='dossier-42')
    page = f'/connect/{session_id}'
    first = await api.client.get(page)
    assert first.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in first.text
    assert "J'ai lu et j'accepte les conditions générales" in first.text
    assert "J'autorise Bridge (démo) à transférer mes données de compte à Relais" in first.text
    assert 'ÉTAPE SUIVANTE →' in first.text
    only_one = await api.client.post(f'{page}/terms', data={'accept_terms': '1'})
    assert only_one.status_code == 400
    assert 'data-testid="connect-error"' in only_one.text
    accepted = await api.client.post(f'{page}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
    assert accepted.status_code == 303 and accepted.headers['location'] == page
    banks = await api.client.get(page)
    assert 'Choisissez votre banque' in banks.text and 'LES PLUS DEMANDÉES' in banks.text
    assert len(re.findall(r'data-testid="popular-bank-\d+"', banks.text)) == 7
    assert (await api.client.post(f'{page}/bank', data={'provider_id': str(BNP)})).status_code == 303
    credentials = await api.client.get(page)
    assert all(text in credentials.text for text in ('Identifiant', 'NUMÉRO CLIENT', 'CODE SECRET', 'SUIVANT →'))
    wrong = await api.client.post(f'{page}/credentials', data={'identifiant': 'demo-7', 'secret': '0000'})
    assert wrong.status_code == 400
    assert 'Identifiant ou code secret incorrect.' in wrong.text
    assert 'value="demo-7"' in wrong.text
    right = await api.client.post(f'{page}/credentials', data={'identifiant': 'demo-7', 'secret': '1234'})
    assert right.status_code == 303
    sync = await api.client.get(page)
    assert 'La première synchronisation peut sembler longue, ne pas interrompre le processus.' in sync.text
    params = callback_params(await api.client.post(f'{page}/finish'))
    assert params['success'] == 'true' and params['step'] == 'sync_success'
    assert params['session_id'] == session_id and params['context'] == 'dossier-42'
    item = await api.item(token, params['item_id'])
    assert item['status'] == 0 and item['provider_id'] == BNP
    again = await api.client.post(f'{page}/finish')  # a double submission gives the same item back
    assert callback_params(again)['item_id'] == params['item_id']
    assert len((await api.get('/v3/aggregation/items', token)).json()['resources']) == 1


async def test_bank_search_is_accent_insensitive_and_escaped(api: Api) -> None:
    token = await api.user()
    page = f'/connect/{await api.session(token)}'
    await api.client.post(f'{page}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
    found = await api.client.get(page, params={'q': 'caisse epargne ile de france'})
    assert 'Caisse d&#x27;Épargne Ile-de-France' in found.text
    assert 'Crédit Agricole Alsace' not in found.text.split('bank-results-title')[1]
    societe = await api.client.get(page, params={'q': 'SOCIETE generale'})
    assert 'Société Générale Professionnels' in societe.text.split('bank-results-title')[1]
    hostile = await api.client.get(page, params={'q': '<script>alert(1)</script>'})
    assert '<script>' not in hostile.text
    assert '&lt;script&gt;' in hostile.text
    assert 'data-testid="bank-no-result"' in hostile.text


async def test_otp_bank_asks_the_sms_code(api: Api) -> None:
    token = await api.user()
    boursorama = next(
        p
        for p in (await api.client.get('/v3/providers', headers=HEADERS, params={'limit': 500})).json()['resources']
        if p['name'] == BOURSORAMA_NAME
    )
    assert boursorama['otp'] is True
    session_id = await api.session(token, provider_id=boursorama['id'])
    page = f'/connect/{session_id}'
    accepted = await api.client.post(f'{page}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
    assert accepted.status_code == 303
    assert 'Changer de banque' not in (await api.client.get(page)).text  # the bank was imposed by the caller
    await api.client.post(f'{page}/credentials', data={'identifiant': 'demo', 'secret': '1234'})
    otp_page = await api.client.get(page)
    assert 'Code reçu par SMS' in otp_page.text
    assert (await api.client.post(f'{page}/otp', data={'otp': '000000'})).status_code == 400
    assert (await api.client.post(f'{page}/otp', data={'otp': '123456'})).status_code == 303
    params = callback_params(await api.client.post(f'{page}/finish'))
    assert (await api.item(token, params['item_id']))['provider_id'] == boursorama['id']


async def test_otp_scenario_on_a_plain_bank(api: Api) -> None:
    token = await api.user()
    page = f'/connect/{await api.session(token)}'
    await api.client.post(f'{page}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
    await api.client.post(f'{page}/bank', data={'provider_id': str(BNP)})
    await api.client.post(f'{page}/credentials', data={'identifiant': 'otp-1', 'secret': '1234'})
    assert 'data-testid="otp-input"' in (await api.client.get(page)).text
    assert (await api.client.post(f'{page}/finish')).status_code == 303  # not yet: back to the OTP step
    assert 'data-testid="otp-input"' in (await api.client.get(page)).text


async def test_cancel_returns_to_the_callback_with_success_false(api: Api) -> None:
    token = await api.user()
    session_id = await api.session(token)
    cancelled = await api.client.get(f'/connect/{session_id}/cancel')
    params = callback_params(cancelled)
    assert params['success'] == 'false' and params['step'] == 'welcome_page' and 'item_id' not in params
    assert 'Cette session de connexion est terminée.' in (await api.client.get(f'/connect/{session_id}')).text
    assert (await api.client.get('/connect/unknown-session')).status_code == 404


async def test_callback_url_with_a_query_gets_an_ampersand(api: Api) -> None:
    token = await api.user()
    response = await api.post('/v3/aggregation/connect-sessions', token, {'callback_url': f'{CALLBACK}?from=relais'})
    cancelled = await api.client.get(f'/connect/{response.json()["id"]}/cancel')
    assert cancelled.headers['location'].startswith(f'{CALLBACK}?from=relais&success=false&step=')


async def test_pages_work_under_a_mount_prefix(make_app: AppFactory) -> None:
    host = FastAPI()
    host.mount('/sandbox', make_app(public_url='http://127.0.0.1:8080/sandbox'))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(host), base_url='http://127.0.0.1:8080') as client:
        api = Api(client)
        api_root = '/sandbox'
        client.base_url = httpx.URL('http://127.0.0.1:8080/sandbox/')
        await api.set_clock(now=START)
        token = await api.user()
        created = await api.post('/v3/aggregation/connect-sessions', token, {'callback_url': CALLBACK})
        url = created.json()['url']
        assert url.startswith('http://127.0.0.1:8080/sandbox/connect/')
        page = await client.get(url)
        assert f'action="{api_root}/connect/{created.json()["id"]}/terms"' in page.text
        accepted = await client.post(f'{url}/terms', data={'accept_terms': '1', 'accept_transfer': '1'})
        assert accepted.headers['location'] == f'{api_root}/connect/{created.json()["id"]}'
        banks = await client.get(f'http://127.0.0.1:8080{accepted.headers["location"]}')
        assert 'LES PLUS DEMANDÉES' in banks.text
