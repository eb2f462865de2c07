"""Relais: settings, services, start-up and shut-down hooks, page registration, ui.run."""

import asyncio
import sys
from dataclasses import replace

from fastapi import FastAPI
from nicegui import app, background_tasks, core, ui

from pages import auth_routes, failures, webhook_routes
from pages.audit import audit_page
from pages.bank_accounts import bank_accounts_page
from pages.client_detail import client_detail_page
from pages.client_link import client_link_done_page, client_link_page, client_link_return_page
from pages.clients import clients_page
from pages.company import company_page
from pages.dashboard import dashboard_page
from pages.firm import firm_page
from pages.health import health_page
from pages.iban_detail import iban_detail_page
from pages.ibans import ibans_page
from pages.login import login_page
from pages.maintenance import maintenance_page
from pages.my_accounts import my_accounts_page
from pages.outbox import outbox_page
from pages.statements import statements_page
from pages.treasury import treasury_page
from pages.users import users_page
from pages.ventilation import own_ventilation_page, ventilation_page
from pages.ventilation_accounts import ventilation_accounts_page
from pages.ventilation_rules import ventilation_rules_page
from services import (
    bank_channel,
    connectors,
    db,
    demo,
    demo_statements,
    demo_ventilation,
    events,
    import_jobs,
    magic_links,
    outbound,
    outbox,
    scheduler,
    statements,
)
from services.http_headers import BodyLimitMiddleware, SecurityHeadersMiddleware, same_origin
from services.providers import registry
from services.settings import Settings, SettingsError, load_settings

UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope around the file
BODY_LIMITS = {  # bytes a POST may carry, by a piece of its path
    '/upload/': statements.MAX_FILE_BYTES + UPLOAD_OVERHEAD,
    bank_channel.INBOX_PATH: statements.MAX_FILE_BYTES,
    '/webhooks/': 1024 * 1024,
}


def register_pages(settings: Settings) -> None:
    ui.page('/login')(login_page)
    ui.page('/')(dashboard_page)
    ui.page('/dossiers')(clients_page)
    ui.page('/dossiers/{client_id}')(client_detail_page)
    ui.page('/dossiers/{client_id}/comptes-bancaires')(bank_accounts_page)
    ui.page('/dossiers/{client_id}/ventilation')(ventilation_page)
    ui.page('/dossiers/{client_id}/ventilation/regles')(ventilation_rules_page)
    ui.page('/dossiers/{client_id}/ventilation/comptes')(ventilation_accounts_page)
    ui.page('/dossiers/{client_id}/tresorerie')(treasury_page)
    ui.page('/cabinet')(firm_page)
    ui.page('/ibans')(ibans_page)
    ui.page('/ibans/{account_id}')(iban_detail_page)
    ui.page('/releves')(statements_page)
    ui.page('/sante')(health_page)
    ui.page('/maintenances')(maintenance_page)
    ui.page('/messages')(outbox_page)
    ui.page('/journal')(audit_page)
    ui.page('/lien/termine')(client_link_done_page)
    ui.page('/lien/{token}')(client_link_page)
    ui.page('/lien/{token}/retour')(client_link_return_page)
    ui.page('/mon-entreprise')(company_page)
    ui.page('/mes-comptes')(my_accounts_page)
    ui.page('/ventilation')(own_ventilation_page)
    ui.page('/utilisateurs')(users_page)
    failures.install()
    auth_routes.register(app, https=settings.https)
    webhook_routes.register(app)


def start_services(settings: Settings, sandbox: FastAPI | None) -> None:
    events.bind_loop(asyncio.get_running_loop())
    db.migrate(settings.database_url)
    db.configure(settings.database_url)
    outbound.configure(timeout=settings.outbound_timeout)
    registry.configure(settings)
    magic_links.configure(secret=settings.secret, public_url=settings.public_url)
    outbox.configure(demo_channels(settings, sandbox))
    connectors.configure(data_dir=settings.data_dir)
    import_jobs.configure(data_dir=settings.data_dir)
    bank_channel.configure(
        bank_url=settings.bank_url,
        client_id=settings.provider_client_id,
        client_secret=settings.provider_client_secret,
        public_url=settings.public_url,
        inbox_secret=settings.bank_inbox_secret,
    )
    if settings.demo:
        demo.seed()
        demo_ventilation.seed()
    if settings.demo_banks:
        background_tasks.create(demo_statements.seed_after_banks(), name='demo bank connections and statements')
    if settings.scheduler:
        scheduler.start()


def mount_sandbox(settings: Settings) -> FastAPI:
    """The demo aggregator, served under /sandbox; Relais still reaches it only over HTTP."""
    from sandbox.app import create_app

    sandbox = create_app(
        client_id=settings.provider_client_id,
        client_secret=settings.provider_client_secret,
        webhook_url=f'{settings.public_url}/webhooks/bridge',
        webhook_secret=settings.provider_webhook_secret,
        data_dir=settings.data_dir / 'sandbox',
        public_url=f'{settings.public_url}/sandbox',
        mandate_delay_seconds=settings.sandbox_mandate_delay,
    )
    app.mount('/sandbox', sandbox)
    return sandbox


def demo_channels(settings: Settings, sandbox: FastAPI | None) -> outbox.Channels:
    """In the demo, what is not configured goes to the sandbox's SMS gateway and mailbox, for real (HTTP, SMTP)."""
    channels = settings.channels
    if not settings.demo or sandbox is None:
        return channels
    from sandbox.messaging import DEMO_SMS_TOKEN

    if channels.sms_url is None:
        channels = replace(channels, sms_url=f'{settings.public_url}/sandbox/sms', sms_token=DEMO_SMS_TOKEN)
    if channels.smtp_host is None:
        port = sandbox.state.mailbox.start()
        channels = replace(channels, smtp_host='127.0.0.1', smtp_port=port, smtp_starttls=False, smtp_user=None)
    return channels


def load_settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        sys.exit(f'Relais : configuration invalide / invalid configuration: {error}')


def set_up(settings: Settings) -> None:
    sandbox = mount_sandbox(settings) if settings.sandbox else None
    app.on_startup(lambda: start_services(settings, sandbox))
    app.on_shutdown(scheduler.stop)
    app.on_shutdown(registry.close)
    app.on_shutdown(db.dispose)
    app.on_shutdown(lambda: events.bind_loop(None))
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(BodyLimitMiddleware, limits=BODY_LIMITS)
    core.sio.eio.cors_allowed_origins = same_origin  # the live link only from Relais' own pages
    register_pages(settings)
    if sandbox is not None:
        app.on_shutdown(sandbox.state.mailbox.stop)


def serve(settings: Settings) -> None:
    ui.run(
        host=settings.host,
        port=settings.port,
        title='Relais',
        language='fr',
        favicon='🔁',
        reload=False,
        show=False,
        storage_secret=settings.secret,
        session_middleware_kwargs={'https_only': settings.https, 'same_site': 'lax'},
        uvicorn_logging_level='warning',
    )


if __name__ in {'__main__', '__mp_main__'}:
    relais_settings = load_settings_or_exit()
    set_up(relais_settings)
    serve(relais_settings)
