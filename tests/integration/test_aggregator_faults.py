"""The aggregator misbehaves for real (the sandbox's fault switch, over HTTP): 500s, a long 429, no answer, JSON cut
in the middle, webhooks twice, out of order or forged. Each time Relais says in French what happened, imports
nothing twice and loses nothing: once the aggregator is well, a sync holds exactly what the aggregator lists."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from services import outbound, sync, webhooks
from services.permissions import Actor
from services.providers.bridge import BridgeAggregator
from tests.integration.conftest import WEBHOOK_SECRET, SandboxServer, settle
from tests.integration.test_sync_services import check_matches_aggregator, connect, connection

SQLITE_ONLY = pytest.mark.parametrize('database', ['sqlite'], indirect=True)


@pytest.fixture
def faults(sandbox: SandboxServer) -> Iterator[callable]:
    def arm(kind: str, *, count: int = 100, path: str = '/v3/', seconds: float = 0) -> None:
        body = {'kind': kind, 'count': count, 'path': path, 'seconds': seconds}
        httpx.post(f'{sandbox.url}/sandbox/faults', json=body, timeout=5).raise_for_status()

    yield arm
    httpx.delete(f'{sandbox.url}/sandbox/faults', timeout=5)


@pytest.fixture
def short_timeout() -> Iterator[None]:
    outbound.configure(timeout=2)
    yield
    outbound.configure(timeout=10)


def clear(sandbox: SandboxServer) -> None:
    httpx.delete(f'{sandbox.url}/sandbox/faults', timeout=5)


@SQLITE_ONLY
async def test_an_aggregator_answering_500_gives_erreur_technique_then_a_full_sync_once_it_is_back(
    admin: Actor, fictive: int, bridge: BridgeAggregator, sandbox: SandboxServer, faults
) -> None:
    connection_id = await connect(admin, fictive, 'demo-fault500', bridge)
    before = await check_matches_aggregator(bridge, fictive, connection_id)
    faults('500')
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert outcome.status == 'provider_error'
    assert outcome.message.startswith('Bridge a une panne technique. Réessayez dans quelques minutes')
    assert connection(connection_id).status_description == outcome.message
    clear(sandbox)
    assert (await sync.sync_connection(connection_id, user_present=True)).status == 'ok'
    assert await check_matches_aggregator(bridge, fictive, connection_id) >= before


@SQLITE_ONLY
async def test_a_long_429_postpones_the_sync_and_says_when_to_try_again(
    admin: Actor, fictive: int, bridge: BridgeAggregator, faults
) -> None:
    connection_id = await connect(admin, fictive, 'demo-fault429', bridge)
    faults('429', seconds=600)
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert outcome.message == 'Limite de synchronisations DSP2 atteinte : réessayez dans 10 min.'
    assert connection(connection_id).sync_started_at is None


@SQLITE_ONLY
async def test_an_aggregator_that_never_answers_is_given_up_within_the_timeout(
    admin: Actor, fictive: int, bridge: BridgeAggregator, faults, short_timeout: None
) -> None:
    connection_id = await connect(admin, fictive, 'demo-faulthang', bridge)
    faults('timeout', seconds=30)
    started = time.monotonic()
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert time.monotonic() - started < 8  # one budget of 2 s per call, not 4 attempts of 30 s
    assert outcome.status == 'provider_error'
    assert outcome.message.startswith('Bridge ne répond pas (aucune réponse en 2 secondes).')


@SQLITE_ONLY
async def test_json_cut_in_the_middle_of_the_transactions_imports_nothing_half_and_nothing_twice(
    admin: Actor, fictive: int, bridge: BridgeAggregator, sandbox: SandboxServer, faults
) -> None:
    connection_id = await connect(admin, fictive, 'many-faultcut', bridge)
    held = await check_matches_aggregator(bridge, fictive, connection_id)
    sandbox.advance_clock(3)  # new operations at the aggregator
    faults('truncated', count=1, path='/v3/aggregation/transactions')
    outcome = await sync.sync_connection(connection_id, user_present=True)
    assert outcome.status == 'provider_error'
    assert outcome.message.startswith('Bridge a envoyé une réponse illisible.')
    clear(sandbox)
    assert (await sync.sync_connection(connection_id, user_present=True)).status == 'ok'
    assert await check_matches_aggregator(bridge, fictive, connection_id) > held


def signed(body: dict) -> tuple[bytes, str]:
    raw = json.dumps(body).encode()
    return raw, 'v1=' + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest().upper()


@SQLITE_ONLY
async def test_webhooks_twice_and_out_of_order_sync_once_each_and_add_no_duplicate(
    admin: Actor, fictive: int, bridge: BridgeAggregator, sandbox: SandboxServer
) -> None:
    connection_id = await connect(admin, fictive, 'demo-webhooks', bridge)
    item_id = connection(connection_id).provider_item_id
    sandbox.advance_clock(2)
    later = signed({'type': 'item.refreshed', 'content': {'item_id': int(item_id), 'at': '2027-03-12T10:00:00Z'}})
    earlier = signed({'type': 'item.refreshed', 'content': {'item_id': int(item_id), 'at': '2027-03-11T10:00:00Z'}})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(webhooks, 'JUST_SYNCED', webhooks.JUST_SYNCED * 0)  # each webhook really syncs
        assert webhooks.handle('bridge', *later)
        await settle()
        assert not webhooks.handle('bridge', *later)  # the same delivery again: nothing
        assert webhooks.handle('bridge', *earlier)  # an older one, late: it re-reads the aggregator, no harm
        await settle()
    assert connection(connection_id).status == 'ok'
    await check_matches_aggregator(bridge, fictive, connection_id)


@SQLITE_ONLY
async def test_a_forged_webhook_is_refused_and_starts_nothing(
    admin: Actor, fictive: int, bridge: BridgeAggregator
) -> None:
    connection_id = await connect(admin, fictive, 'demo-forged', bridge)
    body = json.dumps(
        {'type': 'item.refreshed', 'content': {'item_id': int(connection(connection_id).provider_item_id)}}
    )
    with pytest.raises(webhooks.BadSignature):
        webhooks.handle('bridge', body.encode(), 'v1=' + '0' * 64)
    assert not sync._tasks
