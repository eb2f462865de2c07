"""The aggregator's hosted connect pages, driven over HTTP as a browser would: GET each page, POST its form,
follow the 303s, until the last one points at our callback URL."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from services.providers.bridge import BridgeAggregator

CALLBACK = 'https://relais.test/clients/banque/retour'
SECRET_CODE = '1234'
OTP_CODE = '123456'
BNP_PARIBAS = 'BNP Paribas'


@dataclass(frozen=True)
class Page:
    url: str
    html: str

    def has(self, testid: str) -> bool:
        return f'data-testid="{testid}"' in self.html

    def form_action(self, testid: str) -> str:
        found = re.search(rf'<form method="post" action="([^"]+)" data-testid="{re.escape(testid)}">', self.html)
        assert found, f'no form {testid} on {self.url}:\n{self.html[:2000]}'
        return urljoin(self.url, found.group(1))


@dataclass(frozen=True)
class Connected:
    item_id: str
    step: str
    context: str
    otp_asked: bool


def a_user() -> str:
    """An aggregator user of its own, so that no other test's items (a `flaky` one, say) get in the way."""
    return f'relais-it-{uuid.uuid4().hex[:8]}'


def unique(scenario: str) -> str:
    """An identifiant of that scenario whose accounts no other test shares (same bank + identifiant = same IBANs)."""
    return f'{scenario}-{uuid.uuid4().hex[:8]}'


class Browser:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def open(self, url: str) -> Page:
        response = await self.client.get(url)
        assert response.status_code == 200, response.text
        return Page(str(response.url), response.text)

    async def submit(self, page: Page, form: str, data: dict[str, str]) -> httpx.Response:
        response = await self.client.post(page.form_action(form), data=data)
        assert response.status_code == 303, f'{form}: {response.status_code}\n{response.text[:2000]}'
        return response

    async def step(self, page: Page, form: str, data: dict[str, str]) -> Page:
        response = await self.submit(page, form, data)
        return await self.open(urljoin(page.url, response.headers['location']))


async def connect_through_pages(url: str, identifiant: str, bank_id: str, *, callback: str = CALLBACK) -> Connected:
    """Terms (both boxes), bank, credentials, SMS code when asked, « Terminer »: the item id from the callback."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=15) as client:
        browser = Browser(client)
        page = await browser.open(url)
        page = await browser.step(page, 'terms-form', {'accept_terms': '1', 'accept_transfer': '1'})
        list_form = 'popular-bank-list' if page.has(f'popular-bank-{bank_id}') else 'bank-list'
        assert page.has(f'popular-bank-{bank_id}') or page.has(f'bank-{bank_id}'), f'bank {bank_id} not offered'
        page = await browser.step(page, list_form, {'provider_id': bank_id})
        page = await browser.step(page, 'credentials-form', {'identifiant': identifiant, 'secret': SECRET_CODE})
        otp_asked = page.has('otp-input')
        if otp_asked:
            page = await browser.step(page, 'otp-form', {'otp': OTP_CODE})
        assert page.has('sync-finish'), page.html[:2000]
        location = (await browser.submit(page, 'sync-form', {})).headers['location']
    assert location.startswith(f'{callback}?'), location
    params = {key: values[0] for key, values in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}
    assert params['success'] == 'true', location
    return Connected(params['item_id'], params['step'], params['context'], otp_asked)


_bank_ids: dict[str, str] = {}


async def bank_id(aggregator: BridgeAggregator, name: str = BNP_PARIBAS) -> str:
    if name not in _bank_ids:
        _bank_ids.update({bank.name: bank.id for bank in await aggregator.banks()})
    return _bank_ids[name]


async def new_item(aggregator: BridgeAggregator, user: str, identifiant: str, *, bank: str = BNP_PARIBAS) -> Connected:
    """A connect session made through the adapter (as Relais does), then the hosted pages."""
    await aggregator.ensure_user(user)
    url = await aggregator.connect_url(user, email='dirigeant@entreprise-fictive.fr', callback_url=CALLBACK)
    return await connect_through_pages(url, identifiant, await bank_id(aggregator, bank))
