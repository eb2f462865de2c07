"""The bank's mandated statement channel, over HTTP: signed mandates submitted, decisions fetched, files received.

Relais submits a signed mandate with the address of its inbox and a shared secret; the bank decides later
(approved or refused, fetched every 30 seconds), then pushes one CFONB 120 file a day to the inbox, signed with
that secret. A file is imported only for IBANs whose mandate is approved, and only once (statements have a
fingerprint), so a bank that pushes the same day twice adds nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

import httpx
from sqlalchemy import select

from services import audit, db, events, outbound
from services.banking_models import BankAccount
from services.clock import aware
from services.errors import DomainError
from services.mandates import record
from services.models import Client
from services.statement_models import Mandate
from services.statements import ImportSummary, import_statements, read_file

log = logging.getLogger(__name__)
INBOX_PATH = '/api/banque/releves'


@dataclass
class _Config:
    bank_url: str = ''
    client_id: str = ''
    client_secret: str = ''
    inbox_url: str = ''
    inbox_secret: str = ''


_config = _Config()


def configure(*, bank_url: str, client_id: str, client_secret: str, public_url: str, inbox_secret: str) -> None:
    _config.bank_url, _config.client_id, _config.client_secret = bank_url.rstrip('/'), client_id, client_secret
    _config.inbox_url, _config.inbox_secret = f'{public_url.rstrip("/")}{INBOX_PATH}', inbox_secret


def bank_url() -> str:
    return _config.bank_url


def _headers() -> dict[str, str]:
    return {'Client-Id': _config.client_id, 'Client-Secret': _config.client_secret}


async def _submit(http: httpx.AsyncClient, mandate: Mandate, account: BankAccount, holder: str) -> None:
    body = {
        'iban': account.iban,
        'holder': holder,
        'signer': mandate.signer_name or '',
        'reference': reference_of(mandate),
        'inbox_url': _config.inbox_url,
        'inbox_secret': _config.inbox_secret,
    }
    response = await http.post(f'{_config.bank_url}/banque/mandats', json=body, headers=_headers())
    if response.status_code == 400:  # the bank refuses this IBAN outright: a decision, not a failure
        _decide(mandate.id, 'refused', response.json().get('message') or 'IBAN refusé par la banque')
        return
    response.raise_for_status()
    with db.session_scope() as session:
        session.get(Mandate, mandate.id).bank_reference = response.json()['id']


def reference_of(mandate: Mandate) -> str:
    """Stable across retries (the bank answers a second submission with the same mandate), distinct across
    installations and databases whose mandate ids start again at 1."""
    return f'relais-{mandate.id}-{int(aware(mandate.created_at).timestamp() * 1000)}'


def _decide(mandate_id: int, status: str, reason: str | None) -> None:
    with db.session_scope() as session:
        mandate = session.get(Mandate, mandate_id)
        if mandate.status != 'signed':
            return
        record(session, mandate, status, actor='Banque', note=reason)
        account = session.get(BankAccount, mandate.account_id)
        audit.record(
            session,
            f'mandate.{status}',
            firm_id=mandate.firm_id,
            actor_email='banque',
            target_type='mandate',
            target_id=mandate.id,
            detail=reason,
        )
    events.emit(events.IbanChanged(mandate.firm_id, account.client_id, account.id, 'mandate'))


async def _fetch_decision(http: httpx.AsyncClient, mandate: Mandate) -> None:
    response = await http.get(f'{_config.bank_url}/banque/mandats/{mandate.bank_reference}', headers=_headers())
    response.raise_for_status()
    data = response.json()
    if data['status'] in ('approved', 'refused'):
        _decide(mandate.id, data['status'], data.get('reason'))


async def follow_mandates() -> int:
    """Submits the signed mandates not yet at the bank and fetches the decisions; how many were looked at."""
    with db.session_scope() as session:
        rows = session.execute(
            select(Mandate, BankAccount, Client.legal_name)
            .join(BankAccount, BankAccount.id == Mandate.account_id)
            .join(Client, Client.id == BankAccount.client_id)
            .where(Mandate.status == 'signed')
        ).all()
    async with httpx.AsyncClient(timeout=outbound.Budget().httpx_timeout()) as http:
        for mandate, account, holder in rows:
            try:
                if mandate.bank_reference is None:
                    await _submit(http, mandate, account, holder)
                else:
                    await _fetch_decision(http, mandate)
            except (httpx.HTTPError, KeyError, ValueError) as error:
                log.warning('mandate %s: the bank did not answer (%s), tried again later', mandate.id, error)
    return len(rows)


async def revoke_at_bank(mandate_id: int) -> None:
    with db.session_scope() as session:
        reference = session.get(Mandate, mandate_id).bank_reference
    async with httpx.AsyncClient(timeout=outbound.Budget().httpx_timeout()) as http:
        try:
            response = await http.delete(f'{_config.bank_url}/banque/mandats/{reference}', headers=_headers())
            if response.status_code != 404:
                response.raise_for_status()
        except httpx.HTTPError as error:
            sentence = outbound.transport_sentence('La banque', error)
            raise outbound.OutboundError(
                f'{sentence} Réessayez dans quelques minutes.', detail=outbound.technical(error)
            ) from None


class InboxRefused(DomainError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _approve_on_first_file(session, mandate_reference: str | None) -> None:
    """The bank pushes only for approved mandates: a file that names a signed mandate approves it, even when the
    bank's decision has not been fetched yet (the push may arrive before the next look at the bank)."""
    if not mandate_reference:
        return
    mandate = session.execute(
        select(Mandate).where(Mandate.bank_reference == mandate_reference, Mandate.status == 'signed')
    ).scalar_one_or_none()
    if mandate is not None:
        record(session, mandate, 'approved', actor='Banque', note='Approuvé (premier relevé reçu)')
        audit.record(
            session,
            'mandate.approved',
            firm_id=mandate.firm_id,
            actor_email='banque',
            target_type='mandate',
            target_id=mandate.id,
        )


def receive(
    body: bytes, signature: str | None, *, mandate_reference: str | None = None, file_name: str = 'banque.txt'
) -> ImportSummary:
    """A file pushed by the bank: checked, then imported into the client files of its approved IBANs."""
    expected = 'sha256=' + hmac.new(_config.inbox_secret.encode(), body, hashlib.sha256).hexdigest()
    if not signature or not hmac.compare_digest(expected, signature):
        raise InboxRefused('signature invalide', 401)
    statements = read_file(body, file_name)
    total = ImportSummary()
    with db.session_scope() as session:
        _approve_on_first_file(session, mandate_reference)
        session.flush()
        for statement in statements:
            found = session.execute(
                select(BankAccount, Client)
                .join(Client, Client.id == BankAccount.client_id)
                .join(Mandate, Mandate.account_id == BankAccount.id)
                .where(BankAccount.iban == statement.iban, Mandate.status == 'approved')
            ).first()
            if found is None:
                raise InboxRefused(f'aucun mandat approuvé pour {statement.iban or statement.account.display()}', 422)
            summary = import_statements(session, found[1], [statement], source='mandate', file_name=file_name)
            total.statements += summary.statements
            total.new_transactions += summary.new_transactions
            total.already_known += summary.already_known
            total.touched += summary.touched
            total.to_connector += summary.to_connector
    total.announce()
    return total
