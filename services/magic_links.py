"""Magic links: what a client opens on a phone to fix one connection, without a password.

A link is signed (itsdangerous, with the session secret), lasts 7 days, is bound to one client file and one
connection, and is used once: it is spent when its fix succeeds. It allows nothing else. The token carries only
the link's id; the database says whether it was used, so a leaked old link is worth nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, select

from services import audit, outbox, statuses
from services.banking_models import BankConnection
from services.clients import visible_client
from services.clock import aware, now
from services.db import session_scope
from services.errors import DomainError, NotFound
from services.health_models import MagicLink
from services.models import Client, ClientAssignment, User
from services.permissions import Actor, require

LIFETIME = timedelta(days=7)
RENEWAL_QUIET = timedelta(hours=1)  # a client who asks again within it is told the firm already knows
_SALT = 'relais-magic-link'
FIXES = {
    'pro_validation_required': 'valider vos comptes professionnels',
    'sca_required': 'renouveler l’accès à votre banque (DSP2)',
    'consent_expiring': 'renouveler l’accès à votre banque (DSP2)',
    'credentials_invalid': 'saisir votre nouveau code secret bancaire',
    'bank_action_required': 'faire le nécessaire sur le site de votre banque',
}


class LinkUnusable(DomainError):
    """The link was used, ran out, or was never ours; ``reason`` is used, expired or invalid."""

    def __init__(self, reason: str, link_id: int | None = None) -> None:
        self.reason, self.link_id = reason, link_id
        super().__init__(
            {
                'used': 'Ce lien a déjà été utilisé.',
                'expired': 'Ce lien a expiré (il est valable 7 jours).',
            }.get(reason, 'Ce lien n’est pas valide.')
        )


@dataclass(frozen=True)
class LinkView:
    link_id: int
    client_id: int
    connection_id: int
    legal_name: str
    bank_name: str
    purpose: str
    status: str  # the connection's status now (it may have changed since the link was sent)


_config: dict[str, str] = {'secret': '', 'public_url': 'http://127.0.0.1:8080'}


def configure(*, secret: str, public_url: str) -> None:
    _config.update(secret=secret, public_url=public_url.rstrip('/'))


def _signer() -> URLSafeTimedSerializer:
    if not _config['secret']:
        raise RuntimeError('services.magic_links.configure() was not called')
    return URLSafeTimedSerializer(_config['secret'], salt=_SALT)


def url_for(link_id: int) -> str:
    return f'{_config["public_url"]}/lien/{_signer().dumps(link_id)}'


def _connection(session: Session, actor: Actor, connection_id: int) -> tuple[BankConnection, Client]:
    connection = session.get(BankConnection, connection_id)
    if connection is None or connection.firm_id != actor.firm_id or connection.deleted_at is not None:
        raise NotFound('Connexion bancaire')
    return connection, visible_client(session, actor, connection.client_id)


def create(session: Session, connection: BankConnection, *, created_by: int | None) -> str:
    """A new link for the client's part of this connection's fix, in the caller's unit of work; its URL."""
    purpose = statuses.effective(connection.status, connection.consent_expires_at)
    if purpose not in FIXES:
        raise DomainError('Cette connexion n’attend rien du client.')
    link = MagicLink(
        firm_id=connection.firm_id,
        client_id=connection.client_id,
        connection_id=connection.id,
        purpose=purpose,
        created_by=created_by,
        expires_at=now() + LIFETIME,
    )
    session.add(link)
    session.flush()
    return url_for(link.id)


def issue(actor: Actor, connection_id: int) -> str:
    """A new link for the client's part of this connection's fix; its URL (« Copier le lien »)."""
    require(actor, 'health.act')
    with session_scope() as session:
        connection, _client = _connection(session, actor, connection_id)
        url = create(session, connection, created_by=actor.user_id)
        audit.record(session, 'link.issued', actor=actor, target_type='bank_connection', target_id=connection.id)
        return url


def send_to_client(actor: Actor, connection_id: int) -> list[str]:
    """Issue a link and put it in the outbox to the file's contact (e-mail and/or SMS); the recipients."""
    url = issue(actor, connection_id)
    with session_scope() as session:
        connection, client = _connection(session, actor, connection_id)
        what = FIXES[statuses.effective(connection.status, connection.consent_expires_at)]
        text = (
            f'Bonjour,\n\nVotre cabinet vous demande de {what} pour la connexion « {connection.bank_name} » de '
            f'{client.legal_name}. Ouvrez ce lien (valable 7 jours, une seule fois) :\n{url}\n\nVotre cabinet comptable'
        )
        sms = f'{client.legal_name} : votre cabinet vous demande de {what} ({connection.bank_name}) : {url}'
        recipients = outbox.to_contact(
            session,
            firm_id=actor.firm_id,
            email=client.contact_email,
            phone=client.contact_phone,
            subject=f'Action requise : {connection.bank_name}',
            text=text,
            sms=sms,
            summary=f'Lien pour {what} ({connection.bank_name})',
        )
        if not recipients:
            raise DomainError('Ce dossier n’a ni e-mail ni téléphone de contact : copiez le lien.')
        audit.record(
            session,
            'link.sent',
            actor=actor,
            target_type='bank_connection',
            target_id=connection_id,
            detail=', '.join(recipients),
        )
        return recipients


