"""Generated accounts and transactions: IBANs, determinism, pagination, incremental `since`, balances."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from schwifty import IBAN

from sandbox import generator, ledger
from sandbox.scenarios import CARD, CHECKING
from tests.sandbox.conftest import Api

OPERATION_TYPES = {'card', 'transfer', 'direct_debit', 'check', 'bank_fees', 'other'}


def signature(transaction: dict[str, Any]) -> tuple[Any, ...]:
    return transaction['date'], transaction['provider_description'], transaction['amount'], transaction['pending']


async def test_ibans_are_valid_french_ibans_stable_per_bank_and_identifiant(api: Api) -> None:
    first = await api.user('first')
    second = await api.user('second')
    item_a = await api.connect(first, 'demo-lyon')
    item_b = await api.connect(second, 'demo-lyon')
    other = await api.connect(second, 'demo-paris')
    accounts_a, accounts_b = await api.accounts(first, item_a), await api.accounts(second, item_b)
    for account in accounts_a:
        iban = IBAN(account['iban'], validate_bban=True)
        assert iban.country_code == 'FR' and iban.bank_code == '30004'  # BNP Paribas
    assert [a['iban'] for a in accounts_a] == [a['iban'] for a in accounts_b]
    assert {a['id'] for a in accounts_a}.isdisjoint({a['id'] for a in accounts_b})
    assert {a['iban'] for a in await api.accounts(second, other)}.isdisjoint({a['iban'] for a in accounts_a})
    assert [a['balance'] for a in accounts_a] == [a['balance'] for a in accounts_b]


async def test_transactions_are_deterministic_with_ids_unique_per_item(api: Api) -> None:
    first = await api.user('first')
    second = await api.user('second')
    item_a, item_b = await api.connect(first, 'demo'), await api.connect(second, 'demo')
    account_a = (await api.accounts(first, item_a))[0]['id']
    account_b = (await api.accounts(second, item_b))[0]['id']
    listed_a = await api.transactions(first, account_id=account_a)
    listed_b = await api.transactions(second, account_id=account_b)
    assert sorted(map(signature, listed_a)) == sorted(map(signature, listed_b))
    assert {t['id'] for t in listed_a}.isdisjoint({t['id'] for t in listed_b})
    assert all(0 < t['id'] < 2**53 for t in listed_a)


async def test_transactions_look_like_a_french_bank_statement(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')
    account = (await api.accounts(token, item_id))[0]
    listed = await api.transactions(token, account_id=account['id'])
    per_day = Counter(t['date'] for t in listed)
    assert all(date.fromisoformat(day).weekday() < 5 for day in per_day)
    full_days = [count for day, count in per_day.items() if day < '2027-03-09']
    assert min(full_days) >= 2 and max(full_days) <= 4
    assert 60 <= len(per_day) <= 66  # business days over 90 days
    assert {t['operation_type'] for t in listed} <= OPERATION_TYPES
    labels = ' '.join(t['provider_description'] for t in listed)
    assert 'PRLV SEPA EDF' in labels and 'FRAIS TENUE DE COMPTE' in labels and 'VIR SEPA' in labels
    for card in (t for t in listed if t['provider_description'].startswith('CB ')):
        day = date.fromisoformat(card['transaction_date'])
        assert card['provider_description'].endswith(f'{day:%d/%m}')
    assert all(re.fullmatch(r'-?\d+(\.\d{1,2})?', str(t['amount'])) for t in listed)
    assert any(t['amount'] > 0 for t in listed) and any(t['amount'] < 0 for t in listed)
    pending = [t for t in listed if t['pending']]
    assert pending and all(t['booking_date'] is None and t['date'] >= '2027-03-09' for t in pending)
    assert all(t['booking_date'] == t['date'] for t in listed if not t['pending'])


async def test_pages_follow_next_uri_in_updated_at_order(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')
    account_id = (await api.accounts(token, item_id))[0]['id']
    whole = await api.transactions(token, account_id=account_id)
    first = await api.get('/v3/aggregation/transactions', token, account_id=account_id, limit=50)
    next_uri = first.json()['pagination']['next_uri']
    assert next_uri.startswith(f'/v3/aggregation/transactions?account_id={account_id}&limit=50&after=')
    paged = first.json()['resources']
    while next_uri:
        page = (await api.client.get(next_uri, headers=api.auth(token))).json()
        paged += page['resources']
        next_uri = page['pagination']['next_uri']
    assert [t['id'] for t in paged] == [t['id'] for t in whole]
    assert [(t['updated_at'], t['id']) for t in whole] == sorted((t['updated_at'], t['id']) for t in whole)
    in_march = await api.transactions(token, account_id=account_id, min_date='2027-03-01', max_date='2027-03-05')
    assert in_march and all('2027-03-01' <= t['date'] <= '2027-03-05' for t in in_march)
    assert (await api.get('/v3/aggregation/transactions', token, since='hier')).status_code == 400
    assert (await api.get('/v3/aggregation/transactions', token, limit=0)).status_code == 400


def apply(mirror: dict[int, dict[str, Any]], changes: list[dict[str, Any]]) -> None:
    for change in changes:
        if change['deleted']:
            mirror.pop(change['id'], None)
        else:
            mirror[change['id']] = change


async def test_since_gives_exactly_the_changes_day_after_day(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')
    account_id = (await api.accounts(token, item_id))[0]['id']
    first = await api.transactions(token, account_id=account_id)
    assert not any(t['deleted'] for t in first)
    mirror = {t['id']: t for t in first}
    booked_then_deleted = pending_then_booked = 0
    for _ in range(45):
        await api.set_clock(advance_days=1)
        token = await api.token()
        assert (await api.refresh(token, item_id)).status_code == 202
        latest = max(t['updated_at'] for t in mirror.values()) if mirror else None
        changes = await api.transactions(token, account_id=account_id, since=latest)
        assert all(t['updated_at'] > latest for t in changes)
        for change in changes:
            seen = mirror.get(change['id'])
            if change['deleted'] and seen is not None:
                pending_then_booked += seen['pending']
                booked_then_deleted += not seen['pending']
        apply(mirror, changes)
        assert mirror == {t['id']: t for t in await api.transactions(token, account_id=account_id)}
    assert pending_then_booked > 50
    assert booked_then_deleted >= 1


async def test_balances_are_consistent_with_booked_transactions(api: Api) -> None:
    token = await api.user()
    item_id = await api.connect(token, 'demo')

    async def snapshot() -> tuple[float, float, float]:
        account = (await api.accounts(token, item_id))[0]
        listed = await api.transactions(token, account_id=account['id'])
        booked = sum(t['amount'] for t in listed if not t['pending'])
        pending = sum(t['amount'] for t in listed if t['pending'])
        return round(account['balance'] - booked, 2), round(account['instant_balance'] - account['balance'], 2), pending

    opening, pending_gap, pending = await snapshot()
    assert pending_gap == round(pending, 2)
    for _ in range(3):
        await api.set_clock(advance_days=3)
        token = await api.token()
        await api.refresh(token, item_id)
        again, pending_gap, pending = await snapshot()
        assert again == opening and pending_gap == round(pending, 2)


def test_balance_from_monthly_sums_equals_the_sum_of_every_operation() -> None:
    for spec, key in ((CHECKING, 'FR7630004000031234567890143'), (CARD, 'card:2:demo:3')):
        account = ledger.Account(42, 4, 0, spec, None, key, 2)
        epoch = date(2025, 1, 1)
        for cutoff in (datetime(2027, 3, 4, 9, tzinfo=UTC), datetime(2027, 4, 1, 0, 30, tzinfo=UTC)):
            booked = generator.opening_cents(key, spec.profile)
            day = epoch
            while day <= cutoff.date():
                booked_at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=2)
                for tx in generator.day_transactions(key, spec.profile, day):
                    withdrawn = tx.doomed and cutoff >= booked_at + timedelta(days=3)
                    booked += tx.cents if cutoff >= booked_at and not withdrawn else 0
                day += timedelta(days=1)
            assert ledger.balances(account, epoch, cutoff)[0] == booked
