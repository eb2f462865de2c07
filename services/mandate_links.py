"""The client's side of a mandate, on a phone: open the link, receive a one-time code, sign.

Signing is a strong authentication: the link alone is not enough, a 6-digit code sent to the file's phone (or
e-mail) must be typed within 10 minutes, 5 tries at most. The code is kept only as an HMAC. A new code resets the
tries, so codes are rationed too: 5 an hour to one phone or address (each is an SMS the firm pays for, and without a
ration the 5 tries would be 5 per click).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from services import audit, events, outbox
from services.banking_models import BankAccount
from services.clock import aware, now
from services.db import session_scope
from services.errors import InvalidInput
from services.magic_links import LinkUnusable, link_of
from services.models import Client, Firm
from services.statement_models import Mandate
from services.validation import bank_of

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5
CODES_PER_HOUR = 5
CODE_SUMMARY = 'Code de signature du mandat'
WRONG_CODE = 'Code incorrect.'


@dataclass(frozen=True)
class MandateView:
    mandate_id: int
    legal_name: str
    firm_name: str
    iban: str
    bank_name: str
    status: str


def _digest(link_id: int, code: str) -> str:
    return hmac.new(f'mandate-code-{link_id}'.encode(), code.encode(), hashlib.sha256).hexdigest()


def _load(session, token: str):
    link = link_of(session, token)
    if link.mandate_id is None:
        raise LinkUnusable('invalid')
    mandate = session.get(Mandate, link.mandate_id)
    account = session.get(BankAccount, mandate.account_id)
    return link, mandate, account, session.get(Client, link.client_id)


def open_mandate(token: str) -> MandateView:
    with session_scope() as session:
        _link, mandate, account, client = _load(session, token)
        bank, _bic = bank_of(account.iban)
        firm = session.get(Firm, client.firm_id)
        return MandateView(mandate.id, client.legal_name, firm.name, account.iban, bank or account.name, mandate.status)


def _masked(recipient: str) -> str:
    if '@' in recipient:
        name, domain = recipient.split('@', 1)
        return f'{name[:2]}•••@{domain}'
    return f'{"•• " * 4}{recipient[-2:]}'


def send_code(token: str) -> str:
    """A new one-time code to the file's phone (else e-mail); where it went, masked."""
    with session_scope() as session:
        link, mandate, account, client = _load(session, token)
        if mandate.status != 'to_sign':
            raise InvalidInput({'code': 'Ce mandat n’attend plus de signature.'})
        code = f'{secrets.randbelow(10**6):06d}'
        link.code_hash, link.code_expires_at, link.code_attempts = _digest(link.id, code), now() + CODE_LIFETIME, 0
        text = f'Relais : votre code de signature du mandat {account.iban[-4:]} est {code} (valable 10 minutes).'
        channel, recipient = ('sms', client.contact_phone) if client.contact_phone else ('email', client.contact_email)
        if not recipient:
            raise InvalidInput({'code': 'Aucun téléphone ni e-mail pour recevoir le code : contactez votre cabinet.'})
        _check_ration(session, link.firm_id, recipient)
        outbox.enqueue(
            session,
            firm_id=link.firm_id,
            channel=channel,
            recipient=recipient,
            body=text,
            subject='Code de signature' if channel == 'email' else None,
            summary=CODE_SUMMARY,
            confidential=True,
        )
        return _masked(recipient)


def _check_ration(session: Session, firm_id: int, recipient: str) -> None:
    """InvalidInput when this phone or address had its codes of the last hour; it says how long to wait."""
    since = now() - timedelta(hours=1)
    count, oldest = outbox.queued_since(
        session, firm_id=firm_id, recipient=recipient, summary=CODE_SUMMARY, since=since
    )
    if count >= CODES_PER_HOUR:
        minutes = max(1, math.ceil((aware(oldest) - since).total_seconds() / 60))
        raise InvalidInput(
            {'code': f'{CODES_PER_HOUR} codes ont été envoyés en une heure : réessayez dans {minutes} minute(s).'}
        )


def _check(link, *, signer_name: str, certified: bool, code: str) -> None:
    errors = {}
    if not signer_name.strip():
        errors['name'] = 'Indiquez votre nom.'
    if not certified:
        errors['certified'] = 'Cochez la case pour certifier que vous pouvez signer pour l’entreprise.'
    if link.code_hash is None:
        errors['code'] = 'Demandez d’abord le code (« Recevoir un code »).'
    elif link.code_attempts >= MAX_TRIES or aware(link.code_expires_at) <= now():
        errors['code'] = 'Ce code n’est plus valable : demandez-en un nouveau.'
    elif not hmac.compare_digest(link.code_hash, _digest(link.id, code.strip())):
        link.code_attempts += 1
        errors['code'] = WRONG_CODE
    if errors:
        raise InvalidInput(errors)


def sign(token: str, *, signer_name: str, certified: bool, code: str) -> int:
    """Signs the mandate (status « signé »); its id, for the submission to the bank."""
    from services.mandates import record

    with session_scope() as session:
        link, mandate, account, _client = _load(session, token)
        try:
            _check(link, signer_name=signer_name, certified=certified, code=code)
        except InvalidInput as refused:
            if refused.errors.get('code') == WRONG_CODE:  # journaled: five of them are someone guessing
                audit.record(
                    session,
                    'mandate.code_failed',
                    firm_id=link.firm_id,
                    target_type='mandate',
                    target_id=mandate.id,
                    detail=f'essai {link.code_attempts} sur {MAX_TRIES}',
                )
            session.commit()  # a wrong code counts as a try even though nothing else changes
            raise
        link.used_at, link.signer_name, link.code_hash = now(), signer_name.strip()[:200], None
        mandate.signer_name = signer_name.strip()[:120]
        record(
            session,
            mandate,
            'signed',
            actor=f'{mandate.signer_name} (client)',
            note='Signé avec un code à usage unique',
        )
        audit.record(
            session,
            'mandate.sign',
            firm_id=link.firm_id,
            actor_email=mandate.signer_name,
            target_type='mandate',
            target_id=mandate.id,
            detail=account.iban,
        )
    events.emit(events.IbanChanged(link.firm_id, account.client_id, account.id, 'mandate'))
    return mandate.id
