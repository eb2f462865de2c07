"""The PSD2 refresh quota as the adapter reports it, and the signature of real webhook deliveries."""

from __future__ import annotations

import pytest

from services.providers.base import RateLimited
from services.providers.bridge import BridgeAggregator
from tests.integration.conftest import Receiver, SandboxServer, make_aggregator
from tests.integration.hosted import a_user, new_item, unique


async def test_the_fifth_unattended_refresh_of_the_day_is_refused_with_a_delay_but_the_user_may_still_refresh(
    aggregator: BridgeAggregator,
) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('demo'))
    for _ in range(4):
        await aggregator.refresh(user, connected.item_id, user_present=False)
    with pytest.raises(RateLimited) as refused:
        await aggregator.refresh(user, connected.item_id, user_present=False)
    assert 0 < refused.value.retry_after <= 24 * 3600
    assert refused.value.status == 429
    await aggregator.refresh(user, connected.item_id, user_present=True)
    assert await aggregator.refresh_finished(user, connected.item_id)


async def test_a_real_webhook_delivery_is_recognised_as_signed_by_the_aggregator(
    aggregator: BridgeAggregator, receiver: Receiver
) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('demo'))
    for kind in ('item.created', 'item.refreshed', 'item.account.updated'):
        delivery = receiver.wait_for(connected.item_id, kind)
        assert delivery.signature and delivery.signature.startswith('v1=')
        assert aggregator.verify_webhook(delivery.body, delivery.signature)


async def test_a_tampered_or_unsigned_webhook_is_rejected(aggregator: BridgeAggregator, receiver: Receiver) -> None:
    user = a_user()
    connected = await new_item(aggregator, user, unique('demo'))
    delivery = receiver.wait_for(connected.item_id, 'item.refreshed')
    tampered = delivery.body.replace(connected.item_id.encode(), b'999999', 1)
    assert tampered != delivery.body
    assert not aggregator.verify_webhook(tampered, delivery.signature)
    assert not aggregator.verify_webhook(delivery.body, None)
    assert not aggregator.verify_webhook(delivery.body, 'v1=' + '0' * 64)


async def test_a_webhook_signed_with_another_secret_is_rejected(sandbox: SandboxServer, receiver: Receiver) -> None:
    ours = make_aggregator(sandbox)
    stranger = make_aggregator(sandbox, webhook_secret='not-the-sandbox-secret')
    try:
        user = a_user()
        connected = await new_item(ours, user, unique('demo'))
        delivery = receiver.wait_for(connected.item_id, 'item.refreshed')
        assert ours.verify_webhook(delivery.body, delivery.signature)
        assert not stranger.verify_webhook(delivery.body, delivery.signature)
    finally:
        await ours.aclose()
        await stranger.aclose()
