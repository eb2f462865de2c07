"""What Relais needs from an aggregator, whatever its brand: the Protocol and the data it returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from services.outbound import OutboundError


class ProviderError(OutboundError):
    """The aggregator failed or refused, said in French; ``retryable`` says whether trying later may work."""


class RateLimited(ProviderError):
    def __init__(self, retry_after: float) -> None:
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f'L’agrégateur limite le nombre de demandes : réessayez dans {minutes} min.',
            status=429,
            detail=f'Retry-After {retry_after:.0f} s',
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Bank:
    id: str
    name: str
    popular: bool = False


@dataclass(frozen=True)
class ProviderItem:
    id: str
    status_code: int
    status_info: str | None
    description: str | None
    bank_id: str | None
    consent_expires_at: datetime | None
    last_success_at: datetime | None


@dataclass(frozen=True)
class ProviderAccount:
    id: str
    item_id: str
    name: str
    kind: str
    balance: Decimal
    currency: str
    iban: str | None
    pro: bool


@dataclass(frozen=True)
class ProviderTransaction:
    id: str
    account_id: str
    label: str
    raw_label: str | None
    amount: Decimal
    currency: str
    date: date
    booking_date: date | None
    value_date: date | None
    operation_type: str | None
    deleted: bool
    pending: bool
    updated_at: str


class Aggregator(Protocol):
    """One aggregator user per client file; ``user`` is our external user id for that file."""

    key: str
    label: str

    async def ensure_user(self, user: str) -> str: ...
    async def connect_url(
        self, user: str, *, email: str, callback_url: str, item_id: str | None = None, context: str | None = None
    ) -> str: ...
    async def banks(self) -> list[Bank]: ...
    async def item(self, user: str, item_id: str) -> ProviderItem: ...
    async def refresh(self, user: str, item_id: str, *, user_present: bool) -> None: ...
    async def refresh_finished(self, user: str, item_id: str) -> bool: ...
    async def accounts(self, user: str, item_id: str) -> list[ProviderAccount]: ...
    async def transactions(
        self,
        user: str,
        account_id: str,
        *,
        since: str | None = None,
        min_date: date | None = None,
        max_date: date | None = None,
    ) -> list[ProviderTransaction]: ...
    async def validate_pro_accounts(self, user: str, item_id: str, account_ids: list[str]) -> ProviderItem: ...
    async def delete_item(self, user: str, item_id: str) -> None: ...
    def verify_webhook(self, body: bytes, signature: str | None) -> bool: ...
    async def aclose(self) -> None: ...
