"""The firm's connectors: production tools that receive statements, each a preset of transport and format.

A Superviseur or an Administrateur adds and removes them (no limit on their number); every firm profile attaches
an IBAN to one of them, and only to one of its own firm. A connector in use by an IBAN cannot be removed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import func, select

from services import audit, db, outbound
from services.banking_models import BankAccount
from services.clients import visible_client
from services.clock import now
from services.errors import DomainError, InvalidInput, NotFound
from services.permissions import Actor, require
from services.statement_models import Connector

FORMAT_LABELS = {'cfonb120': 'CFONB 120', 'camt.053': 'camt.053'}
TRANSPORT_LABELS = {'webhook': 'Webhook HTTPS', 'folder': 'Dossier de dépôt'}
_LOOPBACK = {'127.0.0.1', 'localhost', '::1'}


@dataclass(frozen=True)
class Preset:
    label: str
    transport: str
    format: str


CATALOGUE: dict[str, Preset] = {
    'meg': Preset('MEG', 'webhook', 'cfonb120'),
    'quadra': Preset('Cegid Quadra', 'folder', 'cfonb120'),
    'acd': Preset('ACD', 'folder', 'cfonb120'),
    'sage': Preset('Sage', 'folder', 'cfonb120'),
    'pennylane': Preset('Pennylane', 'webhook', 'camt.053'),
    'webhook': Preset('Webhook HTTPS', 'webhook', 'cfonb120'),
    'folder': Preset('Dossier de dépôt', 'folder', 'cfonb120'),
}

_settings: dict[str, Path] = {}


def configure(*, data_dir: Path) -> None:
    _settings['depots'] = data_dir / 'depots'


@dataclass(frozen=True)
class ConnectorRow:
    id: int
    kind: str
    name: str
    transport: str
    format: str
    target: str  # the URL or the folder
    secret: str | None
    ibans: int

    @property
    def description(self) -> str:
        return f'{TRANSPORT_LABELS[self.transport]} · {FORMAT_LABELS[self.format]}'


def list_connectors(actor: Actor) -> list[ConnectorRow]:
    require(actor, 'connector.view')
    with db.session_scope() as session:
        used = dict(
            session.execute(
                select(BankAccount.connector_id, func.count())
                .where(BankAccount.firm_id == actor.firm_id, BankAccount.connector_id.is_not(None))
                .group_by(BankAccount.connector_id)
            ).all()
        )
        connectors = session.execute(
            select(Connector)
            .where(Connector.firm_id == actor.firm_id, Connector.removed_at.is_(None))
            .order_by(Connector.name, Connector.id)
        ).scalars()
        return [
            ConnectorRow(
                c.id,
                c.kind,
                c.name,
                c.transport,
                c.format,
                c.url or c.folder or '',
                c.secret if actor.role in ('administrateur', 'superviseur') else None,
                used.get(c.id, 0),
            )
            for c in connectors
        ]


def _checked_url(url: str) -> str:
    parts = urlsplit(url.strip())
    loopback = parts.hostname in _LOOPBACK
    if (parts.scheme != 'https' and not (parts.scheme == 'http' and loopback)) or not parts.hostname:
        raise InvalidInput({'url': 'Indiquez une adresse HTTPS complète (https://…).'})
    return url.strip()


def _checked_folder(folder: str | None, firm_id: int, name: str) -> str:
    if not folder:
        slug = ''.join(ch if ch.isalnum() else '-' for ch in name.lower()).strip('-') or 'depot'
        path = _settings.get('depots', Path('data/depots')) / str(firm_id) / f'{slug}-{secrets.token_hex(3)}'
    else:
        path = Path(folder.strip())
        if not path.is_absolute():
            raise InvalidInput({'folder': 'Indiquez un chemin absolu de dossier (/…).'})
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInput({'folder': f'Ce dossier ne peut pas être créé : {outbound.file_sentence(error)}.'}) from None
    return str(path)


def add_connector(
    actor: Actor,
    *,
    kind: str,
    name: str | None = None,
    url: str | None = None,
    folder: str | None = None,
    format: str | None = None,
    secret: str | None = None,
) -> Connector:
    require(actor, 'connector.manage')
    preset = CATALOGUE.get(kind)
    if preset is None:
        raise InvalidInput({'kind': 'Choisissez un connecteur du catalogue.'})
    chosen_format = format or preset.format
    if chosen_format not in FORMAT_LABELS:
        raise InvalidInput({'format': 'Format inconnu : CFONB 120 ou camt.053.'})
    label = (name or preset.label).strip()[:80] or preset.label
    connector = Connector(
        firm_id=actor.firm_id, kind=kind, name=label, transport=preset.transport, format=chosen_format
    )
    if preset.transport == 'webhook':
        connector.url = _checked_url(url or '')
        connector.secret = (secret or '').strip() or secrets.token_urlsafe(32)
    else:
        connector.folder = _checked_folder(folder, actor.firm_id, label)
    with db.session_scope() as session:
        session.add(connector)
        session.flush()
        audit.record(
            session,
            'connector.add',
            actor=actor,
            target_type='connector',
            target_id=connector.id,
            detail=f'{label} ({TRANSPORT_LABELS[connector.transport]}, {FORMAT_LABELS[chosen_format]})',
        )
    return connector


def remove_connector(actor: Actor, connector_id: int) -> None:
    require(actor, 'connector.manage')
    with db.session_scope() as session:
        connector = _firm_connector(session, actor, connector_id)
        ibans = (
            session.execute(
                select(BankAccount.iban).where(BankAccount.connector_id == connector.id).order_by(BankAccount.iban)
            )
            .scalars()
            .all()
        )
        if ibans:
            listed = ', '.join(ibans[:5]) + (f' et {len(ibans) - 5} autre(s)' if len(ibans) > 5 else '')
            raise DomainError(
                f'« {connector.name} » reçoit encore les relevés de {len(ibans)} IBAN ({listed}) : '
                'détachez-les d’abord (« Aucun connecteur »).'
            )
        connector.removed_at = now()
        audit.record(
            session,
            'connector.remove',
            actor=actor,
            target_type='connector',
            target_id=connector.id,
            detail=connector.name,
        )


def _firm_connector(session, actor: Actor, connector_id: int) -> Connector:
    connector = session.get(Connector, connector_id)
    if connector is None or connector.firm_id != actor.firm_id or connector.removed_at is not None:
        raise NotFound('Connecteur')
    return connector


def attach(actor: Actor, account_id: int, connector_id: int | None) -> None:
    """Routes an IBAN's next statements to one of the firm's connectors (None: to the global statements file)."""
    require(actor, 'iban.attach')
    with db.session_scope() as session:
        account = session.get(BankAccount, account_id)
        if account is None or account.firm_id != actor.firm_id:
            raise NotFound('IBAN')
        visible_client(session, actor, account.client_id)
        name = _firm_connector(session, actor, connector_id).name if connector_id is not None else 'Aucun connecteur'
        account.connector_id = connector_id
        audit.record(
            session,
            'iban.connector',
            actor=actor,
            target_type='bank_account',
            target_id=account.id,
            detail=f'{account.iban} → {name}',
        )
