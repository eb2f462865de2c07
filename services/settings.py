"""Settings read from the environment once, at start-up (never at import time)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.outbox import Channels


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message is in French and in English."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    data_dir: Path
    database_url: str
    demo: bool
    demo_banks: bool
    scheduler: bool
    secret: str
    https: bool
    public_url: str
    sandbox: bool
    provider_url: str
    provider_client_id: str
    provider_client_secret: str
    provider_webhook_secret: str
    bank_url: str  # the mandated statement channel of the bank (the demo bank of the sandbox by default)
    bank_inbox_secret: str
    sandbox_mandate_delay: float
    outbound_timeout: float  # seconds an outbound call may take, its retries included
    channels: Channels


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, '0').strip().lower()
    if raw in {'1', 'true', 'yes', 'oui'}:
        return True
    if raw in {'0', 'false', 'no', 'non', ''}:
        return False
    raise SettingsError(f'{name}={raw!r} : valeur attendue 0 ou 1 / expected 0 or 1')


def _port(env: Mapping[str, str]) -> int:
    raw = env.get('RELAIS_PORT', '8080').strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f'RELAIS_PORT={raw!r} : port invalide (1 à 65535) / invalid port (1 to 65535)')
    return int(raw)


def _host(env: Mapping[str, str]) -> str:
    raw = env.get('RELAIS_HOST', '127.0.0.1').strip()
    if raw == 'localhost':
        return raw
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        raise SettingsError(f'RELAIS_HOST={raw!r} : adresse IP attendue / an IP address is expected') from None
    return raw


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get('DATABASE_URL', '').strip()
    if not raw:
        return f'sqlite:///{data_dir / "relais.db"}'
    if raw.startswith('postgres://'):
        raw = 'postgresql://' + raw.removeprefix('postgres://')
    if raw.startswith('postgresql://'):
        raw = 'postgresql+psycopg://' + raw.removeprefix('postgresql://')
    if not raw.startswith(('sqlite:///', 'postgresql+psycopg://')):
        raise SettingsError(
            f'DATABASE_URL={raw!r} : seuls sqlite:/// et postgresql:// sont pris en charge '
            '/ only sqlite:/// and postgresql:// are supported'
        )
    return raw


def _secret(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get('RELAIS_SECRET', '').strip()
    if raw:
        if len(raw) < 32:
            raise SettingsError('RELAIS_SECRET : 32 caractères au moins / at least 32 characters')
        return raw
    path = data_dir / 'secret.key'
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    # O_EXCL so that two processes starting together cannot each write their own secret
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, 'w') as handle:
        handle.write(value)
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, '').strip().rstrip('/') or default
    if not raw.startswith(('http://', 'https://')):
        raise SettingsError(f'{name}={raw!r} : URL http(s) attendue / an http(s) URL is expected')
    return raw


def _provider(env: Mapping[str, str], host: str, port: int) -> dict[str, object]:
    reachable = '127.0.0.1' if host in {'0.0.0.0', '::'} else host
    public_url = _url(env, 'RELAIS_PUBLIC_URL', f'http://{reachable}:{port}')
    sandbox = _flag(env, 'RELAIS_SANDBOX') if 'RELAIS_SANDBOX' in env else not env.get('RELAIS_PROVIDER_URL')
    return {
        'public_url': public_url,
        'sandbox': sandbox,
        'provider_url': _url(env, 'RELAIS_PROVIDER_URL', f'{public_url}/sandbox'),
        'provider_client_id': env.get('RELAIS_PROVIDER_CLIENT_ID', 'relais-demo'),
        'provider_client_secret': env.get('RELAIS_PROVIDER_CLIENT_SECRET', 'relais-demo-secret'),
        'provider_webhook_secret': env.get('RELAIS_PROVIDER_WEBHOOK_SECRET', 'relais-demo-webhook-secret'),
        'bank_url': _url(env, 'RELAIS_BANK_URL', f'{public_url}/sandbox'),
        'bank_inbox_secret': env.get('RELAIS_BANK_INBOX_SECRET', 'relais-demo-bank-inbox-secret'),
        'sandbox_mandate_delay': _seconds(env, 'RELAIS_SANDBOX_MANDATE_DELAY', 20.0),
    }


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, '').strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 86400:
        raise SettingsError(f'{name}={raw!r} : durée en secondes attendue (0 à 86400) / seconds expected (0 to 86400)')
    return value


def _outbound_timeout(env: Mapping[str, str]) -> float:
    seconds = _seconds(env, 'RELAIS_OUTBOUND_TIMEOUT', 10.0)
    if not 1 <= seconds <= 60:
        raise SettingsError('RELAIS_OUTBOUND_TIMEOUT : de 1 à 60 secondes / from 1 to 60 seconds')
    return seconds


def _channels(env: Mapping[str, str]) -> Channels:
    """E-mail by SMTP and SMS through an HTTP gateway; either left unset keeps its messages in the outbox."""
    port = env.get('RELAIS_SMTP_PORT', '587').strip()
    if not port.isdigit():
        raise SettingsError(f'RELAIS_SMTP_PORT={port!r} : port invalide / invalid port')
    sms_url = env.get('RELAIS_SMS_URL', '').strip() or None
    return Channels(
        smtp_host=env.get('RELAIS_SMTP_HOST', '').strip() or None,
        smtp_port=int(port),
        smtp_user=env.get('RELAIS_SMTP_USER') or None,
        smtp_password=env.get('RELAIS_SMTP_PASSWORD') or None,
        smtp_from=env.get('RELAIS_SMTP_FROM', 'Relais <relais@localhost>'),
        smtp_starttls=_flag(env, 'RELAIS_SMTP_STARTTLS') if 'RELAIS_SMTP_STARTTLS' in env else True,
        sms_url=_url(env, 'RELAIS_SMS_URL', '') if sms_url else None,
        sms_token=env.get('RELAIS_SMS_TOKEN') or None,
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    data_dir = Path(env.get('RELAIS_DATA_DIR', './data')).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f'RELAIS_DATA_DIR={str(data_dir)!r} : dossier inutilisable / unusable folder ({error})'
        raise SettingsError(message) from None
    host, port = _host(env), _port(env)
    provider = _provider(env, host, port)
    demo = _flag(env, 'RELAIS_DEMO')
    demo_banks = _flag(env, 'RELAIS_DEMO_BANKS') if 'RELAIS_DEMO_BANKS' in env else demo and bool(provider['sandbox'])
    return Settings(
        host=host,
        port=port,
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        demo=demo,
        demo_banks=demo_banks,
        scheduler=_flag(env, 'RELAIS_SCHEDULER'),
        secret=_secret(env, data_dir),
        https=_flag(env, 'RELAIS_HTTPS'),
        outbound_timeout=_outbound_timeout(env),
        **provider,
        channels=_channels(env),
    )
