"""Webhooks over real HTTP: a uvicorn receiver on a loopback port, the sandbox's own httpx client."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from sandbox import webhooks
from tests.sandbox.conftest import START, WEBHOOK_SECRET, Api, AppFactory


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    failures_left: int = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            return
        body = b''
        while True:
            message = await receive()
            body += message.get('body', b'')
            if not message.get('more_body'):
                break
        status = 200
        if self.failures_left:
            self.failures_left -= 1
            status = 503
        else:
            self.received.append(({k.decode(): v.decode() for k, v in scope['headers']}, body))
        await send({'type': 'http.response.start', 'status': status, 'headers': []})
        await send({'type': 'http.response.body', 'body': b''})

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    port = free_port()
    hook = Receiver(f'http://127.0.0.1:{port}/webhooks/bridge')
    server = uvicorn.Server(uvicorn.Config(hook, host='127.0.0.1', port=port, log_level='warning'))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield hook
    server.should_exit = True
    thread.join(timeout=5)


async def test_connection_and_refresh_send_signed_webhooks(make_app: AppFactory, receiver: Receiver) -> None:
    app = make_app(webhook_url=receiver.url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://sandbox') as client:
        api = Api(client)
        await api.set_clock(now=START)
        token = await api.user()
        item_id = await api.connect(token, 'demo')
        app.state.sandbox.worker.drain()
        kinds = [event['type'] for event in receiver.events()]
        assert kinds == [
            'item.created',
            'item.account.created',
            'item.account.created',
            'item.refreshed',
            'item.account.updated',
            'item.account.updated',
        ]
        for headers, body in receiver.received:
            expected = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest().upper()
            assert headers['bridgeapi-signature'] == f'v1={expected}'
            assert headers['content-type'] == 'application/json'
        created, account_created = receiver.events()[:2]
        assert created['content']['item_id'] == item_id and created['content']['status'] == -2
        assert created['content']['user_uuid'] and isinstance(created['timestamp'], int)
        content = account_created['content']
        assert content['nb_new_transactions'] > 100 and content['nb_updated_transactions'] == 0
        assert content['data_access'] == 'enabled' and content['account_id'] // 10 == item_id
        assert receiver.events()[3]['content']['status'] == 0

        receiver.received.clear()
        await api.set_clock(advance_days=1)
        token = await api.token()
        await api.refresh(token, item_id)
        app.state.sandbox.worker.drain()
        kinds = [event['type'] for event in receiver.events()]
        assert kinds == ['item.refreshed', 'item.account.updated', 'item.account.updated']
        updated = receiver.events()[1]['content']
        assert 2 <= updated['nb_new_transactions'] <= 10 and updated['nb_updated_transactions'] >= 1
    deliveries = app.state.sandbox.store.webhook_log()
    assert len(deliveries) == 9 and all(d['status_code'] == 200 and d['error'] is None for d in deliveries)


async def test_failed_deliveries_are_retried_then_logged(
    make_app: AppFactory, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, 'BACKOFF_SECONDS', (0.01, 0.01, 0.01))
    receiver.failures_left = 2
    app = make_app(webhook_url=receiver.url)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://sandbox') as client:
        api = Api(client)
        await api.connect(await api.user(), 'down')
        app.state.sandbox.worker.drain()
    log = app.state.sandbox.store.webhook_log()
    assert [entry['attempts'] for entry in log] == [3, 1]
    assert [event['type'] for event in receiver.events()] == ['item.created', 'item.refreshed']
    assert receiver.events()[1]['content']['status_code_info'] == 'BANK_IS_DOWN'


async def test_unreachable_webhook_url_never_breaks_the_sandbox(
    make_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, 'BACKOFF_SECONDS', (0.01, 0.01, 0.01))
    app = make_app(webhook_url=f'http://127.0.0.1:{free_port()}/nobody')
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url='http://sandbox') as client:
        api = Api(client)
        token = await api.user()
        item_id = await api.connect(token, 'demo')
        app.state.sandbox.worker.drain()
        assert (await api.item(token, item_id))['status'] == 0
    log = app.state.sandbox.store.webhook_log()
    assert log and all(entry['attempts'] == 4 and entry['error'] for entry in log)
