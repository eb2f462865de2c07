"""What a client does through a magic link: validate professional accounts, renew the DSP2 consent, give a new
secret code, or say the bank's website was dealt with. Each fix ends with a sync the user asked for (user present),
whose status change every open dashboard hears; the link is spent only when the fix worked."""

from __future__ import annotations

from services import banking, cadence, magic_links, outbound
from services.banking_models import BankConnection
from services.db import session_scope
from services.errors import DomainError, InvalidInput
from services.magic_links import LinkView
from services.models import Client
from services.providers import registry
from services.sync import SyncOutcome, external_user, sync_connection

HOSTED_FIXES = frozenset({'sca_required', 'consent_expiring', 'credentials_invalid'})
TECHNICAL = cadence.RETRYABLE  # the sync failed on the aggregator's or the bank's side: nothing for the client to fix


def _spend_when_settled(token: str, outcome: SyncOutcome, *, still_asking: frozenset[str]) -> None:
    """The link is spent once the connection no longer needs the client; a technical failure keeps it usable, so the
    client can press « Réessayer » when the aggregator is back."""
    if outcome.status not in still_asking and outcome.status not in TECHNICAL:
        magic_links.spend(token)


def _connection(view: LinkView) -> BankConnection:
    return usable_connection(view.connection_id)


async def validate_pro_accounts(token: str, *, signer_name: str, certified: bool) -> SyncOutcome:
    """« Validation de compte professionnel »: the client certifies, the aggregator opens the accounts."""
    errors = {}
    if not signer_name.strip():
        errors['name'] = 'Indiquez votre nom.'
    if not certified:
        errors['certified'] = 'Cochez la case pour certifier être habilité.'
    if errors:
        raise InvalidInput(errors)
    view = magic_links.open_link(token)
    if view.status != 'pro_validation_required':
        raise DomainError('Les comptes de cette connexion n’attendent plus de validation.')
    await open_pro_accounts(_connection(view))
    magic_links.spend(token, signer_name=signer_name.strip())
    return await sync_connection(view.connection_id, user_present=True)


def usable_connection(connection_id: int) -> BankConnection:
    """A connection the client may act on now (no « Module indisponible » maintenance of its bank)."""
    with session_scope() as session:
        connection = session.get(BankConnection, connection_id)
        notice = banking.module_notice(session, connection)
    if notice:
        raise DomainError(f'Module indisponible : {notice} Réessayez après la maintenance.')
    return connection


async def open_pro_accounts(connection: BankConnection) -> None:
    """The aggregator opens the connection's professional accounts, which the client just certified."""
    module, user = registry.get(connection.provider), external_user(connection.client_id)
    with outbound.deadline():
        accounts = await module.accounts(user, connection.provider_item_id)
        await module.validate_pro_accounts(user, connection.provider_item_id, [a.id for a in accounts if a.pro])


async def hosted_fix_url(token: str, *, callback_url: str) -> str:
    """The aggregator's page for a DSP2 renewal or a new secret code, coming back to ``callback_url``."""
    view = magic_links.open_link(token)
    if view.status not in HOSTED_FIXES:
        raise DomainError('Cette connexion n’attend plus rien de vous.')
    connection = _connection(view)
    with session_scope() as session:
        email = session.get(Client, view.client_id).contact_email or ''
    with outbound.deadline():
        return await registry.get(connection.provider).connect_url(
            external_user(connection.client_id),
            email=email,
            callback_url=callback_url,
            item_id=connection.provider_item_id,
            context=str(connection.client_id),
        )


async def after_hosted_fix(token: str) -> SyncOutcome:
    """Back from the aggregator's page: synchronise, and spend the link if the connection is well again."""
    view = magic_links.open_link(token)
    _connection(view)
    outcome = await sync_connection(view.connection_id, user_present=True)
    _spend_when_settled(token, outcome, still_asking=HOSTED_FIXES)
    return outcome


async def retry_after_bank_action(token: str) -> SyncOutcome:
    """« J'ai fait le nécessaire »: try again; the link stays usable while the bank still asks."""
    view = magic_links.open_link(token)
    _connection(view)
    outcome = await sync_connection(view.connection_id, user_present=True)
    _spend_when_settled(token, outcome, still_asking=frozenset({'bank_action_required'}))
    return outcome


async def retry_sync(token: str) -> SyncOutcome:
    """« Réessayer » after a technical failure: the sync again, with the client present."""
    view = magic_links.open_link(token)
    if view.status not in TECHNICAL:
        raise DomainError('Cette connexion n’attend plus rien de vous.')
    _connection(view)
    outcome = await sync_connection(view.connection_id, user_present=True)
    _spend_when_settled(token, outcome, still_asking=HOSTED_FIXES | {'bank_action_required', 'pro_validation_required'})
    return outcome
