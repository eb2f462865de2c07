"""Webhook deliveries and delayed work, on a background asyncio loop of their own (a daemon thread), so that
nothing depends on the host's event loop (Relais mounts the sandbox; the sandbox may also run alone)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import httpx

from sandbox.clock import iso
from sandbox.store import Store

log = logging.getLogger('sandbox.webhooks')
RETRIES = 3
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
TIMEOUT = httpx.Timeout(5.0, connect=3.0)


def signature(secret: str, body: bytes) -> str:
    """The `BridgeApi-Signature` header value: v1=<uppercase hex HMAC-SHA256(secret, raw body)>."""
    return 'v1=' + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest().upper()


class Worker:
    """A daemon thread running an asyncio loop; started on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[concurrent.futures.Future[Any]] = set()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name='sandbox-worker', daemon=True).start()
                self._loop = loop
            return self._loop

    def submit(self, coroutine: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._ensure_loop())
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def call_later(self, delay: float, function: Callable[[], object]) -> None:
        async def later() -> None:
            await asyncio.sleep(delay)
            await asyncio.get_running_loop().run_in_executor(None, function)

        self.submit(later())

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far (and what it submits) is done, at most `timeout` seconds: for tests
        and shut-down. True when nothing is left."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = list(self._pending)
            left = deadline - time.monotonic()
            if not pending or left <= 0:
                return not pending
            concurrent.futures.wait(pending, timeout=left)

    def close(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)


class WebhookSender:
    """Posts events, in order, to the configured URL with the signature header; logs every delivery."""

    def __init__(self, url: str | None, secret: str, store: Store, worker: Worker) -> None:
        self.url = url
        self.secret = secret
        self.store = store
        self.worker = worker
        self._queue_lock = threading.Lock()
        self._chain: concurrent.futures.Future[Any] | None = None

    def send(self, events: list[tuple[str, dict[str, Any]]], now: datetime) -> None:
        if not self.url or not events:
            return
        batch = []
        for event_type, content in events:
            body = {'type': event_type, 'content': content, 'timestamp': int(now.timestamp() * 1000)}
            raw = json.dumps(body, separators=(',', ':'), ensure_ascii=False)
            batch.append((self.store.log_webhook(self.url, event_type, raw, now), raw.encode()))
        with self._queue_lock:
            previous = self._chain
            self._chain = self.worker.submit(self._deliver_after(previous, self.url, batch))

    async def _deliver_after(
        self, previous: concurrent.futures.Future[Any] | None, url: str, batch: list[tuple[int, bytes]]
    ) -> None:
        if previous is not None:  # keep the order of batches
            await asyncio.wait([asyncio.wrap_future(previous)])
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            for delivery_id, raw in batch:
                await self._deliver(client, url, delivery_id, raw)

    async def _deliver(self, client: httpx.AsyncClient, url: str, delivery_id: int, raw: bytes) -> None:
        headers = {'Content-Type': 'application/json', 'BridgeApi-Signature': signature(self.secret, raw)}
        error, status = None, None
        for attempt in range(1, RETRIES + 2):
            try:
                response = await client.post(url, content=raw, headers=headers)
                status = response.status_code
                error = None if response.is_success else f'HTTP {status}'
            except Exception as exc:  # a delivery error must never crash the sandbox
                error = f'{type(exc).__name__}: {exc}'
            if error is None or attempt > RETRIES:
                break
            await asyncio.sleep(BACKOFF_SECONDS[attempt - 1])
        delivered = iso(datetime.now(UTC)) if error is None else None
        self.store.update_webhook(
            delivery_id, status_code=status, attempts=attempt, error=error, delivered_at=delivered
        )
        if error is not None:
            log.warning('webhook %s to %s failed after %s attempts: %s', delivery_id, url, attempt, error)
