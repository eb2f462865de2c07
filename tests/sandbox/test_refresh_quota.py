"""The PSD2 quota: at most 4 unattended refreshes per item within 24 hours of sandbox time."""

from __future__ import annotations

from tests.sandbox.conftest import Api


async def test_fifth_unattended_refresh_waits_and_user_present_is_always_allowed(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')
    for hour in range(4):
        if hour:
            await api.set_clock(advance_days=1 / 24)
            token = await api.token()
        response = await api.refresh(token, item_id, user_present=False)
        assert response.status_code == 202, response.text
        assert response.json() == {}
    refused = await api.refresh(token, item_id, user_present=False)
    assert refused.status_code == 429
    assert refused.json()['type'] == 'too_many_requests'
    retry_after = int(refused.headers['Retry-After'])
    assert 21 * 3600 - 30 <= retry_after <= 21 * 3600  # the first slot frees 24 h after the first refresh
    assert (await api.refresh(token, item_id, user_present=True)).status_code == 202
    no_body = await api.client.post(f'/v3/aggregation/items/{item_id}/refresh', headers=api.auth(token))
    assert no_body.status_code == 429  # user_present defaults to false
    await api.set_clock(advance_days=(retry_after + 1) / 86400)
    token = await api.token()
    assert (await api.refresh(token, item_id, user_present=False)).status_code == 202
    assert (await api.refresh(token, item_id, user_present=False)).status_code == 429
