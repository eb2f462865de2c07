"""The bank's own website (`tos`): the user signs in there and accepts the new terms; then refreshes go through."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sandbox.store import Store
from tests.sandbox.conftest import Api


async def test_accepting_the_new_terms_on_the_bank_site_lets_the_next_refresh_through(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'tos-boulangerie')
    assert (await api.item(token, item_id))['status'] == 429
    page = await api.client.get(f'/banque/{item_id}')
    assert 'Nouvelles conditions générales' in page.text and 'data-testid="bank-site-accept"' in page.text

    accepted = await api.client.post(
        f'/banque/{item_id}', data={'identifiant': 'tos-boulangerie', 'secret': '1234', 'accept': '1'}
    )
    assert 'data-testid="bank-site-done"' in accepted.text
    assert (await api.item(token, item_id))['status'] == 429  # nothing moves until someone refreshes
    await api.refresh(token, item_id)
    assert (await api.item(token, item_id))['status'] == 0


async def test_the_bank_site_wants_the_right_code_and_the_ticked_box(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'tos-garage')
    wrong = await api.client.post(f'/banque/{item_id}', data={'identifiant': 'tos-garage', 'secret': '0000'})
    assert wrong.status_code == 400 and 'Identifiant ou code secret incorrect.' in wrong.text
    unticked = await api.client.post(f'/banque/{item_id}', data={'identifiant': 'tos-garage', 'secret': '1234'})
    assert unticked.status_code == 400 and 'Cochez la case' in unticked.text
    await api.refresh(token, item_id)
    assert (await api.item(token, item_id))['status'] == 429


async def test_an_unknown_item_has_no_bank_page(api: Api) -> None:
    assert (await api.client.get('/banque/999')).status_code == 404


def test_an_older_sandbox_database_gains_the_new_column(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / 'sandbox.db') as old:
        old.execute('CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, user_uuid TEXT NOT NULL)')
    store = Store(tmp_path)
    try:
        columns = {row['name'] for row in store._db.execute('PRAGMA table_info(items)')}
    finally:
        store.close()
    assert 'bank_action_done' in columns
