"""The sandbox ASGI application: a Bridge-API-v3-style aggregator and its demo bank, with hosted connect pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from sandbox import api, api_items, bank_site, errors, faults, mandates, messaging, pages, production
from sandbox.service import Config, Sandbox


def create_app(
    *,
    client_id: str,
    client_secret: str,
    webhook_url: str | None,
    webhook_secret: str,
    data_dir: Path,
    public_url: str,
    slow_refresh_seconds: float = 5.0,
    mandate_delay_seconds: float = 20.0,
    sms_token: str = messaging.DEMO_SMS_TOKEN,
) -> FastAPI:
    """Build the sandbox. `public_url` is its externally visible base URL (with the mount prefix, if any): hosted page
    URLs are built from it. State lives in `data_dir/sandbox.db`. Relais mounts it with `app.mount('/sandbox', ...)`
    (a mounted app gets no lifespan events: its background worker is a daemon thread, closed with the process).
    `mandate_delay_seconds`: real time before the demo bank decides a statement mandate. The SMS gateway asks for
    `sms_token`; the mailbox (`app.state.mailbox`) listens only once started."""
    config = Config(
        client_id,
        client_secret,
        webhook_url or None,
        webhook_secret,
        public_url.rstrip('/'),
        slow_refresh_seconds,
        mandate_delay_seconds,
    )
    sandbox = Sandbox(config, Path(data_dir))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.mailbox.stop()
        sandbox.close()

    app = FastAPI(
        title='Bridge (démo) — Relais sandbox', docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.sandbox = sandbox
    app.state.messages = messaging.Messages(sandbox.store)
    app.state.mailbox = messaging.Mailbox(app.state.messages)
    app.state.sms_token = sms_token
    app.state.sms_keys, app.state.sms_hold = set(), {'count': 0, 'seconds': 0.0}
    errors.install(app)
    app.include_router(api.router)
    app.include_router(api_items.router)
    app.include_router(pages.router)
    app.include_router(mandates.router)  # before bank_site: its /banque/{item_id} would catch /banque/mandats
    app.include_router(bank_site.router)
    app.include_router(production.router)
    app.include_router(messaging.router)
    app.include_router(faults.router)
    app.state.faults = faults.Faults()
    app.add_middleware(faults.FaultMiddleware, faults=app.state.faults)
    return app
