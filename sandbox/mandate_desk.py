"""The demo bank's statement mandates: decided after a delay of real time, then, once approved, one CFONB 120 file
per completed day pushed to the firm's inbox (signed, one Idempotency-Key per day), the 5 days before the approval
first. A day counts as sent only after a 2xx; a failure is retried at the next check, in day order.

Checks run on the sandbox's Worker: a decision timer per mandate, a periodic check of every active mandate and one
right after the sandbox clock moves. They are cancelled when the sandbox closes and resumed from the store when it
starts again."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from sandbox.clock import Clock
from sandbox.statement_files import statement_file
from sandbox.store import Store
from sandbox.webhooks import Worker

log = logging.getLogger('sandbox.mandates')
TABLE = 'mandates'
PAST_DAYS = 5
MAX_CHECK_SECONDS = 60.0
MIN_CHECK_SECONDS = 0.1  # a zero delay must not turn the periodic check into a busy loop
TIMEOUT = httpx.Timeout(5.0, connect=3.0)
REFUSAL = 'Le titulaire du compte ne correspond pas au signataire du mandat.'


@dataclass
class Mandate:
    """`decides_at` is shown in sandbox time; `decide_after` (real epoch seconds) is what rules, so moving the
    sandbox clock neither hastens nor delays a decision."""

    id: str
    reference: str
    iban: str
    holder: str
    signer: str
    inbox_url: str
    inbox_secret: str
    status: str  # pending, approved, refused, revoked
    created_at: datetime
    decides_at: datetime
    decide_after: float
    decided_at: datetime | None = None
    reason: str | None = None
    first_day: str | None = None  # ISO date of the first statement day, set on approval
    sent_days: list[str] = field(default_factory=list)  # ISO dates the inbox acknowledged (2xx)


def inbox_signature(secret: str, body: bytes) -> str:
    """The `X-Bank-Signature` header: sha256=<lowercase hex HMAC-SHA256(inbox secret, body)>."""
    return 'sha256=' + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class MandateDesk:
    def __init__(self, store: Store, clock: Clock, worker: Worker, delay_seconds: float) -> None:
        self.store = store
        self.clock = clock
        self.worker = worker
        self.delay = delay_seconds
        self.check_every = max(MIN_CHECK_SECONDS, min(delay_seconds, MAX_CHECK_SECONDS))
        self._lock = threading.Lock()
        self._mandate_locks: dict[str, threading.Lock] = {}
        self._timers: set[concurrent.futures.Future[Any]] = set()
        self._pumping = False
        self._stopped = False
        self._resume()

    # records ---------------------------------------------------------------------------------------------------
    def get(self, mandate_id: str) -> Mandate | None:
        found = self.store.select_records(Mandate, f'SELECT * FROM {TABLE} WHERE id = ?', (mandate_id,))
        return found[0] if found else None

    def _by_reference(self, reference: str) -> Mandate | None:
        found = self.store.select_records(Mandate, f'SELECT * FROM {TABLE} WHERE reference = ?', (reference,))
        return found[0] if found else None

    def _active(self) -> list[Mandate]:
        sql = f"SELECT * FROM {TABLE} WHERE status IN ('pending', 'approved') ORDER BY created_at, id"
        return self.store.select_records(Mandate, sql)

    def _update(self, mandate_id: str, **changes: Any) -> None:
        self.store.update_record(TABLE, Mandate, 'id', mandate_id, **changes)

    # what the routes call --------------------------------------------------------------------------------------
    def create(
        self, *, iban: str, holder: str, signer: str, reference: str, inbox_url: str, inbox_secret: str
    ) -> tuple[Mandate, bool]:
        """(mandate, created): a reference already known gives back its mandate, never a second one."""
        now = self.clock.now()
        mandate = Mandate(
            id=f'mdt_{secrets.token_hex(8)}',
            reference=reference,
            iban=iban,
            holder=holder,
            signer=signer,
            inbox_url=inbox_url,
            inbox_secret=inbox_secret,
            status='pending',
            created_at=now,
            decides_at=now + timedelta(seconds=self.delay),
            decide_after=self.clock.real_now().timestamp() + self.delay,
        )
        with self.store.lock:
            existing = self._by_reference(mandate.reference)
            if existing is not None:
                return self.settle(existing), False
            self.store.insert_record(TABLE, mandate)
        self._later(self.delay, lambda: self.check(mandate.id))
        self._start_pump()
        return mandate, True

    def settle(self, mandate: Mandate) -> Mandate:
        """Decide a pending mandate whose delay is over (lazily on reads, or from its timer)."""
        if mandate.status != 'pending' or self.clock.real_now().timestamp() < mandate.decide_after:
            return mandate
        with self.store.lock:
            current = self.get(mandate.id)
            if current is None or current.status != 'pending':
                return current or mandate
            refused = 'refus' in current.holder.casefold()
            if refused:
                outcome = {'status': 'refused', 'reason': REFUSAL}
            else:
                first_day = self.clock.today() - timedelta(days=PAST_DAYS)
                outcome = {'status': 'approved', 'first_day': first_day.isoformat()}
            self._update(current.id, decided_at=self.clock.now(), **outcome)
        if not refused:
            self._later(0, lambda: self.push(mandate.id))
        return self.get(mandate.id) or mandate

    def revoke(self, mandate_id: str) -> Mandate | None:
        # holding the mandate's lock waits for a file being sent: nothing is pushed once the revocation is answered
        with self._mandate_lock(mandate_id), self.store.lock:
            mandate = self.get(mandate_id)
            if mandate is None:
                return None
            self._update(mandate_id, status='revoked')
        return self.get(mandate_id)

    def clock_moved(self) -> None:
        """New completed days may exist: push them now rather than at the next periodic check."""
        if self._pumping:  # else no mandate was ever active: nothing to wake the worker for
            self._later(0, self.check_all)

    def stop(self) -> None:
        self._stopped = True
        with self._lock:
            timers = list(self._timers)
        for timer in timers:
            timer.cancel()
        if timers:  # one more turn of the loop lets the cancelled tasks end before the worker is closed
            with contextlib.suppress(Exception):
                self.worker.submit(asyncio.sleep(0)).result(timeout=1)

    # checks and pushes (worker threads) ------------------------------------------------------------------------
    def check_all(self) -> None:
        for mandate in self._active():
            if self._stopped:
                return
            self.check(mandate.id)

    def check(self, mandate_id: str) -> None:
        mandate = self.get(mandate_id)
        if mandate is not None and self.settle(mandate).status == 'approved':
            self.push(mandate_id)

    def push(self, mandate_id: str) -> None:
        """Send the due days in order, one at a time under the mandate's lock; stop at the first failure."""
        mandate = self.get(mandate_id)
        if mandate is None or self._next_day(mandate) is None:
            return  # the usual case of a periodic check: no HTTP client needed
        with httpx.Client(timeout=TIMEOUT) as client:
            while not self._stopped:
                with self._mandate_lock(mandate_id):
                    mandate = self.get(mandate_id)
                    day = self._next_day(mandate) if mandate is not None else None
                    if mandate is None or day is None or not self._deliver(client, mandate, day):
                        return
                    self._update(mandate_id, sent_days=[*mandate.sent_days, day.isoformat()])

    def _next_day(self, mandate: Mandate) -> date | None:
        """The earliest completed day not yet acknowledged, from the mandate's first day to yesterday."""
        if mandate.status != 'approved' or mandate.first_day is None:
            return None
        sent = set(mandate.sent_days)
        day, today = date.fromisoformat(mandate.first_day), self.clock.today()
        while day < today:
            if day.isoformat() not in sent:
                return day
            day += timedelta(days=1)
        return None

    def _deliver(self, client: httpx.Client, mandate: Mandate, day: date) -> bool:
        assert mandate.first_day is not None
        body = statement_file(mandate.iban, date.fromisoformat(mandate.first_day), day)
        headers = {
            'Content-Type': 'text/plain; charset=us-ascii',
            'X-Bank-Signature': inbox_signature(mandate.inbox_secret, body),
            'X-Bank-Mandate': mandate.id,
            'Idempotency-Key': f'{mandate.id}-{day.isoformat()}',
        }
        try:
            response = client.post(mandate.inbox_url, content=body, headers=headers)
        except httpx.HTTPError as error:
            log.warning('statement %s of %s not delivered: %s', day, mandate.id, error)
            return False
        if not response.is_success:
            log.warning('statement %s of %s refused by the inbox: HTTP %s', day, mandate.id, response.status_code)
        return response.is_success

    # scheduling ------------------------------------------------------------------------------------------------
    def _resume(self) -> None:
        """After a restart: decision timers of the pending mandates, a catch-up push and the periodic check."""
        active = self._active()
        if not active:
            return
        now = self.clock.real_now().timestamp()
        for mandate in active:
            if mandate.status == 'pending':
                self._later(max(0.0, mandate.decide_after - now), lambda mandate_id=mandate.id: self.check(mandate_id))
        self._later(0, self.check_all)
        self._start_pump()

    def _start_pump(self) -> None:
        with self._lock:
            if self._pumping:
                return
            self._pumping = True
        self._later(self.check_every, self._pump)

    def _pump(self) -> None:
        try:
            self.check_all()
        finally:
            self._later(self.check_every, self._pump)

    def _later(self, delay: float, function: Callable[[], object]) -> None:
        """Like Worker.call_later, but the timer is kept so that stop() can cancel it."""
        if self._stopped:
            return

        async def later() -> None:
            await asyncio.sleep(delay)
            await asyncio.get_running_loop().run_in_executor(None, self._guarded, function)

        timer = self.worker.submit(later())
        with self._lock:
            self._timers.add(timer)
        timer.add_done_callback(self._forget)

    def _forget(self, timer: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._timers.discard(timer)

    def _guarded(self, function: Callable[[], object]) -> None:
        """A failing check must never kill the worker; once stopped, the store may already be closed."""
        try:
            function()
        except Exception:
            if not self._stopped:
                log.exception('statement mandate check failed')

    def _mandate_lock(self, mandate_id: str) -> threading.Lock:
        with self._lock:
            return self._mandate_locks.setdefault(mandate_id, threading.Lock())
