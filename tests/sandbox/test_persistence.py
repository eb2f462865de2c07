"""State survives a restart: users, tokens, items, the clock offset; `python -m sandbox` settings."""

from __future__ import annotations

from pathlib import Path

import httpx

from sandbox import __main__ as entry
from tests.sandbox.conftest import START, Api, AppFactory


async def test_items_users_and_clock_survive_a_restart(make_app: AppFactory, tmp_path: Path) -> None:
    data_dir = tmp_path / 'persistent'
    first = make_app(data_dir=data_dir)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(first), base_url='http://sandbox') as client:
        api = Api(client)
        await api.set_clock(now=START)
        await api.set_clock(advance_days=2)
        token = await api.user()
        item_id = await api.connect(token, 'pwd')
        await api.refresh(token, item_id)
        before = await api.item(token, item_id)
        accounts = await api.accounts(token, item_id)
    first.state.sandbox.close()
    assert (data_dir / 'sandbox.db').exists()

    second = make_app(data_dir=data_dir)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(second), base_url='http://sandbox') as client:
        api = Api(client)
        now = (await client.get('/sandbox/clock')).json()['now']
        assert now.startswith('2027-03-12T12:00')
        assert await api.item(token, item_id) == before
        assert before['status'] == 402
        assert await api.accounts(token, item_id) == accounts
        again = await api.post('/v3/aggregation/users', token, {'external_user_id': 'relais-client-1'})
        assert again.status_code == 409


def test_python_m_sandbox_reads_its_settings_from_the_environment(monkeypatch, tmp_path: Path) -> None:
    captured: dict[str, object] = {}

    def fake_run(app: object, host: str, port: int, log_level: str) -> None:
        captured.update(app=app, host=host, port=port)

    monkeypatch.setattr(entry.uvicorn, 'run', fake_run)
    monkeypatch.setenv('SANDBOX_DATA_DIR', str(tmp_path / 'alone'))
    monkeypatch.setenv('SANDBOX_CLIENT_ID', 'alone')
    monkeypatch.delenv('SANDBOX_PUBLIC_URL', raising=False)
    entry.main(['--port', '8091'])
    sandbox = captured['app'].state.sandbox  # type: ignore[attr-defined]
    try:
        assert captured['port'] == 8091 and captured['host'] == '127.0.0.1'
        assert sandbox.config.public_url == 'http://127.0.0.1:8091'
        assert sandbox.config.client_id == 'alone' and sandbox.config.client_secret == 'relais-demo-secret'
        assert sandbox.config.webhook_url is None
        assert (tmp_path / 'alone' / 'sandbox.db').exists()
    finally:
        sandbox.close()
