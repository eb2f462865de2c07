"""The sandbox's domain: items and their refreshes (scenario rules, PSD2 quota, slow refreshes), fixes made through
the hosted pages, and the webhooks they trigger. Shared by the API routes and the hosted pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sandbox import banks, ledger
from sandbox.clock import Clock, iso
from sandbox.errors import ApiError, bad_request, not_found
from sandbox.mandate_desk import MandateDesk
from sandbox.scenarios import consent_expires_at, describe, history_days, refresh_outcome, scenario_of
from sandbox.store import Item, Store
from sandbox.webhooks import WebhookSender, Worker

QUOTA = 4
QUOTA_WINDOW = timedelta(hours=24)
EPOCH_DAYS = 800  # balances sum every operation since the epoch (a 1st of month), fixed when the database is created


@dataclass(frozen=True)
class Config:
    client_id: str
    client_secret: str
    webhook_url: str | None
    webhook_secret: str
    public_url: str
    slow_refresh_seconds: float = 5.0
    mandate_delay_seconds: float = 20.0


class Sandbox:
    def __init__(self, config: Config, data_dir: Path) -> None:
        self.config = config
        self.store = Store(data_dir)
        self.clock = Clock(self.store)
        self.worker = Worker()
        self.webhooks = WebhookSender(config.webhook_url, config.webhook_secret, self.store, self.worker)
        stored = self.store.get_meta('epoch')
        self.epoch = date.fromisoformat(stored) if stored else self._earliest_epoch()
        self.store.set_meta('epoch', self.epoch.isoformat())
        self.mandates = MandateDesk(self.store, self.clock, self.worker, config.mandate_delay_seconds)

    def _earliest_epoch(self) -> date:
        return (self.clock.today() - timedelta(days=EPOCH_DAYS)).replace(day=1)

    def set_clock(self, *, now: datetime | None = None, advance_days: float | None = None) -> datetime:
        """Move the sandbox clock; moving it back before the epoch moves the epoch back too."""
        if now is not None:
            self.clock.set(now)
        if advance_days is not None:
            self.clock.advance(advance_days)
        earliest = self._earliest_epoch()
        if earliest < self.epoch:
            self.epoch = earliest
            self.store.set_meta('epoch', earliest.isoformat())
        self.mandates.clock_moved()
        return self.clock.now()

    def close(self) -> None:
        self.mandates.stop()  # its periodic check never ends by itself: drain would wait for it
        self.worker.drain(timeout=2)
        self.worker.close()
        self.store.close()

    # items -----------------------------------------------------------------------------------------------------
    def user_item(self, user_uuid: str, item_id: int) -> Item:
        item = self.store.get_item(item_id)
        if item is None or item.user_uuid != user_uuid:
            raise not_found('Item')
        return self.settle(item)

    def user_items(self, user_uuid: str) -> list[Item]:
        return [self.settle(item) for item in self.store.list_items(user_uuid)]

    def settle(self, item: Item) -> Item:
        """Finish a slow refresh that is due (its timer may have been lost in a restart)."""
        if item.refreshing_until is not None and self.clock.real_now().timestamp() >= item.refreshing_until:
            self.finish_refresh(item.id)
            return self.store.get_item(item.id) or item
        return item

    def status_of(self, item: Item) -> tuple[int, str | None]:
        if item.refreshing_until is not None or item.status == -2:
            return (-2, None) if item.last_try_refresh is None else (-3, None)
        if self.clock.now() >= consent_expires_at(item.consent_at):
            return 1010, 'SCA_REQUIRED'
        return item.status, item.status_code_info

    def item_json(self, item: Item) -> dict[str, Any]:
        status, info = self.status_of(item)
        return {
            'id': item.id,
            'status': status,
            'status_code_info': info,
            'status_code_description': describe(status, info),
            'provider_id': item.provider_id,
            'account_types': 'all',
            'last_successful_refresh': iso(item.last_successful_refresh),
            'last_try_refresh': iso(item.last_try_refresh),
            'authentication_expires_at': iso(consent_expires_at(item.consent_at)),
        }

    def create_item(self, user_uuid: str, provider_id: int, identifiant: str) -> Item:
        now = self.clock.now()
        item = self.store.create_item(
            user_uuid=user_uuid,
            provider_id=provider_id,
            identifiant=identifiant.strip(),
            scenario=scenario_of(identifiant),
            status=-2,
            created_at=now,
            consent_at=now,
        )
        self.webhooks.send([('item.created', self._content(item))], now)
        self.request_refresh(item, user_present=True)
        return self.store.get_item(item.id) or item

    def delete_item(self, item: Item) -> None:
        self.store.delete_item(item.id)

    # refreshes -------------------------------------------------------------------------------------------------
    def request_refresh(self, item: Item, user_present: bool) -> None:
        """Start a refresh (202): immediate, or `slow_refresh_seconds` of real time for the `slow` scenario."""
        with self.store.lock:
            item = self.store.get_item(item.id) or item
            if item.refreshing_until is not None:
                return
            now = self.clock.now()
            if not user_present:
                self._check_quota(item, now)
            self.store.log_refresh(item.id, now, user_present)
            delay = self.config.slow_refresh_seconds if item.scenario == 'slow' else 0.0
            self.store.update_item(item.id, refreshing_until=self.clock.real_now().timestamp() + delay)
        if delay:
            self.worker.call_later(delay, lambda: self.finish_refresh(item.id))
        else:
            self.finish_refresh(item.id)

    def _check_quota(self, item: Item, now: datetime) -> None:
        recent = self.store.unattended_refreshes(item.id, now - QUOTA_WINDOW)
        if len(recent) >= QUOTA:
            wait = max(1, math.ceil((recent[-QUOTA] + QUOTA_WINDOW - now).total_seconds()))
            message = f'Too many unattended refreshes of item {item.id} within 24 hours (PSD2 limit: {QUOTA})'
            raise ApiError(429, 'too_many_requests', message, {'Retry-After': str(wait)})

    def finish_refresh(self, item_id: int) -> None:
        with self.store.lock:
            before = self.store.get_item(item_id)
            if before is None or before.refreshing_until is None:
                return
            if self.clock.real_now().timestamp() < before.refreshing_until:
                return
            now = self.clock.now()
            outcome = refresh_outcome(before, now)
            changes: dict[str, Any] = {
                'status': outcome.status,
                'status_code_info': outcome.info,
                'last_try_refresh': now,
                'refreshing_until': None,
                'refresh_ok': outcome.success,
            }
            if outcome.success:
                changes['last_successful_refresh'] = now
            self.store.update_item(item_id, **changes)
            after = self.store.get_item(item_id)
        if after is not None:
            self.webhooks.send(self._refresh_events(before, after), now)

    def _refresh_events(self, before: Item, after: Item) -> list[tuple[str, dict[str, Any]]]:
        created: list[tuple[str, dict[str, Any]]] = []
        updated: list[tuple[str, dict[str, Any]]] = []
        if after.refresh_ok:
            for account in self.accounts(after):
                new, changed = ledger.count_changes(self.records(after, account), before.last_successful_refresh)
                content = {
                    **self._content(after),
                    'account_id': account.id,
                    'nb_new_transactions': new,
                    'nb_updated_transactions': changed,
                    'data_access': self.data_access(after, account),
                }
                if before.last_successful_refresh is None:
                    created.append(('item.account.created', content))
                updated.append(('item.account.updated', content))
        return [*created, ('item.refreshed', self._content(after)), *updated]

    def refresh_status(self, item: Item) -> dict[str, Any]:
        accounts = self.accounts(item)
        if item.refreshing_until is not None or item.last_try_refresh is None:
            status, refreshed_at, refreshed = 'in_progress', None, 0
        elif item.refresh_ok:
            status, refreshed_at, refreshed = 'finished', item.last_successful_refresh, len(accounts)
        else:
            status, refreshed_at, refreshed = 'failed', item.last_try_refresh, 0
        return {
            'status': status,
            'refreshed_at': iso(refreshed_at),
            'refreshed_accounts_count': refreshed,
            'total_accounts_count': len(accounts),
            'mfa': None,
        }

    def _content(self, item: Item) -> dict[str, Any]:
        status, info = self.status_of(item)
        return {'item_id': item.id, 'user_uuid': item.user_uuid, 'status': status, 'status_code_info': info}

    # fixes (hosted pages with item_id, and the pro-validation endpoint) -----------------------------------------
    def renew_consent(self, item: Item) -> None:
        self.store.update_item(item.id, consent_at=self.clock.now(), sca_renewed=True)
        self.request_refresh(item, user_present=True)

    def renew_secret(self, item: Item) -> None:
        self.store.update_item(item.id, secret_renewed=True)
        self.request_refresh(item, user_present=True)

    def accept_bank_terms(self, item: Item) -> None:
        """Done on the bank's own website: the next refresh (the aggregator's or a user's) goes through."""
        self.store.update_item(item.id, bank_action_done=True)

    def validate_pro(self, item: Item, account_ids: list[int]) -> Item:
        pro_ids = {account.id for account in self.accounts(item) if account.spec.pro}
        if not account_ids or not set(account_ids) <= pro_ids:
            raise bad_request('account_ids must list professional accounts of this item')
        validated = sorted(set(item.validated_accounts) | set(account_ids))
        self.store.update_item(item.id, pro_validated=True, validated_accounts=validated)
        self.request_refresh(item, user_present=True)
        return self.store.get_item(item.id) or item

    # accounts and transactions ---------------------------------------------------------------------------------
    def accounts(self, item: Item) -> list[ledger.Account]:
        """Visible once the item has had a successful refresh."""
        provider = banks.get(item.provider_id)
        if item.last_successful_refresh is None or provider is None:
            return []
        return ledger.item_accounts(item, provider.bank_code)

    def data_access(self, item: Item, account: ledger.Account) -> str:
        return 'disabled' if account.spec.pro and account.id not in item.validated_accounts else 'enabled'

    def account_json(self, item: Item, account: ledger.Account) -> dict[str, Any]:
        cutoff = item.last_successful_refresh
        assert cutoff is not None
        booked, instant = ledger.balances(account, self.epoch, cutoff)
        return {
            'id': account.id,
            'item_id': item.id,
            'name': account.spec.name,
            'type': account.spec.type,
            'balance': booked / 100,
            'accounting_balance': booked / 100,
            'instant_balance': instant / 100,
            'currency_code': 'EUR',
            'iban': account.iban,
            'pro': account.spec.pro,
            'data_access': self.data_access(item, account),
            'last_refresh_date': iso(cutoff),
            'updated_at': iso(cutoff),
            'provider_id': item.provider_id,
        }

    def records(self, item: Item, account: ledger.Account) -> list[ledger.TxRecord]:
        if item.last_successful_refresh is None or self.data_access(item, account) == 'disabled':
            return []
        first_day = max(self.epoch, item.created_at.date() - timedelta(days=history_days(item.scenario)))
        return ledger.records(account, item.created_at, first_day, item.last_successful_refresh)

    def flaky_guard(self, items: list[Item]) -> None:
        """`flaky` items: every third API call touching them answers 500."""
        flaky = [item for item in items if item.scenario == 'flaky']
        if flaky and self.store.bump_calls(flaky[0].id) % 3 == 0:
            raise ApiError(500, 'internal_server_error', 'Simulated bank aggregator failure (flaky scenario)')
