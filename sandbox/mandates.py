"""The demo bank's statement mandate channel: Relais submits the mandate a client signed, the bank approves (or
refuses) it after a delay, then pushes the account's daily CFONB 120 files to the firm's inbox until it is revoked.

A real bank does this outside any aggregator, so these routes ask the application's Client-Id / Client-Secret but not
Bridge-Version. The decision and the pushes live in `mandate_desk`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from sandbox.clock import iso
from sandbox.common import BankClient
from sandbox.errors import ApiError, bad_request, not_found
from sandbox.mandate_desk import Mandate
from sandbox.service import Sandbox

router = APIRouter()
IBAN_SHAPE = re.compile(r'[A-Z]{2}\d{2}[A-Z0-9]{11,30}')
FRENCH_IBAN = re.compile(r'FR\d{12}[A-Z0-9]{11}\d{2}')
INVALID_IBAN = 'IBAN invalide : vérifiez les caractères et la clé de contrôle.'
FRENCH_ONLY = 'Le canal de relevés de la banque de démonstration ne traite que les IBAN français.'


class MandateIn(BaseModel):
    iban: str = Field(min_length=1, max_length=64)
    holder: str = Field(min_length=1, max_length=140)
    signer: str = Field(min_length=1, max_length=140)
    reference: str = Field(min_length=1, max_length=100)
    inbox_url: str = Field(min_length=1, max_length=2000)
    inbox_secret: str = Field(min_length=1, max_length=500)


def checked_iban(text: str) -> str:
    """The IBAN without spaces, in capitals; 400 `invalid_iban` unless it passes mod 97 and is French."""
    iban = re.sub(r'\s+', '', text).upper()
    if not IBAN_SHAPE.fullmatch(iban):
        raise ApiError(400, 'invalid_iban', INVALID_IBAN)
    rotated = iban[4:] + iban[:4]
    if int(''.join(str(int(char, 36)) for char in rotated)) % 97 != 1:
        raise ApiError(400, 'invalid_iban', INVALID_IBAN)
    if not FRENCH_IBAN.fullmatch(iban):
        raise ApiError(400, 'invalid_iban', FRENCH_ONLY)
    return iban


def mandate_json(mandate: Mandate) -> dict[str, Any]:
    return {
        'id': mandate.id,
        'status': mandate.status,
        'iban': mandate.iban,
        'reference': mandate.reference,
        'decides_at': iso(mandate.decides_at),
        'decided_at': iso(mandate.decided_at),
        'reason': mandate.reason,
        'statements_sent': len(mandate.sent_days),
    }


def _found(sandbox: Sandbox, mandate_id: str) -> Mandate:
    mandate = sandbox.mandates.get(mandate_id)
    if mandate is None:
        raise not_found('Mandat')
    return mandate


@router.post('/banque/mandats', status_code=201)
def submit_mandate(body: MandateIn, sandbox: BankClient, response: Response) -> dict[str, Any]:
    iban = checked_iban(body.iban)
    if urlsplit(body.inbox_url).scheme not in ('http', 'https') or not urlsplit(body.inbox_url).netloc:
        raise bad_request('inbox_url doit être une URL http(s).')
    mandate, created = sandbox.mandates.create(
        iban=iban,
        holder=body.holder.strip(),
        signer=body.signer.strip(),
        reference=body.reference.strip(),
        inbox_url=body.inbox_url,
        inbox_secret=body.inbox_secret,
    )
    if not created:
        response.status_code = 200
    return mandate_json(mandate)


@router.get('/banque/mandats/{mandate_id}')
def get_mandate(mandate_id: str, sandbox: BankClient) -> dict[str, Any]:
    return mandate_json(sandbox.mandates.settle(_found(sandbox, mandate_id)))


@router.delete('/banque/mandats/{mandate_id}')
def revoke_mandate(mandate_id: str, sandbox: BankClient) -> dict[str, Any]:
    _found(sandbox, mandate_id)
    revoked = sandbox.mandates.revoke(mandate_id)
    if revoked is None:
        raise not_found('Mandat')
    return mandate_json(revoked)
