"""/v3 routes for items (bank connections), accounts and transactions, all called as the user (Bearer)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel

from sandbox.clock import parse_date, parse_datetime
from sandbox.common import AsUser, Caller, paginate
from sandbox.errors import bad_request, not_found
from sandbox.ledger import Account, TxRecord
from sandbox.store import Item

router = APIRouter()


class RefreshIn(BaseModel):
    user_present: bool = False


class ProValidationIn(BaseModel):
    account_ids: list[int]


def _item(caller: AsUser, item_id: int) -> Item:
    item = caller.sandbox.user_item(caller.user.uuid, item_id)
    caller.sandbox.flaky_guard([item])
    return item


@router.get('/v3/aggregation/items')
def list_items(caller: Caller, limit: int | None = None, after: str | None = None) -> dict[str, Any]:
    items = caller.sandbox.user_items(caller.user.uuid)
    caller.sandbox.flaky_guard(items)
    return paginate(
        items,
        cursor=lambda item: f'{item.id:016d}',
        after=_padded(after),
        limit=limit,
        path='/v3/aggregation/items',
        params={},
        render=caller.sandbox.item_json,
    )


@router.get('/v3/aggregation/items/{item_id}')
def get_item(item_id: int, caller: Caller) -> dict[str, Any]:
    return caller.sandbox.item_json(_item(caller, item_id))


@router.post('/v3/aggregation/items/{item_id}/refresh', status_code=202)
def refresh_item(item_id: int, caller: Caller, body: Annotated[RefreshIn | None, Body()] = None) -> dict[str, Any]:
    item = _item(caller, item_id)
    caller.sandbox.request_refresh(item, user_present=bool(body and body.user_present))
    return {}


@router.get('/v3/aggregation/items/{item_id}/refresh-status')
def refresh_status(item_id: int, caller: Caller) -> dict[str, Any]:
    return caller.sandbox.refresh_status(_item(caller, item_id))


@router.delete('/v3/aggregation/items/{item_id}', status_code=204)
def delete_item(item_id: int, caller: Caller) -> Response:
    caller.sandbox.delete_item(caller.sandbox.user_item(caller.user.uuid, item_id))
    return Response(status_code=204)


@router.post('/v3/aggregation/items/{item_id}/pro-validation')
def validate_pro(item_id: int, body: ProValidationIn, caller: Caller) -> dict[str, Any]:
    item = caller.sandbox.validate_pro(_item(caller, item_id), body.account_ids)
    return caller.sandbox.item_json(item)


def _accounts(caller: AsUser, item_id: int | None) -> list[tuple[Item, Account]]:
    items = [_item(caller, item_id)] if item_id is not None else caller.sandbox.user_items(caller.user.uuid)
    if item_id is None:
        caller.sandbox.flaky_guard(items)
    return [(item, account) for item in items for account in caller.sandbox.accounts(item)]


def _account(caller: AsUser, account_id: int) -> tuple[Item, Account]:
    item = caller.sandbox.store.get_item(account_id // 10)
    if item is None or item.user_uuid != caller.user.uuid:
        raise not_found('Account')
    item = _item(caller, item.id)
    for account in caller.sandbox.accounts(item):
        if account.id == account_id:
            return item, account
    raise not_found('Account')


@router.get('/v3/aggregation/accounts')
def list_accounts(
    caller: Caller, item_id: int | None = None, limit: int | None = None, after: str | None = None
) -> dict[str, Any]:
    pairs = _accounts(caller, item_id)
    return paginate(
        pairs,
        cursor=lambda pair: f'{pair[1].id:016d}',
        after=_padded(after),
        limit=limit,
        path='/v3/aggregation/accounts',
        params={'item_id': item_id},
        render=lambda pair: caller.sandbox.account_json(*pair),
    )


@router.get('/v3/aggregation/accounts/{account_id}')
def get_account(account_id: int, caller: Caller) -> dict[str, Any]:
    return caller.sandbox.account_json(*_account(caller, account_id))


@router.get('/v3/aggregation/transactions')
def list_transactions(
    caller: Caller,
    account_id: int | None = None,
    since: str | None = None,
    min_date: str | None = None,
    max_date: str | None = None,
    limit: int | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    pairs = [_account(caller, account_id)] if account_id is not None else _accounts(caller, None)
    since_at, first, last = _filters(since, min_date, max_date)
    found = [
        record
        for item, account in pairs
        for record in caller.sandbox.records(item, account)
        if (record.updated_at > since_at if since_at is not None else not record.deleted)
        and (first is None or record.day >= first)
        and (last is None or record.day <= last)
    ]
    found.sort(key=lambda record: (record.updated_at, record.id))
    params = {'account_id': account_id, 'since': since, 'min_date': min_date, 'max_date': max_date}
    return paginate(
        found,
        cursor=_tx_cursor,
        after=after,
        limit=limit,
        path='/v3/aggregation/transactions',
        params=params,
        render=TxRecord.as_json,
    )


def _tx_cursor(record: TxRecord) -> str:
    return f'{int(record.updated_at.timestamp()):012d}-{record.id:016d}'


def _filters(
    since: str | None, min_date: str | None, max_date: str | None
) -> tuple[datetime | None, date | None, date | None]:
    try:
        since_at = parse_datetime(since) if since else None
    except ValueError:
        raise bad_request('since must be an ISO 8601 datetime') from None
    try:
        first = parse_date(min_date) if min_date else None
        last = parse_date(max_date) if max_date else None
    except ValueError:
        raise bad_request('min_date and max_date must be dates (YYYY-MM-DD)') from None
    return since_at, first, last


def _padded(after: str | None) -> str | None:
    if after is None or not after.strip():
        return None
    if not after.strip().isdigit():
        raise bad_request('after must be a cursor from pagination.next_uri')
    return f'{int(after):016d}'
