"""The aggregator's webhooks: a forged signature is refused, a redelivery is handled once."""

import hashlib
import hmac
import json

from nicegui.testing import User

SECRET = b'relais-demo-webhook-secret'


def signed(body: bytes, secret: bytes = SECRET) -> dict[str, str]:
    return {
        'BridgeApi-Signature': 'v1=' + hmac.new(secret, body, hashlib.sha256).hexdigest().upper(),
        'Content-Type': 'application/json',
    }


BODY = json.dumps({'type': 'item.refreshed', 'content': {'item_id': 424242, 'status': 0}, 'timestamp': 1}).encode()


async def test_a_webhook_with_a_bad_signature_is_refused(user: User) -> None:
    response = await user.http_client.post('/webhooks/bridge', content=BODY, headers=signed(BODY, b'not-the-secret'))
    assert response.status_code == 401
    unsigned = await user.http_client.post('/webhooks/bridge', content=BODY)
    assert unsigned.status_code == 401


async def test_a_redelivered_webhook_is_handled_once(user: User) -> None:
    first = await user.http_client.post('/webhooks/bridge', content=BODY, headers=signed(BODY))
    again = await user.http_client.post('/webhooks/bridge', content=BODY, headers=signed(BODY))
    assert (first.status_code, first.json()) == (200, {'handled': True})
    assert (again.status_code, again.json()) == (200, {'handled': False})


async def test_a_webhook_for_an_unknown_module_is_not_found(user: User) -> None:
    response = await user.http_client.post('/webhooks/linxo', content=BODY, headers=signed(BODY))
    assert response.status_code == 404