def _link(session: Session, token: str) -> MagicLink:
    try:
        link_id = _signer().loads(token, max_age=int(LIFETIME.total_seconds()))
    except SignatureExpired:
        _signed, link_id = _signer().loads_unsafe(token)
        raise LinkUnusable('expired', link_id if isinstance(link_id, int) else None) from None
    except BadSignature:
        raise LinkUnusable('invalid') from None
    link = session.get(MagicLink, link_id)
    if link is None:
        raise LinkUnusable('invalid')
    if link.used_at is not None:
        raise LinkUnusable('used', link.id)
    if aware(link.expires_at) <= now():
        raise LinkUnusable('expired', link.id)
    return link


def link_of(session: Session, token: str) -> MagicLink:
    """The usable link behind a token (LinkUnusable otherwise), for the other kinds of links (mandates)."""
    return _link(session, token)


def purpose_of(token: str) -> str | None:
    """What a token's link is for, used or not ('mandate' or a connection fix); None when it is not ours."""
    valid, link_id = _signer().loads_unsafe(token)  # expired or not: only a forged token is refused here
    if not valid:
        return None
    with session_scope() as session:
        link = session.get(MagicLink, link_id) if isinstance(link_id, int) else None
        return link.purpose if link else None


def open_link(token: str) -> LinkView:
    with session_scope() as session:
        link = _link(session, token)
        if link.connection_id is None:
            raise LinkUnusable('invalid')
        connection = session.get(BankConnection, link.connection_id)
        client = session.get(Client, link.client_id)
        if connection is None or connection.deleted_at is not None:
            raise LinkUnusable('invalid')
        return LinkView(
            link_id=link.id,
            client_id=client.id,
            connection_id=connection.id,
            legal_name=client.legal_name,
            bank_name=connection.bank_name,
            purpose=link.purpose,
            status=statuses.effective(connection.status, connection.consent_expires_at),
        )


def spend(token: str, *, signer_name: str | None = None) -> LinkView:
    """Mark the link used (its fix succeeded)."""
    view = open_link(token)
    with session_scope() as session:
        link = session.get(MagicLink, view.link_id)
        link.used_at, link.signer_name = now(), signer_name
        session.add(link)
        audit.record(
            session,
            'link.used',
            firm_id=link.firm_id,
            actor_email=signer_name or 'lien client',
            target_type='bank_connection',
            target_id=link.connection_id,
            detail=link.purpose,
        )
    return view


def ask_for_a_new_link(token: str) -> bool:
    """From a used or expired link: tell the file's collaborators (or the firm's administrators); False when the
    file asked within the hour and they were told then (a second e-mail would only fill their mailbox)."""
    link_id = None
    try:
        open_link(token)
    except LinkUnusable as unusable:
        link_id = unusable.link_id
    with session_scope() as session:
        link = session.get(MagicLink, link_id) if link_id else None
        if link is None:
            raise LinkUnusable('invalid')
        client = session.get(Client, link.client_id)
        if audit.recorded_since(
            session,
            action='link.renewal_requested',
            firm_id=link.firm_id,
            target_type='client',
            target_id=client.id,
            since=now() - RENEWAL_QUIET,
        ):
            return False
        assigned = select(User.email).join(ClientAssignment, ClientAssignment.user_id == User.id)
        admins = select(User.email).where(User.firm_id == link.firm_id, User.role == 'administrateur')
        people = session.exec(assigned.where(ClientAssignment.client_id == link.client_id)).all()
        people = people or session.exec(admins).all()
        for email in people:
            outbox.enqueue(
                session,
                firm_id=link.firm_id,
                channel='email',
                recipient=email,
                subject=f'{client.legal_name} demande un nouveau lien',
                body=f'{client.legal_name} a ouvert un lien utilisé ou expiré et en demande un nouveau : '
                'voyez « Santé des connexions ».',
            )
        audit.record(session, 'link.renewal_requested', firm_id=link.firm_id, target_type='client', target_id=client.id)
        return True
